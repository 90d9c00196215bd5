"""Writing runbook content from a plan file (issue 10): placeholders (linked to the gates they block) and
procedures. Sections of :data:`launch.services.creation.SECTIONS`; they run after gates are written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plans.models import Placeholder, Procedure, ProcedureStep

if TYPE_CHECKING:
    from launch.format.schema import PlanDoc

    from .creation import Created


def create_placeholders(doc: PlanDoc, made: Created) -> None:
    for i, p in enumerate(doc.placeholders):
        placeholder = Placeholder.objects.create(
            plan=made.plan,
            order=i,
            name=p.name,
            kind=p.kind,
            label=p.label,
            description=p.description,
            value=p.value,
            required=p.required,
        )
        for gate in p.gates:
            made.gates[gate].placeholders.add(placeholder)


def create_issue_categories(doc: PlanDoc, made: Created) -> None:
    """The plan's issue categories (issue 16), in file order."""
    from issues.models import IssueCategory

    IssueCategory.objects.bulk_create(
        [IssueCategory(plan=made.plan, order=i, name=name) for i, name in enumerate(doc.issue_categories)]
    )


def create_procedures(doc: PlanDoc, made: Created) -> None:
    for i, proc in enumerate(doc.procedures):
        procedure = Procedure.objects.create(
            plan=made.plan,
            order=i,
            name=proc.name,
            kind=proc.kind,
            description=proc.description,
            lead_role=made.role(proc.lead),
        )
        ProcedureStep.objects.bulk_create(
            [
                ProcedureStep(
                    procedure=procedure,
                    order=j,
                    name=s.name,
                    action=s.action,
                    verify=s.verify,
                    estimate=s.estimate,
                    lead_role=made.role(s.lead),
                )
                for j, s in enumerate(proc.steps)
            ]
        )


def placeholder_values_apply(doc: PlanDoc, values: dict[str, str]) -> list[str]:
    """Fill the file's placeholders from ``--set NAME=VALUE`` (or the admin's form); the problems, one
    sentence each (unknown name, a value its kind refuses), and nothing changed if there are any."""
    from plans.runbook.values import placeholder_value
    from plans.validators import BoundsError

    by_name = {p.name: p for p in doc.placeholders}
    problems: list[str] = []
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        declared = by_name.get(name)
        if declared is None:
            known = ", ".join(sorted(by_name)) or "none"
            problems.append(f"--set: unknown placeholder {name[:80]!r} (the file declares: {known})")
            continue
        try:
            cleaned[name] = placeholder_value(declared.kind, value, field=f"--set {name}")
        except BoundsError as exc:
            problems.append(str(exc))
    if not problems:
        for name, value in cleaned.items():
            by_name[name].value = value
    return problems
