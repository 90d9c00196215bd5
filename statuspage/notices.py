"""What a subscriber receives for one update of the page: the email's subject and text, and the webhook's
JSON in Statuspage's shape (its documented webhook payloads: ``meta`` with ``unsubscribe`` and
``documentation``, ``page`` with ``id``, ``status_indicator`` and ``status_description``, then either
``incident`` with its ``incident_updates``, or ``component_update`` and ``component``).

An update is one of: an incident's update (created, updated, resolved: ``status.update``), a status post of
the launch window shown as a maintenance (``status.post``), a component's change of state
(``status.component``), the launch window's maintenance opening or closing by time alone
(``status.maintenance``: Statuspage's automatic ``in_progress`` and ``completed``, ``impact``
``maintenance``). Built once, when the outbox creates the delivery; the page's indicator is the one at that
moment."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.utils import timezone

from communications.models import StatusPost
from launchcontrol.dates import moment_text

from . import api_v2, tokens
from .models import ComponentChange, IncidentUpdate, Subscriber
from .selectors import PublicIncident, PublicState, auto_update, maintenance_source_id, public_incident
from .states import MOMENTS, ComponentStatus, MaintenanceStatus

UPDATE, POST, COMPONENT, CONFIRM = "status.update", "status.post", "status.component", "status.confirm"
MAINTENANCE = "status.maintenance"
DOCUMENTATION = "subscribe/#webhooks"


@dataclass(frozen=True)
class Event:
    """One update of the page that every confirmed subscriber hears about once."""

    source_kind: str
    source_id: int
    at: datetime
    title: str
    build: Callable[[PublicState, str], tuple[str, dict[str, Any]]]  # (email text, webhook body) from state, url
    webhooks_only: bool = False  # a component change an incident update's email tells already
    # The components it is about (their codes): a subscriber who chose some hears of it only if it names one
    # of theirs; none (a post, the launch window, an incident naming no component) is for every subscriber.
    components: frozenset[str] = frozenset()


def _until(incident: PublicIncident, moment: datetime) -> PublicIncident:
    updates = [u for u in incident.updates if u.created_at <= moment]
    return replace(incident, updates=updates, status=updates[0].status if updates else incident.status)


def _incident_text(incident: PublicIncident, url: str) -> str:
    u = incident.updates[0] if incident.updates else None
    lines = [f"{incident.name}", ""]
    if u is not None:
        lines += [f"{u.status_label}: {u.body}", ""]
        for a in u.affected:
            if a.get("new_status") in ComponentStatus.values:
                lines.append(f"{a.get('name')}: {ComponentStatus(a['new_status']).label}")
    lines += ["", f"Follow it here: {url}incidents/{incident.id}/"]
    return "\n".join(lines).replace("\n\n\n", "\n\n")


def update_event(update: IncidentUpdate) -> Event:
    incident = public_incident(update.incident)
    label = update.status.replace("_", " ").capitalize()

    def build(state: PublicState, url: str) -> tuple[str, dict[str, Any]]:
        shown = _until(incident, update.created_at)
        return _incident_text(shown, url), {"incident": api_v2.incident_doc(shown, state, url)}

    affected = {str(code) for a in update.affected if (code := a.get("code"))}
    about = {c.code for c in update.incident.components.all()} | affected
    title = f"{update.incident.name}: {label}"
    return Event(UPDATE, update.pk, update.created_at, title, build, components=frozenset(about))


def post_event(post: StatusPost) -> Event:
    def build(state: PublicState, url: str) -> tuple[str, dict[str, Any]]:
        maintenance = state.maintenance
        text = f"{post.title}\n\n{post.body}".strip() + f"\n\nThe status page: {url}"
        if maintenance is None:  # a plan with no launch clock: the post alone
            bare = {"id": f"post{post.pk}", "name": post.title, "status": "", "incident_updates": []}
            return text, {"incident": bare}
        shown = _until(maintenance, post.published_at)
        return text + f"\nThis maintenance: {url}incidents/{maintenance.id}/", {
            "incident": api_v2.incident_doc(shown, state, url)
        }

    return Event(POST, post.pk, post.published_at, post.title, build)


def component_event(change: ComponentChange) -> Event:
    component = change.component
    new = ComponentStatus(change.new_status).label if change.new_status in ComponentStatus.values else ""

    def build(state: PublicState, url: str) -> tuple[str, dict[str, Any]]:
        text = f"{component.name} is now: {new}.\n\nThe status page: {url}"
        doc = {
            "component_update": {
                "created_at": api_v2._t(change.at, state),
                "new_status": change.new_status,
                "old_status": change.old_status,
                "id": hashlib.sha256(f"component-update:{change.pk}".encode()).hexdigest()[:12],
                "component_id": component.code,
                "component_type": "Component",
            },
            "component": api_v2.component_doc(component, state),
        }
        return text, doc

    title = f"{component.name}: {new.lower()}"
    return Event(COMPONENT, change.pk, change.at, title, build, components=frozenset({component.code}))


def one_line(text: str) -> str:
    """Plan text in a plain-text email or subject: control characters and line breaks become spaces, so a
    name cannot forge lines (a fake link, a fake signature) or headers."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _maintenance_text(shown: PublicIncident, phase: int, moment: datetime, url: str, zone: Any) -> str:
    def at(m: datetime | None) -> str:
        return moment_text(timezone.localtime(m, zone), year=True) if m else ""

    name = one_line(shown.name)
    if phase == 0:
        what = f'The scheduled maintenance "{name}" began at {at(moment)}'
        what += f" and is planned to end at {at(shown.scheduled_until)}." if shown.scheduled_until else "."
    elif phase == 1:
        what = f'The window of the scheduled maintenance "{name}" (from {at(shown.scheduled_for)}) ended at '
        what += f"{at(moment)}. We are verifying the results and will write again when it is complete."
    else:
        what = f'The scheduled maintenance "{name}" (from {at(shown.scheduled_for)}) was completed at {at(moment)}.'
    return f"{MOMENTS[phase][1]}\n\n{what}\n\nFollow it here: {url}incidents/{shown.id}/"


