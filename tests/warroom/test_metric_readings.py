"""The metrics page and the board read each metric's own readings: one metric fed every few seconds (a script
or a monitoring push) does not push the others' latest reading, or the run a rollback trigger is judged on,
out of what the page reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_init
from django.urls import reverse
from django.utils import timezone

from plans.models import Event, MetricReading, Plan, RollbackTrigger
from plans.readings.services import reading_withdraw
from plans.services import reading_record
from tests import factories
from warroom import readings as selectors
from warroom import selectors as board_selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
#: The metrics page: session, user, plan, role check, metrics, their readings, triggers, pullable triggers.
QUERIES = 8


@pytest.mark.django_db
def test_a_busy_metric_does_not_hide_the_others_latest_reading_or_shorten_a_run(plan: Plan, client: Client) -> None:
    quiet = factories.MetricFactory(plan=plan, name="Uptime", comparator=">", target=Decimal("99.9"))
    busy = factories.MetricFactory(plan=plan, name="Requests per second", unit="", target=None, comparator="")
    latency = factories.MetricFactory(plan=plan, name="Latency", unit="ms", comparator="<", target=Decimal("500"))
    trigger = RollbackTrigger.objects.create(
        plan=plan, description="Latency above 1,000 ms for 45 minutes", metric=latency, comparator=">",
        threshold=Decimal("1000"), sustained_for=timedelta(minutes=45),
    )  # fmt: skip
    MetricReading.objects.create(metric=quiet, value=Decimal("99.95"), recorded_at=NOON - timedelta(hours=2))
    # Latency above its threshold every 5 s for the last 50 minutes: 600 readings, all crossing.
    MetricReading.objects.bulk_create(
        MetricReading(metric=latency, value=Decimal("1500"), recorded_at=NOON - timedelta(seconds=5 * i))
        for i in range(600)
    )
    # Requests every 2 s for the last 30 minutes: 900 readings, newer than most of the others.
    MetricReading.objects.bulk_create(
        MetricReading(metric=busy, value=Decimal(i), recorded_at=NOON - timedelta(seconds=2 * i)) for i in range(900)
    )
    rows, states = selectors.metrics(plan, NOON)
    latest = {row["metric"].name: row["latest"] for row in rows}
    assert latest["Uptime"] is not None and latest["Uptime"].value == Decimal("99.95")
    assert latest["Requests per second"].recorded_at == NOON
    (state,) = states
    assert state.trigger == trigger
    assert state.crossing_since == NOON - timedelta(seconds=5 * 599)
    assert state.in_breach  # crossing for 49 min 55 s, more than its 45 minutes


@pytest.mark.django_db
def test_readings_of_a_resolved_alerts_run_judge_no_trigger_on_the_page(plan: Plan) -> None:
    """An alert that fed the readings resolved (``run_ended_at``): the service cleared the alarm, and the page
    says so too instead of judging the trigger on the run's last value again."""
    latency = factories.MetricFactory(plan=plan, name="Latency", unit="ms", comparator="<", target=Decimal("500"))
    RollbackTrigger.objects.create(
        plan=plan, description="Latency above 1,000 ms for 5 minutes", metric=latency, comparator=">",
        threshold=Decimal("1000"), sustained_for=timedelta(minutes=5),
    )  # fmt: skip
    for minutes in (20, 15, 10):
        MetricReading.objects.create(metric=latency, value=Decimal(1500), recorded_at=NOON - timedelta(minutes=minutes))
    (state,) = selectors.metrics(plan, NOON)[1]
    assert state.in_breach
    latency.run_ended_at = NOON - timedelta(minutes=9)
    latency.save(update_fields=["run_ended_at"])
    rows, (state,) = selectors.metrics(plan, NOON)
    assert not state.in_breach and not state.breaching
    assert rows[0]["latest"].value == Decimal("1500")  # the last reading is still what the dashboard said


def test_the_metrics_page_reads_in_a_fixed_number_of_queries(
    plan: Plan, client: Client, django_assert_num_queries: Any
) -> None:
    sre = factories.UserFactory(username="sre")
    factories.RoleFactory(plan=plan, name="SRE", primary=sre)
    for n in range(4):
        metric = factories.MetricFactory(plan=plan, name=f"Metric {n}")
        RollbackTrigger.objects.create(
            plan=plan, description=f"Trigger {n}", metric=metric, comparator=">", threshold=Decimal("1"),
            sustained_for=timedelta(minutes=5),
        )  # fmt: skip
        MetricReading.objects.bulk_create(
            MetricReading(metric=metric, value=Decimal(i), recorded_at=NOON - timedelta(minutes=i), recorded_by=sre)
            for i in range(20)
        )
    client.force_login(sre)
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("warroom:metrics", args=[plan.slug])).status_code == 200


