from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan, RollbackTrigger
from plans.runbook.models import TriggerKind
from plans.viewtools import live_page, member_plan
from roles.contacts import escalation_ladder
from roles.models import Role
from roles.pages import role_page_slug

from . import services
from .forms import IssueForm, QuickIssueForm, TriageForm
from .models import DONE, UNRESOLVED, Issue, IssueCategory, IssueStatus, Severity
from .selectors import IssueFilter, issue_rows, issue_timeline, plan_issues

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest

STATUS_FILTERS = [("unresolved", "Unresolved"), *IssueStatus.choices, ("done", "Resolved or closed")]


@login_required
@member_plan
@live_page
def issue_list(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    categories = list(IssueCategory.objects.filter(plan=plan).order_by("order", "id"))
    roles = list(Role.objects.filter(plan=plan).order_by("order", "name"))  # the raise form and the role filter
    form = IssueForm(plan=plan, categories_of=categories, roles_of=roles)
    if request.method == "POST":
        form = IssueForm(request.POST, plan=plan, categories_of=categories, roles_of=roles)
        if form.is_valid():
            try:
                issue = services.issue_open(plan, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Raised #{issue.number} {issue.title}.")
                return redirect("issues:list", plan.slug)
    filters = _filters(request, categories, roles)
    unresolved, resolved = plan_issues(plan, filters=filters)
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
            "shown_category": filters.category,
            "filters": filters,
            "roles": roles,
            "statuses": STATUS_FILTERS,
            "severities": Severity.choices,
            "ladder": ladder,
            "now": now,
            "nav": "issues",
        },
    )


def _filters(request: AuthenticatedHttpRequest, categories: list[IssueCategory], roles: list[Role]) -> IssueFilter:
    """The filters the page is narrowed by (``?status=&severity=&category=ID&role=ID``). An unknown value
    is ignored: it shows more rather than an empty page."""
    status = request.GET.get("status", "")
    severity = request.GET.get("severity", "")
    return IssueFilter(
        status=status if status in dict(STATUS_FILTERS) else "",
        severity=severity if severity in Severity.values else "",
        category=next((c for c in categories if str(c.pk) == request.GET.get("category", "")), None),
        role=next((r for r in roles if str(r.pk) == request.GET.get("role", "")), None),
    )


def issue_of(plan: Plan, number: int) -> Issue:
    """The plan's issue by its number (#3: ``/plans/<plan>/issues/3/``), as the API and every page name it."""
    issue = get_object_or_404(Issue.objects.select_related("plan", "owner_role__plan"), number=number, plan=plan)
    issue.plan = plan
    return issue


@login_required
@member_plan
@live_page
def issue_detail(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    issue = get_object_or_404(
        Issue.objects.select_related(
            "owner_role__plan",
            "owner_role__primary",
            "owner_role__backup",
            "category",
            "step",
            "risk",
            "rollback_trigger",
            "reported_by",
            "closed_by",
        ),
        number=number,
        plan=plan,
    )
    issue.plan = plan
    handle = services.can_handle(request.user, issue)
    pullable: list[RollbackTrigger] = []
    if issue.status in UNRESOLVED and issue.rollback_trigger_id is None:  # what "mark as rollback trigger" offers
        pullable = list(RollbackTrigger.objects.filter(plan=plan, kind=TriggerKind.DISCRETIONARY))
    triage = None
    if handle and issue.status != IssueStatus.CLOSED:  # severity, role, category, step, risk stay correctable
        initial = {"severity": issue.severity, "owner_role": issue.owner_role_id, "category": issue.category_id}
        initial |= {"step": issue.step_id, "risk": issue.risk_id}
        categories = list(IssueCategory.objects.filter(plan=plan).order_by("order", "id"))
        triage = TriageForm(plan=plan, categories_of=categories, initial=initial, auto_id="triage-%s")
    return render(
        request,
        "issues/detail.html",
        {
            "plan": plan,
            "issue": issue,
            "triage": triage,
            "timeline": issue_timeline(issue),
            "can_handle": handle,
            "can_comment": handle or services.can_raise(request.user, plan),
            "unresolved": issue.status in UNRESOLVED,
            "done": issue.status in DONE,
            "pullable": pullable,
            "breached": (remaining := issue.response_remaining()) is not None and remaining <= timedelta(0),
            "statuses": IssueStatus.choices,
            "now": timezone.now(),
            "nav": "issues",
        },
    )


@login_required
@member_plan
def issue_raise(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """The "raise issue" dialog of every plan page (htmx: the form as a fragment, then a confirmation in
    its place); without JavaScript, the same form as a page that goes to the new issue."""
    if not services.can_raise(request.user, plan):
        raise PermissionDenied("Only people with a role in this launch, or its coordinator, may raise an issue.")
    categories = list(IssueCategory.objects.filter(plan=plan).order_by("order", "id"))
    asked = request.GET.get("severity", "")  # a link may preselect one (?severity=high); else the form's Medium
    initial = {"severity": asked} if asked in Severity.values else {}
    form = QuickIssueForm(plan=plan, categories_of=categories, initial=initial)
    raised = None
    if request.method == "POST":
        form = QuickIssueForm(request.POST, plan=plan, categories_of=categories)
        if form.is_valid():
            try:
                raised = services.issue_open(plan, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if not request.htmx:
                    messages.success(request, f"Raised #{raised.number} {raised.title}.")
                    return redirect("issues:detail", plan.slug, raised.number)
    context = {"plan": plan, "form": form, "raised": raised, "nav": "issues"}
    if request.htmx:
        return render(request, "issues/_raise_form.html", context)  # 200 with errors too: htmx swaps only 2xx
    return render(request, "issues/raise.html", context)


def back_to(request: AuthenticatedHttpRequest, plan: Plan, issue: Issue, *, default: str = "detail") -> HttpResponse:
    """Back to the page the action was posted from: the issue (``back=detail``), the list, or the role page it
    was acknowledged on (``back=role`` and the role's slug, one of the plan's; the page of unowned work too)."""
    back = request.POST.get("back", default)
    if back == "list":
        return redirect(f"{reverse('issues:list', args=[plan.slug])}#issue-{issue.number}")
    role = role_page_slug(plan, request.POST.get("role")) if back == "role" else None
    if role is not None:
        return redirect(f"{reverse('checklists:role', args=[plan.slug, role])}#role-issues")
    return redirect("issues:detail", plan.slug, issue.number)
