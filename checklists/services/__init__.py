"""Writes for checklists, items, steps and gates. Each checks permission, runs in a transaction,
records an Event and bumps the plan's revision.

Split by what they write: :mod:`.items`, :mod:`.steps`, :mod:`.triggers` (no-go triggers) and :mod:`.gates`
(the go/no-go poll and the decision). Import from here: ``from checklists.services import item_tick``."""

from __future__ import annotations

from ._shared import TEXT_MAX, StaleWrite
from .gates import (
    can_decide,
    gate_blockers,
    gate_decide,
    gate_open_poll,
    gate_reopen,
    gate_state,
    gate_unset,
    require_authority,
    vote_cast,
)
from .items import checklist_items_save, item_role, item_set_status, item_tick, item_untick
from .occurrences import item_occurrence_tick, item_occurrence_untick
from .step_occurrences import (
    step_occurrence_tick,
    step_occurrence_untick,
    step_recurrence_problems,
    step_recurring_sync,
)
from .steps import step_blockers, step_finish, step_gates_closed, step_start
from .triggers import can_raise_triggers, require_trigger_rights, trigger_clear, trigger_raise

__all__ = [
    "TEXT_MAX",
    "StaleWrite",
    "can_decide",
    "can_raise_triggers",
    "checklist_items_save",
    "gate_blockers",
    "gate_decide",
    "gate_open_poll",
    "gate_reopen",
    "gate_state",
    "gate_unset",
    "item_occurrence_tick",
    "item_occurrence_untick",
    "item_role",
    "item_set_status",
    "item_tick",
    "item_untick",
    "require_authority",
    "require_trigger_rights",
    "step_blockers",
    "step_gates_closed",
    "step_occurrence_tick",
    "step_occurrence_untick",
    "step_recurrence_problems",
    "step_recurring_sync",
    "step_finish",
    "step_start",
    "trigger_clear",
    "trigger_raise",
    "vote_cast",
]
