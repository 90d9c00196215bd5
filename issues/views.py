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
from roles.contacts import escalation_ladder

from . import services
from .forms import IssueForm, ResolveForm
from .models import Issue, IssueCategory
from .selectors import issue_rows, plan_issues

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
@member_plan
def issue_list(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    categories = list(IssueCategory.objects.filter(plan=plan).order_by("order", "id"))
    form = IssueForm(plan=plan, categories_of=categories)
    if request.method == "POST":
        form = IssueForm(request.POST, plan=plan, categories_of=categories)
        if form.is_valid():
            try:
                issue = services.issue_open(plan, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Raised #{issue.number} {issue.title}.")
                return redirect("issues:list", plan.slug)
    shown = _chosen_category(request, categories)
    unresolved, resolved = plan_issues(plan, category=shown)
    now = timezone.now()
    ladder = escalation_ladder(plan)  # every rung with who to call (issue 16)
    timed = [r.level for r in ladder if not r.level.condition]
    cards = {r.level.pk: r.cards for r in ladder}
    rows = issue_rows(unresolved, timed, now=now)
    for row in rows:
        row.issue.plan = plan  # an unowned issue asks the plan who coordinates: no query per issue
        row.can_handle = services.can_handle(request.user, row.issue)
        row.contacts = cards.get(row.level.pk, []) if row.level is not None else []
    return render(
        request,
        "issues/list.html",
        {
            "plan": plan,
            "rows": rows,
            "resolved": resolved,
            "form": form,
            "can_raise": services.can_raise(request.user, plan),
            "categories": categories,
            "shown_category": shown,
            "ladder": ladder,
            "now": now,
            "nav": "issues",
        },
    )


def _chosen_category(request: AuthenticatedHttpRequest, categories: list[IssueCategory]) -> IssueCategory | None:
    """The category the page is filtered by (``?category=ID``), or None: all issues. An unknown value
    shows all rather than an empty page."""
    wanted = request.GET.get("category", "")
    return next((c for c in categories if str(c.pk) == wanted), None)


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
