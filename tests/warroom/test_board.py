"""The board's poll path: 304 from the revision alone with no rendering, one render per (revision,
minute) shared by every screen, a fixed query count however big the plan, and kiosk links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checklists.services import item_tick
from launch.services.sample import build_sample_plan
from plans.kiosk import kiosk_token
from plans.models import KioskLink, PlanStatus, RollbackTrigger
from plans.services import hold_start, kiosk_create, kiosk_revoke, reading_record
from tests import factories
from warroom import selectors, views

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from django.template.base import Template
    from django.template.context import Context
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries, Settings

    from plans.models import Plan


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    """The ETag has a minute bucket: freeze the clock so a test never straddles a minute."""
    with time_machine.travel(datetime(2026, 12, 1, 11, 40, 10, tzinfo=UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def no_revision_cache(settings: Settings) -> Iterator[None]:
    """Every poll reads the revision (the per-process micro-cache has its own test)."""
    settings.WARROOM_REVISION_TTL = 0
    views._REVISIONS.clear()
    views._VERIFIED.clear()
    yield
    views._REVISIONS.clear()
    views._VERIFIED.clear()


@pytest.fixture
def viewer(db: None) -> User:
    return factories.UserFactory(username="viewer")


@pytest.fixture
def live_plan(plan: Plan) -> Plan:
    plan.t0 = timezone.now() + timedelta(minutes=20)
    plan.save()
    return plan


def _poll_url(client: Client, plan: Plan) -> str:
    """Load the board as the client's user and return the fragment URL it polls."""
    page = client.get(reverse("warroom:board", args=[plan.slug]))
    assert page.status_code == 200
    return page.context["poll_url"]


@pytest.fixture
def templates_rendered() -> Iterator[list[str]]:
    names: list[str] = []

    def _record(sender: object, template: Template, context: Context, **kwargs: object) -> None:
        names.append(str(template.name))

    template_rendered.connect(_record)
    yield names
    template_rendered.disconnect(_record)


def test_board_needs_login(client: Client, plan: Plan) -> None:
    response = client.get(reverse("warroom:board", args=[plan.slug]))
    assert response.status_code == 302


def test_board_page_shows_the_plan(client: Client, live_plan: Plan, viewer: User) -> None:
    client.force_login(viewer)
    response = client.get(reverse("warroom:board", args=[live_plan.slug]))
    html = response.content.decode()
    # Its one heading is its visible title, the plan's name (it had no h1)
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == [live_plan.name]
    assert re.search(r'id="wr-clock"[^>]*>T-00:(19|20):\d\d<', html)
    # Fetched on the push channel's events, polled every 2 s as its fallback (static/js/live.js)
    assert 'hx-trigger="wr:poll" data-live-poll="2"' in html
    # The board's stream names its screen token (the fetches' token): the board is pushed in the event
    stream = re.search(r'data-live-stream="([^"]+)"', html)
    assert stream is not None and stream[1].startswith(f"/live/plans/{live_plan.slug}/stream/?board=")
    assert f"?s={stream[1].split('?board=')[1]}" in html
    assert response["X-Server-Now"].isdigit()


