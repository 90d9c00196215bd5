"""The issue's transitions as POST views: acknowledge, mitigate, resolve, close, reopen, comment, mark as a
rollback trigger. Each calls its service; a refusal by permission is a 403, a transition the issue's state
does not allow (a double click) comes back as a clear warning and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import keep_for, refuse
from plans.models import Plan
from plans.viewtools import member_plan

from . import services
from .forms import CloseForm, CommentForm, MitigateForm, ReopenForm, ResolveForm, RollbackForm, TriageForm
from .models import Issue
from .views import back_to, issue_of

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest

Act = Callable[[Issue, Any, dict[str, Any]], object]


def _act(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    number: int,
    act: Act,
    done: str,
    form: forms.Form | None = None,
    default: str = "detail",
) -> HttpResponse:
    issue = issue_of(plan, number)
    if form is not None and not form.is_valid():
        faults = [
            (f"{form[k].label}: " if k in form.fields else "") + " ".join(str(m) for m in v)
            for k, v in form.errors.items()
        ]
        refuse(request, " ".join(faults))
        return back_to(request, plan, issue, default=default)
    try:
        act(issue, request.user, form.cleaned_data if form is not None else {})
    except services.IssueConflict as exc:
        typed = _typed_text(form)
        if typed and (services.can_handle(request.user, issue) or services.can_raise(request.user, plan)):
            # the form it was typed into is gone (someone else moved the issue on): the comment box keeps it
            keep_for(request, reverse("issues:comment", args=[plan.slug, issue.number]), {"body": typed})
            messages.warning(request, f"{error_text(exc)} What you typed is in the comment box, to add as a comment.")
            return redirect("issues:detail", plan.slug, issue.number)
        messages.warning(request, error_text(exc))
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, done.format(n=issue.number))
    return back_to(request, plan, issue, default=default)


#: The free text of the transitions' forms, in the order a comment made of them reads.
_TYPED = {"resolution": "Resolution", "root_cause": "Root cause", "note": "Being done", "reason": "Reason"}


def _typed_text(form: forms.Form | None) -> str:
    """What was typed into ``form``'s text fields, as one comment's body (each labelled when there are two)."""
    if form is None:
        return ""
    typed = [(label, str(form.cleaned_data.get(name) or "").strip()) for name, label in _TYPED.items()]
    parts = [(label, text) for label, text in typed if text]
    if len(parts) == 1:
        return parts[0][1][: services.NOTE_MAX]
    return "\n".join(f"{label}: {text}" for label, text in parts)[: services.NOTE_MAX]


@login_required
@require_POST
@member_plan
def issue_acknowledge(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        return services.issue_acknowledge(issue, by=by)

    return _act(request, plan, number, act, "Acknowledged #{n}.", default="list")


@login_required
@require_POST
@member_plan
def issue_mitigate(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        return services.issue_mitigate(issue, by=by, note=data["note"])

    return _act(request, plan, number, act, "#{n} is being mitigated.", MitigateForm(request.POST))


@login_required
@require_POST
@member_plan
def issue_resolve(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        return services.issue_resolve(issue, by=by, resolution=data["resolution"], root_cause=data["root_cause"])

    return _act(request, plan, number, act, "Resolved #{n}.", ResolveForm(request.POST), default="list")


@login_required
@require_POST
@member_plan
def issue_close(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        return services.issue_close(issue, by=by, root_cause=data["root_cause"], resolution=data["resolution"])

    return _act(request, plan, number, act, "Closed #{n}.", CloseForm(request.POST))


@login_required
@require_POST
@member_plan
def issue_reopen(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        return services.issue_reopen(issue, by=by, reason=data["reason"])

    return _act(request, plan, number, act, "Reopened #{n}: its response SLA runs again.", ReopenForm(request.POST))


@login_required
@require_POST
@member_plan
def issue_comment(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        return services.issue_comment(issue, by=by, body=data["body"])

    return _act(request, plan, number, act, "Comment added to #{n}.", CommentForm(request.POST))


@login_required
@require_POST
@member_plan
def issue_rollback(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        return services.issue_mark_rollback(issue, by=by, trigger=data["trigger"], reason=data["reason"])

    done = "#{n} is a rollback trigger: the trigger is pulled and the board shows the alarm."
    return _act(request, plan, number, act, done, RollbackForm(request.POST, plan=plan))


@login_required
@require_POST
@member_plan
def issue_triage(request: AuthenticatedHttpRequest, plan: Plan, number: int) -> HttpResponse:
    def act(issue: Issue, by: Any, data: dict[str, Any]) -> object:
        fields = {k: data.get(k) for k in ("owner_role", "step", "risk")}
        if "category" in data:  # a plan without categories has no such field
            fields["category"] = data["category"]
        return services.issue_triage(issue, by=by, severity=data["severity"], **fields)

    return _act(request, plan, number, act, "Updated #{n}.", TriageForm(request.POST, plan=plan))
