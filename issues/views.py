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
from plans.models import Plan
from plans.viewtools import member_plan

from . import services
from .forms import IssueForm, ResolveForm
from .models import Issue
from .selectors import escalation_levels, issue_rows, plan_issues

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
@member_plan
def issue_list(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    form = IssueForm(plan=plan)
    if request.method == "POST":
        form = IssueForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                issue = services.issue_open(plan, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Raised #{issue.number} {issue.title}.")
                return redirect("issues:list", plan.slug)
    unresolved, resolved = plan_issues(plan)
    now = timezone.now()
    rows = issue_rows(unresolved, escalation_levels(plan), now=now)
    for row in rows:
        row.can_handle = services.can_handle(request.user, row.issue)
    return render(
        request,
        "issues/list.html",
        {
            "plan": plan,
            "rows": rows,
            "resolved": resolved,
            "form": form,
            "can_raise": services.can_raise(request.user, plan),
            "now": now,
            "nav": "issues",
        },
    )


def _issue(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> Issue:
    return get_object_or_404(Issue.objects.select_related("plan", "owner_role__plan"), pk=pk, plan=plan)


@login_required
@require_POST
@member_plan
def issue_acknowledge(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    issue = services.issue_acknowledge(_issue(request, plan, pk), by=request.user)
    messages.success(request, f"Acknowledged #{issue.number}.")
    return redirect("issues:list", plan.slug)


@login_required
@require_POST
@member_plan
def issue_resolve(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    issue = _issue(request, plan, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say how the issue was resolved.")
        return redirect("issues:list", plan.slug)
    try:
        services.issue_resolve(issue, by=request.user, resolution=form.cleaned_data["resolution"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Resolved #{issue.number}.")
    return redirect("issues:list", plan.slug)
