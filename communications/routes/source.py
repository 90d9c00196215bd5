"""Notices to deliveries: each enabled route of the plan gets the notices it takes, once each (the
outbox's unique key: ``route:<id>:<variant>`` as recipient, the notice's moment as due time).

A route takes a notice when the notice's kind is in its ``events``, its severity is at least the route's
``severity``, and (if the route names roles) the notice concerns one of them or the whole plan. A notice for
named people (an escalation rung's person on call, the holders of an issue's role) goes to a route only if at
least one of them wants it there (their :class:`~communications.models.RoutePreference`: a severity floor or
``off``, and quiet hours when only critical notices reach them); otherwise its row is made *skipped*, with
the reason, so the communications page shows why nobody was paged. An email route without ``to`` writes to
each person who wants it.

Paging follows the incident: an acknowledge or resolve goes only to a PagerDuty route that was sent the
trigger for the same issue or alarm. An alarm's clear goes to a route (chat, email or paging) only if the
route was told that alarm (a trigger raised and cleared between two ticks tells nobody either).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ..models import Audience, ChannelKind, Delivery, DeliveryStatus, Route, RouteKind
from ..sources.registry import (
    DeliverySpec,
    fixed,
    news_anchor,
    person,
    register_relevance,
    register_source,
    tagged,
    unreachable,
)
from .notices import Notice, plan_notices
from .payloads import BUILDERS
from .rules import RANK, events_of, severity_of, shown

if TYPE_CHECKING:
    from plans.models import Plan

TRIGGER_VARIANT = re.compile(r"^(opened|fire|L\d+)$")


def quiet(pref: Any, plan: Plan, moment: datetime) -> bool:
    if pref is None or pref.quiet_from is None or pref.quiet_until is None:
        return False
    t = plan.local(moment).time()
    if pref.quiet_from <= pref.quiet_until:
        return bool(pref.quiet_from <= t < pref.quiet_until)
    return bool(t >= pref.quiet_from or t < pref.quiet_until)


def refusal(pref: Any, plan: Plan, notice: Notice) -> str | None:
    """Why this person does not want ``notice`` on the route (None: they do)."""
    if pref is None:
        return None
    if pref.severity == "off":
        return "turned this route off"
    if pref.severity and RANK[notice.severity] > RANK[pref.severity]:
        return f"wants only {pref.severity} and worse here"
    if notice.severity != "critical" and quiet(pref, plan, notice.at):
        return f"is in quiet hours ({pref.quiet_from:%H:%M}–{pref.quiet_until:%H:%M})"
    return None


def takes(route: Route, notice: Notice, role_ids: set[int]) -> bool:
    """Whether the route takes this kind of notice at all (kind, severity floor, roles)."""
    if not notice.kinds & set(events_of(route.kind, route.events)):
        return False
    if route.kind == RouteKind.PAGERDUTY and not notice.page:
        return False
    if notice.page in {"acknowledge", "resolve"}:
        return True  # follows its trigger, whatever the floor (checked against the pages sent)
    if RANK[notice.severity] > RANK[severity_of(route.kind, route.severity)]:
        return False
    return not (role_ids and notice.role_ids and not role_ids & notice.role_ids)


def _spec(plan: Plan, route: Route, notice: Notice, recipient: str, **kw: Any) -> DeliverySpec:
    subject = tagged(plan.name, notice.title)
    if route.kind == RouteKind.EMAIL:
        body = "\n\n".join(p for p in (notice.text, notice.link) if p)
    else:
        body = json.dumps(BUILDERS[route.kind](plan, notice), indent=1, ensure_ascii=False)
    kw.setdefault("address", shown(route.url) if route.kind != RouteKind.PAGERDUTY else shown(route.key))
    kw.setdefault("recipient_label", route.name)
    return DeliverySpec(
        source_kind=notice.source_kind,
        source_id=notice.source_id,
        recipient=recipient,
        channel_kind=route.kind,
        due_at=notice.at,
        label=f"{notice.title}"[:300],
        audience=Audience.STAFF,
        anchor=notice.anchor or news_anchor(plan),  # a reminder waits out a hold; live news does not
        expires_at=notice.expires,
        render=fixed(subject, body),
        **kw,
    )


def route_specs(plan: Plan, route: Route, notice: Notice, prefs: dict[tuple[int, int], Any]) -> Iterator[DeliverySpec]:
    base = f"route:{route.pk}:{notice.variant}"
    wanted, reasons = [], []
    for user, tag in notice.people:
        why = refusal(prefs.get((route.pk, user.pk)), plan, notice)
        if why is None:
            wanted.append((user, tag))
        else:
            reasons.append(f"{person(user)} {why}")
    if notice.page in {"acknowledge", "resolve"}:
        wanted, reasons = list(notice.people), []
    told = Notice(**{**notice.__dict__, "people": wanted})
    if route.kind == RouteKind.EMAIL and not route.to.strip():
        for user, tag in wanted:
            address = (user.email or "").strip()
            yield _spec(
                plan, route, told, f"{base}:user:{user.pk}", address=address,
                recipient_label=f"{person(user)} ({tag}) by {route.name}",
                skip_reason=unreachable(user),
            )  # fmt: skip
        return
    skip = "; ".join(reasons)[:290] if notice.people and not wanted else ""
    if skip and notice.at > timezone.now():
        return  # a person's choice is no failure: not listed ahead under "Needs attention", kept when due
    address = route.to.strip() if route.kind == RouteKind.EMAIL else None
    yield _spec(plan, route, told, base, skip_reason=skip, **({"address": address} if address is not None else {}))


def _paged(plan: Plan) -> set[tuple[int, str, int]]:
    """(route, source kind, source) of every page trigger already made for the plan (not skipped)."""
    rows = Delivery.objects.filter(
        plan=plan, channel_kind=ChannelKind.PAGERDUTY, source_kind__in=["route.issue", "route.alarm"]
    ).exclude(status=DeliveryStatus.SKIPPED)
    out = set()
    for recipient, kind, pk in rows.values_list("recipient", "source_kind", "source_id"):
        parts = recipient.split(":")
        if len(parts) >= 3 and TRIGGER_VARIANT.match(parts[2]):
            out.add((int(parts[1]), kind, pk))
    return out


def _alarmed(plan: Plan) -> dict[tuple[int, int], list[datetime]]:
    """(route, trigger) → the moments of the alarms made for it that were or will be sent (not skipped)."""
    rows = Delivery.objects.filter(
        plan=plan, source_kind="route.alarm", recipient__regex=r"^route:\d+:fire(:|$)"
    ).exclude(status__in=[DeliveryStatus.SKIPPED, DeliveryStatus.LATE])
    out: dict[tuple[int, int], list[datetime]] = {}
    for recipient, pk, due in rows.values_list("recipient", "source_id", "due_at"):
        out.setdefault((int(recipient.split(":")[1]), pk), []).append(due)
    return out


def _alarm_told(alarmed: dict[tuple[int, int], list[datetime]], route: Route, notice: Notice) -> bool:
    """Whether the route was told the alarm this clear ends (one fired since the trigger's previous clear):
    a clear whose alarm never went out (raised and cleared between two ticks) is not told either."""
    return any(
        (notice.since is None or notice.since < at) and at <= notice.at
        for at in alarmed.get((route.pk, notice.source_id), [])
    )


@register_source
def route_notices(plan: Plan, start: datetime, end: datetime) -> Iterator[DeliverySpec]:
    """Every enabled route's deliveries in ``(start, end]``."""
    from ..models import RoutePreference

    if not plan.pk:
        return
    routes = list(Route.objects.filter(plan=plan, enabled=True).prefetch_related("roles"))
    if not routes:
        return
    kinds = {k for r in routes for k in events_of(r.kind, r.events)}
    notices = plan_notices(plan, start, end, kinds=kinds)
    if not notices:
        return
    prefs = {(p.route_id, p.user_id): p for p in RoutePreference.objects.filter(route__in=routes)}
    paged = _paged(plan) if any(r.kind == RouteKind.PAGERDUTY for r in routes) else set()
    alarmed = _alarmed(plan) if any(n.source_kind == "route.alarm" for n in notices) else {}
    roles = {r.pk: {role.pk for role in r.roles.all()} for r in routes}
    for notice in notices:
        clear = notice.source_kind == "route.alarm" and notice.variant.startswith("clear")
        for route in routes:
            if not takes(route, notice, roles[route.pk]):
                continue
            if clear and not _alarm_told(alarmed, route, notice):
                continue
            follows = route.kind == RouteKind.PAGERDUTY and notice.page in {"acknowledge", "resolve"}
            if not clear and follows and (route.pk, notice.source_kind, notice.source_id) not in paged:
                continue
            for spec in route_specs(plan, route, notice, prefs):
                if route.kind == RouteKind.PAGERDUTY and notice.page == "trigger" and not spec.skip_reason:
                    paged.add((route.pk, notice.source_kind, notice.source_id))
                if notice.source_kind == "route.alarm" and notice.variant == "fire" and not spec.skip_reason:
                    alarmed.setdefault((route.pk, notice.source_id), []).append(notice.at)
                yield spec


def _still_wanted(delivery: Delivery) -> str | None:
    """An escalation rung or an SLA breach that was answered before it went out is not sent."""
    from issues.models import Issue, IssueStatus

    variant = delivery.recipient.split(":")[2] if delivery.recipient.count(":") >= 2 else ""
    if not (variant == "sla" or re.match(r"^L\d+$", variant)):
        return None
    issue = Issue.objects.filter(pk=delivery.source_id).only("status").first()
    if issue is None:
        return "the issue was deleted"
    return None if issue.status == IssueStatus.OPEN else f"the issue is already {issue.get_status_display().lower()}"


register_relevance("route.issue", _still_wanted)
