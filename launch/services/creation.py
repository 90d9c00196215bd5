"""Write a validated plan file's objects, one small function per section of the file.

Called by :func:`launch.services.importer.import_plan_text` inside its transaction, after every check
has passed. A section's function reads its part of the :class:`PlanDoc` and the objects written before
it (``Created``: names to rows), so adding a field to one section touches one function here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from checklists.models import Checklist, Gate, Item, NoGoTrigger
from communications.models import Channel, Message
from issues.models import SeveritySLA
from launch.format.checks import all_steps, role_slug
from launch.format.loader import Parsed
from launch.format.schema import PlanDoc
from plans.duedates import due_moment
from plans.models import Phase, Plan, Risk, RollbackTrigger, Step, SuccessMetric
from plans.services import plan_reschedule
from roles.models import Contact, EscalationLevel, Role

from .alerts import create_alert_routes
from .components import create_components, create_handoff
from .content import create_issue_categories, create_placeholders, create_procedures
from .readiness import create_readiness
from .rollout import create_rollout
from .routes import create_routes
from .series import create_recurrences, create_rotas, create_step_recurrences


@dataclass
class Created:
    """The rows written so far, by the name the plan file uses for them."""

    plan: Plan
    roles: dict[str, Role] = field(default_factory=dict)
    phases: dict[str, Phase] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    gates: dict[str, Gate] = field(default_factory=dict)
    metrics: dict[str, SuccessMetric] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)

    def role(self, name: str | None) -> Role | None:
        return self.roles.get(name or "")


def free_slug(base: str) -> str:
    base = (slugify(base) or "plan")[:70]
    candidate, n = base, 2
    while Plan.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def create_plan_objects(
    parsed: Parsed,
    *,
    t0: datetime,
    zone: str,
    slug: str | None,
    name: str | None,
    coordinator: Any,
    source_template: str,
) -> Plan:
    """The plan and everything in it, section by section (references point backwards only)."""
    doc = parsed.doc
    plan = _create_plan_row(
        doc, t0=t0, zone=zone, slug=slug, name=name, coordinator=coordinator, source_template=source_template
    )
    made = Created(plan)
    for section in SECTIONS:
        section(doc, made)
    return plan


def _create_plan_row(
    doc: PlanDoc,
    *,
    t0: datetime,
    zone: str,
    slug: str | None,
    name: str | None,
    coordinator: Any,
    source_template: str,
) -> Plan:
    return Plan.objects.create(
        name=name or doc.name,
        slug=slug or doc.slug or free_slug(name or doc.name),
        summary=doc.summary,
        t0=t0,
        timezone=zone,
        coordinator=coordinator,
        reminder_lead=doc.reminder_lead,
        clockless=doc.clockless,
        window_end=doc.window_end,
        source_template=source_template,
        extra=doc.extra,
    )


def _create_roles(doc: PlanDoc, made: Created) -> None:
    usernames = {u for r in doc.roles for u in (r.primary, r.backup) if u}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    for i, r in enumerate(doc.roles):
        made.roles[r.name] = Role.objects.create(
            plan=made.plan,
            name=r.name,
            slug=role_slug(r.name, r.slug, "role", i + 1),
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


def _create_contacts(doc: PlanDoc, made: Created) -> None:
    for i, contact in enumerate(doc.contacts):
        Contact.objects.create(
            plan=made.plan,
            order=i,
            kind=contact.kind,
            label=contact.label,
            name=contact.name,
            organisation=contact.organisation,
            phone=contact.phone,
            email=contact.email,
            notes=contact.notes,
            role=made.role(contact.role),
        )


def _create_escalation(doc: PlanDoc, made: Created) -> None:
    for e in doc.escalation:
        level = EscalationLevel.objects.create(
            plan=made.plan,
            level=e.level,
            name=e.name,
            after=e.after,
            until=e.until,
            condition=e.condition,
            notes=e.notes,
        )
        level.roles.set([made.roles[r] for r in e.roles])


def _create_severity_slas(doc: PlanDoc, made: Created) -> None:
    for sla in doc.severity_slas:
        SeveritySLA.objects.create(
            plan=made.plan,
            severity=sla.severity,
            response_within=sla.response,
            resolve_within=sla.resolve,
            description=sla.description,
        )


def _create_phases(doc: PlanDoc, made: Created) -> None:
    for i, p in enumerate(doc.phases):
        made.phases[p.name] = Phase.objects.create(
            plan=made.plan, name=p.name, order=i, start_offset=p.start, end_offset=p.end, description=p.description
        )


def _create_steps(doc: PlanDoc, made: Created) -> None:
    for order, (loc, s) in enumerate(all_steps(doc)):
        phase = made.phases[doc.phases[loc[1]].name] if loc[0] == "phases" else None
        made.steps[s.name] = Step.objects.create(
            plan=made.plan,
            phase=phase,
            name=s.name,
            description=s.description,
            order=order,
            # a step placed `after` others: see _schedule; a recurring one at its first occurrence
            offset=s.at if s.at is not None else s.repeat.start if s.repeat is not None else timedelta(0),
            recurring=s.repeat is not None,
            relative=bool(s.after),
            estimate=s.estimate,
            duration=s.duration,
            deadline=s.deadline,
            lead_role=made.role(s.lead),
            verify=s.verify,
            rollback=s.rollback,
            preconditions=s.preconditions,
            action=s.action,
            optional=s.optional,
            condition=s.condition,
        )


def _link_step_dependencies(doc: PlanDoc, made: Created) -> None:
    """Every step's ``depends_on`` and the steps it is placed ``after``, in one INSERT (the steps are new)."""
    link = Step.depends_on.through
    links = [
        link(from_step=made.steps[s.name], to_step=made.steps[d])
        for _, s in all_steps(doc)
        for d in dict.fromkeys([*s.depends_on, *(a for a in s.after if a in made.steps)])
    ]
    link.objects.bulk_create(links)


