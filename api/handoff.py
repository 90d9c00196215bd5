"""The operations handoff over the API (scope ``read``, like the plan's state and its readiness): its state
(none, planned, proposed, accepted, or reverted when the coordinator reopened the launch), what is handed
over to which role, who proposed, accepted and reverted it and when, and the open items and unresolved
issues it carried over (recorded when it was accepted)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from review.decisions import person
from review.models import Handoff

from .auth import TokenAuth, access
from .models import Scope
from .schemas import Error

router = Router(tags=["review"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 429: Error}


class CarriedOut(Schema):
    title: str
    owner: str = Field(description="The owning role's name (empty: none).")
    due: str = Field(description="An item's due moment (ISO 8601, UTC); empty for an issue.")


class HandoffOut(Schema):
    state: Literal["none", "planned", "proposed", "accepted", "reverted"] = Field(
        description="`accepted`: the launch is closed; `reverted`: it was accepted, then the launch reopened."
    )
    plan_status: str = Field(description="The launch's state (`closed` once the handoff is accepted).")
    to_role: str | None
    systems: list[str]
    runbooks: list[str]
    contacts: list[str]
    note: str
    proposed_by: str | None
    proposed_at: datetime | None
    accepted_by: str | None
    accepted_at: datetime | None
    reverted_by: str | None
    reverted_at: datetime | None
    reopen_reason: str
    carried_items: list[CarriedOut] = Field(description="Open required items carried over on acceptance.")
    carried_issues: list[CarriedOut] = Field(description="Unresolved issues carried over on acceptance.")


def _who(user: Any, at: datetime | None) -> str | None:
    return person(user) if at is not None else None


def handoff_out(plan: Any, h: Handoff | None) -> dict[str, Any]:
    if h is None:
        empty: dict[str, Any] = dict.fromkeys(("to_role", "proposed_by", "proposed_at", "accepted_by"))
        empty |= dict.fromkeys(("accepted_at", "reverted_by", "reverted_at"))
        names = ("systems", "runbooks", "contacts", "carried_items", "carried_issues")
        lists: dict[str, list[str]] = {name: [] for name in names}
        return {"state": "none", "plan_status": plan.status, "note": "", "reopen_reason": "", **empty, **lists}
    carried = h.carried if h.accepted_at is not None else []
    return {
        "state": h.status,
        "plan_status": plan.status,
        "to_role": h.to_role.name if h.to_role else None,
        "systems": h.systems,
        "runbooks": h.runbooks,
        "contacts": h.contacts,
        "note": h.note,
        "proposed_by": _who(h.proposed_by, h.proposed_at),
        "proposed_at": h.proposed_at,
        "accepted_by": _who(h.accepted_by, h.accepted_at),
        "accepted_at": h.accepted_at,
        "reverted_by": _who(h.reverted_by, h.reverted_at),
        "reverted_at": h.reverted_at,
        "reopen_reason": h.revert_reason,
        "carried_items": [c for c in carried if c.get("kind") == "item"],
        "carried_issues": [c for c in carried if c.get("kind") == "issue"],
    }


@router.get(
    "/plans/{plan}/handoff",
    response={200: HandoffOut, **ERRORS},
    url_name="handoff",
    auth=TokenAuth(Scope.READ),
    summary="The operations handoff",
    description="Scope `read`. The handoff's state (`none`, `planned`, `proposed`, `accepted`, `reverted`), what "
    "is handed over to which role, who proposed, accepted and reverted it and when, and the open items and "
    "unresolved issues it carried over (recorded when accepted; empty before).",
)
def handoff_view(request: HttpRequest, plan: str) -> dict[str, Any]:
    where = access(request, plan, Scope.READ)
    related = ("to_role", "proposed_by", "accepted_by", "reverted_by")
    return handoff_out(where.plan, Handoff.objects.filter(plan=where.plan).select_related(*related).first())
