"""The rollout page: where the staged rollout stands, and for its authority (and the coordinator) the
controls to advance it and to roll back a stage or the launch. Others see it read-only. Permission is
checked in :mod:`plans.rollout.services`; a refusal of the right is a 403, a refusal of the moment (the soak,
a metric, a breach) comes back as a message with every reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import refuse

from ..models import Event, Plan
from ..viewtools import member_plan
from . import services
from .selectors import proposal_text, rollout_state

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest

HISTORY_ROWS = 12


def _expected(request: AuthenticatedHttpRequest) -> int | None:
    raw = request.POST.get("expected", "")
    return int(raw) if raw.isdigit() and len(raw) < 4 else None


@login_required
@require_GET
@member_plan
def rollout_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    state = rollout_state(plan, now=timezone.now())
    if state is not None:
        state.rollout.plan = plan
    context = {
        "plan": plan,
        "r": state,
        "can_steer": state is not None and services.can_steer_rollout(request.user, state.rollout),
        "proposal_text": proposal_text(state),
        "history": list(
            Event.objects.filter(plan=plan, kind__startswith="rollout.").select_related("actor")[:HISTORY_ROWS]
        ),
        "nav": "metrics",
    }
    return render(request, "plans/rollout.html", context)


@login_required
@require_POST
@member_plan
def rollout_advance(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    try:
        rollout = services.rollout_advance(plan, by=request.user, expected=_expected(request))
    except ValidationError as exc:
        refuse(request, "Not advanced: " + " ".join(exc.messages))
    else:
        messages.success(request, f"The rollout is at stage {rollout.current}.")
    return redirect("plans:rollout", plan.slug)


@login_required
@require_POST
@member_plan
def rollout_rollback(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    to = request.POST.get("to", "")
    try:
        services.rollout_rollback(
            plan, by=request.user, to=to, reason=request.POST.get("reason", ""), expected=_expected(request)
        )
    except ValidationError as exc:
        refuse(request, "Not rolled back: " + error_text(exc))
    else:
        messages.success(request, "Launch rolled back." if to == services.LAUNCH else "Back to the previous stage.")
    return redirect("plans:rollout", plan.slug)
