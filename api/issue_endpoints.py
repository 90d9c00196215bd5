"""The rest of an issue's life over the API (issue 12): mitigate, close, reopen, comment, triage. Scope ``issues``,
as raise, acknowledge and resolve (api.endpoints); each through the page's service in issues.services, as
the token's service identity. A transition the issue's state refuses (a retry after success, closing an
open issue) is a 409 and changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from issues.services import issue_close, issue_comment, issue_mitigate, issue_reopen, issue_triage
from plans.validators import clean_text
from roles.models import Role

from .auth import TokenAuth, access
from .endpoints import ERRORS, _issue
from .errors import FieldFault, service_call
from .models import Scope
from .schemas import Body, IssueOut, NoteIn, ReasonIn, SeverityT
from .state import issue_out

router = Router(tags=["issues"])


class CloseIn(Body):
    root_cause: str = Field("", max_length=2000, description="What caused it; required unless given when resolving.")
    resolution: str = Field("", max_length=2000, description="What was done; default: the resolution already given.")


class TriageIn(Body):
    severity: SeverityT | None = Field(None, description="The new severity (an unanswered issue's SLA follows it).")
    owner_role: str | None = Field(
        None, max_length=100, description="The new owner role's slug; an empty string: the coordinator."
    )


class CommentIn(Body):
    body: str = Field(min_length=1, max_length=2000, description="The comment (plain text).")


class CommentOut(Schema):
    id: int
    issue: int = Field(description="The issue's number in the plan.")
    author: str
    at: datetime
    body: str


@router.post(
    "/plans/{plan}/issues/{number}/mitigate",
    response={200: IssueOut, **ERRORS},
    url_name="issue_mitigate",
    auth=TokenAuth(Scope.ISSUES),
    summary="Mark an issue as being mitigated",
    description="Scope `issues`. From open or acknowledged (an open issue is acknowledged on the way); `note` "
    "says what is being done. Already mitigating, resolved or closed: 409.",
)
def issue_mitigate_view(request: HttpRequest, plan: str, number: int, body: NoteIn | None = None) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    with service_call("note"):
        issue = issue_mitigate(_issue(where, number), by=where.identity, note=body.note if body is not None else "")
    return issue_out(issue)


@router.post(
    "/plans/{plan}/issues/{number}/close",
    response={200: IssueOut, **ERRORS},
    url_name="issue_close",
    auth=TokenAuth(Scope.ISSUES),
    summary="Close a resolved issue",
    description="Scope `issues`. Only a resolved issue (else 409). The root cause and the resolution must be "
    "known: given here or when resolving; a missing one is a 400 naming `root_cause` or `resolution`.",
)
def issue_close_view(request: HttpRequest, plan: str, number: int, body: CloseIn) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    issue = _issue(where, number)
    for name, label in (("root_cause", "Root cause"), ("resolution", "Resolution")):
        with service_call(name):  # each text's fault is its own field's
            clean_text(getattr(body, name), max_length=2000, multiline=True, field=label)
    missing = "resolution" if body.root_cause or issue.root_cause else "root_cause"
    with service_call(missing):
        issue = issue_close(issue, by=where.identity, root_cause=body.root_cause, resolution=body.resolution)
    return issue_out(issue)


@router.post(
    "/plans/{plan}/issues/{number}/reopen",
    response={200: IssueOut, **ERRORS},
    url_name="issue_reopen",
    auth=TokenAuth(Scope.ISSUES),
    summary="Reopen a resolved issue",
    description="Scope `issues`. Resolved → open, with a `reason`; its response SLA runs again. A closed issue "
    "stays closed (409): raise a new one.",
)
def issue_reopen_view(request: HttpRequest, plan: str, number: int, body: ReasonIn) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    with service_call("reason"):
        issue = issue_reopen(_issue(where, number), by=where.identity, reason=body.reason)
    return issue_out(issue)


@router.post(
    "/plans/{plan}/issues/{number}/comments",
    response={201: CommentOut, **ERRORS},
    url_name="issue_comment",
    auth=TokenAuth(Scope.ISSUES),
    summary="Comment on an issue",
    description="Scope `issues`. Adds to the issue's timeline, in any state.",
)
def issue_comment_view(request: HttpRequest, plan: str, number: int, body: CommentIn) -> Status:
    where = access(request, plan, Scope.ISSUES)
    issue = _issue(where, number)
    with service_call("body"):
        comment = issue_comment(issue, by=where.identity, body=body.body)
    author = where.identity.get_full_name() or where.identity.get_username()
    return Status(
        201, {"id": comment.pk, "issue": issue.number, "author": author, "at": comment.at, "body": comment.body}
    )


@router.post(
    "/plans/{plan}/issues/{number}/triage",
    response={200: IssueOut, **ERRORS},
    url_name="issue_triage",
    auth=TokenAuth(Scope.ISSUES),
    summary="Change an issue's severity or owner role",
    description="Scope `issues`. What is left out stays. A new severity re-times an unanswered issue's response "
    "SLA. A closed issue: 409.",
)
def issue_triage_view(request: HttpRequest, plan: str, number: int, body: TriageIn) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    issue = _issue(where, number)
    changes: dict[str, Any] = {}
    if "owner_role" in body.model_fields_set and body.owner_role is not None:
        owner = Role.objects.filter(plan=where.plan, slug=body.owner_role).first() if body.owner_role else None
        if body.owner_role and owner is None:
            raise FieldFault(["body", "owner_role"], f"No role “{body.owner_role[:80]}” in this plan.")
        changes["owner_role"] = owner
    with service_call("severity"):
        issue = issue_triage(issue, by=where.identity, severity=body.severity, **changes)
    return issue_out(issue)
