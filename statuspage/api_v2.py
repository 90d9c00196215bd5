"""Statuspage's public v2 documents (``/api/v2/summary.json`` and the rest), field for field.

Field names and values follow Atlassian Statuspage's published public API (the page object, components,
incidents with their ``incident_updates``, scheduled maintenances, the status indicator ``none``,
``minor``, ``major`` or ``critical``), so tools that read a Statuspage page read this one unchanged. Times
are ISO 8601 with the offset, in the plan's time zone (as Statuspage gives them in the page's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .models import Component
from .selectors import PublicIncident, PublicState, Update

Doc = dict[str, Any]


def _t(moment: datetime | None, state: PublicState) -> str | None:
    if moment is None:
        return None
    return state.plan.local(moment).isoformat(timespec="milliseconds")


def page_doc(state: PublicState, url: str) -> Doc:
    return {
        "id": state.plan.slug,
        "name": state.plan.name,
        "url": url,
        "time_zone": state.plan.timezone,
        "updated_at": _t(state.updated_at, state),
    }


def component_doc(c: Component, state: PublicState) -> Doc:
    return {
        "id": c.code,
        "name": c.name,
        "status": c.status,
        "created_at": _t(c.created_at, state),
        "updated_at": _t(c.updated_at, state),
        "position": c.order + 1,
        "description": c.description or None,
        "showcase": not c.only_show_if_degraded,
        "start_date": state.plan.local(c.created_at).date().isoformat(),
        "group_id": None,
        "page_id": state.plan.slug,
        "group": False,
        "only_show_if_degraded": c.only_show_if_degraded,
    }


def _update_doc(u: Update, incident: PublicIncident, state: PublicState) -> Doc:
    return {
        "id": u.id,
        "status": u.status,
        "body": u.body,
        "incident_id": incident.id,
        "created_at": _t(u.created_at, state),
        "updated_at": _t(u.created_at, state),
        "display_at": _t(u.created_at, state),
        "affected_components": u.affected or None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident_doc(i: PublicIncident, state: PublicState, url: str) -> Doc:
    doc: Doc = {
        "id": i.id,
        "name": i.name,
        "status": i.status,
        "created_at": _t(i.created_at, state),
        "updated_at": _t(i.updated_at, state),
        "monitoring_at": _t(i.monitoring_at, state),
        "resolved_at": _t(i.resolved_at, state),
        "impact": i.impact,
        "shortlink": f"{url}incidents/{i.id}/",
        "started_at": _t(i.started_at, state),
        "page_id": state.plan.slug,
        "incident_updates": [_update_doc(u, i, state) for u in i.updates],
        "components": [component_doc(c, state) for c in i.components],
    }
    if i.maintenance:
        doc["scheduled_for"] = _t(i.scheduled_for, state)
        doc["scheduled_until"] = _t(i.scheduled_until, state)
    return doc


def status_doc(state: PublicState) -> Doc:
    return {"indicator": state.indicator, "description": state.description}


def documents(state: PublicState, url: str) -> dict[str, Doc]:
    """Every v2 document by its path under ``api/v2/``."""
    page = page_doc(state, url)
    components = [component_doc(c, state) for c in state.components]
    maintenances = [incident_doc(m, state, url) for m in state.maintenances]
    upcoming = [m for m in maintenances if m["status"] == "scheduled"]
    active = [m for m in maintenances if m["status"] in {"in_progress", "verifying"}]
    unresolved = [incident_doc(i, state, url) for i in state.unresolved]
    return {
        "summary.json": {
            "page": page,
            "components": components,
            "incidents": unresolved,
            "scheduled_maintenances": upcoming + active,
            "status": status_doc(state),
        },
        "status.json": {"page": page, "status": status_doc(state)},
        "components.json": {"page": page, "components": components},
        "incidents.json": {"page": page, "incidents": [incident_doc(i, state, url) for i in state.incidents]},
        "incidents/unresolved.json": {"page": page, "incidents": unresolved},
        "scheduled-maintenances.json": {"page": page, "scheduled_maintenances": maintenances},
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": upcoming},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": active},
    }


DOCUMENTS = (
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
)