def maintenance_event(plan_id: int, phase: int, moment: datetime, before: dict[int, datetime]) -> Event:
    """One of the maintenance's moments (``MOMENTS``), told by time alone; ``before``: the moments of the
    earlier phases that happened (their automatic updates are in the webhook's list). The maintenance is the
    page's (``state.maintenance``): its times, components and posts so far."""
    status, title, _ = MOMENTS[phase]

    def build(state: PublicState, url: str) -> tuple[str, dict[str, Any]]:
        maintenance = state.maintenance
        assert maintenance is not None  # only a plan with a launch clock has these events
        autos = [auto_update(plan_id, p, m) for p, m in before.items() if p < phase]
        autos.append(auto_update(plan_id, phase, moment))
        shown = _until(maintenance, moment)
        # The page's own automatic updates (selectors) are these, at the moments it knows now: each once.
        mine = {u.id for u in autos}
        updates = [*autos, *(u for u in shown.updates if u.id not in mine)]
        updates.sort(key=lambda u: u.created_at, reverse=True)
        shown = replace(
            shown, status=status, updates=updates, updated_at=max(shown.updated_at, moment),
            resolved_at=moment if status == MaintenanceStatus.COMPLETED else None,
        )  # fmt: skip
        text = _maintenance_text(shown, phase, moment, url, state.plan.zone)
        return text, {"incident": api_v2.incident_doc(shown, state, url)}

    return Event(MAINTENANCE, maintenance_source_id(plan_id, phase), moment, title, build)


def webhook_document(state: PublicState, url: str, subscriber: Subscriber, part: dict[str, Any]) -> dict[str, Any]:
    """The whole webhook body: ``meta`` and ``page`` first, then the part of the event."""
    return {
        "meta": {
            "unsubscribe": tokens.unsubscribe_url(state.plan.slug, subscriber.code),
            "documentation": f"{url}{DOCUMENTATION}",
            "generated_at": api_v2._t(timezone.now(), state),
        },
        "page": {
            "id": state.plan.slug,
            "status_indicator": state.indicator,
            "status_description": state.description,
        },
        **part,
    }


def email_text(plan_name: str, text: str, subscriber: Subscriber, slug: str) -> str:
    unsubscribe = tokens.unsubscribe_url(slug, subscriber.code)
    plan_name = one_line(plan_name)
    return (
        f"{text}\n\n--\nYou receive this because you subscribed to updates of {plan_name}'s status page.\n"
        f"Unsubscribe (one click): {unsubscribe}\n"
    )


def confirm_text(plan_name: str, subscriber: Subscriber, slug: str) -> tuple[str, str]:
    link = tokens.confirm_url(slug, subscriber.code, subscriber.nonce)
    plan_name = one_line(plan_name)
    what = f"the webhook {subscriber.url}" if subscriber.url else "this address"
    hours = tokens.confirm_hours()
    about = ", ".join(one_line(c.name) for c in subscriber.components.all())
    which = f"updates about {about} on {plan_name}'s status page" if about else f"updates of {plan_name}'s status page"
    body = (
        f"Someone (we hope you) asked for {which} to be sent to {what}.\n\n"
        f"To start them, open this link within {hours:g} hours and press Confirm:\n{link}\n\n"
        "If you did not ask for this, ignore this message: nothing will be sent.\n"
    )
    return f"Confirm your subscription to {plan_name} status", body


Render = Callable[[], tuple[str, str]]
