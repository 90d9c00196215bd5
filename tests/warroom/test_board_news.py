"""The board's "Latest" line reads news (``Event.news``): every event but a metric reading on target or merely
tracked. A monitoring push's readings every few seconds are marked when they are logged, and the newest news is
found through an index of its own, not by reading back past every reading since the last step or tick."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from plans.models import Event, Plan, is_news
from plans.services import event_record
from warroom import selectors

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "data", "news"),
    [
        ("metric.reading", {"meets": True}, False),
        ("metric.reading", {"meets": None}, False),
        ("metric.reading", {}, False),
        ("metric.reading", None, False),
        ("metric.reading", {"meets": False}, True),
        ("metric.reading_withdrawn", {"meets": True}, True),
        ("item.ticked", None, True),
        ("rollback.breach", {}, True),
    ],
)
def test_what_is_news(kind: str, data: dict[str, Any] | None, news: bool, plan: Plan) -> None:
    assert is_news(kind, data) is news
    with transaction.atomic():
        logged = event_record(plan, kind=kind, summary=kind, data=data)
    assert Event.objects.get(pk=logged.pk).news is news


def test_the_migration_marks_the_readings_already_logged(plan: Plan) -> None:
    made = {
        "on target": Event(plan=plan, kind="metric.reading", summary="a", data={"meets": True}),
        "tracked": Event(plan=plan, kind="metric.reading", summary="b", data={"meets": None}),
        "old": Event(plan=plan, kind="metric.reading", summary="c", data={"value": "1"}),
        "off target": Event(plan=plan, kind="metric.reading", summary="d", data={"meets": False}),
        "a tick": Event(plan=plan, kind="item.ticked", summary="e", data={"meets": True}),
    }
    Event.objects.bulk_create(made.values())  # news=True, as every row is once the column is added
    migration = importlib.import_module("plans.migrations.0013_event_news")
    migration.mark_readings(apps, None)
    news = dict(Event.objects.values_list("summary", "news"))
    assert {name: news[event.summary] for name, event in made.items()} == {
        "on target": False,
        "tracked": False,
        "old": False,
        "off target": True,
        "a tick": True,
    }


def test_the_newest_news_is_read_through_its_index_past_a_days_readings(
    plan: Plan, require_postgres: BaseDatabaseWrapper
) -> None:
    now = timezone.now()
    Event.objects.create(plan=plan, kind="step.started", summary="Started", at=now - timedelta(hours=6))
    Event.objects.bulk_create(  # six hours of four metrics every 10 s, all on target: no news
        Event(plan=plan, kind="metric.reading", summary="ok", data={"meets": True}, news=False, at=now - n * STEP)
        for n in range(8640)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE plans_event")
        sql, params = selectors._news(plan)[:3].query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (plan_json,) = cursor.fetchone()
    text = str(plan_json)
    assert "plans_event_news" in text, text
    assert "'Rows Removed by Filter'" not in text, text  # nothing read past
    assert [e.summary for e in selectors.board(plan).events] == ["Started"]


STEP = timedelta(seconds=2.5)
