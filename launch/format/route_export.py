"""Exporting a plan's notification routes (``routes:``, issue 12). Secrets are references
(``{{ placeholder }}``, ``env:LC_ROUTE_…``), so the export holds none."""

from __future__ import annotations

from typing import Any

from communications.models import Route
from plans.models import Plan


def _quiet(pref: Any) -> str:
    if pref.quiet_from is None or pref.quiet_until is None:
        return ""
    return f"{pref.quiet_from:%H:%M}-{pref.quiet_until:%H:%M}"


def routes_doc(plan: Plan) -> list[dict[str, Any]]:
    routes = Route.objects.filter(plan=plan).prefetch_related("roles", "preferences__user")
    return [
        {
            "name": r.name,
            "kind": r.kind,
            "url": r.url,
            "key": r.key,
            "to": r.to,
            "events": list(r.events),
            "severity": r.severity or None,
            "roles": [role.name for role in sorted(r.roles.all(), key=lambda role: (role.order, role.pk))],
            "enabled": r.enabled,
            "people": [
                {"user": p.user.get_username(), "severity": p.severity or None, "quiet": _quiet(p)}
                for p in r.preferences.all()
            ],
        }
        for r in routes
    ]
