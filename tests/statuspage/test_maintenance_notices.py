"""The launch window (the page's scheduled maintenance) is told by time alone: "in progress" when it opens,
"verifying" when it ends with the launch not done, "completed" when the launch is, once per subscriber
across ticks, at the moments the public page shows (a hold defers them, its slip moves them), in the
plan's time zone, and in Statuspage's maintenance webhook shape."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core import mail
from django.test import Client

from communications import outbox
from communications.models import Delivery, DeliveryStatus
from plans import services as plan_services
from plans.models import Plan, PlanStatus
from statuspage import notices, notify, tokens
from statuspage.models import Subscriber
from statuspage.selectors import public_state, window
from statuspage.services import subscribers
from tests.communications.sink import Sink

from .conftest import T0, Site

if TYPE_CHECKING:
    from pytest_django import Settings

pytestmark = pytest.mark.django_db
END = T0 + timedelta(hours=2)  # the site's window_end


@pytest.fixture(autouse=True)
def _inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://status.example.com"
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the sink listens on 127.0.0.1
    settings.STATUS_SUBSCRIBE_PER_ADDRESS = 100


def _subscribe(plan: Plan, email: str, url: str = "") -> Subscriber:
    subscribers.subscriber_request(plan, email=email, url=url)
    sub = Subscriber.objects.get(plan=plan, email=email, url=url)
    assert subscribers.subscriber_confirm(plan, tokens.confirm_token(sub.code, sub.nonce)) is not None
    return Subscriber.objects.get(pk=sub.pk)


def _ticks(moment: datetime, n: int = 2) -> None:
    with time_machine.travel(moment, tick=False):
        for _ in range(n):
            outbox.tick()


def _notices(plan: Plan) -> list[Delivery]:
    return list(Delivery.objects.filter(plan=plan, source_kind=notices.MAINTENANCE).order_by("due_at", "recipient"))


def _mails(word: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if word in str(m.subject)]


def test_the_window_opens_and_closes_once_per_subscriber_in_the_plans_zone(site: Site) -> None:
    plan = site.plan
    plan.timezone = "America/New_York"  # T-0 12:00 UTC is 07:00 EST there
    plan.save(update_fields=["timezone"])
    with Sink() as sink:
        reader = _subscribe(plan, "reader@example.com")
        _subscribe(plan, "ops@example.com", f"{sink.url}/ok/hook")
        _ticks(T0 - timedelta(seconds=1))
        assert not _notices(plan)  # nothing before the moment
        _ticks(T0 + timedelta(seconds=30))
        _ticks(T0 + timedelta(minutes=5))  # a later beat: nothing more
        opened = _notices(plan)
        assert len(opened) == 2 and {d.due_at for d in opened} == {T0}
        assert all(d.status == DeliveryStatus.SENT for d in opened)
        (message,) = _mails("in progress")
        assert message.to == ["reader@example.com"]
        assert message.subject == f"[{plan.name} status] Scheduled maintenance in progress"
        code = public_state(plan).maintenance.id  # type: ignore[union-attr]
        page = f"https://status.example.com/status/{plan.slug}/"
        assert "began at Tue 1 Dec 2026 07:00 EST" in message.body
        assert "planned to end at Tue 1 Dec 2026 09:00 EST" in message.body
        assert f"Follow it here: {page}incidents/{code}/" in message.body
        assert tokens.unsubscribe_url(plan.slug, reader.code) in message.body
        _ticks(END - timedelta(seconds=1))
        assert len(_notices(plan)) == 2
        _ticks(END + timedelta(seconds=10))
        _ticks(END + timedelta(minutes=1))
        assert len(_notices(plan)) == 4
        (ended,) = _mails("verifying")
        assert "ended at Tue 1 Dec 2026 09:00 EST. We are verifying the results" in ended.body
        assert not _mails("completed")  # the page says verifying too: the launch is not done
        _complete(plan, END + timedelta(hours=1))
        _ticks(END + timedelta(hours=1, seconds=10))
        _ticks(END + timedelta(hours=1, minutes=1))
        assert len(_notices(plan)) == 6
        (done,) = _mails("completed")
        assert "was completed at Tue 1 Dec 2026 10:00 EST" in done.body
        calls = sink.calls
    assert len(calls) == 3 and len({c["key"] for c in calls}) == 3
    first, last, completed = (c["json"] for c in calls)
    assert first["page"]["id"] == plan.slug and "unsubscribe" in first["meta"]
    incident = first["incident"]
    assert {k: incident[k] for k in ("id", "status", "impact", "shortlink")} == {
        "id": code,
        "status": "in_progress",
        "impact": "maintenance",
        "shortlink": f"{page}incidents/{code}/",
    }
    assert incident["scheduled_for"] == "2026-12-01T07:00:00.000-05:00"
    assert incident["scheduled_until"] == "2026-12-01T09:00:00.000-05:00"
    assert incident["resolved_at"] is None
    (update,) = incident["incident_updates"]
    assert update["status"] == "in_progress" and update["incident_id"] == code
    assert update["created_at"] == "2026-12-01T07:00:00.000-05:00"
    closed = last["incident"]
    assert closed["status"] == "verifying" and closed["impact"] == "maintenance"
    assert closed["resolved_at"] is None
    assert [u["status"] for u in closed["incident_updates"]] == ["verifying", "in_progress"]
    finished = completed["incident"]
    assert finished["status"] == "completed" and finished["resolved_at"] == "2026-12-01T10:00:00.000-05:00"
    assert [u["status"] for u in finished["incident_updates"]] == ["completed", "verifying", "in_progress"]
    # The subscribe page's webhook help (the payload's documentation link) names what a maintenance carries.
    help_page = Client().get(f"/status/{plan.slug}/subscribe/").content.decode()
    (described,) = re.findall(r'<p class="sp-small" id="webhooks">(.*?)</p>', help_page, re.S)
    named = set(re.findall(r"<code>([^<]+)</code>", described))
    assert {"impact", "maintenance", "scheduled_for", "scheduled_until", "status"} <= named
    assert {"scheduled_for", "scheduled_until", "impact", "status"} <= set(incident)
    assert {"in_progress", "verifying", "completed", "scheduled"} <= named


def _complete(plan: Plan, moment: datetime) -> None:
    """The launch marked done at ``moment`` (the page's "completed" from then on)."""
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COMPLETED, updated_at=moment)  # (test write)
    plan.refresh_from_db()