@pytest.fixture
def typo(plan: Plan) -> dict[str, Any]:
    """An SRE types 50 for an error rate of 0.05 %: the trigger "above 1 %" (at once) raises an alarm."""
    sre = factories.UserFactory(username="sre", first_name="Sam", last_name="Sre")
    factories.RoleFactory(plan=plan, name="SRE", primary=sre)
    metric = factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), unit="%")
    trigger = RollbackTrigger.objects.create(
        plan=plan, description="Error rate above 1 %", metric=metric, comparator=">", threshold=Decimal("1")
    )
    with time_machine.travel(NOON - timedelta(minutes=10), tick=False):
        reading_record(metric, value="0.05", by=sre)
    with time_machine.travel(NOON, tick=False):
        wrong = reading_record(metric, value="50", by=sre)
    trigger.refresh_from_db()
    assert trigger.raised_at == NOON
    return {"sre": sre, "metric": metric, "trigger": trigger, "wrong": wrong}


def test_withdrawing_a_typo_clears_its_alarm_and_the_log_keeps_it(plan: Plan, typo: dict[str, Any]) -> None:
    revision = Plan.objects.get(pk=plan.pk).revision
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        assert reading_withdraw(typo["wrong"], by=typo["sre"], reason="  typo: meant 0.05 ")
    assert list(MetricReading.objects.values_list("value", flat=True)) == [Decimal("0.05")]
    typo["trigger"].refresh_from_db()
    assert typo["trigger"].raised_at is None
    withdrawn = Event.objects.get(kind="metric.reading_withdrawn")
    assert withdrawn.actor == typo["sre"]
    assert (
        withdrawn.summary == "Error rate: reading of 50 % (Tue 1 Dec 12:00 GMT, by Sam Sre) withdrawn: typo: meant 0.05"
    )
    assert withdrawn.data["value"] == "50.0000" and withdrawn.data["recorded_by"] == typo["sre"].pk
    cleared = Event.objects.get(kind="rollback.cleared")
    assert cleared.summary == (
        "Rollback trigger cleared (the reading of 50 % that crossed it was withdrawn): Error rate above 1 %"
    )
    assert Plan.objects.get(pk=plan.pk).revision > revision  # the board and the pages follow
    rows, (state,) = selectors.metrics(plan, NOON + timedelta(minutes=1))
    assert rows[0]["latest"].value == Decimal("0.05") and not state.in_breach
    # A second click (or a second person) finds it gone: nothing more happens.
    assert not reading_withdraw(typo["wrong"], by=typo["sre"], reason="typo")
    assert Event.objects.filter(kind="metric.reading_withdrawn").count() == 1


def test_only_its_recorder_or_the_coordinator_may_withdraw_a_reading_and_only_saying_why(
    plan: Plan, coordinator: User, typo: dict[str, Any]
) -> None:
    other = factories.UserFactory(username="dba")
    factories.RoleFactory(plan=plan, name="DBA", primary=other)
    for who in (other, factories.UserFactory(username="stranger")):
        with pytest.raises(PermissionDenied):
            reading_withdraw(typo["wrong"], by=who, reason="not mine")
    for blank in ("", "   ", "\u200b"):
        with pytest.raises(ValidationError, match="Say why"):
            reading_withdraw(typo["wrong"], by=typo["sre"], reason=blank)
    with pytest.raises(ValidationError):
        reading_withdraw(typo["wrong"], by=typo["sre"], reason="x" * 201)
    assert MetricReading.objects.count() == 2
    assert reading_withdraw(typo["wrong"], by=coordinator, reason="Sam's typo, confirmed on the dashboard")
    assert MetricReading.objects.count() == 1


