"""Writes for the status page: component states, incidents and their updates, drafts.

Who may write: the plan's comms role (primary or backup; ``communications.sources.by_hand.comms_role``) and
the coordinator. Automatic writes (a rollback trigger raised or cleared, an alert firing or resolved, a
critical issue opened) come from :mod:`statuspage.signals`, run inside the write that caused them and have
no actor. Every write is one transaction and records an event, which bumps the plan's revision: that is
what turns the cached public pages over (:mod:`statuspage.cache`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from communications.sources.by_hand import comms_role
from plans.services import event_record
from plans.validators import LONG_TEXT_MAX, clean_text
from roles.permissions import can_act_for_role

from ..models import Component, ComponentChange, Incident, IncidentKind, IncidentUpdate
from ..states import ComponentStatus, Impact, IncidentStatus, worst

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from plans.models import Plan


def can_post(user: User | AnonymousUser | None, plan: Plan) -> bool:
    """The comms role's holders and the coordinator write the status page."""
    return can_act_for_role(user, comms_role(plan), plan=plan)


def require_poster(user: User | AnonymousUser | None, plan: Plan) -> None:
    if not can_post(user, plan):
        raise PermissionDenied("Only the communications role or the coordinator may change the status page.")


def _status(value: str, field: str = "Status") -> ComponentStatus:
    if value not in ComponentStatus.values:
        raise ValidationError(f"{field}: {value!r} is not a component state.")
    return ComponentStatus(value)


def _apply(component: Component, *, now: datetime, automatic: bool) -> dict[str, str] | None:
    """Make the shown state the worse of the set and automatic ones; record the change, if any."""
    new = worst(component.set_status, component.auto_status)
    old = component.status
    if new == old:
        component.save(update_fields=["set_status", "auto_status"])
        return None
    component.status, component.updated_at = new, now
    component.save(update_fields=["set_status", "auto_status", "status", "updated_at"])
    ComponentChange.objects.create(component=component, at=now, old_status=old, new_status=new, automatic=automatic)
    return {"code": component.code, "name": component.name, "old_status": old, "new_status": new}


def component_set_status(component: Component, *, by: User, status: str) -> Component:
    """The comms role sets a component's state (the page shows the worse of this and an automatic one)."""
    plan = component.plan
    require_poster(by, plan)
    wanted = _status(status)
    with transaction.atomic():
        locked = Component.objects.select_for_update().get(pk=component.pk)
        locked.set_status = wanted
        change = _apply(locked, now=timezone.now(), automatic=False)
        event_record(
            plan,
            kind="status.component",
            actor=by,
            summary=f"Status page: {locked.name} set to {wanted.label.lower()}",
            data={"component": locked.pk, "status": wanted.value, "shown": locked.status, "changed": bool(change)},
        )
    return locked


def component_sync(component: Component, *, auto_status: str, reason: str) -> dict[str, str] | None:
    """An automatic move (a trigger, an alert): set the automatic state; returns the change shown, if any."""
    with transaction.atomic():
        locked = Component.objects.select_for_update().select_related("plan").get(pk=component.pk)
        if locked.auto_status == auto_status:
            return None
        locked.auto_status = _status(auto_status)
        change = _apply(locked, now=timezone.now(), automatic=True)
        event_record(
            locked.plan,
            kind="status.component_auto",
            summary=f"Status page: {locked.name} automatically {ComponentStatus(auto_status).label.lower()} ({reason})",
            data={"component": locked.pk, "auto_status": auto_status, "shown": locked.status},
        )
    return change


def _texts(name: str, body: str) -> tuple[str, str]:
    name = clean_text(name, max_length=200, field="Title")
    body = clean_text(body, max_length=LONG_TEXT_MAX, multiline=True, field="Update")
    if not name:
        raise ValidationError("An incident needs a title.")
    if not body:
        raise ValidationError("Write the update customers will read.")
    return name, body


def _stage(value: str) -> IncidentStatus:
    if value not in IncidentStatus.values or value == IncidentStatus.POSTMORTEM:
        raise ValidationError(f"Stage: {value!r} is not investigating, identified, monitoring or resolved.")
    return IncidentStatus(value)


def _impact(value: str) -> Impact:
    if value not in Impact.values:
        raise ValidationError(f"Impact: {value!r} is not none, minor, major or critical.")
    return Impact(value)


def _set_components(
    plan: Plan, states: Mapping[int, str], *, by: User, now: datetime, incident: Incident
) -> list[dict[str, str]]:
    """Set the states an update names (by component id); the changes, for the update's ``affected``."""
    changes = []
    components = Component.objects.select_for_update().filter(plan=plan, pk__in=list(states))
    for component in components:
        component.set_status = _status(states[component.pk])
        change = _apply(component, now=now, automatic=False)
        incident.components.add(component)
        changes.append(
            change
            or {
                "code": component.code,
                "name": component.name,
                "old_status": component.status,
                "new_status": component.status,
            }
        )
    if len(changes) != len(states):
        raise ValidationError("No such component on this status page.")
    return changes


