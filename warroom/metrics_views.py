"""The success metrics page (the readings people type from their dashboards, the rollback triggers those
readings judge) and the recording of a reading; plans.services.reading_record is the write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import refuse
from plans.metrics import can_record, off_target
from plans.models import MetricReading, Plan, SuccessMetric
from plans.numbers import format_quantity
from plans.permissions import can_coordinate
from plans.readings.services import reading_withdraw, withdrawable
from plans.runbook.selectors import pullable_triggers
from plans.services import reading_record
from plans.templatetags.launchtime import clock
from plans.viewtools import live_page, member_plan

from . import readings
from .sparkline import sparkline

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
@member_plan
@live_page(readings=True)
def metrics_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    return _metrics(request, plan)


def _metrics(request: AuthenticatedHttpRequest, plan: Plan, refused: dict[str, object] | None = None) -> HttpResponse:
    """The metrics page; ``refused`` ({metric, value, error}) renders a reading that was not recorded back in
    its input, with why beside it, so the person who typed it corrects it instead of typing it again."""
    rows, states = readings.metrics(plan, timezone.now())
    coordinator, recorder = can_coordinate(request.user, plan), can_record(request.user, plan)
    for row in rows:
        recent = row["recent"]
        for reading in recent[: readings.LISTED]:
            reading.withdrawable = withdrawable(reading, request.user, coordinator=coordinator, recorder=recorder)
        row["listed"] = recent[: readings.LISTED]
        # Escaped inside (warroom.sparkline): every text in the SVG is the metric's, run through html.escape.
        row["trend"] = mark_safe(sparkline(row["metric"], recent, label=lambda at: clock(at, plan.zone)))  # noqa: S308
    return render(
        request,
        "warroom/metrics.html",
        {
            "plan": plan,
            "rows": rows,
            "states": states,
            "can_record": recorder,
            "nav": "metrics",
            "pullable": {t.pk for t in pullable_triggers(plan, request.user)},
            "is_coordinator": coordinator,
            "refused": refused,
            "focus": _int(request.GET.get("next")) if refused is None else None,
        },
    )


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 12 else None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def cursor_text(cursor: tuple[datetime, int] | None) -> str:
    """Where a page of readings starts, for its address: ``<microseconds since 1970>.<reading id>``."""
    return f"{(cursor[0] - _EPOCH) // _MICROSECOND}.{cursor[1]}" if cursor else ""


def cursor_of(text: str | None) -> tuple[datetime, int] | None:
    """:func:`cursor_text` read back; None (the newest page) for anything else: an address typed or cut short."""
    moment, _, pk = (text or "").partition(".")
    if not (moment.isdigit() and pk.isdigit() and len(moment) < 18 and len(pk) < 12):
        return None
    try:
        return _EPOCH + int(moment) * _MICROSECOND, int(pk)
    except OverflowError:
        return None


@login_required
@require_GET
@member_plan
def metric_readings_page(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    """Every reading of one metric, fifty to a page, newest first, each with who recorded it and a way to withdraw
    it: the metrics page lists only the newest few, and a typo found an hour into a monitoring push's feed is
    further back than that."""
    metric = get_object_or_404(SuccessMetric, pk=pk, plan=plan)
    before = cursor_of(request.GET.get("before"))
    has_target = off_target(metric) is not None
    only_off = request.GET.get("off") == "1" and has_target
    rows, older = readings.history(metric, before=before, only_off_target=only_off)
    coordinator, recorder = can_coordinate(request.user, plan), can_record(request.user, plan)
    listed = [
        {
            "reading": reading,
            "meets": metric.meets(float(reading.value)),
            "withdrawable": withdrawable(reading, request.user, coordinator=coordinator, recorder=recorder),
        }
        for reading in rows
    ]
    context = {
        "plan": plan,
        "metric": metric,
        "readings": listed,
        "total": metric.readings.count(),
        "has_target": has_target,
        "only_off": only_off,
        "paged": before is not None,
        "here": cursor_text(before),
        "older": cursor_text(older),
        "nav": "metrics",
    }
    return render(request, "warroom/metric_readings.html", context)


@login_required
@require_POST
@member_plan
def metric_record(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    metric = get_object_or_404(SuccessMetric.objects.select_related("plan"), pk=pk, plan=plan)
    typed = request.POST.get("value", "")
    try:
        reading = reading_record(metric, value=typed, by=request.user)
    except ValidationError as exc:
        # Rendered, not redirected: the refused text stays in its input (a redirect would lose it).
        return _metrics(request, plan, refused={"metric": metric.pk, "value": typed[:200], "error": error_text(exc)})
    messages.success(request, f"Recorded {metric.name}: {format_quantity(reading.value, metric.unit)}.")
    # A round of the dashboards is typed one value after another: the page comes back at the next metric, its
    # field focused (type, Enter, type, Enter...), and after the last one at the one just recorded. (No fragment
    # with the focus: a browser skips autofocus when the address names a target, and focusing scrolls to it.)
    after = plan.metrics.filter(Q(order__gt=metric.order) | Q(order=metric.order, pk__gt=metric.pk))
    following = after.order_by("order", "pk").values_list("pk", flat=True).first()
    page = reverse("warroom:metrics", args=[plan.slug])
    return redirect(f"{page}?next={following}" if following else f"{page}#metric-{metric.pk}")


@login_required
@require_POST
@member_plan
def reading_withdraw_view(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    """Withdraw a reading typed wrong (plans.readings.services); a second click finds it gone and says so."""
    if not can_record(request.user, plan):  # no role in this launch: nothing of it to withdraw
        raise PermissionDenied("Only people with a role in this launch, or its coordinator, may withdraw readings.")
    reading = MetricReading.objects.select_related("metric__plan", "recorded_by").filter(pk=pk, metric__plan=plan)
    found = reading.first()
    back = reverse("warroom:metrics", args=[plan.slug])
    history = _int(request.POST.get("history"))  # withdrawn from a metric's readings page: back to that page
    if history is not None:
        back = reverse("warroom:metric_readings", args=[plan.slug, history])
        query = {"before": cursor_text(cursor_of(request.POST.get("before"))), "off": request.POST.get("off", "")}
        kept = {name: value for name, value in query.items() if value and (name != "off" or value == "1")}
        back = f"{back}?{urlencode(kept)}" if kept else back
    if found is None:
        messages.info(request, "That reading was already withdrawn.")
        return redirect(back)
    try:
        done = reading_withdraw(found, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        refuse(request, f"Not withdrawn: {error_text(exc)}")
        return redirect(back)
    what = f"{found.metric.name}: {format_quantity(found.value, found.metric.unit)}"
    if done:
        messages.success(request, f"Withdrew the reading {what}.")
    else:
        messages.info(request, f"The reading {what} was already withdrawn.")
    return redirect(back)