def test_the_metrics_page_lists_readings_draws_the_trend_and_withdraws(
    plan: Plan, client: Client, typo: dict[str, Any]
) -> None:
    other = factories.UserFactory(username="dba")
    factories.RoleFactory(plan=plan, name="DBA", primary=other)
    page = reverse("warroom:metrics", args=[plan.slug])
    withdraw = reverse("warroom:reading_withdraw", args=[plan.slug, typo["wrong"].pk])
    client.force_login(other)
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        html = client.get(page).content.decode()
    assert 'class="sparkline"' in html and "2 readings from 11:50 to 12:00, 0.05 % then 50 %" in html
    assert "last 2 readings" in html and "Readings of Error rate (2)" in html
    assert withdraw not in html  # not the DBA's reading: no form
    assert client.post(withdraw, {"reason": "looks wrong"}).status_code == 403
    client.force_login(typo["sre"])
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        assert withdraw in client.get(page).content.decode()
        response = client.post(withdraw, {"reason": ""}, follow=True)
        assert "Not withdrawn: Say why" in response.content.decode()
        response = client.post(withdraw, {"reason": "typo"}, follow=True)
        assert "Withdrew the reading Error rate: 50 %." in response.content.decode()
        response = client.post(withdraw, {"reason": "typo"}, follow=True)  # a double click
        assert "That reading was already withdrawn." in response.content.decode()
    assert MetricReading.objects.count() == 1
    other_plan = factories.PlanFactory(slug="other")
    elsewhere = reverse("warroom:reading_withdraw", args=[other_plan.slug, typo["wrong"].pk - 1])
    assert client.post(elsewhere, {"reason": "x"}).status_code == 403


def test_a_metric_name_is_escaped_in_its_trend(plan: Plan, client: Client, coordinator: User) -> None:
    metric = factories.MetricFactory(plan=plan, name='<script>alert("x")</script>', unit="%")
    for minutes in (2, 1):
        MetricReading.objects.create(metric=metric, value=Decimal(1), recorded_at=NOON - timedelta(minutes=minutes))
    client.force_login(coordinator)
    html = client.get(reverse("warroom:metrics", args=[plan.slug])).content.decode()
    assert 'class="sparkline"' in html and "<script>alert" not in html


@pytest.mark.parametrize(
    ("comparator", "target", "values", "expected"),
    [
        ("<", "0.1", ["0.05", "0.07"], "up worse"),  # an error rate climbing
        ("<", "0.1", ["0.07", "0.05"], "down better"),
        (">", "1000", ["900", "1200"], "up better"),  # more users
        (">=", "99.9", ["99.95", "99.5"], "down worse"),
        ("", None, ["3", "4"], "up"),  # tracked, no target: which way, not whether it is good
        ("<", "0.1", ["0.05", "0.05"], ""),
        ("<", "0.1", ["0.05"], ""),
    ],
)
def test_the_board_shows_which_way_a_metric_moved_and_whether_that_is_good(
    plan: Plan, client: Client, coordinator: User, comparator: str, target: str | None, values: list[str], expected: str
) -> None:
    metric = factories.MetricFactory(
        plan=plan, name="Watched", comparator=comparator, target=Decimal(target) if target else None, unit="%"
    )
    for n, value in enumerate(values):
        MetricReading.objects.create(metric=metric, value=Decimal(value), recorded_at=NOON + timedelta(minutes=n))
    (row,), _ = selectors.metrics(plan, NOON + timedelta(minutes=5))
    assert row["direction"] == expected
    client.force_login(coordinator)
    html = client.get(reverse("warroom:board", args=[plan.slug])).content.decode()
    if expected:
        arrow = "▲" if expected.startswith("up") else "▼"
        assert f'<span class="dir {expected}"' in html and f"from {values[0]} %" in html and arrow in html
    else:
        assert 'class="dir' not in html


def test_the_board_says_when_a_latest_reading_over_30_minutes_old_was_taken(
    plan: Plan, client: Client, coordinator: User
) -> None:
    fresh = factories.MetricFactory(plan=plan, name="Fresh", unit="%")
    old = factories.MetricFactory(plan=plan, name="Old", unit="%")
    now = timezone.now()
    MetricReading.objects.create(metric=fresh, value=Decimal("0.05"), recorded_at=now - timedelta(minutes=29))
    MetricReading.objects.create(metric=old, value=Decimal("0.06"), recorded_at=now - timedelta(minutes=31))
    rows, _ = selectors.metrics(plan, now)
    assert [(r["metric"].name, r["stale"]) for r in rows] == [("Fresh", False), ("Old", True)]
    client.force_login(coordinator)
    html = client.get(reverse("warroom:board", args=[plan.slug])).content.decode()
    assert html.count('<span class="at stale">at ') == 1
    taken = timezone.localtime(now - timedelta(minutes=31), plan.zone).strftime("%H:%M")
    stale = html.split('<span class="at stale">at ', 1)[1].split("</span>", 1)[0]
    assert stale.endswith(taken), stale  # "HH:MM", with the weekday when that was yesterday


