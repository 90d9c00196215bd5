"""The success metrics page (the readings people type from their dashboards, the rollback triggers those
readings judge) and the recording of a reading; plans.services.reading_record is the write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from launchcontrol.http import error_text
from plans.metrics import can_record
from plans.models import Plan, SuccessMetric
from plans.numbers import format_quantity
from plans.permissions import can_coordinate
from plans.runbook.selectors import pullable_triggers
from plans.services import reading_record
from plans.viewtools import live_page, member_plan

from . import readings

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
@member_plan
@live_page
def metrics_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    return _metrics(request, plan)


def _metrics(request: AuthenticatedHttpRequest, plan: Plan, refused: dict[str, object] | None = None) -> HttpResponse:
    """The metrics page; ``refused`` ({metric, value, error}) renders a reading that was not recorded back in
    its input, with why beside it, so the person who typed it corrects it instead of typing it again."""
    rows, states = readings.metrics(plan, timezone.now())
    return render(
        request,
        "warroom/metrics.html",
        {
            "plan": plan,
            "rows": rows,
            "states": states,
            "can_record": can_record(request.user, plan),
            "nav": "metrics",
            "pullable": {t.pk for t in pullable_triggers(plan, request.user)},
            "is_coordinator": can_coordinate(request.user, plan),
            "refused": refused,
        },
    )


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
    return redirect("warroom:metrics", plan.slug)
