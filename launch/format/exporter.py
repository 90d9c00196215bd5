"""Write a plan back out in the plan format: the definition, not its live state."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pydantic
from django.db.models import Prefetch
from django.utils import timezone
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from checklists.models import Checklist, Gate
from plans.duedates import due_text
from plans.localtime import wall_clock_text
from plans.models import Phase, Plan, Step
from plans.slips import planned_offset
from roles.models import EscalationLevel

from .alert_export import alerts_doc
from .component_export import components_doc, handoff_doc
from .content_export import issue_categories_doc, placeholders_doc, procedures_doc
from .loader import error_message
from .readiness_export import readiness_doc, training_doc
from .rollout_export import rollout_doc
from .route_export import routes_doc
from .schema import PlanDoc
from .series_export import repeat_doc, role_oncall_docs


def _name(obj: Any) -> str | None:
    return obj.name if obj is not None else None


def _step_doc(step: Step, plan: Plan) -> dict[str, Any]:
    """A step, its offset as planned (a hold's slip is live state, not part of the plan: plans.slips)."""
    before = [d.name for d in sorted(step.depends_on.all(), key=lambda d: (d.offset, d.order))]
    after = before + [g.name for g in sorted(step.after_gates.all(), key=lambda g: (g.order, g.pk))]
    return {
        "name": step.name,
        "at": None if step.relative or step.recurring else planned_offset(plan, step.offset),
        "after": after if step.relative else [],
        "estimate": step.estimate,
        "duration": step.duration,
        "deadline": step.deadline,
        "lead": _name(step.lead_role),
        "depends_on": [] if step.relative else before,
        "verify": step.verify,
        "rollback": step.rollback,
        "description": step.description,
        "preconditions": step.preconditions,
        "action": step.action,
        "optional": step.optional,
        "condition": step.condition,
        "repeat": repeat_doc(plan, step),
    }


class ExportError(ValueError):
    """The plan holds text the plan format refuses (saved before a bound existed): its file would not
    import back, so there is none. The message names the plan and each field with its reason."""


def plan_doc(plan: Plan) -> PlanDoc:
    """The plan's definition as a validated :class:`PlanDoc`."""
    steps = sorted(
        Step.objects.filter(plan=plan)
        .select_related("lead_role", "phase", "recurrence")
        .prefetch_related("depends_on", "after_gates"),
        key=lambda s: s.order,
    )
    try:
        return _plan_doc(plan, steps)
    except pydantic.ValidationError as exc:
        reasons = "; ".join(error_message(e) for e in exc.errors())
        raise ExportError(f"“{plan.name}” ({plan.slug}) cannot be exported: {reasons}") from None


def _plan_doc(plan: Plan, steps: list[Step]) -> PlanDoc:
    return PlanDoc.model_validate(
        {
            "name": plan.name,
            "summary": plan.summary,
            "timezone": plan.timezone,
            "clockless": plan.clockless,
            "reminder_lead": plan.reminder_lead,
            "window_end": plan.window_end,
            "extra": plan.extra,
            "roles": _roles_doc(plan),
            "contacts": _contacts_doc(plan),
            "escalation": _escalation_doc(plan),
            "severity_slas": _severity_slas_doc(plan),
            "issue_categories": issue_categories_doc(plan),
            "phases": _phases_doc(plan, steps),
            "steps": [_step_doc(s, plan) for s in steps if s.phase_id is None],
            "gates": _gates_doc(plan),
            "checklists": _checklists_doc(plan),
            "risks": _risks_doc(plan),
            "metrics": _metrics_doc(plan),
            "rollback_triggers": _rollback_triggers_doc(plan),
            "channels": _channels_doc(plan),
            "messages": _messages_doc(plan),
            "placeholders": placeholders_doc(plan),
            "procedures": procedures_doc(plan),
            "alerts": alerts_doc(plan),
            "routes": routes_doc(plan),
            "rollout": rollout_doc(plan),
            "components": components_doc(plan),
            "training": training_doc(plan),
            "readiness": readiness_doc(plan),
            "handoff": handoff_doc(plan),
        }
    )


def _roles_doc(plan: Plan) -> list[dict[str, Any]]:
    oncall = role_oncall_docs(plan)
    return [
        {
            "name": r.name,
            "slug": r.slug,
            "team": r.team,
            "summary": r.summary,
            "responsibilities": r.responsibilities,
            "primary": r.primary.get_username() if r.primary else None,
            "backup": r.backup.get_username() if r.backup else None,
            "phone": r.phone,
            "email": r.email,
            "chat": r.chat,
            "attributes": r.attributes,
            **oncall.get(r.pk, {}),
        }
        for r in plan.roles.select_related("primary", "backup").order_by("order", "id")
    ]


def _contacts_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "label": c.label,
            "kind": c.kind,
            "name": c.name,
            "organisation": c.organisation,
            "phone": c.phone,
            "email": c.email,
            "notes": c.notes,
            "role": _name(c.role),
        }
        for c in plan.contacts.select_related("role").order_by("order", "id")
    ]


