"""What stands in the launch's way, told by the apps above plans (plans cannot import them).

checklists registers its gates here (``checklists.timing.launch_guard``): a gate that guards the launch
and is decided NO-GO, or whose poll is open, refuses the launch (``plans.services.plan_transition`` to
*launched*), and the hold a NO-GO started does not end while its gate still says NO-GO
(``plans.services.hold_end``). The coordinator may go on anyway with a typed reason: the override is
recorded as a ``gate.overridden`` event, so the log says who launched against which gate and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Plan

#: ``guard(plan, hold_id)``: one sentence per obstacle. ``hold_id`` None asks about the launch itself; a
#: hold's id asks whether that hold may end (only what started it counts).
LaunchGuard = Callable[["Plan", "int | None"], list[str]]

_GUARDS: list[LaunchGuard] = []
#: ``caution(plan)``: one sentence per thing the coordinator should know before launching, that does not
#: refuse it (a gate never decided). Shown in the launch's confirmation.
LaunchCaution = Callable[["Plan"], list[str]]
_CAUTIONS: list[LaunchCaution] = []


def register_launch_guard(guard: LaunchGuard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def register_launch_caution(caution: LaunchCaution) -> None:
    if caution not in _CAUTIONS:
        _CAUTIONS.append(caution)


def launch_cautions(plan: Plan) -> list[str]:
    """What the launch's confirmation says before going ahead (nothing here refuses the launch)."""
    return [sentence for caution in _CAUTIONS for sentence in caution(plan)]


def launch_blockers(plan: Plan, *, hold_id: int | None = None) -> list[str]:
    """Why the launch (or, with ``hold_id``, the end of that hold) is refused without an override."""
    reasons: list[str] = []
    for guard in _GUARDS:
        reasons.extend(guard(plan, hold_id))
    return reasons
