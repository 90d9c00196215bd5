"""What the apps above plans add to the plan page (plans.selectors.plan_overview).

An app registers a part in ``AppConfig.ready()``: a context key and a function of the plan that
returns its value in one query (checklists adds ``gates``). plans never imports the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import Plan

OverviewPart = Callable[[Plan], Any]

_PARTS: dict[str, OverviewPart] = {}


def register_overview_part(key: str, part: OverviewPart) -> None:
    _PARTS[key] = part


def overview_parts() -> list[tuple[str, OverviewPart]]:
    return list(_PARTS.items())
