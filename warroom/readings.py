"""The success metrics as the metrics page and the board read them: each metric's latest reading and recent
trend, each criterion's verdict, each rollback trigger's state.

Each metric's readings are read on their own (its newest, :func:`recent_readings`), not as the plan's
newest few hundred: one metric fed every few seconds by a script or a monitoring push would otherwise push
the others' latest readings, and the run a trigger is judged on, out of what the page reads. A trigger whose
``sustained_for`` reaches back past the recent readings of its metric (a busy metric, a long duration) is
judged on every reading of that span, as the service that raises it judges it
(``plans.metrics.readings_for_window``); readings that ended with a monitoring alert's resolve
(``SuccessMetric.run_ended_at``) judge no trigger.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from plans.metrics import newest_readings, off_target, readings_for_window, trigger_state
from plans.models import MetricReading, RollbackTrigger, SuccessMetric
from plans.verdicts import plan_verdicts

if TYPE_CHECKING:
    from plans.metrics import TriggerState
    from plans.models import Plan

#: How many of each metric's newest readings the page reads: its latest, its trend line, and most triggers' runs.
RECENT = 60
#: How many of them the page lists under the metric (with who recorded each, and a way to withdraw a typo).
LISTED = 8
#: How many readings a page of one metric's history lists (:func:`history`), newest first.
HISTORY_PAGE = 50
#: A latest reading older than this says when it was taken on the board: a green 0.06 % from two hours ago is not
#: the error rate now.
STALE_AFTER = timedelta(minutes=30)


def recent_readings(metric_list: list[SuccessMetric]) -> dict[int, list[MetricReading]]:
    """Each metric's newest :data:`RECENT` readings, newest first, with who recorded them. One query."""
    return newest_readings({m.pk: Q(metric_id=m.pk) for m in metric_list}, RECENT, related=("recorded_by",))


def history(
    metric: SuccessMetric,
    *,
    before: tuple[datetime, int] | None = None,
    only_off_target: bool = False,
    limit: int = HISTORY_PAGE,
) -> tuple[list[MetricReading], tuple[datetime, int] | None]:
    """A page of ``metric``'s readings, newest first, with who recorded them: those before ``before`` (a reading's
    time and id, the last of the page before), and where the next page starts (None on the last); with
    ``only_off_target``, only those that miss the target (a typo among a monitoring push's thousands). Paged by
    position, not by number: a monitoring push adding readings while someone reads does not shift the pages. One
    query."""
    newest = MetricReading.objects.filter(metric=metric).select_related("recorded_by").order_by("-recorded_at", "-id")
    missing = off_target(metric) if only_off_target else None
    if missing is not None:
        newest = newest.filter(missing)
    if before is not None:
        at, pk = before
        newest = newest.filter(Q(recorded_at__lt=at) | Q(recorded_at=at, id__lt=pk))
    rows = list(newest[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], (last.recorded_at, last.pk)


def criteria_verdicts(plan: Plan, metric_list: list[SuccessMetric], now: datetime) -> dict[int, str]:
    """After T-0, each success criterion's verdict over its window (met, not met, open, no data), as the review
    and the post-launch page read it (plans.criteria), from a summary of each window the database works out
    (plans.verdicts), not from every reading. One query; none before T-0 or without a criterion."""
    wanted = [m for m in metric_list if m.target is not None and m.comparator]
    if plan.clockless or now < plan.t0 or not wanted:
        return {}
    return plan_verdicts(plan, wanted, now=now)


def _judged(metric: SuccessMetric, recent: list[MetricReading], span: timedelta, now: datetime) -> list[MetricReading]:
    """The readings ``metric``'s triggers are judged on: its recent ones after the end of a resolved alert's
    run, or, when those do not reach back ``span`` (and one before it), every reading of the span (a query)."""
    if len(recent) >= RECENT and recent[-1].recorded_at >= now - span:
        return readings_for_window(metric, now=now, window=span)
    ended = metric.run_ended_at
    if ended is not None and ended <= now:
        return [r for r in recent if r.recorded_at > ended]
    return recent


def trigger_states(
    plan: Plan, metric_list: list[SuccessMetric], recent: dict[int, list[MetricReading]], now: datetime
) -> list[TriggerState]:
    """Every rollback trigger of the plan, judged as of ``now``: alarms first, then those crossing. One query,
    and one for each busy metric whose trigger's duration reaches past its recent readings."""
    triggers = list(RollbackTrigger.objects.filter(plan=plan).order_by("order", "id"))
    metrics = {m.pk: m for m in metric_list}
    spans: dict[int, timedelta] = {}
    for trigger in triggers:
        trigger.plan = plan
        if trigger.metric_id in metrics:
            trigger.metric = metrics[trigger.metric_id]
            span = trigger.sustained_for or timedelta(0)
            spans[trigger.metric_id] = max(spans.get(trigger.metric_id, span), span)
    judged = {pk: _judged(metrics[pk], recent.get(pk, []), span, now) for pk, span in spans.items()}
    states = [trigger_state(t, judged.get(t.metric_id or 0, []), now=now) for t in triggers]
    states.sort(key=lambda s: (not s.in_breach, not s.breaching))
    return states


def metrics(plan: Plan, now: datetime) -> tuple[list[dict[str, Any]], list[TriggerState]]:
    """Each success metric with its latest reading against target, its recent readings (newest first) and its
    criterion's verdict; and the rollback trigger states (alarms first). Four queries, when no trigger needs
    more readings than the recent ones."""
    metric_list = list(plan.metrics.all())
    recent = recent_readings(metric_list)
    verdicts = criteria_verdicts(plan, metric_list, now)
    rows = []
    for metric in metric_list:
        readings = recent[metric.pk]
        latest = readings[0] if readings else None
        rows.append(
            {
                "metric": metric,
                "latest": latest,
                "meets": metric.meets(float(latest.value)) if latest else None,
                "verdict": verdicts.get(metric.pk, ""),
                "recent": readings,
                "previous": readings[1] if len(readings) > 1 else None,
                "stale": latest is not None and now - latest.recorded_at > STALE_AFTER,
                "direction": direction(metric, readings),
            }
        )
    return rows, trigger_states(plan, metric_list, recent, now)


def direction(metric: SuccessMetric, readings: list[MetricReading]) -> str:
    """How the latest reading moved from the one before: "" (no change, or fewer than two), else "up" or "down"
    and, for a metric with a target, whether that is the better way ("up better": more users; "up worse": a
    higher error rate), as the board's arrow shows it."""
    if len(readings) < 2 or readings[0].value == readings[1].value:
        return ""
    way = "up" if readings[0].value > readings[1].value else "down"
    if metric.target is None or not metric.comparator:
        return way
    higher_is_better = metric.comparator.startswith(">")
    return f"{way} {'better' if (way == 'up') == higher_is_better else 'worse'}"


def metric_links(plan: Plan, ids: set[int]) -> dict[int, str]:
    """The readings pages of the plan's metrics ``ids`` by id, for the activity log (plans.event_links; 1 query)."""
    from django.urls import reverse

    metrics = SuccessMetric.objects.filter(plan=plan, pk__in=ids).values_list("pk", flat=True)
    return {pk: reverse("warroom:metric_readings", args=[plan.slug, pk]) for pk in metrics}
