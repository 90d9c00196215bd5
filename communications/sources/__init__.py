"""What comes due: the delivery sources the outbox materialises from (see :mod:`.registry` for what a
source is and how another app adds one).

- :mod:`.registry`: ``DeliverySpec``, ``register_source``/``register_relevance``, ``specs_for``,
  ``still_relevant``;
- :mod:`.reminders`: T-minus and overdue reminders of checklist items and steps;
- :mod:`.gates`: a gate's decision coming due (to its authority, its voters and the coordinator), then overdue;
- :mod:`.schedule`: the communication plan (send moments, the sandboxed message context, rendering);
- :mod:`.escalation`: unanswered issues climbing the escalation matrix;
- :mod:`.by_hand`: a send to a named-only channel, emailed to the communications role to post by hand;
- :mod:`.alarms`: a rollback trigger's alarm, to the people and internal channels the plan names;
- :mod:`.oncall`: reminders of each occurrence of a recurring item, and of the start of an on-call shift;
- :mod:`.failures`: a delivery that failed for good (or a message that could not be composed), emailed to
  the coordinator and the communications role's holders.

Importing this package registers the built-in sources, in that order; then ``communications.routes``
(the notification routes, issue 12) adds its own.
"""

from __future__ import annotations

# The built-in sources register on import, in this order (the order ``specs_for`` asks them in).
# isort: off
from . import reminders, gates, schedule, escalation, by_hand, alarms, oncall, failures, ending

# isort: on
from .by_hand import by_hand_specs, comms_role
from .escalation import issue_escalations
from .registry import (
    _RELEVANCE,
    _SOURCES,
    DeliverySpec,
    RelevanceFn,
    Render,
    SourceFn,
    late_after,
    overdue_grace,
    register_relevance,
    register_source,
    sources,
    specs_for,
    still_relevant,
)
from .reminders import item_reminders, step_reminders
from .schedule import (
    INTERNAL_AUDIENCES,
    communication_plan,
    message_context,
    message_specs,
    occurrence_at,
    occurrences,
    render_message,
    series_length,
)

__all__ = [
    "alarms",
    "gates",
    "oncall",
    "by_hand",
    "by_hand_specs",
    "failures",
    "ending",
    "comms_role",
    "INTERNAL_AUDIENCES",
    "_RELEVANCE",
    "_SOURCES",
    "DeliverySpec",
    "RelevanceFn",
    "Render",
    "SourceFn",
    "communication_plan",
    "escalation",
    "issue_escalations",
    "item_reminders",
    "late_after",
    "message_context",
    "message_specs",
    "occurrence_at",
    "occurrences",
    "overdue_grace",
    "register_relevance",
    "register_source",
    "reminders",
    "render_message",
    "schedule",
    "series_length",
    "sources",
    "specs_for",
    "step_reminders",
    "still_relevant",
]
