"""A monitoring push's readings, every few seconds, move the plan's revision (the board and the metrics page show
them) but not ``Plan.content_revision``: the live parts that show no readings (a role's rows, the plan page, the
issues, the timeline, readiness) answer their fetch with 304 instead of rendering again on every open laptop.
Any other change, an alarm a reading raises among them, is a change for every part."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from checklists.services import item_tick
from plans.models import Plan, RollbackTrigger
from plans.services import reading_record
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from checklists.models import Item
    from plans.models import SuccessMetric

pytestmark = pytest.mark.django_db


class Launch(TypedDict):
    owner: User
    item: Item
    metric: SuccessMetric


@pytest.fixture
def launch(plan: Plan) -> Launch:
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="SRE", slug="sre", primary=owner)
    item = factories.ItemFactory(checklist=factories.ChecklistFactory(plan=plan, role=role, name="Main"))
    metric = factories.MetricFactory(plan=plan, name="Latency", comparator="<", target=Decimal(500), unit="ms")
    factories.IssueFactory(plan=plan, title="Slow search")
    return {"owner": owner, "item": item, "metric": metric}


def _fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def test_a_reading_moves_the_revision_and_nothing_else(plan: Plan, launch: Launch) -> None:
    owner, metric, item = launch["owner"], launch["metric"], launch["item"]
    before = _fresh(plan)
    reading_record(metric, value="120", by=owner)
    after = _fresh(plan)
    assert after.revision == before.revision + 1 and after.content_revision == before.content_revision
    item_tick(item, by=owner)
    ticked = _fresh(plan)
    assert ticked.content_revision == ticked.revision == after.revision + 1


def test_an_alarm_a_reading_raises_is_a_change_for_every_part(plan: Plan, launch: Launch) -> None:
    owner, metric = launch["owner"], launch["metric"]
    RollbackTrigger.objects.create(
        plan=plan, description="Latency above 1,000 ms", metric=metric, comparator=">", threshold=Decimal(1000)
    )
    before = _fresh(plan)
    reading_record(metric, value="1500", by=owner)
    after = _fresh(plan)
    kinds = list(plan.events.order_by("revision").values_list("kind", flat=True))
    assert kinds[0] == "metric.reading" and "rollback.breach" in kinds  # the reading, then the alarm (and its issue)
    assert after.revision == before.revision + len(kinds) and after.content_revision == after.revision


#: Live parts that show no reading: a reading is a 304 for them.
QUIET = {
    "role rows": lambda p: reverse("checklists:role_rows", args=[p.slug, "sre"]),
    "plan page": lambda p: reverse("plans:detail_live", args=[p.slug]),
    "nav state": lambda p: reverse("plans:nav_state", args=[p.slug]),
    "timeline": lambda p: reverse("plans:timeline", args=[p.slug]),
    "issues": lambda p: reverse("issues:list", args=[p.slug]),
    "readiness": lambda p: reverse("readiness:summary_live", args=[p.slug]),
}
#: Live parts that show readings: a reading is a change for them.
SHOWING = {
    "metrics page": lambda p: reverse("warroom:metrics", args=[p.slug]),
    "activity": lambda p: reverse("plans:activity", args=[p.slug]),
}


def test_open_parts_fetch_again_only_when_what_they_show_changed(plan: Plan, launch: Launch, client: Client) -> None:
    owner, metric, item = launch["owner"], launch["metric"], launch["item"]
    client.force_login(owner)
    parts = {**QUIET, **SHOWING}
    with time_machine.travel(timezone.now().replace(second=5) + timedelta(minutes=1), tick=False):  # one bucket
        tags = {}
        for name, url in parts.items():
            first = client.get(url(plan), headers={"HX-Request": "true"})
            assert first.status_code == 200, name
            tags[name] = first["ETag"]

        def answers() -> dict[str, int]:
            return {
                name: client.get(url(plan), headers={"HX-Request": "true", "If-None-Match": tags[name]}).status_code
                for name, url in parts.items()
            }

        assert set(answers().values()) == {304}
        reading_record(metric, value="120", by=owner)
        assert answers() == {**dict.fromkeys(QUIET, 304), **dict.fromkeys(SHOWING, 200)}
        item_tick(item, by=owner)
        assert set(answers().values()) == {200}


def test_the_migration_starts_every_plan_with_its_content_as_new_as_its_revision(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(revision=41, content_revision=0)
    migration = importlib.import_module("plans.migrations.0012_plan_content_revision")
    migration.from_revision(apps, None)
    assert _fresh(plan).content_revision == 41


@pytest.mark.parametrize("viewer", ["coordinator", "owner"])
def test_a_fetch_after_a_reading_costs_no_render(
    plan: Plan, launch: Launch, client: Client, coordinator: User, viewer: str
) -> None:
    """The role rows' 304 after a reading: the plan's lookup and the session, not the page's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = launch["owner"]
    client.force_login(coordinator if viewer == "coordinator" else owner)
    url = reverse("checklists:role_rows", args=[plan.slug, "sre"])
    with time_machine.travel(timezone.now().replace(second=5) + timedelta(minutes=1), tick=False):
        tag = client.get(url, headers={"HX-Request": "true"})["ETag"]
        reading_record(launch["metric"], value="130", by=owner)
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url, headers={"HX-Request": "true", "If-None-Match": tag})
    assert again.status_code == 304 and len(queries) <= 4
