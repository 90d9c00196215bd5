"""What the apps above plans add to the plan page (plans.selectors.plan_overview, plan_moving: its live parts).

An app registers a part in ``AppConfig.ready()``: a context key and a function of the plan that
returns its value in one query (checklists adds ``gates``). plans never imports the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import Plan

OverviewPart = Callable[[Plan], Any]

_PARTS: dict[str, OverviewPart] = {}


def register_overview_part(key: str, part: OverviewPart) -> None:
    _PARTS[key] = part


def overview_parts() -> list[tuple[str, OverviewPart]]:
    return list(_PARTS.items())


# --- Tasks the apps above plans add to a role's page ------------------------------------------------------


@dataclass(frozen=True)
class RoleTask:
    """Something a role must do that is not a checklist item or a step (posting a message by hand…)."""

    title: str
    due: datetime
    note: str = ""
    url: str = ""
    done: str = ""  # who did it and when ("Posted by Pat Product at 05:52"): the task is done
    action_url: str = ""  # a POST that does it (undoes it, once done), for those who may act for the role
    # (the page adds CSRF and ``back``)
    action_label: str = ""
    action_fields: tuple[tuple[str, str], ...] = ()


RolePart = Callable[[Plan, Any, datetime], list[RoleTask]]

_ROLE_PARTS: dict[str, RolePart] = {}


def register_role_part(key: str, part: RolePart) -> None:
    """``part(plan, role, now)`` returns the role's tasks (``role`` may be the page of unowned work)."""
    _ROLE_PARTS[key] = part


def role_tasks(plan: Plan, role: Any, now: datetime) -> list[RoleTask]:
    tasks: list[RoleTask] = []
    for part in _ROLE_PARTS.values():
        tasks.extend(part(plan, role, now))
    return sorted(tasks, key=lambda t: t.due)


# --- Sections the apps above plans add to the top of a role's page, live with its rows -------------------


@dataclass(frozen=True)
class RoleSection:
    """A section of a role's page: ``template`` rendered with ``section`` (the part's value), ``plan`` and
    ``role``. It is rendered with the page and again with each poll of its rows (out of band)."""

    template: str
    data: Any


RoleSectionPart = Callable[[Plan, Any, Any, datetime], Any]

_ROLE_SECTIONS: dict[str, tuple[str, RoleSectionPart]] = {}


def register_role_section(key: str, template: str, part: RoleSectionPart) -> None:
    """``part(plan, role, user, now)`` returns what ``template`` shows, or None for nothing (``role`` may be the
    page of unowned work). It reads in one query: it runs at every poll of an open role page that changed."""
    _ROLE_SECTIONS[key] = (template, part)


def role_sections(plan: Plan, role: Any, user: Any, now: datetime) -> list[RoleSection]:
    sections = []
    for template, part in _ROLE_SECTIONS.values():
        data = part(plan, role, user, now)
        if data is not None:
            sections.append(RoleSection(template, data))
    return sections