def _post(
    incident: Incident, *, status: IncidentStatus, body: str, affected: list[dict[str, str]], now: datetime
) -> IncidentUpdate:
    incident.status = status
    incident.updated_at = now
    if status == IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = now
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = now
    elif incident.resolved_at is not None:  # reopened
        incident.resolved_at = None
    incident.save()
    return IncidentUpdate.objects.create(incident=incident, status=status, body=body, affected=affected, created_at=now)


def incident_create(
    plan: Plan,
    *,
    by: User,
    name: str,
    body: str,
    status: str = IncidentStatus.INVESTIGATING,
    impact: str = Impact.MINOR,
    component_states: Mapping[int, str] | None = None,
) -> Incident:
    """Open and publish an incident with its first update."""
    require_poster(by, plan)
    name, body = _texts(name, body)
    stage, level = _stage(status), _impact(impact)
    now = timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            plan=plan, name=name, impact=level, status=stage, created_at=now, published_at=now, created_by=by
        )
        affected = _set_components(plan, component_states or {}, by=by, now=now, incident=incident)
        _post(incident, status=stage, body=body, affected=affected, now=now)
        event_record(
            plan,
            kind="status.incident",
            actor=by,
            summary=f"Status page: incident published: {name} ({stage.label.lower()})",
            data={"incident": incident.pk},
        )
    return incident


def incident_update_post(
    incident: Incident,
    *,
    by: User,
    body: str,
    status: str,
    component_states: Mapping[int, str] | None = None,
) -> IncidentUpdate:
    """Post an update (investigating, identified, monitoring, resolved) to a published incident."""
    plan = incident.plan
    require_poster(by, plan)
    body = clean_text(body, max_length=LONG_TEXT_MAX, multiline=True, field="Update")
    if not body:
        raise ValidationError("Write the update customers will read.")
    stage = _stage(status)
    now = timezone.now()
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.is_draft or locked.kind != IncidentKind.INCIDENT:
            raise ValidationError("Publish the draft first.")
        affected = _set_components(plan, component_states or {}, by=by, now=now, incident=locked)
        update = _post(locked, status=stage, body=body, affected=affected, now=now)
        event_record(
            plan,
            kind="status.incident_update",
            actor=by,
            summary=f"Status page: {locked.name}: {stage.label.lower()}",
            data={"incident": locked.pk, "update": update.pk},
        )
    return update


def incident_draft_prepare(
    plan: Plan, *, origin: str, name: str, body: str, impact: str, components: list[Component]
) -> Incident | None:
    """A draft for the comms role to review, once per ``origin`` (``trigger:12``, ``issue:40``): the alarm
    or issue that prompted it. Automatic: no actor, no permission check. None if one exists already."""
    now = timezone.now()
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                plan=plan, name=name[:200], impact=_impact(impact), draft_body=body, origin=origin[:40], created_at=now
            )
            incident.components.set(components)
            event_record(
                plan,
                kind="status.draft",
                summary=f"Status page: a draft update is ready for review: {incident.name}",
                data={"incident": incident.pk, "origin": origin},
            )
    except IntegrityError:  # already prepared for this alarm or issue
        return None
    return incident


def incident_publish(
    incident: Incident,
    *,
    by: User,
    name: str,
    body: str,
    status: str = IncidentStatus.INVESTIGATING,
    impact: str = Impact.MINOR,
    component_states: Mapping[int, str] | None = None,
) -> Incident:
    """Publish a reviewed draft (with the words the comms role settled on) as an incident's first update."""
    plan = incident.plan
    require_poster(by, plan)
    name, body = _texts(name, body)
    stage, level = _stage(status), _impact(impact)
    now = timezone.now()
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if not locked.is_draft or locked.discarded_at is not None:
            raise ValidationError("This draft was already published or discarded.")
        locked.name, locked.impact, locked.published_at, locked.created_by = name, level, now, by
        locked.created_at = now
        affected = _set_components(plan, component_states or {}, by=by, now=now, incident=locked)
        _post(locked, status=stage, body=body, affected=affected, now=now)
        event_record(
            plan,
            kind="status.incident",
            actor=by,
            summary=f"Status page: draft published: {name}",
            data={"incident": locked.pk},
        )
    return locked


def incident_discard(incident: Incident, *, by: User) -> Incident:
    """Set a draft aside: nothing is published."""
    plan = incident.plan
    require_poster(by, plan)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if not locked.is_draft:
            raise ValidationError("A published incident is closed by resolving it, not discarded.")
        if locked.discarded_at is None:
            locked.discarded_at = timezone.now()
            locked.save(update_fields=["discarded_at"])
            event_record(
                plan, kind="status.draft_discarded", actor=by, summary=f"Status page: draft discarded: {locked.name}"
            )
    return locked
