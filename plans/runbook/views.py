"""Pages and actions for runbook content: a page per step, pulling and clearing discretionary rollback
triggers (from the metrics page and the board), filling placeholders and thresholds, ticking a called
procedure's steps. Permission is checked in :mod:`plans.runbook.services`; refusals are 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import refuse

from ..models import Placeholder, Plan, ProcedureStep, RollbackTrigger, Step
from ..viewtools import member_plan
from . import services

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest

#: Where an action returns to: the page it was posted from (never a URL from the request).
BACK = {"board": "warroom:board", "metrics": "warroom:metrics", "plan": "plans:detail"}


def _back(request: AuthenticatedHttpRequest, plan: Plan, default: str = "plan") -> HttpResponse:
    return redirect(BACK.get(request.POST.get("back", ""), BACK[default]), plan.slug)


def _run(request: AuthenticatedHttpRequest, plan: Plan, action: Callable[[], Any], success: str) -> None:
    try:
        action()
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, success)


@login_required
@require_GET
@member_plan
def step_page(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    """One step of the runbook: pre-conditions, action, verification, rollback, its condition, what it
    waits for and what waits for it."""
    step = get_object_or_404(
        Step.objects.select_related("lead_role__primary", "lead_role__backup", "phase"), pk=pk, plan=plan
    )
    context = {
        "plan": plan,
        "step": step,
        "depends_on": list(step.depends_on.order_by("offset", "order")),
        "dependents": list(step.dependents.order_by("offset", "order")),
        # the gates it waits for: its own (after: [gate]) and its phase's (a phase placed after a gate)
        "gates": _waited_gates(step),
        "nav": "timeline",
    }
    return render(request, "plans/step.html", context)


def _waited_gates(step: Step) -> list[tuple[Any, bool]]:
    """(gate, through the phase) for each gate the step waits for."""
    gates: dict[int, tuple[Any, bool]] = {g.pk: (g, False) for g in step.after_gates.order_by("order", "pk")}
    if step.phase is not None:
        gates.update((g.pk, (g, True)) for g in step.phase.after_gates.order_by("order", "pk") if g.pk not in gates)
    return list(gates.values())


def _trigger(plan: Plan, pk: int) -> RollbackTrigger:
    trigger = get_object_or_404(RollbackTrigger, pk=pk, plan=plan)
    trigger.plan = plan
    return trigger


def _pull(
    request: AuthenticatedHttpRequest, plan: Plan, pk: int, service: Callable[..., Any], said: str
) -> HttpResponse:
    """Raise or clear a discretionary trigger with the reason typed (``said``: what the page then says)."""
    trigger = _trigger(plan, pk)
    reason = request.POST.get("reason", "")
    _run(request, plan, lambda: service(trigger, by=request.user, reason=reason), f"{said}: {trigger.description}.")
    return _back(request, plan, "metrics")


@login_required
@require_POST
@member_plan
def trigger_raise(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    return _pull(request, plan, pk, services.rollback_trigger_raise, "Rollback trigger raised")


@login_required
@require_POST
@member_plan
def trigger_clear(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    return _pull(request, plan, pk, services.rollback_trigger_clear, "Rollback trigger cleared")


@login_required
@require_POST
@member_plan
def trigger_threshold(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    trigger = _trigger(plan, pk)
    value = request.POST.get("threshold", "")
    action = lambda: services.rollback_trigger_set_threshold(trigger, by=request.user, threshold=value)  # noqa: E731
    _run(request, plan, action, f"Threshold set: {trigger.description}.")
    return _back(request, plan, "metrics")


@login_required
@require_POST
@member_plan
def placeholder_fill(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    placeholder = get_object_or_404(Placeholder, pk=pk, plan=plan)
    value = request.POST.get("value", "")
    action = lambda: services.placeholder_fill(placeholder, by=request.user, value=value)  # noqa: E731
    _run(request, plan, action, f"{placeholder.title} saved.")
    return _back(request, plan)


@login_required
@require_POST
@member_plan
def procedure_step_mark(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    step = get_object_or_404(ProcedureStep, pk=pk, procedure__plan=plan)
    done = request.POST.get("done") == "1"
    action = lambda: services.procedure_step_mark(step, by=request.user, done=done)  # noqa: E731
    _run(request, plan, action, f"{step.name}: {'done' if done else 'reopened'}.")
    return _back(request, plan)
