"""Exporting runbook content (issue 10): placeholders and procedures."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from plans.models import Placeholder, Plan, Procedure, ProcedureStep


def _name(obj: Any) -> str | None:
    return obj.name if obj is not None else None


def issue_categories_doc(plan: Plan) -> list[str]:
    from issues.models import IssueCategory

    return list(IssueCategory.objects.filter(plan=plan).order_by("order", "id").values_list("name", flat=True))


def placeholders_doc(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "kind": p.kind,
            "label": p.label,
            "description": p.description,
            "value": p.value,
            "required": p.required,
            "gates": [g.name for g in sorted(p.gates.all(), key=lambda g: (g.order, g.pk))],
        }
        for p in Placeholder.objects.filter(plan=plan).prefetch_related("gates").order_by("order", "id")
    ]


def procedures_doc(plan: Plan) -> list[dict[str, Any]]:
    steps = Prefetch("steps", queryset=ProcedureStep.objects.select_related("lead_role").order_by("order", "id"))
    return [
        {
            "name": p.name,
            "kind": p.kind,
            "description": p.description,
            "lead": _name(p.lead_role),
            "steps": [
                {
                    "name": s.name,
                    "action": s.action,
                    "verify": s.verify,
                    "estimate": s.estimate,
                    "lead": _name(s.lead_role),
                }
                for s in p.steps.all()
            ],
        }
        for p in Procedure.objects.filter(plan=plan)
        .select_related("lead_role")
        .prefetch_related(steps)
        .order_by("order", "id")
    ]
