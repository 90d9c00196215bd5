"""Create a plan from a plan file, in one transaction, or save nothing and say what is wrong."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from checklists.models import Checklist, Gate, Item, NoGoTrigger
from communications.models import Channel, Message
from issues.models import SeveritySLA
from launch.format.checks import all_steps, check_references, role_slug
from launch.format.loader import Parsed, PlanFormatError, Problem, parse_plan_text, read_plan_file
from plans.models import Phase, Plan, Risk, RollbackTrigger, Step, SuccessMetric
from plans.services import event_record
from plans.validators import BoundsError, check_t0, check_timezone, clean_text, control_character
from roles.models import Contact, EscalationLevel, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return check_timezone(name)
    except BoundsError:
        return None


def parse_t0(value: str | datetime, tz: str) -> datetime:
    """``2026-12-01T12:00`` read in zone ``tz`` (an aware value keeps its own offset). ValueError if it
    is not a date and time; BoundsError if it is outside 2000-01-01 to 2100-01-01 or its UTC offset
    is not a real one."""
    if isinstance(value, datetime):
        moment = value
    else:
        raw = str(value).strip()
        if len(raw) > 64 or control_character(raw) is not None:
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw)
    if timezone.is_naive(moment):
        if not 1999 <= moment.year <= 2100:
            raise BoundsError(f"T-0 must lie between 2000-01-01 and 2100-01-01 (UTC); got {moment:%Y-%m-%d}")
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(tz))
    return check_t0(moment)


def validate_plan_text(
    text: str, *, filename: str = "<plan>", tz: str | None = None, slug: str | None = None
) -> tuple[Parsed, str]:
    """Every check that needs no write: schema, references, users, zone, slug. Returns (parsed, zone)."""
    parsed = parse_plan_text(text, filename)
    doc = parsed.doc
    problems = [Problem(parsed.line(loc), msg) for loc, msg in check_references(doc)]
    users = set(
        get_user_model()
        .objects.filter(username__in={u for r in doc.roles for u in (r.primary, r.backup) if u})
        .values_list("username", flat=True)
    )
    for i, role in enumerate(doc.roles):
        for field in ("primary", "backup"):
            username = getattr(role, field)
            if username and username not in users:
                problems.append(
                    Problem(parsed.line(("roles", i, field)), f"unknown user {username!r} for role {role.name!r}")
                )
    if doc.timezone and _zone(doc.timezone) is None:
        problems.append(Problem(parsed.line(("timezone",)), f"unknown time zone {doc.timezone!r}"))
    if tz and _zone(tz) is None:
        problems.append(Problem(None, f"--tz: unknown time zone {tz!r}"))
    zone = tz or doc.timezone
    if not zone:
        problems.append(Problem(None, "no time zone: give --tz or a timezone: key"))
    wanted = slug or doc.slug
    if wanted is not None:
        if wanted != slugify(wanted) or not wanted or len(wanted) > 80:
            where = None if slug else parsed.line(("slug",))
            problems.append(Problem(where, f"slug {wanted!r} must be lower-case letters, digits and hyphens"))
        elif Plan.objects.filter(slug=wanted).exists():
            where = None if slug else parsed.line(("slug",))
            problems.append(Problem(where, f"a plan with slug {wanted!r} already exists"))
    if problems:
        raise PlanFormatError(problems, filename)
    return parsed, zone or "UTC"


def _free_slug(base: str) -> str:
    base = (slugify(base) or "plan")[:70]
    candidate, n = base, 2
    while Plan.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def import_plan_text(
    text: str,
    *,
    t0: str | datetime,
    tz: str | None = None,
    filename: str = "<plan>",
    slug: str | None = None,
    name: str | None = None,
    coordinator: User | str | None = None,
    by: User | None = None,
    source_template: str = "",
) -> Plan:
    """Create a plan from plan-format text. Raises :class:`PlanFormatError` (every problem, with its line)
    and then saves nothing. ``t0`` is naive local time in the zone, or aware."""
    parsed, zone = validate_plan_text(text, filename=filename, tz=tz, slug=slug)
    try:
        moment = parse_t0(t0, zone)
    except BoundsError as exc:
        raise PlanFormatError([Problem(None, f"--t0: {exc}")], filename) from None
    except (ValueError, OverflowError):
        shown = str(t0)[:64]
        raise PlanFormatError(
            [Problem(None, f"--t0: malformed date and time {shown!r}: expected 2026-12-01T12:00")], filename
        ) from None
    if name is not None:
        try:
            name = clean_text(name, max_length=200, field="--name") or None
        except BoundsError as exc:
            raise PlanFormatError([Problem(None, str(exc))], filename) from None
    if isinstance(coordinator, str):
        if control_character(coordinator) is not None or len(coordinator) > 150:
            raise PlanFormatError([Problem(None, f"--coordinator: unknown user {coordinator[:150]!r}")], filename)
        found = get_user_model().objects.filter(username=coordinator).first()
        if found is None:
            raise PlanFormatError([Problem(None, f"--coordinator: unknown user {coordinator!r}")], filename)
        coordinator = found
    try:
        with transaction.atomic():
            plan = _create(
                parsed,
                t0=moment,
                zone=zone,
                slug=slug,
                name=name,
                coordinator=coordinator,
                source_template=source_template,
            )
            event_record(
                plan,
                kind="plan.imported",
                actor=by,
                summary=f"Plan created from {source_template or Path(filename).name}",
                data={"file": filename, "template": source_template, "t0": moment.isoformat(), "timezone": zone},
            )
    except (DatabaseError, ValueError, OverflowError) as exc:
        # The schema keeps every value inside its column; should the database still refuse one, the
        # transaction has rolled back and the author gets a message, not a traceback.
        raise PlanFormatError([Problem(None, f"the database refused the plan: {str(exc)[:300]}")], filename) from None
    return plan


def import_plan_file(path: str | Path, **kwargs: Any) -> Plan:
    """Import a plan file; a missing, unreadable, oversized or non-UTF-8 file is a PlanFormatError."""
    filename = str(kwargs.pop("filename", path))
    return import_plan_text(read_plan_file(path, filename), filename=filename, **kwargs)


def _create(
    parsed: Parsed,
    *,
    t0: datetime,
    zone: str,
    slug: str | None,
    name: str | None,
    coordinator: Any,
    source_template: str,
) -> Plan:
    doc = parsed.doc
    plan = Plan.objects.create(
        name=name or doc.name,
        slug=slug or doc.slug or _free_slug(name or doc.name),
        summary=doc.summary,
        t0=t0,
        timezone=zone,
        coordinator=coordinator,
        reminder_lead=doc.reminder_lead,
        source_template=source_template,
        extra=doc.extra,
    )
    usernames = {u for r in doc.roles for u in (r.primary, r.backup) if u}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    roles: dict[str, Role] = {}
    for i, r in enumerate(doc.roles):
        roles[r.name] = Role.objects.create(
            plan=plan,
            name=r.name,
            slug=role_slug(r.name, r.slug),
            order=i,
            team=r.team,
            summary=r.summary,
            responsibilities=r.responsibilities,
            primary=users.get(r.primary or ""),
            backup=users.get(r.backup or ""),
            phone=r.phone,
            email=r.email,
            chat=r.chat,
            attributes=r.attributes,
        )
    role = roles.get
    for i, contact in enumerate(doc.contacts):
        Contact.objects.create(
            plan=plan,
            order=i,
            kind=contact.kind,
            label=contact.label,
            name=contact.name,
            organisation=contact.organisation,
            phone=contact.phone,
            email=contact.email,
            notes=contact.notes,
            role=role(contact.role or ""),
        )
    for e in doc.escalation:
        level = EscalationLevel.objects.create(
            plan=plan, level=e.level, name=e.name, after=e.after, until=e.until, condition=e.condition, notes=e.notes
        )
        level.roles.set([roles[r] for r in e.roles])
    for sla in doc.severity_slas:
        SeveritySLA.objects.create(
            plan=plan,
            severity=sla.severity,
            response_within=sla.response,
            resolve_within=sla.resolve,
            description=sla.description,
        )
    phases: dict[str, Phase] = {}
    for i, p in enumerate(doc.phases):
        phases[p.name] = Phase.objects.create(
            plan=plan, name=p.name, order=i, start_offset=p.start, end_offset=p.end, description=p.description
        )
    steps: dict[str, Step] = {}
    for order, (loc, s) in enumerate(all_steps(doc)):
        phase = phases[doc.phases[loc[1]].name] if loc[0] == "phases" else None
        steps[s.name] = Step.objects.create(
            plan=plan,
            phase=phase,
            name=s.name,
            description=s.description,
            order=order,
            offset=s.at,
            duration=s.duration,
            lead_role=role(s.lead or ""),
            verify=s.verify,
            rollback=s.rollback,
        )
    for _, s in all_steps(doc):
        if s.depends_on:
            steps[s.name].depends_on.set([steps[d] for d in s.depends_on])
    gates: dict[str, Gate] = {}
    for i, g in enumerate(doc.gates):
        gate = Gate.objects.create(
            plan=plan,
            name=g.name,
            slug=role_slug(g.name, g.slug),
            order=i,
            kind=g.kind,
            offset=g.at,
            description=g.description,
            authority_role=role(g.authority or ""),
            step=steps.get(g.step or ""),
        )
        gate.polled_roles.set([roles[r] for r in g.polled])
        NoGoTrigger.objects.bulk_create(
            [NoGoTrigger(gate=gate, order=j, description=t) for j, t in enumerate(g.triggers)]
        )
        gates[g.name] = gate
    for i, cl in enumerate(doc.checklists):
        checklist = Checklist.objects.create(
            plan=plan,
            name=cl.name,
            order=i,
            role=role(cl.role or ""),
            phase=phases.get(cl.phase or ""),
            description=cl.description,
        )
        items = []
        for j, it in enumerate(cl.items):
            owner = it.role if "role" in it.model_fields_set else cl.role
            items.append(
                Item(
                    plan=plan,
                    checklist=checklist,
                    order=j,
                    title=it.title,
                    section=it.section,
                    owner_role=role(owner or ""),
                    step=steps.get(it.step or ""),
                    gate=gates.get(it.gate or ""),
                    due_offset=it.due,
                    required=it.required,
                )
            )
        Item.objects.bulk_create(items)
    for i, risk in enumerate(doc.risks):
        Risk.objects.create(
            plan=plan,
            order=i,
            title=risk.title,
            description=risk.description,
            probability=risk.probability or "",
            impact=risk.impact or "",
            mitigation=risk.mitigation,
            rollback_plan=risk.rollback,
            owner_role=role(risk.owner or ""),
        )
    metrics: dict[str, SuccessMetric] = {}
    for i, met in enumerate(doc.metrics):
        metrics[met.name] = SuccessMetric.objects.create(
            plan=plan,
            order=i,
            category=met.category,
            name=met.name,
            comparator=met.comparator or "",
            target=met.target,
            unit=met.unit,
            window=met.window,
            description=met.description,
        )
    for i, trig in enumerate(doc.rollback_triggers):
        RollbackTrigger.objects.create(
            plan=plan,
            order=i,
            description=trig.description,
            metric=metrics.get(trig.metric or ""),
            comparator=trig.comparator or "",
            threshold=trig.threshold,
            sustained_for=trig.sustained_for,
        )
    channels: dict[str, Channel] = {}
    for ch in doc.channels:
        channels[ch.name] = Channel.objects.create(
            plan=plan, name=ch.name, kind=ch.kind, target=ch.target, purpose=ch.purpose, enabled=ch.enabled
        )
    for i, msg in enumerate(doc.messages):
        message = Message.objects.create(
            plan=plan,
            order=i,
            name=msg.name,
            kind=msg.kind,
            audience=msg.audience,
            offset=msg.at,
            every=msg.every,
            count=msg.count,
            subject=msg.subject,
            body=msg.body,
            requires_approval=msg.requires_approval,
            enabled=msg.enabled,
        )
        message.channels.set([channels[c] for c in msg.channels])
    return plan
