"""A post by hand (a named-only channel: social media, a war-room bridge) that was due and is not marked posted is
on the board's communications line: the board showed the next and the last sends only, so a post nobody made
went unseen in the war room. Marked posted, or two hours past its moment (the role's page stops listing it), it
goes; a plan with no such channel reads nothing more (and costs no query more)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communications.models import Audience, Channel, ChannelKind, Message
from communications.services import message_mark_posted
from plans.models import Plan, PlanStatus
from tests import factories
from warroom import views

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def _plan(coordinator: User, kind: str = ChannelKind.OTHER) -> tuple[Plan, Message, Channel]:
    plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.LAUNCHED)
    social = Channel.objects.create(plan=plan, name="Social media", kind=kind)
    message = Message.objects.create(
        plan=plan, name="Launch announcement", offset=timedelta(0), audience=Audience.PUBLIC, body="We are live!"
    )
    message.channels.set([social])
    factories.RoleFactory(plan=plan, name="Communications Lead", slug="comms", primary=coordinator)
    return plan, message, social


def _comms_line(plan: Plan) -> str:
    html = views.render_board(Plan.objects.select_related("coordinator").get(pk=plan.pk))
    return html.split('class="wr-frow wr-comms"', 1)[1].split("</div>\n</div>", 1)[0]


def test_a_post_by_hand_not_made_shows_until_it_is_marked(coordinator: User) -> None:
    plan, message, social = _plan(coordinator)
    with time_machine.travel(T0 - 5 * M, tick=False):
        assert "wr-unposted" not in _comms_line(plan)  # not due yet
    with time_machine.travel(T0 + 10 * M, tick=False):
        line = _comms_line(plan)
        assert 'id="wr-unposted"' in line, line
        assert "Not posted by hand:" in line
        assert '<span class="at">12:00</span> <span class="name">Launch announcement</span>' in line
        message_mark_posted(plan, by=coordinator, message_id=message.pk, due_at=T0, recipient=f"channel:{social.pk}")
        assert "wr-unposted" not in _comms_line(plan)


def test_it_goes_two_hours_after_its_moment_and_counts_what_else_is_waiting(coordinator: User) -> None:
    plan, message, social = _plan(coordinator)
    second = Message.objects.create(
        plan=plan, name="Bridge open", offset=5 * M, audience=Audience.STAFF, body="Join the bridge."
    )
    second.channels.set([Channel.objects.create(plan=plan, name="War Room", kind=ChannelKind.CHAT)])
    with time_machine.travel(T0 + 20 * M, tick=False):
        line = _comms_line(plan)
        assert "Launch announcement" in line and "+1 more" in line, line
    with time_machine.travel(T0 + 2 * 60 * M + 2 * M, tick=False):
        line = _comms_line(plan)
        assert "Bridge open" in line and "more" not in line.split("wr-unposted", 1)[1].split("</span></span>")[0]
    with time_machine.travel(T0 + 3 * 60 * M, tick=False):
        assert "wr-unposted" not in _comms_line(plan)


def test_a_plan_without_posts_by_hand_reads_no_more(coordinator: User) -> None:
    plan, _, social = _plan(coordinator, kind=ChannelKind.EMAIL)
    Channel.objects.filter(pk=social.pk).update(target="all@example.com")
    fresh = Plan.objects.select_related("coordinator").get(pk=plan.pk)
    with time_machine.travel(T0 + 10 * M, tick=False):
        views.render_board(fresh)
        with CaptureQueriesContext(connection) as plain:
            assert "wr-unposted" not in views.render_board(fresh)
        Channel.objects.filter(pk=social.pk).update(kind=ChannelKind.OTHER)
        with CaptureQueriesContext(connection) as by_hand:
            assert "wr-unposted" in views.render_board(fresh)
    assert len(by_hand.captured_queries) - len(plain.captured_queries) <= 3


def test_what_a_hold_defers_is_not_flagged(coordinator: User) -> None:
    """A hold defers the sends planned after its start (they slip when it ends, as the outbox does): the board
    flagged them "Not posted by hand" while the countdown stood still. One due before the hold still shows."""
    from plans import services as ps

    plan, _, social = _plan(coordinator)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN)
    early = Message.objects.create(
        plan=plan, name="Maintenance notice", offset=-20 * M, audience=Audience.PUBLIC, body="Tonight at noon."
    )
    early.channels.set([social])
    with time_machine.travel(T0 - 5 * M, tick=False):
        ps.hold_start(Plan.objects.get(pk=plan.pk), by=coordinator, reason="Payment provider down")
    with time_machine.travel(T0 + 10 * M, tick=False):
        line = _comms_line(plan)
    assert "Maintenance notice" in line and "Launch announcement" not in line and "more" not in line, line


def test_a_message_name_is_text_on_the_board(coordinator: User) -> None:
    """A plan author's message name with template syntax and markup shows as typed, escaped: no secret, no tag."""
    plan, message, _ = _plan(coordinator)
    Message.objects.filter(pk=message.pk).update(name="{{ settings.SECRET_KEY }} <b>Go</b>")
    with time_machine.travel(T0 + 10 * M, tick=False):
        line = _comms_line(plan)
    assert "{{ settings.SECRET_KEY }} &lt;b&gt;Go&lt;/b&gt;" in line and "<b>Go" not in line
    assert settings.SECRET_KEY not in line
