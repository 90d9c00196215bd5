"""Writing a plan file's staged rollout (``rollout:``, issue 12): a section of
:data:`launch.services.creation.SECTIONS`, after the metrics it names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plans.models import Rollout, RolloutStage

if TYPE_CHECKING:
    from launch.format.schema import PlanDoc

    from .creation import Created


def create_rollout(doc: PlanDoc, made: Created) -> None:
    if doc.rollout is None:
        return
    rollout = Rollout.objects.create(plan=made.plan, authority_role=made.role(doc.rollout.authority))
    for i, s in enumerate(doc.rollout.stages):
        stage = RolloutStage.objects.create(rollout=rollout, order=i, name=s.name, percent=s.percent, soak=s.soak)
        stage.metrics.set([made.metrics[name] for name in s.metrics])