def test_a_launch_done_inside_its_window_is_told_completed_and_never_verifying(site: Site) -> None:
    plan = site.plan
    _subscribe(plan, "reader@example.com")
    _ticks(T0 + timedelta(seconds=5))
    _complete(plan, T0 + timedelta(minutes=40))
    _ticks(T0 + timedelta(minutes=41))
    with time_machine.travel(T0 + timedelta(minutes=41), tick=False):  # the page says so too
        assert public_state(plan).maintenance.status == "completed"  # type: ignore[union-attr]
    _complete(plan, END + timedelta(minutes=30))  # a later change of the plan moves its "done" moment
    _ticks(END + timedelta(minutes=31))
    assert [d.due_at for d in _notices(plan)] == [T0, T0 + timedelta(minutes=40)]
    assert len(_mails("in progress")) == 1 and len(_mails("completed")) == 1 and not _mails("verifying")


def test_a_subscriber_confirmed_after_the_moment_does_not_get_it(site: Site) -> None:
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        _subscribe(site.plan, "late@example.com")
    _ticks(T0 + timedelta(minutes=2))
    _ticks(END + timedelta(minutes=1))
    assert [d.due_at for d in _notices(site.plan)] == [END]  # the window's end only
    assert not _mails("in progress") and len(_mails("verifying")) == 1


def test_a_hold_defers_the_opening_and_the_slip_moves_it(site: Site) -> None:
    plan = site.plan
    _subscribe(plan, "reader@example.com")
    with time_machine.travel(T0 - timedelta(minutes=10), tick=False):
        plan_services.hold_start(plan, by=site.coordinator, reason="Waiting for the bank")
    _ticks(T0 + timedelta(minutes=5))  # past the old T-0, still on hold: nothing
    assert not _notices(plan)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        plan_services.hold_end(plan, by=site.coordinator)
    plan.refresh_from_db()
    assert plan.t0 == T0 + timedelta(minutes=30) and window(plan)[0] == plan.t0  # the page's start
    _ticks(plan.t0 - timedelta(seconds=1))
    assert not _notices(plan)
    _ticks(plan.t0 + timedelta(seconds=1))
    _ticks(plan.t0 + timedelta(minutes=1))
    assert [d.due_at for d in _notices(plan)] == [plan.t0]
    assert len(_mails("in progress")) == 1


def test_no_notice_for_a_draft_or_a_clockless_plan(site: Site) -> None:
    plan = site.plan
    _subscribe(plan, "reader@example.com")
    span = (T0 - timedelta(minutes=1), END + timedelta(minutes=1))
    assert [e.title for e in notify.maintenance_events(plan, *span)] == [
        "Scheduled maintenance in progress",
        "Scheduled maintenance verifying",
    ]
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    plan.refresh_from_db()
    assert notify.maintenance_events(plan, *span) == []
    _ticks(T0 + timedelta(minutes=1))
    assert not _notices(plan)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN, clockless=True)
    plan.refresh_from_db()
    assert notify.maintenance_events(plan, *span) == []


def test_the_plan_name_cannot_forge_lines_in_the_email(site: Site) -> None:
    plan = site.plan
    Plan.objects.filter(pk=plan.pk).update(name="Big\nUnsubscribe here: https://evil.example/\x07")
    plan.refresh_from_db()
    _subscribe(plan, "reader@example.com")
    _ticks(T0 + timedelta(seconds=5))
    (message,) = _mails("in progress")
    assert '"Big Unsubscribe here: https://evil.example/ : launch"' in message.body
    assert "\nUnsubscribe here" not in message.body and "\x07" not in message.body


def test_a_window_moved_after_it_opened_is_not_told_open_twice(site: Site) -> None:
    plan = site.plan
    _subscribe(plan, "reader@example.com")
    _ticks(T0 + timedelta(seconds=5))
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        plan_services.plan_rebaseline(plan, new_t0=T0 + timedelta(minutes=30), by=site.coordinator)
    _ticks(T0 + timedelta(minutes=31))
    assert [d.due_at for d in _notices(plan)] == [T0]
    assert len(_mails("in progress")) == 1
