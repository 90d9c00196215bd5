"""The live parts of the pages the push channel reaches besides the board (issue 15): the issues page and an
issue's page, metrics, the timeline, the plan page's and the activity log's parts, the gate's fragment and the
role page's rows. A pushed or polled fetch
(htmx) is answered ``304 Not Modified`` on its ETag while nothing changed, in a few queries and without
rendering; a write, or the board's time slot turning (an item becoming late), makes it a 200 again."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import services as issue_services
from issues.models import Issue
from plans.buckets import time_bucket
from warroom import buckets

if TYPE_CHECKING:
    from django.test import Client

    from tests.endpoints import World

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}

#: The queries of an unchanged fetch: the session, the user, the plan and the viewer's membership.
NOT_MODIFIED_BUDGET = 4


def live_urls(world: World) -> dict[str, str]:
    plan, gate, issue = world.plan, world.gate, world.issue
    return {
        "issues": reverse("issues:list", args=[plan.slug]) + "?severity=high",
        "issue": reverse("issues:detail", args=[plan.slug, issue.number]),
        "metrics": reverse("warroom:metrics", args=[plan.slug]),
        "timeline": reverse("plans:timeline", args=[plan.slug]),
        "plan": reverse("plans:detail_live", args=[plan.slug]),
        "activity": reverse("plans:activity", args=[plan.slug]) + "?kind=issue",
        "gate_poll": reverse("checklists:gate_poll", args=[plan.slug, gate.slug]),
        "role_rows": reverse("checklists:role_rows", args=[plan.slug, world.role_a.slug]),
    }


def one_minute() -> time_machine.travel:
    """Inside one minute bucket, the clock stopped (the ETag's slot cannot turn under the test)."""
    return time_machine.travel(timezone.now().replace(second=5, microsecond=0), tick=False)


@pytest.mark.parametrize(
    "name", ["issues", "issue", "metrics", "timeline", "plan", "activity", "gate_poll", "role_rows"]
)
def test_an_unchanged_fetch_is_304_in_a_few_queries(client: Client, world: World, name: str) -> None:
    client.force_login(world.users["owner"])
    url = live_urls(world)[name]
    with one_minute():
        first = client.get(url, headers=HX)
        assert first.status_code == 200 and first["ETag"]
        with CaptureQueriesContext(connection) as ctx:
            second = client.get(url, headers={**HX, "If-None-Match": first["ETag"]})
        assert second.status_code == 304 and second["ETag"] == first["ETag"] and not second.content
        assert len(ctx.captured_queries) <= NOT_MODIFIED_BUDGET, [q["sql"] for q in ctx.captured_queries]
        # A write anywhere in the plan (a new issue) moves the revision: the same ETag now renders.
        issue_services.issue_open(world.plan, by=world.users["coordinator"], title="Disk full", severity="high")
        third = client.get(url, headers={**HX, "If-None-Match": first["ETag"]})
    assert third.status_code == 200 and third["ETag"] != first["ETag"]


@pytest.mark.parametrize("name", ["issues", "issue", "metrics", "timeline", "activity"])
def test_a_page_load_always_renders(client: Client, world: World, name: str) -> None:
    """Only a live part's fetch (htmx) is conditional: a full page load renders (its messages, its forms),
    and says it varies on HX-Request so no cache hands one for the other."""
    client.force_login(world.users["owner"])
    url = live_urls(world)[name]
    page = client.get(url, headers={"If-None-Match": "*"})
    assert page.status_code == 200 and "ETag" not in page
    assert "HX-Request" in page["Vary"]
    assert "data-live-stream=" in page.content.decode() and "data-live-etag" in page.content.decode()


def test_the_etag_belongs_to_the_viewer(client: Client, world: World) -> None:
    url = live_urls(world)["issues"]
    with one_minute():
        client.force_login(world.users["owner"])
        mine = client.get(url, headers=HX)["ETag"]
        client.force_login(world.users["other"])
        theirs = client.get(url, headers={**HX, "If-None-Match": mine})
    assert theirs.status_code == 200  # their page shows what they may do, not what the owner may


def test_the_slot_turns_at_the_boards_deadline_not_the_next_minute(client: Client, world: World) -> None:
    """The role page's rows (and every live part) use the board's slot: once a deadline the board saw
    coming has passed (an item became late), the ETag changes within that minute, so the push channel's
    tick at that moment fetches the late row rather than a 304."""
    client.force_login(world.users["owner"])
    plan = world.plan
    url = live_urls(world)["role_rows"]
    start = timezone.now().replace(second=5, microsecond=0)
    due_ms = int((start + timedelta(seconds=20)).timestamp() * 1000) + 1
    cache.set(buckets._deadline_key(plan.pk, plan.revision), [due_ms], timeout=300)
    buckets._DEADLINES.clear()
    with time_machine.travel(start, tick=False):
        before = client.get(url, headers=HX)
        assert time_bucket(plan.pk, plan.revision) == int(time.time() // 60)
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        buckets._DEADLINES.clear()
        assert client.get(url, headers={**HX, "If-None-Match": before["ETag"]}).status_code == 304
    with time_machine.travel(start + timedelta(seconds=21), tick=False):
        buckets._DEADLINES.clear()
        assert time_bucket(plan.pk, plan.revision) == due_ms
        after = client.get(url, headers={**HX, "If-None-Match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


def test_the_issues_page_carries_the_sla_deadline_for_the_page_clock(client: Client, world: World) -> None:
    """An open issue's response SLA counts down on the page from its deadline in the markup, and its row
    is marked so the page's clock turns it breached at that moment (static/js/clock.js)."""
    issue = world.issue
    Issue.objects.filter(pk=issue.pk).update(respond_by=timezone.now() + timedelta(minutes=27))  # (test write)
    client.force_login(world.users["owner"])
    html = client.get(reverse("issues:list", args=[world.plan.slug])).content.decode()
    deadline = int(Issue.objects.get(pk=issue.pk).respond_by.timestamp() * 1000)  # type: ignore[union-attr]
    assert f'data-deadline-left="{deadline}"' in html and "data-sla-row" in html
    assert 'id="issues-live"' in html and 'hx-select="#issues-live"' in html
