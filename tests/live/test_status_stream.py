"""The public status page's stream (issue 15): anyone may open it, with no session (none is read or set);
a draft plan has none; a revision reaches every open stream without a database query per stream; a status
post the outbox publishes (no revision) still reaches them, as a ``tick``."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from django.db import transaction
from django.db.backends import utils as db_utils
from django.urls import reverse
from django.utils import timezone

from communications.models import StatusPost
from plans.models import Plan, PlanStatus
from plans.services import event_record
from tests import factories
from tests.asgi_server import read_events

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from tests.asgi_server import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def coordinator(db: None) -> User:
    return factories.UserFactory(username="coord")


@pytest.fixture
def plan(coordinator: User) -> Plan:
    return factories.PlanFactory(slug="go-live", coordinator=coordinator)


def url(server: AsgiServer, plan: Plan) -> str:
    return server.url + reverse("live:status_stream", args=[plan.slug])


def bump(plan: Plan) -> int:
    with transaction.atomic():
        event_record(plan, kind="test.bump", summary="a change")
    return Plan.objects.get(pk=plan.pk).revision


def test_anyone_may_follow_a_public_plan_without_a_session(asgi_server: AsgiServer, plan: Plan) -> None:
    with httpx.Client(timeout=10) as client, client.stream("GET", url(asgi_server, plan)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "set-cookie" not in response.headers and not client.cookies
        lines = response.iter_lines()
        assert read_events(lines, "hello")["revision"] == plan.revision
        revision = bump(plan)
        assert read_events(lines, "rev")["revision"] == revision


def test_a_draft_plan_has_no_public_stream(asgi_server: AsgiServer, plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)  # (test write)
    response = httpx.get(url(asgi_server, plan), timeout=10)
    assert response.status_code == 404 and "set-cookie" not in response.headers


def test_a_revision_reaches_many_streams_without_a_query_per_stream(
    asgi_server: AsgiServer, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every query of the process (every thread: the server's too) is counted while a revision reaches
    twenty open streams: the hub reads the plan's coming deadlines once, whatever the number of streams."""
    streams = 20
    with ExitStack() as stack:
        client = stack.enter_context(httpx.Client(timeout=10))
        lines = []
        for _ in range(streams):
            response = stack.enter_context(client.stream("GET", url(asgi_server, plan)))
            lines.append(response.iter_lines())
            read_events(lines[-1], "hello")
        with transaction.atomic():
            event_record(plan, kind="test.bump", summary="a change")
        counted: list[str] = []
        real = db_utils.CursorWrapper.execute

        def execute(self: Any, sql: str, params: Any = None) -> Any:
            counted.append(sql)
            return real(self, sql, params)

        monkeypatch.setattr(db_utils.CursorWrapper, "execute", execute)
        for stream in lines:
            read_events(stream, "rev")
        monkeypatch.undo()
    assert len(counted) < 10, counted  # the hub's one look at the plan's deadlines, not one per stream


def test_a_status_post_without_a_revision_still_reaches_the_stream(asgi_server: AsgiServer, plan: Plan) -> None:
    with httpx.Client(timeout=30) as client, client.stream("GET", url(asgi_server, plan)) as response:
        lines = response.iter_lines()
        read_events(lines, "hello")
        with transaction.atomic():  # as the outbox publishes one: no event, no new revision
            StatusPost.objects.create(plan=plan, title="We are launching", published_at=timezone.now())  # (test write)
        assert read_events(lines, "tick")["revision"] == plan.revision


def test_a_fresh_hub_says_hello_only_once_it_listens_so_a_nudge_right_after_is_not_lost(
    asgi_server: AsgiServer, plan: Plan
) -> None:
    """A stream opened on a hub that has just started: its ``hello`` waits for the Redis subscription
    (``push`` is true in it), so a status post committed the moment after reaches the page as a tick."""
    from live import hub as live_hub

    asgi_server.stop_hub()
    asgi_server.call(lambda: live_hub._HUBS.pop(asgi_server.loop, None))  # the next stream starts a new hub
    with httpx.Client(timeout=30) as client, client.stream("GET", url(asgi_server, plan)) as response:
        lines = response.iter_lines()
        assert read_events(lines, "hello")["push"] is True
        with transaction.atomic():
            StatusPost.objects.create(plan=plan, title="Right after", published_at=timezone.now())  # (test write)
        assert read_events(lines, "tick", limit=3)["revision"] == plan.revision


def test_the_poll_reads_each_plans_revision_and_newest_status_post(plan: Plan) -> None:
    from live.listening import read_revisions

    other = factories.PlanFactory(slug="other")
    assert sorted(read_revisions([plan.pk, other.pk])) == sorted(
        [(plan.pk, plan.revision, None), (other.pk, other.revision, None)]
    )
    first = timezone.now()
    StatusPost.objects.create(plan=plan, title="Launching", published_at=first)  # (test write)
    StatusPost.objects.create(plan=plan, title="Older", published_at=first - timedelta(hours=1))  # (test write)
    assert read_revisions([plan.pk]) == [(plan.pk, plan.revision, first)]
