"""Every reading of a metric, a page at a time (warroom.readings.history, the metric's readings page): the
metrics page lists only the newest few, and a typo found an hour into a monitoring push's feed is further back
than that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.metrics import off_target
from plans.models import MetricReading, Plan, SuccessMetric
from plans.templatetags.launchtime import clock_seconds
from tests import factories
from warroom import readings
from warroom.metrics_views import cursor_of, cursor_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STEP = timedelta(seconds=10)
#: The readings page: session, user, plan, the metric, its page of readings, their count.
QUERIES = 6


def _feed(metric: SuccessMetric, count: int, *, value: str = "0.05", start: datetime = NOON) -> list[MetricReading]:
    """``count`` readings every 10 s back from ``start``, newest first, as a monitoring push records them."""
    return MetricReading.objects.bulk_create(
        MetricReading(metric=metric, value=Decimal(value), recorded_at=start - i * STEP) for i in range(count)
    )


def _error_rate(plan: Plan) -> SuccessMetric:
    return factories.MetricFactory(plan=plan, name="Error rate", comparator="<", target=Decimal("0.1"), unit="%")


def _pages(metric: SuccessMetric, **kwargs: bool) -> list[list[MetricReading]]:
    pages, before = [], None
    while True:
        rows, before = readings.history(metric, before=before, **kwargs)
        pages.append(rows)
        if before is None:
            return pages


@pytest.mark.django_db
def test_pages_hold_every_reading_once_newest_first_even_at_the_same_moment(plan: Plan) -> None:
    metric = _error_rate(plan)
    _feed(metric, 100)
    _feed(metric, 20, start=NOON - 50 * STEP)  # 20 more at moments that already have a reading: ties by id
    pages = _pages(metric)
    assert [len(p) for p in pages] == [50, 50, 20]
    flat = [r.pk for p in pages for r in p]
    assert sorted(flat) == sorted(MetricReading.objects.values_list("pk", flat=True))
    keys = [(r.recorded_at, r.pk) for p in pages for r in p]
    assert keys == sorted(keys, reverse=True)


@pytest.mark.django_db
def test_a_push_arriving_between_pages_does_not_shift_them(plan: Plan) -> None:
    metric = _error_rate(plan)
    _feed(metric, 60)
    first, older = readings.history(metric)
    _feed(metric, 30, start=NOON + 30 * STEP)  # half a minute of new readings while the first page is read
    second, _ = readings.history(metric, before=older)
    assert [r.recorded_at for r in second] == [NOON - i * STEP for i in range(50, 60)]
    assert {r.pk for r in first}.isdisjoint({r.pk for r in second})


@pytest.mark.parametrize(
    ("comparator", "target", "off"),
    [
        ("<", "0.1", ["0.1", "1", "5", "12", "99.9"]),
        ("<=", "0.1", ["1", "5", "12", "99.9"]),
        (">", "99.9", ["0", "0.1", "1", "5", "12", "99.9"]),
        (">=", "99.9", ["0", "0.1", "1", "5", "12"]),
        ("=", "1", ["0", "0.1", "5", "12", "99.9"]),
    ],
)
@pytest.mark.django_db
def test_only_readings_off_target(plan: Plan, comparator: str, target: str, off: list[str]) -> None:
    metric = factories.MetricFactory(plan=plan, name="M", comparator=comparator, target=Decimal(target), unit="")
    for i, value in enumerate(["0", "0.1", "5", "1", "12", "99.9"]):
        MetricReading.objects.create(metric=metric, value=Decimal(value), recorded_at=NOON - i * STEP)
    rows, _ = readings.history(metric, only_off_target=True)
    assert sorted(r.value for r in rows) == sorted(Decimal(v) for v in off)
    kept = {r.pk for r in rows}  # the database's filter agrees with the pages' own judgement of each reading
    assert all(metric.meets(float(r.value)) is (r.pk not in kept) for r in metric.readings.all())


@pytest.mark.django_db
def test_a_tracked_metric_has_no_off_target_filter(plan: Plan, client: Client, coordinator: User) -> None:
    tracked = factories.MetricFactory(plan=plan, name="Sign-ups", comparator="", target=None, unit="")
    _feed(tracked, 3, value="7")
    assert off_target(tracked) is None
    assert len(readings.history(tracked, only_off_target=True)[0]) == 3
    client.force_login(coordinator)
    body = client.get(reverse("warroom:metric_readings", args=[plan.slug, tracked.pk]) + "?off=1").content.decode()
    assert "Only readings off target" not in body and body.count('id="reading-') == 3


@pytest.mark.parametrize("moment", [NOON, NOON + timedelta(microseconds=1), datetime(1970, 1, 1, tzinfo=UTC)])
def test_cursor_round_trips_to_the_microsecond(moment: datetime) -> None:
    assert cursor_of(cursor_text((moment, 42))) == (moment, 42)


@pytest.mark.parametrize("typed", ["", "x", "12.", ".5", "-5.1", "1e3.4", "9" * 30 + ".1", "1." + "9" * 12, None])
def test_a_cursor_typed_or_cut_short_reads_as_the_newest_page(typed: str | None) -> None:
    assert cursor_of(typed) is None


@pytest.mark.django_db
def test_the_page_lists_what_the_metrics_page_cannot_and_pages_back(
    plan: Plan, client: Client, coordinator: User
) -> None:
    metric = _error_rate(plan)
    with time_machine.travel(NOON + STEP, tick=False):
        _feed(metric, 70)
        typo = MetricReading.objects.get(metric=metric, recorded_at=NOON - 65 * STEP)
        typo.value = Decimal("5")
        typo.save()
        client.force_login(coordinator)
        metrics_page = client.get(reverse("warroom:metrics", args=[plan.slug])).content.decode()
        assert f"reading_withdraw/{typo.pk}" not in metrics_page
        assert reverse("warroom:metric_readings", args=[plan.slug, metric.pk]) in metrics_page
        url = reverse("warroom:metric_readings", args=[plan.slug, metric.pk])
        with CaptureQueriesContext(connection) as queries:
            first = client.get(url)
        assert len(queries) == QUERIES, [q["sql"] for q in queries]
        body = first.content.decode()
        assert body.count('id="reading-') == 50 and "70 readings" in body and "11:59:50" in body
        older = first.context["older"]
        assert f'href="?before={older}"' in body
        second = client.get(f"{url}?before={older}").content.decode()
        assert second.count('id="reading-') == 20 and f'id="reading-{typo.pk}"' in second
        assert "← Newest" in second and "Older →" not in second
        assert "off target" in second and "5 %" in second
        off = client.get(f"{url}?off=1").content.decode()
        assert off.count('id="reading-') == 1 and f'id="reading-{typo.pk}"' in off


@pytest.mark.django_db
def test_withdrawn_from_the_page_lands_back_on_the_same_page(plan: Plan, client: Client, coordinator: User) -> None:
    metric = _error_rate(plan)
    _feed(metric, 70)
    url = reverse("warroom:metric_readings", args=[plan.slug, metric.pk])
    client.force_login(coordinator)
    older = client.get(url).context["older"]
    victim = MetricReading.objects.filter(metric=metric).order_by("recorded_at").first()
    assert victim is not None
    withdraw = reverse("warroom:reading_withdraw", args=[plan.slug, victim.pk])
    form = {"reason": "typo", "history": str(metric.pk), "before": older, "off": "1"}
    response = client.post(withdraw, form)
    assert response.status_code == 302 and response["Location"] == f"{url}?before={older}&off=1"
    assert not MetricReading.objects.filter(pk=victim.pk).exists()
    again = client.post(withdraw, {**form, "before": "garbage", "off": ""}, follow=True)  # a second click
    assert again.redirect_chain == [(url, 302)]
    assert "That reading was already withdrawn." in again.content.decode()
    kept = metric.readings.first()
    assert kept is not None
    refused = client.post(reverse("warroom:reading_withdraw", args=[plan.slug, kept.pk]), {**form, "reason": ""})
    assert refused["Location"] == f"{url}?before={older}&off=1"


@pytest.mark.django_db
def test_a_role_holder_withdraws_only_their_own_and_strangers_see_nothing(plan: Plan, client: Client) -> None:
    metric = _error_rate(plan)
    holder, other, stranger = (factories.UserFactory(username=n) for n in ("holder", "other", "stranger"))
    factories.RoleFactory(plan=plan, name="SRE", slug="sre", primary=holder)
    factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=other)
    mine = MetricReading.objects.create(metric=metric, value=Decimal("5"), recorded_by=holder, recorded_at=NOON)
    theirs = MetricReading.objects.create(metric=metric, value=Decimal("6"), recorded_by=other, recorded_at=NOON)
    pushed = MetricReading.objects.create(metric=metric, value=Decimal("7"), recorded_at=NOON)
    url = reverse("warroom:metric_readings", args=[plan.slug, metric.pk])
    client.force_login(holder)
    body = client.get(url).content.decode()
    assert reverse("warroom:reading_withdraw", args=[plan.slug, mine.pk]) in body
    for not_mine in (theirs, pushed):
        assert reverse("warroom:reading_withdraw", args=[plan.slug, not_mine.pk]) not in body
        assert (
            client.post(reverse("warroom:reading_withdraw", args=[plan.slug, not_mine.pk]), {"reason": "x"}).status_code
            == 403
        )
    client.force_login(stranger)  # every signed-in person may read a plan; no role in it, nothing to withdraw
    body = client.get(url).content.decode()
    assert body.count('id="reading-') == 3 and "Withdraw</button>" not in body
    assert (
        client.post(reverse("warroom:reading_withdraw", args=[plan.slug, mine.pk]), {"reason": "x"}).status_code == 403
    )
    elsewhere = factories.MetricFactory(plan=factories.PlanFactory(coordinator=holder), name="Latency")
    client.force_login(holder)
    assert client.get(reverse("warroom:metric_readings", args=[plan.slug, elsewhere.pk])).status_code == 404


@pytest.mark.django_db
def test_the_metric_name_is_text(plan: Plan, client: Client, coordinator: User) -> None:
    metric = factories.MetricFactory(plan=plan, name="<script>alert(1)</script>", target=None, comparator="")
    client.force_login(coordinator)
    body = client.get(reverse("warroom:metric_readings", args=[plan.slug, metric.pk])).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "No readings yet." in body


def test_clock_seconds_tells_readings_seconds_apart_and_names_other_days() -> None:
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    with time_machine.travel(NOON, tick=False):
        assert clock_seconds(NOON + timedelta(seconds=5), london) == "12:00:05"
        assert clock_seconds(NOON - timedelta(days=1), london) == "Mon 12:00:00"
        assert clock_seconds(NOON - timedelta(days=9), london) == "Sun 22 Nov 12:00:00"
        assert clock_seconds(None, london) == ""