def _escalation_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "level": e.level,
            "name": e.name,
            "after": e.after,
            "until": e.until,
            "roles": [r.name for r in sorted(e.roles.all(), key=lambda r: r.order)],
            "condition": e.condition,
            "notes": e.notes,
        }
        for e in EscalationLevel.objects.filter(plan=plan).prefetch_related("roles").order_by("level")
    ]


def _severity_slas_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "severity": s.severity,
            "response": s.response_within,
            "resolve": s.resolve_within,
            "description": s.description,
        }
        for s in plan.severity_slas.order_by("response_within", "id")
    ]


def _phases_doc(plan: Plan, steps: list[Step]) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "start": planned_offset(plan, p.start_offset),
            "end": planned_offset(plan, p.end_offset),
            "after": [g.name for g in sorted(p.after_gates.all(), key=lambda g: (g.order, g.pk))],
            "description": p.description,
            "steps": [_step_doc(s, plan) for s in steps if s.phase_id == p.pk],
        }
        for p in Phase.objects.filter(plan=plan).prefetch_related("after_gates").order_by("order", "id")
    ]


def _gates_doc(plan: Plan) -> list[dict[str, Any]]:
    gates = (
        Gate.objects.filter(plan=plan)
        .select_related("authority_role", "step")
        .prefetch_related("polled_roles", "triggers")
    )
    return [
        {
            "name": g.name,
            "slug": g.slug,
            "kind": g.kind,
            "at": planned_offset(plan, g.offset),
            "step": _name(g.step),
            "description": g.description,
            "authority": _name(g.authority_role),
            "polled": [r.name for r in sorted(g.polled_roles.all(), key=lambda r: r.order)],
            "triggers": [t.description for t in sorted(g.triggers.all(), key=lambda t: (t.order, t.pk))],
        }
        for g in gates.order_by("order", "id")
    ]


def _checklists_doc(plan: Plan) -> list[dict[str, Any]]:
    checklists = (
        Checklist.objects.filter(plan=plan)
        .select_related("role", "phase")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=plan.items.select_related("owner_role", "step", "gate", "recurrence").order_by("order", "id"),
            )
        )
    )
    return [_checklist_doc(c, plan) for c in checklists.order_by("order", "id")]


def _risks_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "title": r.title,
            "description": r.description,
            "probability": r.probability or None,
            "impact": r.impact or None,
            "mitigation": r.mitigation,
            "rollback": r.rollback_plan,
            "owner": _name(r.owner_role),
        }
        for r in plan.risks.select_related("owner_role").order_by("order", "id")
    ]


def _metrics_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "name": m.name,
            "category": m.category,
            "comparator": m.comparator or None,
            "target": m.target,
            "unit": m.unit,
            "window": m.window,
            "measure": None if m.measure == "every" else m.measure,
            "description": m.description,
        }
        for m in plan.metrics.order_by("order", "id")
    ]


def _rollback_triggers_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "description": t.description,
            "metric": _name(t.metric),
            "comparator": t.comparator or None,
            "threshold": t.threshold,
            "sustained_for": t.sustained_for,
            "kind": None if t.kind == ("automatic" if t.metric_id else "discretionary") else t.kind,
            "action": t.action,
            "window_start": t.window_start,
            "window_end": t.window_end,
            "roles": [r.name for r in sorted(t.roles.all(), key=lambda r: r.order)],
        }
        for t in plan.rollback_triggers.select_related("metric").prefetch_related("roles").order_by("order", "id")
    ]


