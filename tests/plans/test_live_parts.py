"""The plan page's and the activity log's live parts (static/js/live.js fetches them when the stream says the
plan changed): 304 with nothing rendered while the plan's revision, the minute and the viewer are the same,
200 with the change after one; the fragments keep a fixed number of queries as the plan grows; the
activity log's fetch keeps the page's filter and page; a sign-in is needed."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checklists.models import Item
from checklists.services import item_tick
from plans import services
from plans.models import Event
from tests import factories
from tests.checklists import test_query_counts as counts
from tests.checklists.test_query_counts import PageWorld, grow

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

    from plans.models import Plan

pytestmark = pytest.mark.django_db
world = counts.world  # the fixture: a plan with a role, a gate, a checklist, an item and an event

HX = {"HX-Request": "true"}
# the page's own counts: tests/checklists/test_query_counts.py; + the coordinator's launch guard and its
# cautions (plans.guards)
BUDGET = {"detail_live": 10, "activity_live": 7}
UNCHANGED = 4  # a 304: the session, the user, the plan (member_plan) and nothing of the page


def moment(plan: Plan) -> time_machine.travel:
    """One minute slot (the ETag's time bucket), an hour before T-0."""
    return time_machine.travel(plan.t0 - timedelta(hours=1, seconds=-5), tick=False)


def fragments(w: PageWorld) -> dict[str, str]:
    slug = w["plan"].slug
    return {
        "detail_live": reverse("plans:detail_live", args=[slug]),
        "activity_live": reverse("plans:activity", args=[slug]) + "?role=dba&kind=item",
    }


def fetch(client: Client, url: str, etag: str = "") -> Response:
    headers = dict(HX, **({"If-None-Match": etag} if etag else {}))
    return client.get(url, headers=headers)


def unchanged_until_a_hold(client: Client, url: str, plan: Plan, by: User) -> tuple[Response, Response]:
    """The part's first answer, then (after checking that the same ETag is a 304 in a few queries and
    nothing rendered) its answer to that ETag once a hold has started."""
    first = fetch(client, url)
    assert first.status_code == 200 and first["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        second = fetch(client, url, first["ETag"])
    assert second.status_code == 304 and second.content == b"" and not second.templates
    assert len(ctx.captured_queries) <= UNCHANGED
    services.hold_start(plan, by=by, reason="Replica lag above 30 s")
    third = fetch(client, url, first["ETag"])
    assert third.status_code == 200 and third["ETag"] != first["ETag"]
    return first, third


def test_the_plan_pages_parts_are_304_until_a_hold_starts(client: Client, world: PageWorld, coordinator: User) -> None:
    plan = world["plan"]
    client.force_login(coordinator)
    url = reverse("plans:detail_live", args=[plan.slug])
    with moment(plan):
        first, third = unchanged_until_a_hold(client, url, plan, coordinator)
    body = first.content.decode()
    for part in ('id="plan-state"', 'id="plan-head"', 'id="plan-gates"', 'id="hold-reason"'):
        assert part in body
    assert "<html" not in body and "<strong>1</strong> of 1 checklist item done" in body
    body = third.content.decode()
    assert '<span class="badge state-hold" id="nav-state">Hold</span>' in body
    assert "HOLD since" in body and "Replica lag above 30 s" in body and "End hold and resume" in body
    assert 'id="hold-reason"' not in body  # no second hold


def test_a_tick_moves_the_plan_pages_progress(client: Client, world: PageWorld, coordinator: User) -> None:
    plan, owner = world["plan"], world["owner"]
    open_item = factories.ItemFactory(checklist=world["checklist"], title="Freeze the schema")
    client.force_login(owner)
    url = reverse("plans:detail_live", args=[plan.slug])
    with moment(plan):
        first = fetch(client, url)
        assert "<strong>1</strong> of 2 checklist items done" in first.content.decode()
        assert 'id="hold-reason"' not in first.content.decode()  # only the coordinator holds
        item_tick(open_item, by=owner)
        second = fetch(client, url, first["ETag"])
    assert second.status_code == 200
    assert "<strong>2</strong> of 2 checklist items done (100 %)" in second.content.decode()


def test_the_activity_log_fetches_its_rows_only_and_keeps_filter_and_page(
    client: Client, world: PageWorld, coordinator: User
) -> None:
    plan, owner, role = world["plan"], world["owner"], world["role"]
    Event.objects.bulk_create([Event(plan=plan, kind="item.ticked", summary=f"Old {n}", role=role) for n in range(60)])
    open_item = factories.ItemFactory(checklist=world["checklist"], title="Drain the queue", owner_role=role)
    client.force_login(coordinator)
    url = reverse("plans:activity", args=[plan.slug]) + "?role=dba&kind=item&page=2"
    with moment(plan):
        first = fetch(client, url)
        body = first.content.decode()
        assert first.status_code == 200 and 'id="activity-live"' in body and "<html" not in body
        assert 'id="f-role"' not in body  # the filter form is not in the part: it stays as the user set it
        assert "Page 2 of 2 · 61 events" in body and f'hx-get="{url}"' in body.replace("&amp;", "&")
        with CaptureQueriesContext(connection) as ctx:
            second = fetch(client, url, first["ETag"])
        assert second.status_code == 304 and second.content == b"" and not second.templates
        assert len(ctx.captured_queries) <= UNCHANGED

        item_tick(open_item, by=owner)
        services.hold_start(plan, by=coordinator, reason="Lag")  # not an item event: filtered out
        third = fetch(client, url, first["ETag"])
        newest = fetch(client, url.replace("page=2", "page=1")).content.decode()
    assert third.status_code == 200 and "Page 2 of 2 · 62 events" in third.content.decode()
    assert "Drain the queue" in newest and "Lag" not in newest and 'id="nav-state">Hold<' in newest
    page = client.get(url)  # the full page still renders the whole of it
    assert 'id="f-role"' in page.content.decode() and 'id="activity-live"' in page.content.decode()
    assert page.content.decode().count('id="nav-state"') == 1


def test_the_nav_state_is_live_on_the_plans_other_pages(client: Client, world: PageWorld, coordinator: User) -> None:
    """The state in the nav (HOLD, LAUNCHED) follows the plan on every plan page: its own live part, 304
    until the state changes, then the new badge with its live attributes kept; the plan page, the activity
    log and the role page swap it with their own parts, so it is not a second live part (a second request on
    every change) there."""
    plan, owner = world["plan"], world["owner"]
    client.force_login(owner)
    url = reverse("plans:nav_state", args=[plan.slug])
    with moment(plan):
        risks = client.get(reverse("issues:risks", args=[plan.slug])).content.decode()
        assert f'id="nav-state" hx-get="{url}"' in risks and risks.count('id="nav-state"') == 1
        for name in ("plans:detail", "plans:activity"):
            page = client.get(reverse(name, args=[plan.slug])).content.decode()
            assert page.count('id="nav-state"') == 1 and f'hx-get="{url}"' not in page, name
        first, third = unchanged_until_a_hold(client, url, plan, coordinator)
    assert "<html" not in first.content.decode()
    assert f'hx-get="{url}"' in first.content.decode() and ">Countdown</span>" in first.content.decode()
    body = third.content.decode()
    assert 'class="badge state-hold" id="nav-state"' in body and ">Hold</span>" in body
    assert f'hx-get="{url}"' in body and 'data-live-etag=""' in body  # it stays live after the swap


def test_the_role_page_says_the_launch_is_on_hold(client: Client, world: PageWorld, coordinator: User) -> None:
    """Above the rows, while the launch is on hold: since when and why (the reason as typed, escaped), and
    what to do; the rows' live fetch carries it out of band, and clears it when the hold ends."""
    plan, owner, role = world["plan"], world["owner"], world["role"]
    client.force_login(owner)
    page_url = reverse("checklists:role", args=[plan.slug, role.slug])
    rows_url = reverse("checklists:role_rows", args=[plan.slug, role.slug])
    with moment(plan):
        assert "The launch is on hold" not in client.get(page_url).content.decode()
        services.hold_start(plan, by=coordinator, reason="Replica lag <b>above</b> 30 s")
        page = client.get(page_url).content.decode()
        rows = fetch(client, rows_url).content.decode()
        plan.refresh_from_db()
        services.hold_end(plan, by=coordinator)
        after = fetch(client, rows_url).content.decode()
    for body in (page, rows):
        assert "The launch is on hold" in body and "Replica lag &lt;b&gt;above&lt;/b&gt; 30 s" in body
        assert "start nothing new until the coordinator resumes" in body
    assert '<div id="role-hold" hx-swap-oob="true"><p class="notice hold-banner"' in rows
    # the nav's state comes with the rows (out of band), not from a request of its own
    assert '<span class="badge state-hold" id="nav-state" hx-swap-oob="true">Hold</span>' in rows
    assert 'id="nav-state" hx-get=' not in page and page.count('id="nav-state"') == 1
    assert '<div id="role-hold" hx-swap-oob="true"></div>' in after  # the banner goes with the hold


def test_a_hold_that_began_on_another_day_says_which(client: Client, world: PageWorld, coordinator: User) -> None:
    """A banner "on hold since 23:50" read the next morning would mean this evening: a hold that began before today (in
    the plan's zone) shows its day on the role page's banner and the plan page's head; today's, the time only."""
    from django.utils import timezone as tz

    plan, owner, role = world["plan"], world["owner"], world["role"]
    client.force_login(owner)
    pages = [reverse("checklists:role", args=[plan.slug, role.slug]), reverse("plans:detail", args=[plan.slug])]
    with moment(plan):
        services.hold_start(plan, by=coordinator, reason="Replica lag")
        began = plan.local(tz.now())
        same_day = [client.get(url).content.decode() for url in pages]
    with time_machine.travel(plan.t0 + timedelta(days=1), tick=False):
        next_day = [client.get(url).content.decode() for url in pages]
    time_only, with_day = f"{began:%H:%M} {began.tzname()}", f"{began:%a} {began.day} {began:%b %H:%M} {began.tzname()}"
    for body in same_day:
        assert f"since {time_only}" in body and f"since {with_day}" not in body
    for body in next_day:
        assert f"since {with_day}" in body


@pytest.mark.parametrize("name", ["plans:detail_live", "plans:activity", "plans:nav_state"])
def test_the_parts_need_a_sign_in(client: Client, plan: Plan, name: str) -> None:
    response = client.get(reverse(name, args=[plan.slug]), headers=HX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_stranger_reads_the_parts_but_gets_no_controls(client: Client, world: PageWorld) -> None:
    """Every signed-in person may read every plan (plans.permissions.can_view); the controls are the
    coordinator's, and the service refuses anyone else (tests/plans/test_views.py: 403)."""
    client.force_login(factories.UserFactory(username="stranger"))
    body = fetch(client, reverse("plans:detail_live", args=[world["plan"].slug])).content.decode()
    assert 'id="plan-state"' in body and "Only the coordinator changes the launch state." in body
    assert "<form" not in body


@pytest.mark.parametrize("viewer", ["owner", "coordinator"])
def test_the_fragments_keep_a_fixed_number_of_queries(
    client: Client, world: PageWorld, coordinator: User, viewer: str
) -> None:
    client.force_login(world["owner"] if viewer == "owner" else coordinator)

    def measure(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert fetch(client, url).status_code == 200
        return len(ctx.captured_queries)

    small = {name: measure(url) for name, url in fragments(world).items()}
    grow(world)
    assert Item.objects.filter(plan=world["plan"]).count() > 500
    big = {name: measure(url) for name, url in fragments(world).items()}
    assert big == small
    assert all(big[name] <= BUDGET[name] for name in big), big