def _schedule(doc: PlanDoc, made: Created) -> None:
    """Steps placed after a gate wait for it, and so do the steps of a phase placed after one; then every
    step placed `after` others gets its planned offset from its predecessors' (once the gates' criteria
    exist: a gate without a time is due when the steps its criteria name end)."""
    for _, s in all_steps(doc):
        for name in s.after:
            if name not in made.steps:
                made.gates[name].blocks.add(made.steps[s.name])
    for p in doc.phases:
        for name in p.after:
            made.gates[name].holds_phases.add(made.phases[p.name])
    plan_reschedule(made.plan)


def _create_gates(doc: PlanDoc, made: Created) -> None:
    for i, g in enumerate(doc.gates):
        gate = Gate.objects.create(
            plan=made.plan,
            name=g.name,
            slug=role_slug(g.name, g.slug, "gate", i + 1),
            order=i,
            kind=g.kind,
            offset=g.at,
            description=g.description,
            authority_role=made.role(g.authority),
            step=made.steps.get(g.step or ""),
        )
        gate.polled_roles.set([made.roles[r] for r in g.polled])
        NoGoTrigger.objects.bulk_create(
            [NoGoTrigger(gate=gate, order=j, description=t) for j, t in enumerate(g.triggers)]
        )
        made.gates[g.name] = gate


def _create_checklists(doc: PlanDoc, made: Created) -> None:
    for i, cl in enumerate(doc.checklists):
        checklist = Checklist.objects.create(
            plan=made.plan,
            name=cl.name,
            order=i,
            role=made.role(cl.role),
            phase=made.phases.get(cl.phase or ""),
            description=cl.description,
        )
        if not any(it.items for it in cl.items):  # no sub-items (most checklists): one INSERT, same order
            Item.objects.bulk_create([_checklist_item(made, checklist, cl, k, it) for k, it in enumerate(cl.items)])
            continue
        order = 0
        for it in cl.items:
            parent = _checklist_item(made, checklist, cl, order, it)
            parent.save()
            subs = [_checklist_item(made, checklist, cl, order + 1 + k, sub) for k, sub in enumerate(it.items)]
            for sub in subs:
                sub.parent = parent
            Item.objects.bulk_create(subs)
            order += 1 + len(subs)


