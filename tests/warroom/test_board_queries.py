"""The board's full render with a live forecast (steps after steps, steps waiting for gates, gate criteria
naming steps, a maintenance window) reads a fixed number of queries whatever the plan's size, and what the
render reads once for several panels gives the same answers as each panel reading for itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from checklists.models import Gate, Item
from launch.services.sample import build_sample_plan
from plans.models import Plan, Step
from plans.schedule import plan_forecast
from warroom import selectors, views
from warroom.roles import RoleRow

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 11, 40, 10, tzinfo=UTC)
#: selectors.board: phases; items: counts per role, late and upcoming lines; steps (one read for next 30
#: minutes, the role rows and the forecast); roles; issues (3); metrics (3); gates; the forecast's
#: dependencies and gate edges (one UNION ALL); messages with channels; the outbox; events; link placeholders;
#: the rollout panel's stages (issue 12: one query, stages with their rollout, authority and metric ids; the
#: health and the proposal come from the metric rows and trigger states already read); the holds' slips, once,
#: for the sends of a repeating message (a hold moves those after it: communications.sources.schedule). Was 19.
#: Then 23: a post by hand was due in the last two hours (the sample's "#launch" chat channel), so the board reads
#: the messages with their channels and the marks, to show one not posted (warroom.comms.unposted; a plan with no
#: such send due reads none of them: tests/warroom/test_board_unposted.py).
BOARD_QUERIES = 23


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _forecast_plan(slug: str, *, items: int, roles: int, steps: int) -> Plan:
    """A sample plan (T-0 a little ahead, steps done, running and pending) with a forecast to show: every
    third step follows the one before (every sixth also one further back) and half of those are placed
    after them; estimates, points of no return, a maintenance window; steps waiting for gates and gate
    criteria naming steps."""
    plan = build_sample_plan(slug, items=items, roles=roles, steps=steps, issues=2)
    rows = list(Step.objects.filter(plan=plan).order_by("offset", "order"))
    for i, step in enumerate(rows):
        if i and i % 3 == 0:
            step.depends_on.add(rows[i - 1], *([rows[i - 4]] if i % 6 == 0 and i >= 4 else []))
            step.relative = i % 2 == 0
        step.estimate = step.duration + timedelta(minutes=7 * (i % 4)) if i % 5 == 0 else None
        step.deadline = step.offset + step.duration + timedelta(minutes=10) if i % 4 == 0 else None
        step.save()
    Plan.objects.filter(pk=plan.pk).update(window_end=timedelta(hours=1))
    gates = list(Gate.objects.filter(plan=plan).order_by("order", "pk"))
    for j, gate in enumerate(gates):
        gate.blocks.add(*rows[len(rows) // 2 + j :: 7][:3])
    for k, item in enumerate(Item.objects.filter(plan=plan).order_by("pk")[: len(rows)]):
        Item.objects.filter(pk=item.pk).update(step=rows[(k * 3) % len(rows)], gate=gates[k % len(gates)])
    plan.refresh_from_db()
    return plan


def _fresh(plan: Plan) -> Plan:
    return Plan.objects.select_related("coordinator").get(pk=plan.pk)


def _render_queries(plan: Plan) -> int:
    views.render_board(_fresh(plan))  # per-process checks (the outbox table) out of the way
    fresh = _fresh(plan)
    with CaptureQueriesContext(connection) as ctx:
        html = views.render_board(fresh)
    assert 'id="wr-forecast"' in html and "Forecast end" in html
    return len(ctx.captured_queries)


def test_a_full_render_with_a_forecast_reads_a_fixed_number_of_queries(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    small = _forecast_plan("fc-small", items=40, roles=4, steps=12)
    big = _forecast_plan("fc-big", items=400, roles=20, steps=90)
    assert _render_queries(small) == _render_queries(big) == BOARD_QUERIES
    fresh = _fresh(big)
    with django_assert_num_queries(BOARD_QUERIES):
        views.render_board(fresh)


def test_a_changed_board_is_rendered_and_its_deadlines_found_in_25_queries(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    plan = _forecast_plan("fc-poll", items=60, roles=6, steps=20)
    views._render_entry(plan.pk)
    # The plan, the board, and one query for the items' deadlines: the steps and the rollback triggers'
    # states come from what the render read (they were five more queries).
    with django_assert_num_queries(1 + BOARD_QUERIES + 1):
        views._render_entry(plan.pk)


def test_what_the_board_reads_once_agrees_with_each_panel_reading_for_itself() -> None:
    plan = _forecast_plan("fc-same", items=120, roles=8, steps=40)
    for minutes in (-90, -20, 0, 25, 200):
        now = plan.t0 + timedelta(minutes=minutes, seconds=13)
        fresh = _fresh(plan)
        board = selectors.board(fresh, now=now)
        alone = plan_forecast(fresh, now=now)
        assert board.forecast == alone
        assert alone.steps and any(f.risk for f in alone.steps.values())
        entries, late, lines = selectors.next_entries(fresh, now)
        assert board.late_total == late
        assert board.entries == selectors.pick_entries(entries)
        assert board.entries_more == max(0, lines - len(board.entries))
        unowned = RoleRow(0, "No owner role", 0, "", "")
        roles = sorted(selectors.role_rows(fresh, now, unowned), key=lambda r: r.attention)
        assert board.roles == roles[: selectors.ROLE_ROWS]
        assert (board.items_total, board.items_done) == (
            sum(r.total for r in roles) + unowned.total,
            sum(r.done for r in roles) + unowned.done,
        )
        until = now + timedelta(minutes=3)
        assert selectors.next_deadlines(fresh, now, until, board) == selectors.next_deadlines(fresh, now, until)
