"""The post-launch week page, the operations handoff's two steps (propose, accept) and reopening a launch
the handoff closed (the coordinator, with a reason)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import AuthenticatedHttpRequest
from launchcontrol.kept import refuse
from plans.models import Plan, PlanStatus
from plans.permissions import can_coordinate
from plans.viewtools import member_plan

from . import services
from .forms import HandoffForm, ReopenForm
from .models import HandoffStatus
from .postweek import post_week
from .selectors import handoff_history
from .viewtools import refused, written


@login_required
@require_GET
@member_plan
def post_launch_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    week = post_week(plan, now=timezone.now())
    handoff = week.handoff
    coordinator = can_coordinate(request.user, plan)
    form = None
    if coordinator and (handoff is None or handoff.status != HandoffStatus.ACCEPTED):
        initial = {}
        if handoff is not None:
            initial = {
                "to_role": handoff.to_role_id,
                "systems": "\n".join(handoff.systems),
                "runbooks": "\n".join(handoff.runbooks),
                "contacts": "\n".join(handoff.contacts),
            }
        form = HandoffForm(plan=plan, initial=initial)
    proposed = handoff is not None and handoff.status == HandoffStatus.PROPOSED
    ctx = {
        "plan": plan,
        "nav": "post_launch",
        "week": week,
        "handoff": handoff,
        "handoff_form": form,
        "can_accept": proposed and handoff is not None and services.can_accept_handoff(request.user, handoff),
        "carried": services.handoff_carried(plan) if proposed else [],
        "history": handoff_history(plan) if handoff is not None and handoff.status != HandoffStatus.PLANNED else [],
        "reopen_form": ReopenForm() if coordinator and plan.status == PlanStatus.CLOSED else None,
    }
    return render(request, "review/post_launch.html", ctx)


@login_required
@require_POST
@member_plan
def handoff_propose(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    form = HandoffForm(request.POST, plan=plan)
    if not form.is_valid():
        refuse(request, refused(form))
        return redirect("review:post_launch", plan.slug)
    to_role, note, lists = form.cleaned_data["to_role"], form.cleaned_data["note"], form.lists()
    return written(
        request,
        lambda: services.handoff_propose(plan, by=request.user, to_role=to_role, note=note, **lists),
        "Handoff proposed: the receiving role accepts it on this page.",
        "review:post_launch",
        plan.slug,
    )


@login_required
@require_POST
@member_plan
def handoff_accept(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    note = request.POST.get("note", "")[:2000]
    return written(
        request,
        lambda: services.handoff_accept(plan, by=request.user, note=note),
        "Handoff accepted: the launch is closed.",
        "review:post_launch",
        plan.slug,
    )


@login_required
@require_POST
@member_plan
def plan_reopen(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    form = ReopenForm(request.POST)
    if not form.is_valid():
        refuse(request, refused(form))
        return redirect("review:post_launch", plan.slug)
    return written(
        request,
        lambda: services.plan_reopen(plan, by=request.user, reason=form.cleaned_data["reason"]),
        "Launch reopened: the handoff is reverted and the launch day is writable again.",
        "review:post_launch",
        plan.slug,
    )
