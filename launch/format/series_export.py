"""Exporting recurring items and on-call rotas (issue 16). A role's rota is written as the file wrote it
(``rota:``) while its shifts are still the ones the rota makes; once edited (in the admin), as ``shifts:``."""

from __future__ import annotations

from typing import Any

from plans.models import Plan
from plans.slips import planned_offset
from roles.models import Rota, Shift
from roles.rota.expand import rota_shifts


def repeat_doc(plan: Plan, item: Any) -> dict[str, Any] | None:
    """An item's ``repeat:`` (None for an item that does not recur); its recurrence is select_related."""
    rec = getattr(item, "recurrence", None) if hasattr(item, "recurrence") else None
    if rec is None:
        return None
    return {
        "every": rec.every,
        "times": list(rec.times or []),
        "from": planned_offset(plan, rec.start),
        "until": planned_offset(plan, rec.until),
        "grace": rec.grace,
    }


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def role_oncall_docs(plan: Plan) -> dict[int, dict[str, Any]]:
    """Per role pk, its ``rota:`` or its ``shifts:`` (two queries)."""
    rotas = {r.role_id: r for r in Rota.objects.filter(plan=plan)}
    shifts: dict[int, list[Shift]] = {}
    for s in Shift.objects.filter(plan=plan).select_related("person", "backup").order_by("start", "id"):
        shifts.setdefault(s.role_id, []).append(s)
    out: dict[int, dict[str, Any]] = {}
    for role_id in set(rotas) | set(shifts):
        rows = [(s.start, s.end, _username(s.person), _username(s.backup)) for s in shifts.get(role_id, [])]
        rota = rotas.get(role_id)
        if rota is not None:
            made = rota_shifts(
                start=rota.start, until=rota.until, length=rota.length, people=rota.people, backups=rota.backups
            )
            if [tuple(s) for s in made] == rows:
                out[role_id] = {
                    "rota": {
                        "from": rota.start,
                        "until": rota.until,
                        "shift": rota.length,
                        "people": list(rota.people),
                        "backups": list(rota.backups),
                    }
                }
                continue
        out[role_id] = {
            "shifts": [{"from": start, "until": end, "person": p, "backup": b} for start, end, p, b in rows if p]
        }
    return out