def test_an_alarm_of_a_busy_metric_is_still_sent_while_its_breach_lasts(plan: Plan) -> None:
    """The outbox checks an alarm is still in breach before sending it: judged on the trigger's whole span, as
    the service that raised it judged it, not on the metric's newest 200 readings (a reading every 2 s for
    10 minutes is 300: the newest 200 reached back 6 min 40 s, short of the 10 minutes, and the alarm was
    dropped as "the breach has ended" while it lasted); nor on the readings of a resolved alert's run."""
    from communications.sources.registry import still_relevant

    latency = factories.MetricFactory(plan=plan, name="Latency", unit="ms", comparator="<", target=Decimal("500"))
    trigger = RollbackTrigger.objects.create(
        plan=plan, description="Latency above 1,000 ms for 10 minutes", metric=latency, comparator=">",
        threshold=Decimal("1000"), sustained_for=timedelta(minutes=10),
    )  # fmt: skip
    MetricReading.objects.bulk_create(
        MetricReading(metric=latency, value=Decimal("1500"), recorded_at=NOON - timedelta(seconds=2 * i))
        for i in range(330)
    )
    alarm = factories.DeliveryFactory(plan=plan, source_kind="trigger.alarm", source_id=trigger.pk)
    with time_machine.travel(NOON, tick=False):
        assert still_relevant(alarm) is None
        latency.run_ended_at = NOON - timedelta(seconds=1)
        latency.save(update_fields=["run_ended_at"])
        assert still_relevant(alarm) == "the breach has ended"


def test_a_round_of_readings_comes_back_at_the_next_metric_focused(plan: Plan, client: Client) -> None:
    """Typed one after another from the dashboards: each Record brings the page back at the next metric, its field
    focused; after the last, at the one just recorded."""
    sre = factories.UserFactory(username="sre")
    factories.RoleFactory(plan=plan, name="SRE", primary=sre)
    first, second, last = (factories.MetricFactory(plan=plan, name=n, order=i) for i, n in enumerate("ABC"))
    client.force_login(sre)
    record = lambda m: client.post(reverse("warroom:metric_record", args=[plan.slug, m.pk]), {"value": "0.05"})  # noqa: E731
    page = reverse("warroom:metrics", args=[plan.slug])
    assert record(first)["Location"] == f"{page}?next={second.pk}"
    assert record(second)["Location"] == f"{page}?next={last.pk}"
    assert record(last)["Location"] == f"{page}#metric-{last.pk}"
    html = client.get(f"{page}?next={second.pk}").content.decode()
    field = html.split(f'id="metric-{second.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "autofocus" in field and html.count("autofocus") == 1
    assert "autofocus" not in client.get(f"{page}?next=x1").content.decode()


def test_the_boards_latest_line_is_not_flooded_by_readings_on_target(plan: Plan, coordinator: User) -> None:
    """A metric fed every few seconds made every "Latest" on the board a reading; the metrics panel shows those.
    A reading off target is news, and stays."""
    from plans.services import event_record

    sre = factories.UserFactory(username="sre")
    factories.RoleFactory(plan=plan, name="SRE", primary=sre)
    rate = factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), unit="%")
    tracked = factories.MetricFactory(plan=plan, name="Sign-ups", comparator="", target=None, unit="")
    with transaction.atomic():
        event_record(plan, kind="step.started", summary="Started “Switch DNS”", actor=sre)
    for value in ("0.05", "0.06"):
        reading_record(rate, value=value, by=sre)
    reading_record(tracked, value="120", by=sre)
    assert [e.summary for e in board_selectors.board(plan).events][:1] == ["Started “Switch DNS”"]
    reading_record(rate, value="0.4", by=sre)
    assert board_selectors.board(plan).events[0].summary == "Error rate: 0.4 % (OFF TARGET)"


def test_the_review_says_which_readings_were_withdrawn_by_whom_and_why(
    plan: Plan, client: Client, coordinator: User, typo: dict[str, Any]
) -> None:
    from review.report.markdown import review_markdown
    from review.selectors import plan_review

    assert reading_withdraw(typo["wrong"], by=typo["sre"], reason="typo: meant 0.05")
    client.force_login(coordinator)
    html = client.get(reverse("review:page", args=[plan.slug])).content.decode()
    section = html.split('id="withdrawn"', 1)[1].split("</ul>", 1)[0]
    assert (
        "Error rate: reading of 50 %" in section and "withdrawn: typo: meant 0.05" in section and "Sam Sre" in section
    )
    text = review_markdown(plan_review(plan, now=timezone.now()))
    assert "Readings withdrawn (not counted above):" in text and "typo: meant 0.05" in text


