"""The admin for editing plans. Writes that matter to a live launch go through the service layer:
moving T-0 is :func:`plans.services.rebaseline`, a plan made from a template is
:func:`launch.services.importer.import_plan_text` (the plan-from-template page and the YAML export
live in launch/admin.py, the app that knows the plan format), and every other admin edit records an event so the
war room (which keys its caches on the plan's revision) sees it.

Split into :mod:`.timing` (offset fields), :mod:`.scope` (the plan scoping and event mixins), :mod:`.plan`
(the Plan admin) and :mod:`.parts` (the other models). Importing this package registers them all."""

from __future__ import annotations

from . import (
    parts,  # noqa: F401  (registers the other models' admins)
    rollout,  # noqa: F401  (registers the rollout admin, adds its inline to the plan admin)
)
from .plan import PhaseInline, PlanAdmin, PlanForm, StepInline, SummaryInline
from .scope import (
    PlanEventMixin,
    PlanScopedAdmin,
    ReadOnlyAdmin,
    actor,
    administers_every_plan,
    plan_of,
    plan_path,
    scope_to_coordinator,
)
from .timing import OFFSET_FIELDS, TimingFieldsMixin

__all__ = [
    "OFFSET_FIELDS",
    "PhaseInline",
    "PlanAdmin",
    "PlanEventMixin",
    "PlanForm",
    "PlanScopedAdmin",
    "ReadOnlyAdmin",
    "StepInline",
    "SummaryInline",
    "TimingFieldsMixin",
    "actor",
    "administers_every_plan",
    "plan_of",
    "plan_path",
    "scope_to_coordinator",
]
