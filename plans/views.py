from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import error_text, query_text
from launchcontrol.kept import refuse

from . import services
from .clock import countdown
from .closing import EARLY_MARGIN, is_ended, launched_before_t0
from .guards import launch_blockers, launch_cautions
from .models import Plan, PlanStatus
from .permissions import can_coordinate, require_coordinator
from .runbook.selectors import plan_content
from .selectors import (
    activity,
    parse_local_datetime,
    plan_moving,
    plan_overview,
    rebaseline_preview,
    state_entered,
    state_since,
    timeline,
)
from .validators import OFFSET_LIMIT, T0_MAX, T0_MIN
from .viewtools import live_page, member_plan

if TYPE_CHECKING:
    from collections.abc import Callable

    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
@member_plan(allow_out_of_range=True)
def plan_detail(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """State, allowed transitions, holds and their history, gates, roles, and the re-baseline form with
    a preview of what moves (``?new_t0=...``) before it is applied. What moves during a launch is in its
    live parts (:func:`plan_detail_live`)."""
    if not plan.dates_in_range:
        return out_of_range_response(request, plan)
    ctx = _moving(request, plan, plan_overview(plan))  # the moving parts and the roles
    preview = None
    preview_error = ""
    if ctx["is_coordinator"] and request.GET.get("new_t0"):
        try:
            new_t0 = parse_local_datetime(plan, request.GET["new_t0"])
            preview = rebaseline_preview(plan, new_t0, now=ctx["now"])
        except ValidationError as exc:
            preview_error = error_text(exc)
    return render(
        request,
        "plans/detail.html",
        {
            **ctx,
            "nav": "detail",
            "preview": preview,
            "preview_error": preview_error,
            "rebaseline_reason": request.GET.get("reason", ""),
            "t0_local": timezone.localtime(plan.t0, plan.zone).strftime("%Y-%m-%dT%H:%M"),
            **plan_content(plan),
            "risks": list(plan.risks.select_related("owner_role").order_by("order", "id")),  # issue 16
        },
    )


@login_required
@require_GET
@member_plan
@live_page
def plan_detail_live(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """The plan page's live parts (its head and clock, the state and holds, the gates and open steps),
    fetched by htmx when pushed or polled (static/js/live.js): 304 while nothing changed (live_page)."""
    return render(request, "plans/_detail_live.html", _moving(request, plan, plan_moving(plan)))


@login_required
@require_GET
@member_plan
@live_page
def plan_nav_state(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """The plan's state in the nav of its pages (HOLD, LAUNCHED...), fetched when pushed or polled like any
    live part (static/js/live.js): 304 while nothing changed (live_page). The plan page and the activity log
    swap it with their own live parts instead (templates/_plan_nav.html)."""
    return render(request, "_nav_state.html", {"plan": plan, "nav_live": True})


def _moving(request: AuthenticatedHttpRequest, plan: Plan, ctx: dict[str, Any]) -> dict[str, Any]:
    """What the plan page's live parts show: ``ctx`` (plans.selectors.plan_moving), the clock, and what
    the viewer may do."""
    now = timezone.now()
    open_hold = next((h for h in ctx["holds"] if h.ended_at is None), None)
    allowed = services.plan_allowed_transitions(plan)
    transitions = [(s, PlanStatus(s).label) for s in allowed if s not in {PlanStatus.HOLD, PlanStatus.LAUNCHED}]
    is_coordinator = can_coordinate(request.user, plan)
    can_launch = is_coordinator and PlanStatus.LAUNCHED in allowed
    ended = is_ended(plan.status)
    # an ended launch's clock has stopped, a launch before its T-0 counts to nothing: both show the state
    stopped = ended or launched_before_t0(plan.status, plan.t0, now)
    ending = state_entered(plan) if ended else None  # who ended it, when and why
    return {
        **ctx,
        "plan": plan,
        "is_coordinator": is_coordinator,
        "transitions": transitions,
        # the "→ Launched" confirmation, and what a gate says against it or against ending its hold (plans.guards)
        "can_launch": can_launch,
        # launching more than a few minutes before T-0: the confirmation says so and offers to move T-0 to now
        "launch_early": can_launch and not plan.clockless and plan.t0 - now > EARLY_MARGIN,
        # ... and more than a few minutes after T-0: it says so and offers to slip T-0 to now (plans.services)
        "launch_late": can_launch and not plan.clockless and now - plan.t0 > EARLY_MARGIN,
        "ended": ended,
        "clock_stopped": stopped,
        "ending": ending,
        "state_since": (ending.at if ending else state_since(plan)) if stopped and not plan.clockless else None,
        "launch_blockers": launch_blockers(plan) if can_launch else [],
        "launch_cautions": launch_cautions(plan) if can_launch else [],
        "hold_blockers": launch_blockers(plan, hold_id=open_hold.pk) if is_coordinator and open_hold else [],
        "can_hold": plan.status in {PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN},
        "t0_passed": plan.awaits_launch and now >= plan.t0,  # the outbox sends what is planned from T-0 on
        "on_hold": plan.status == PlanStatus.HOLD,
        "now": now,
        "open_hold": open_hold,
        # On hold the clock stands where it stopped; otherwise it counts from the server's clock.
        "clock": countdown(plan.t0, now, open_hold.started_at if open_hold else None),
    }


def out_of_range_response(request: HttpRequest, plan: Plan | None) -> HttpResponse:
    """409 for a plan whose dates cannot be computed: why, and (for its coordinator) the form that
    moves T-0 back into range."""
    user = getattr(request, "user", None)
    return render(
        request,
        "plans/out_of_range.html",
        {
            "plan": plan,
            "t0_text": plan.t0.isoformat() if plan is not None else "",
            "is_coordinator": plan is not None and user is not None and can_coordinate(user, plan),
            "t0_min": T0_MIN,
            "t0_max": T0_MAX,
            "offset_days": OFFSET_LIMIT.days,
        },
        status=409,
    )


def _write(
    request: AuthenticatedHttpRequest, plan: Plan, action: Callable[[Plan], object], success: str
) -> HttpResponse:
    try:
        action(plan)
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("plans:detail", plan.slug)


@login_required
@require_POST
@member_plan
def plan_transition(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    to = request.POST.get("to", "")
    if to not in PlanStatus.values:
        refuse(request, f"Unknown launch state {to!r}.")
        return redirect("plans:detail", plan.slug)
    reason, override = request.POST.get("reason", ""), request.POST.get("override", "")
    if to == PlanStatus.LAUNCHED:
        ahead = plan.t0 - timezone.now()  # the service decides again, in its transaction
        move_t0 = request.POST.get("move_t0") == "1" and abs(ahead) > EARLY_MARGIN
        moved = (
            " T-0 moved to now: it launched early."
            if ahead > EARLY_MARGIN
            else " T-0 slipped to now: it launched late."
        )
        return _write(
            request,
            plan,
            lambda p: services.plan_launch(p, by=request.user, override=override, move_t0=move_t0),
            "The launch is now launched." + (moved if move_t0 else ""),
        )
    return _write(
        request,
        plan,
        lambda p: services.plan_transition(p, to=to, by=request.user, reason=reason, override=override),
        f"The launch is now {PlanStatus(to).label.lower()}.",
    )


@login_required
@require_POST
@member_plan
def plan_hold_start(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _write(request, plan, lambda p: services.hold_start(p, by=request.user, reason=reason), "Hold started.")


@login_required
@require_POST
@member_plan
def plan_hold_end(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    return _write(
        request,
        plan,
        lambda p: services.hold_end(p, by=request.user, override=request.POST.get("override", "")),
        "Hold ended; T-0 and every later time slipped by its length.",
    )


@login_required
@require_POST
@member_plan(allow_out_of_range=True)
def plan_rebaseline(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    reason = request.POST.get("reason", "")

    def action(p: Plan) -> None:
        require_coordinator(request.user, p)  # a stranger gets 403 whatever the date says
        new_t0 = parse_local_datetime(p, request.POST.get("new_t0", ""))
        services.plan_rebaseline(p, new_t0=new_t0, by=request.user, reason=reason)

    return _write(request, plan, action, "T-0 moved; every planned time moved with it.")


@login_required
@member_plan
@live_page
def plan_timeline(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    ctx = timeline(plan, now=timezone.now(), role=query_text(request, "role"))
    return render(request, "plans/timeline.html", {"plan": plan, "nav": "timeline", **ctx})


@login_required
@member_plan
@live_page(readings=True)
def plan_activity(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """The plan's events, newest first, filtered and paged. Its table and pager are a live part: the fetch
    (htmx, pushed or polled) renders only that part, 304 while nothing changed (live_page)."""
    ctx = activity(
        plan, role=query_text(request, "role"), kind=query_text(request, "kind"), page=query_text(request, "page", "1")
    )
    fragment = request.headers.get("HX-Request") == "true"
    template = "plans/activity.html#live" if fragment else "plans/activity.html"
    return render(request, template, {"plan": plan, "nav": "activity", "fragment": fragment, **ctx})
