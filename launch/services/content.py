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