def _checklist_item(made: Created, checklist: Checklist, cl: Any, order: int, it: Any) -> Item:
    """One item (unsaved); an item without ``role:`` belongs to its checklist's role."""
    owner = it.role if "role" in it.model_fields_set else cl.role
    due_by, all_day = due_moment(it.due_date, made.plan.zone) if it.due_date else (None, False)
    return Item(
        plan=made.plan,
        checklist=checklist,
        order=order,
        title=it.title,
        section=it.section,
        owner_role=made.role(owner),
        step=made.steps.get(it.step or ""),
        gate=made.gates.get(it.gate or ""),
        due_offset=it.due,
        due_by=due_by,
        due_all_day=all_day,
        required=it.required,
        notes=it.notes,
    )


def _create_risks(doc: PlanDoc, made: Created) -> None:
    for i, risk in enumerate(doc.risks):
        Risk.objects.create(
            plan=made.plan,
            order=i,
            title=risk.title,
            description=risk.description,
            probability=risk.probability or "",
            impact=risk.impact or "",
            mitigation=risk.mitigation,
            rollback_plan=risk.rollback,
            owner_role=made.role(risk.owner),
        )


def _create_metrics(doc: PlanDoc, made: Created) -> None:
    for i, met in enumerate(doc.metrics):
        made.metrics[met.name] = SuccessMetric.objects.create(
            plan=made.plan,
            order=i,
            category=met.category,
            name=met.name,
            comparator=met.comparator or "",
            target=met.target,
            unit=met.unit,
            window=met.window,
            measure=met.measure or "every",
            description=met.description,
        )


def _create_rollback_triggers(doc: PlanDoc, made: Created) -> None:
    for i, trig in enumerate(doc.rollback_triggers):
        trigger = RollbackTrigger.objects.create(
            plan=made.plan,
            order=i,
            description=trig.description,
            metric=made.metrics.get(trig.metric or ""),
            comparator=trig.comparator or "",
            threshold=trig.threshold,
            sustained_for=trig.sustained_for,
            kind=trig.kind or ("automatic" if trig.metric else "discretionary"),
            action=trig.action,
            window_start=trig.window_start,
            window_end=trig.window_end,
        )
        trigger.roles.set([made.roles[r] for r in trig.roles])


def _create_channels(doc: PlanDoc, made: Created) -> None:
    for ch in doc.channels:
        made.channels[ch.name] = Channel.objects.create(
            plan=made.plan, name=ch.name, kind=ch.kind, target=ch.target, purpose=ch.purpose, enabled=ch.enabled
        )


def _create_messages(doc: PlanDoc, made: Created) -> None:
    for i, msg in enumerate(doc.messages):
        message = Message.objects.create(
            plan=made.plan,
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
        message.channels.set([made.channels[c] for c in msg.channels])


#: The sections in the order they are written: a section only refers to those before it.
SECTIONS = (
    _create_roles,
    create_rotas,
    _create_contacts,
    _create_escalation,
    _create_severity_slas,
    create_issue_categories,
    _create_phases,
    _create_steps,
    _link_step_dependencies,
    _create_gates,
    create_placeholders,
    _create_checklists,
    create_recurrences,
    create_step_recurrences,
    _schedule,
    _create_risks,
    _create_metrics,
    _create_rollback_triggers,
    _create_channels,
    _create_messages,
    create_procedures,
    create_alert_routes,
    create_routes,
    create_rollout,
    create_components,
    create_readiness,
    create_handoff,
)
