"""Where the board puts its gates: under the issues, in the third column, while at most one issue is open (none
with a rollout panel there) (a plan with no issue open had that column empty while its gates, squeezed under
"Next 30 min" and the forecast, showed "+3 more gates" and no gate at 1080p); else in the first column, as
before, and there too once the launch has ended."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine

from issues.services import issue_open
from plans.models import PlanStatus
from tests import factories
from warroom import selectors, views

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User

    from plans.models import Plan

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 11, 40, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _columns(html: str) -> list[str]:
    """The board's three columns, each as the panels' class names in order ("wr-next", "wr-gates"...)."""
    grid = html.split('<div class="wr-grid', 1)[1].split("<footer", 1)[0]
    columns = grid.split('<section class="wr-col">')[1:]
    return [" ".join(re.findall(r'class="wr-panel (wr-[a-z]+)', column)) for column in columns]


def _plan(coordinator: User) -> Plan:
    plan = factories.PlanFactory(coordinator=coordinator, t0=NOW + timedelta(hours=2), status=PlanStatus.SCHEDULED)
    factories.GateFactory(plan=plan, name="Go/No-Go")
    factories.RoleFactory(plan=plan, name="DBA")
    return plan


def test_with_no_issue_or_one_the_gates_sit_under_the_issues(coordinator: User) -> None:
    plan = _plan(coordinator)
    html = views.render_board(plan)
    assert _columns(html)[0] == "wr-next" and _columns(html)[2] == "wr-issues wr-gates"
    assert 'class="wr-grid gates-beside-issues"' in html
    issue_open(plan, by=coordinator, title="Replication lag", severity="high")
    assert _columns(views.render_board(plan))[2] == "wr-issues wr-gates"


def test_with_two_issues_open_the_gates_go_back_to_the_first_column(coordinator: User) -> None:
    plan = _plan(coordinator)
    for title in ("Replication lag", "Slow thumbnails"):
        issue_open(plan, by=coordinator, title=title, severity="low")
    html = views.render_board(plan)
    assert _columns(html) == ["wr-next wr-gates", "wr-roles wr-metrics", "wr-issues"]
    assert "gates-beside-issues" not in html
    assert html.count('class="wr-panel wr-gates"') == 1


def test_an_ended_launch_keeps_its_gates_in_the_first_column(coordinator: User) -> None:
    plan = _plan(coordinator)
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status"])
    board = selectors.board(plan)
    assert board.ended and not board.gates_beside_issues
    assert _columns(views.render_board(plan))[0] == "wr-next wr-gates"


def test_a_rollout_panel_takes_an_issues_room_in_the_third_column() -> None:
    """A launched plan with a staged rollout (tests/rollout/world.py): the rollout panel sits above the issues and
    takes about an issue's room, so the gates sit under the issues with none open (they stayed in the first
    column, squeezed under the forecast, beside an empty third column), and go back to the first once one is."""
    from tests.rollout.world import T0, rollout_world

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        w = rollout_world()
        factories.GateFactory(plan=w.plan, name="Go/No-Go")
        html = views.render_board(w.fresh())
        assert 'id="wr-rollout"' in html
        assert _columns(html)[2] == "wr-rollout wr-issues wr-gates" and "wr-gates" not in _columns(html)[0]
        assert w.plan.coordinator is not None
        issue_open(w.plan, by=w.plan.coordinator, title="Checkout errors", severity="high")
        html = views.render_board(w.fresh())
    assert _columns(html)[0].endswith("wr-gates") and "wr-gates" not in _columns(html)[2]