def test_unchanged_poll_is_304_with_one_query_and_no_template(
    client: Client,
    live_plan: Plan,
    viewer: User,
    templates_rendered: list[str],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(viewer)
    url = _poll_url(client, live_plan)
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag == views.etag(live_plan.pk, live_plan.revision, views.current_bucket())
    templates_rendered.clear()
    with django_assert_num_queries(1):
        second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.content == b""
    assert templates_rendered == []
    assert second["X-Server-Now"].isdigit()
    assert second["Cache-Control"] == "no-store"


def test_a_change_is_served_at_once(client: Client, live_plan: Plan, viewer: User) -> None:
    role = factories.RoleFactory(plan=live_plan, primary=viewer)
    item = factories.ItemFactory(
        checklist=factories.ChecklistFactory(plan=live_plan, role=role),
        title="Flip the DNS",
        due_offset=timedelta(minutes=-1),
    )
    client.force_login(viewer)
    url = _poll_url(client, live_plan)
    first = client.get(url)
    assert "Flip the DNS" in first.content.decode()
    item_tick(item, by=viewer)
    second = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Ticked “Flip the DNS”" in second.content.decode()


def test_one_render_serves_every_screen(
    client: Client, live_plan: Plan, viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = views.render_board

    def counting(plan: Plan, board: selectors.Board | None = None) -> str:
        calls.append(plan.pk)
        return real(plan, board)

    monkeypatch.setattr(views, "render_board", counting)
    other = factories.UserFactory(username="other-viewer")
    client.force_login(viewer)
    url_a = _poll_url(client, live_plan)
    client.force_login(other)
    url_b = _poll_url(client, live_plan)
    assert live_plan.coordinator is not None
    link = kiosk_create(live_plan, by=live_plan.coordinator, label="TV")  # bumps the revision
    client.logout()
    kiosk_url = reverse("warroom:kiosk_fragment", args=[kiosk_token(link)])
    bodies = [client.get(u).content for u in (url_a, url_b, kiosk_url)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert url_a != url_b  # each viewer polls with their own screen token
    # One render for the first page load, one after the kiosk link bumped the revision.
    assert len(calls) == 2


def test_screen_tokens_are_checked(client: Client, live_plan: Plan, viewer: User) -> None:
    other_plan = factories.PlanFactory()
    client.force_login(viewer)
    url = _poll_url(client, live_plan)
    token = url.split("?s=")[1]
    client.logout()
    assert client.get(url).status_code == 200  # the token alone authorises the poll
    assert client.get(url[:-3] + "abc").status_code == 403
    assert client.get(reverse("warroom:fragment", args=[live_plan.slug])).status_code == 403
    wrong_plan = reverse("warroom:fragment", args=[other_plan.slug]) + "?s=" + token
    assert client.get(wrong_plan).status_code == 403


def test_kiosk_link_works_read_only_and_dies_when_revoked(client: Client, live_plan: Plan) -> None:
    coordinator = live_plan.coordinator
    assert coordinator is not None
    link = kiosk_create(live_plan, by=coordinator, label="War room TV")
    token = kiosk_token(link)
    page = client.get(reverse("warroom:kiosk", args=[token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert live_plan.name in html and "<form" not in html and "Kiosk links" not in html
    assert client.post(reverse("warroom:kiosk", args=[token])).status_code == 405
    fragment_url = reverse("warroom:kiosk_fragment", args=[token])
    first = client.get(fragment_url)
    assert first.status_code == 200
    assert client.get(fragment_url, headers={"If-None-Match": first["ETag"]}).status_code == 304

    forged = reverse("warroom:kiosk", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])
    assert client.get(forged).status_code == 403

    kiosk_revoke(link, by=coordinator)
    assert client.get(reverse("warroom:kiosk", args=[token])).status_code == 403
    assert client.get(fragment_url).status_code == 403
    assert client.get(fragment_url, headers={"If-None-Match": first["ETag"]}).status_code == 403


def test_kiosk_management_is_for_the_coordinator(client: Client, live_plan: Plan, viewer: User) -> None:
    client.force_login(viewer)
    assert client.get(reverse("warroom:kiosks", args=[live_plan.slug])).status_code == 403
    assert client.post(reverse("warroom:kiosk_create", args=[live_plan.slug]), {"label": "x"}).status_code == 403
    assert live_plan.coordinator is not None
    client.force_login(live_plan.coordinator)
    client.post(reverse("warroom:kiosk_create", args=[live_plan.slug]), {"label": "Lobby TV"})
    link = KioskLink.objects.get(plan=live_plan)
    page = client.get(reverse("warroom:kiosks", args=[live_plan.slug]))
    assert "Lobby TV" in page.content.decode() and kiosk_token(link) in page.content.decode()
    client.post(reverse("warroom:kiosk_revoke", args=[live_plan.slug, link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_revision_micro_cache_never_steps_back(
    client: Client, live_plan: Plan, viewer: User, settings: Settings, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    settings.WARROOM_REVISION_TTL = 60
    role = factories.RoleFactory(plan=live_plan, primary=viewer)
    item = factories.ItemFactory(checklist=factories.ChecklistFactory(plan=live_plan, role=role))
    client.force_login(viewer)
    url = _poll_url(client, live_plan)
    old = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        assert client.get(url, headers={"If-None-Match": old}).status_code == 304
    item_tick(item, by=viewer)
    live_plan.refresh_from_db()
    # This process still remembers the old revision: a screen showing it is told nothing changed...
    with django_assert_num_queries(0):
        assert client.get(url, headers={"If-None-Match": old}).status_code == 304
    # ...until a screen that saw the newer revision elsewhere polls here: that forces a read.
    newer = views.etag(live_plan.pk, live_plan.revision, views.current_bucket())
    with django_assert_num_queries(1):
        assert client.get(url, headers={"If-None-Match": newer}).status_code == 304
    assert client.get(url, headers={"If-None-Match": old}).status_code == 200


def _render_queries(plan: Plan) -> int:
    views.render_board(plan)  # warm per-process caches (outbox table check)
    with CaptureQueriesContext(connection) as ctx:
        views.render_board(plan)
    return len(ctx.captured_queries)


def test_board_render_has_a_fixed_query_count(db: None, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    small = build_sample_plan("small", items=20, roles=4, steps=10, issues=2)
    big = build_sample_plan("big", items=2000, roles=60, steps=300, issues=200)
    n_small, n_big = _render_queries(small), _render_queries(big)
    assert n_small == n_big
    # 26 before the board read its steps once (as rows, for next 30 minutes, the role rows and the forecast),
    # took the forecast's gates from its own gate query and their edges with the dependencies in one UNION ALL,
    # the item totals of next 30 minutes from the role rows' counts and the messages with their channels
    # (tests/warroom/test_board_queries.py pins it on plans with a live forecast); 21 with a post by hand due
    # in the last two hours, to show it if it was not posted (the sample's "#launch" chat channel)
    with django_assert_max_num_queries(21):
        views.render_board(big)


def test_board_shows_hold_alarm_late_and_unassigned(live_plan: Plan, coordinator: User) -> None:
    unassigned = factories.RoleFactory(plan=live_plan, name="Vendor liaison", primary=None)
    factories.ItemFactory(
        checklist=factories.ChecklistFactory(plan=live_plan, role=unassigned),
        title="Call the payment provider",
        due_offset=timedelta(minutes=-30),
    )
    metric = factories.MetricFactory(plan=live_plan, name="Error rate", comparator="<", target=Decimal("0.1"))
    RollbackTrigger.objects.create(
        plan=live_plan, description="Error rate above 1 %", metric=metric, comparator=">", threshold=1
    )
    reading_record(metric, value="4.2", by=coordinator)
    hold_start(live_plan, by=coordinator, reason="Payment provider not answering")
    live_plan.refresh_from_db()
    assert live_plan.status == PlanStatus.HOLD
    html = views.render_board(live_plan)
    assert "HOLD: Payment provider not answering" in html
    assert 'data-hold-since="' in html and 'data-hold-since=""' not in html
    assert "ROLLBACK TRIGGER: Error rate above 1 %" in html
    assert "UNASSIGNED" in html and "Vendor liaison" in html
    assert "LATE" in html and "Call the payment provider" in html


def test_fragment_is_gzipped_for_screens_that_accept_it(client: Client, live_plan: Plan, viewer: User) -> None:
    import gzip

    client.force_login(viewer)
    url = _poll_url(client, live_plan)
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content)


def test_comms_next_from_the_plan_and_last_sent_from_the_outbox(live_plan: Plan) -> None:
    from communications.models import Delivery, Message

    now = timezone.now()
    Message.objects.create(plan=live_plan, name="Hourly update", offset=timedelta(hours=-3), every=timedelta(hours=1))
    Message.objects.create(plan=live_plan, name="Go-live notice", offset=timedelta(0))
    html = views.render_board(live_plan)
    assert "Hourly update" in html  # next: the hourly one, due within the hour
    Delivery.objects.create(
        plan=live_plan,
        source_kind="message",
        source_id=1,
        recipient="channel:1",
        channel_kind="email",
        due_at=now - timedelta(minutes=5),
        next_attempt_at=now - timedelta(minutes=5),
        status="sent",
        sent_at=now - timedelta(minutes=4),
        label="T-1h staff briefing",
    )
    Delivery.objects.create(
        plan=live_plan,
        source_kind="item.due",
        source_id=2,
        recipient="user:1",
        channel_kind="email",
        due_at=now - timedelta(minutes=1),
        next_attempt_at=now,
        status="sent",
        sent_at=now - timedelta(minutes=1),
        label="Reminder: a checklist item",
    )
    html = views.render_board(live_plan)
    assert "T-1h staff briefing" in html and "Reminder: a checklist item" not in html
    assert '<span class="in">sent</span>' in html


def test_a_stopped_redis_slows_the_board_but_never_breaks_it(
    client: Client, live_plan: Plan, viewer: User, settings: Settings
) -> None:
    """The shared render cache is unreachable (Redis stopped): every screen renders for itself."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client.force_login(viewer)
    url = _poll_url(client, live_plan)
    response = client.get(url)
    assert response.status_code == 200
    assert live_plan.name in response.content.decode()


def test_a_gates_counts_on_the_board(live_plan: Plan, coordinator: User, client: Client) -> None:
    """Each of a gate's counts counts its own rows: required criteria (and the closed ones among them), raised
    and uncleared triggers, polled roles and this round's GO votes, however many of each there are."""
    from checklists.models import GateStatus, ItemStatus, Vote

    roles = [factories.RoleFactory(plan=live_plan, name=f"Role {n}") for n in range(3)]
    gate = factories.GateFactory(plan=live_plan, name="Go/no-go", status=GateStatus.POLLING, poll_round=2)
    gate.polled_roles.set(roles)
    checklist = factories.ChecklistFactory(plan=live_plan, role=roles[0])
    for status in (ItemStatus.DONE, ItemStatus.SKIPPED, ItemStatus.OPEN):
        factories.ItemFactory(checklist=checklist, gate=gate, required=True, status=status)
    factories.ItemFactory(checklist=checklist, gate=gate, required=False, status=ItemStatus.DONE)
    factories.NoGoTriggerFactory(gate=gate, raised=True)
    factories.NoGoTriggerFactory(gate=gate, raised=True, cleared_at=timezone.now())
    factories.NoGoTriggerFactory(gate=gate)
    for poll_round, votes in ((1, ("go", "go", "go")), (2, ("go", "no_go"))):
        for role, vote in zip(roles, votes, strict=False):
            Vote.objects.create(gate=gate, role=role, poll_round=poll_round, vote=vote, voted_at=timezone.now())
    quiet = factories.GateFactory(plan=live_plan, name="Quiet")

    names = ("criteria_total", "criteria_done", "triggers_raised", "polled", "voted", "go_votes", "no_go_votes")
    counts = {g.name: tuple(getattr(g, name) for name in names) for g in selectors.gates(live_plan)}
    assert counts == {"Go/no-go": (3, 2, 1, 3, 2, 1, 1), quiet.name: (0, 0, 0, 0, 0, 0, 0)}
    client.force_login(coordinator)
    board = client.get(reverse("warroom:board", args=[live_plan.slug])).content.decode()
    # each number says what it counts: "criteria 2/3 · voted 2/3 · 1 NO-GO", not "2/3 · GO 1/3"
    text = re.sub(r"<[^>]+>", "", board)
    assert "criteria 2/3 · voted 2/3 · 1 NO-GO · 1 trigger" in text