def _channels_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "kind": c.kind, "target": c.target, "purpose": c.purpose, "enabled": c.enabled}
        for c in plan.channels.order_by("id")
    ]


def _messages_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "name": m.name,
            "kind": m.kind,
            "audience": m.audience,
            "channels": [c.name for c in m.channels.order_by("id")],
            "at": planned_offset(plan, m.offset),
            "every": m.every,
            "count": m.count,
            "subject": m.subject,
            "body": m.body,
            "requires_approval": m.requires_approval,
            "enabled": m.enabled,
        }
        for m in plan.messages.prefetch_related("channels").order_by("order", "id")
    ]


def _checklist_doc(c: Checklist, plan: Plan) -> dict[str, Any]:
    rows = list(c.items.all())
    items = [
        _item_doc(c, it, [sub for sub in rows if sub.parent_id == it.pk], plan) for it in rows if it.parent_id is None
    ]
    return {
        "name": c.name,
        "role": _name(c.role),
        "phase": _name(c.phase),
        "description": c.description,
        "items": items,
    }


def _item_doc(c: Checklist, it: Any, subs: list[Any], plan: Plan) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": it.title,
        "section": it.section,
        "step": _name(it.step),
        "gate": _name(it.gate),
        "due": planned_offset(plan, it.due_offset),
        "due_date": None if it.due_by is None else due_text(it.due_by, it.due_all_day, plan.zone),
        "required": it.required,
        "notes": it.notes,
        "repeat": repeat_doc(plan, it),
        "items": [_item_doc(c, sub, [], plan) for sub in subs],
    }
    if it.owner_role_id != c.role_id:
        fields["role"] = _name(it.owner_role)
    return fields


def _dump_dict(doc: PlanDoc) -> dict[str, Any]:
    data = doc.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    data = {"format": doc.format, **data}
    # An item's explicit owner (even "none") differs from its checklist's: keep it although it looks default.
    for c_doc, c_data in zip(doc.checklists, data.get("checklists", []), strict=True):
        for it_doc, it_data in zip(c_doc.items, c_data.get("items", []), strict=True):
            if "role" in it_doc.model_fields_set and "role" not in it_data:
                it_data["role"] = None
            _bare_date(it_data)
            for sub_doc, sub_data in zip(it_doc.items, it_data.get("items", []), strict=True):
                if "role" in sub_doc.model_fields_set and "role" not in sub_data:
                    sub_data["role"] = None
                _bare_date(sub_data)
    return data


def _bare_date(item: dict[str, Any]) -> None:
    """``due_date: 2026-12-01`` written as a YAML date (unquoted, as an author writes it)."""
    due = item.get("due_date")
    if isinstance(due, str) and len(due) == 10:
        item["due_date"] = date.fromisoformat(due)


def _literal_blocks(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _literal_blocks(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_literal_blocks(v) for v in node]
    if isinstance(node, str) and "\n" in node:
        return LiteralScalarString(node)
    return node


def dump_doc(doc: PlanDoc, header: str = "") -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 110
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    if header:
        out.write("".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines()))
    yaml.dump(_literal_blocks(_dump_dict(doc)), out)
    return out.getvalue()


def export_plan(plan: Plan) -> str:
    """The plan as plan-format YAML. Live state (ticks, votes, issues, readings, events) is not part of it."""
    local = timezone.localtime(plan.t0, plan.zone)
    if plan.clockless:
        header = (
            f"Launch Control plan, exported {timezone.now():%Y-%m-%d %H:%M} UTC. It has no T-0; re-create with:\n"
            f"  python manage.py import_plan FILE --tz {plan.timezone} --slug {plan.slug}"
        )
        return dump_doc(plan_doc(plan), header=header)
    t0 = wall_clock_text(local)  # with its offset if the clocks passed that time twice
    header = (
        f"Launch Control plan, exported {timezone.now():%Y-%m-%d %H:%M} UTC.\n"
        f"T-0 was {t0} {plan.timezone}; re-create with:\n"
        f"  python manage.py import_plan FILE --t0 {t0} --tz {plan.timezone} --slug {plan.slug}"
    )
    return dump_doc(plan_doc(plan), header=header)