def test_a_status_update_reads_each_metrics_latest_reading_only(plan: Plan, django_assert_max_num_queries: Any) -> None:
    """A status update's figures read each metric's latest reading, not all of them (a metric fed every 10 s
    has 60,000 a week: the snapshot took 350 ms for 20,000, for each update, channel and preview); a reading
    of 0 is judged against its target like any other."""
    from communications.compose import status_snapshot

    rate = factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), unit="%")
    factories.MetricFactory(plan=plan, name="Sign-ups", comparator="", target=None, unit="")
    MetricReading.objects.bulk_create(
        MetricReading(metric=rate, value=Decimal("0.5"), recorded_at=NOON - timedelta(seconds=10 * i))
        for i in range(1, 2000)
    )
    MetricReading.objects.create(metric=rate, value=Decimal(0), recorded_at=NOON)
    made: list[object] = []

    def count(sender: Any, instance: object, **kwargs: Any) -> None:
        made.append(instance)

    post_init.connect(count, sender=MetricReading)
    try:
        with django_assert_max_num_queries(12):
            snap = status_snapshot(plan, now=NOON)
    finally:
        post_init.disconnect(count, sender=MetricReading)
    assert made == []  # no reading row loaded: the latest values come with the metrics
    assert [(m.name, m.value, m.ok) for m in snap.metrics] == [("Error rate", "0 %", True), ("Sign-ups", None, None)]


def test_a_reading_turning_stale_is_a_moment_the_board_changes_by_itself(plan: Plan) -> None:
    """The pushed board is woken at the moments it changes with no event (warroom.buckets): the moment a latest
    reading turns 30 minutes old is one, so the "at 23:54" shows then, not at the next change."""
    metric = factories.MetricFactory(plan=plan, name="Error rate", unit="%")
    now = timezone.now()
    taken = now - timedelta(minutes=29)
    MetricReading.objects.create(metric=metric, value=Decimal("0.05"), recorded_at=taken)
    until = now + timedelta(minutes=3)
    assert taken + timedelta(minutes=30) in board_selectors.next_deadlines(plan, now, until)
    board = board_selectors.board(plan, now=now)
    assert taken + timedelta(minutes=30) in board_selectors.next_deadlines(plan, now, until, board)


def test_a_reason_with_template_syntax_and_markup_is_kept_as_typed_and_shown_as_text(
    plan: Plan, client: Client, coordinator: User, typo: dict[str, Any]
) -> None:
    reason = "{{ settings.SECRET_KEY }} {% debug %} <script>alert(1)</script>"
    assert reading_withdraw(typo["wrong"], by=typo["sre"], reason=reason)
    event = Event.objects.get(kind="metric.reading_withdrawn")
    assert event.data["reason"] == reason and event.summary.endswith(reason)
    client.force_login(coordinator)
    for page in ("plans:activity", "review:page"):
        html = client.get(reverse(page, args=[plan.slug])).content.decode()
        assert "{{ settings.SECRET_KEY }} {% debug %} &lt;script&gt;" in html and "<script>alert(1)" not in html


def test_with_redis_stopped_a_reading_is_recorded_and_withdrawn_and_the_board_still_renders(
    plan: Plan, client: Client, coordinator: User, typo: dict[str, Any], settings: Any
) -> None:
    """The shared cache and the live pages' fan-out unreachable: the writes go through, the pages render."""
    stopped = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": stopped}}
    settings.REDIS_URL = stopped
    client.force_login(typo["sre"])
    record = reverse("warroom:metric_record", args=[plan.slug, typo["metric"].pk])
    assert client.post(record, {"value": "0.07"}).status_code == 302
    withdraw = reverse("warroom:reading_withdraw", args=[plan.slug, typo["wrong"].pk])
    response = client.post(withdraw, {"reason": "typo"}, follow=True)
    assert "Withdrew the reading Error rate: 50 %." in response.content.decode()
    assert sorted(MetricReading.objects.values_list("value", flat=True)) == [Decimal("0.05"), Decimal("0.07")]
    client.force_login(coordinator)
    for page in ("warroom:board", "warroom:metrics"):
        assert client.get(reverse(page, args=[plan.slug])).status_code == 200
