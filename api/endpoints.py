"""The plan's resources: its live state (read) and the writes a pipeline or a bot makes, each through the
same service as the page that makes it (plans.services, plans.runbook.services, checklists.services,
issues.services), as the token's service identity."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.text import slugify
from ninja import Router, Status
from ninja.errors import HttpError

from checklists.services import step_finish, step_start
from issues.models import Issue
from issues.services import issue_acknowledge, issue_open, issue_resolve
from plans.models import Event, MetricReading, RollbackTrigger, Step, SuccessMetric
from plans.readings.services import reading_withdraw
from plans.runbook.services import rollback_trigger_clear, rollback_trigger_raise
from plans.schedule import plan_forecast
from plans.services import reading_record
from plans.validators import BoundsError, check_number, check_t0
from roles.models import Role

from .auth import TokenAuth, access
from .errors import FieldFault, service_call
from .models import Scope
from .schemas import (
    Error,
    IssueIn,
    IssueOut,
    NoteIn,
    PlanState,
    ReadingIn,
    ReadingsIn,
    ReadingsOut,
    ReasonIn,
    ResolutionIn,
    StepOut,
    TriggerOut,
    WithdrawnOut,
)
from .state import issue_out, none_match, plan_etag, plan_state, step_out, trigger_out

router = Router(tags=["plans"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 429: Error}
#: A reading may be stamped at most this far ahead of the server's clock (clock skew), never further.
FUTURE_SLACK = timedelta(minutes=5)


def _find(queryset: QuerySet[Any], key: str, name_field: str, what: str) -> Any:
    """A row of the plan by its id, or by the slug of its name (``error-rate`` for “Error rate”)."""
    if key.isdigit():
        found = queryset.filter(pk=int(key)).first()
    else:
        found = next((row for row in queryset if slugify(getattr(row, name_field)) == key), None)
    if found is None:
        raise HttpError(404, f"No {what} “{key[:80]}” in this plan.")
    return found


@router.get(
    "/plans/{plan}/",
    response={200: PlanState, 304: None, **ERRORS},
    url_name="plan_state",
    auth=TokenAuth(Scope.READ),
    summary="The plan's live state",
    description="Scope `read`. Sends an `ETag`; with `If-None-Match` it answers 304 while nothing changed.",
)
def plan_state_view(request: HttpRequest, plan: str) -> HttpResponse:
    where = access(request, plan, Scope.READ)
    now = timezone.now()
    tag = plan_etag(where.plan, now)
    if none_match(tag, request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = JsonResponse(PlanState.model_validate(plan_state(where.plan, now=now)).model_dump(mode="json"))
    response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    return response


def _check_reading(value: Any, at: Any, loc: list[str | int]) -> tuple[Any, Any]:
    column = MetricReading._meta.get_field("value")
    assert isinstance(column, DecimalField)
    try:
        amount = check_number(value, max_digits=column.max_digits or 14, decimal_places=column.decimal_places or 0)
    except BoundsError as exc:
        raise FieldFault(["body", *loc, "value"], " ".join(exc.messages)) from None
    if at is not None:
        try:
            check_t0(at, field="The reading's time (at)")
        except BoundsError as exc:
            raise FieldFault(["body", *loc, "at"], " ".join(exc.messages)) from None
        if at > timezone.now() + FUTURE_SLACK:
            raise FieldFault(["body", *loc, "at"], "A reading cannot be stamped in the future.")
    return amount, at


@router.post(
    "/plans/{plan}/metrics/{metric}/readings",
    response={201: ReadingsOut, **ERRORS},
    url_name="metric_readings",
    auth=TokenAuth(Scope.METRICS),
    summary="Record one reading or a batch",
    description="Scope `metrics`. `{metric}` is the metric's id or the slug of its name (`error-rate`). "
    "A batch is all or nothing. The metric's rollback triggers are judged after the readings.",
)
def metric_readings(request: HttpRequest, plan: str, metric: str, body: ReadingsIn) -> Status:
    where = access(request, plan, Scope.METRICS)
    found: SuccessMetric = _find(SuccessMetric.objects.filter(plan=where.plan), metric, "name", "metric")
    if body.value is None and body.readings is None:
        raise FieldFault(["body", "value"], "Send value (one reading) or readings (a batch): neither was sent.")
    if body.value is not None and body.readings is not None:  # (so below, a single reading has its value)
        raise FieldFault(["body", "value"], "Send either value (one reading) or readings (a batch), not both.")
    if body.readings is not None and body.at is not None:
        raise FieldFault(["body", "at"], "In a batch, each reading carries its own at.")
    batch = body.readings if body.readings is not None else [ReadingIn(value=body.value or Decimal(0), at=body.at)]
    if not batch:
        raise FieldFault(["body", "readings"], "A batch needs at least one reading.")
    checked = [_check_reading(r.value, r.at, ["readings", i] if body.readings else []) for i, r in enumerate(batch)]
    with transaction.atomic(), service_call("value"):
        readings = [reading_record(found, value=v, by=where.identity, at=at) for v, at in checked]
    return Status(
        201,
        {
            "readings": [
                {
                    "id": r.pk,
                    "metric": found.name,
                    "value": r.value,
                    "recorded_at": r.recorded_at,
                    "meets": found.meets(float(r.value)),
                }
                for r in readings
            ],
            "triggers_in_breach": _in_breach(found),
        },
    )


@router.post(
    "/plans/{plan}/readings/{reading}/withdraw",
    response={200: WithdrawnOut, **ERRORS},
    url_name="reading_withdraw",
    auth=TokenAuth(Scope.METRICS),
    summary="Withdraw a reading recorded by mistake",
    description="Scope `metrics`. `{reading}` is the id the reading's recording answered with. The reading leaves "
    "the board, the criteria and the review; its metric's rollback triggers are judged again (an alarm it raised "
    "clears); the activity log keeps it, with the reason. A retry answers `withdrawn: false`.",
)
def reading_withdraw_api(request: HttpRequest, plan: str, reading: int, body: ReasonIn) -> dict[str, Any]:
    where = access(request, plan, Scope.METRICS)
    readings = MetricReading.objects.select_related("metric__plan", "recorded_by")
    row = readings.filter(pk=reading, metric__plan=where.plan).first()
    if row is None:
        gone = Event.objects.filter(plan=where.plan, kind="metric.reading_withdrawn", data__reading=reading).first()
        if gone is None:
            raise HttpError(404, f"No reading {reading} in this plan.")
        metric = SuccessMetric.objects.filter(pk=gone.data.get("metric")).first()
        return _withdrawn(False, metric)
    with service_call("reason"):
        done = reading_withdraw(row, by=where.identity, reason=body.reason)
    return _withdrawn(done, row.metric)


def _withdrawn(done: bool, metric: SuccessMetric | None) -> dict[str, Any]:
    return {"withdrawn": done, "metric": metric.name if metric else "", "triggers_in_breach": _in_breach(metric)}


def _in_breach(metric: SuccessMetric | None) -> list[str]:
    """The metric's rollback triggers in breach (raised), in the plan's order: what an answer about it lists."""
    if metric is None:
        return []
    breach = RollbackTrigger.objects.filter(metric=metric, raised_at__isnull=False).order_by("order", "id")
    return list(breach.values_list("description", flat=True))


@router.post(
    "/plans/{plan}/issues",
    response={201: IssueOut, **ERRORS},
    url_name="issue_raise",
    auth=TokenAuth(Scope.ISSUES),
    summary="Raise an issue",
    description="Scope `issues`. The response SLA of its severity starts now.",
)
def issue_raise(request: HttpRequest, plan: str, body: IssueIn) -> Status:
    where = access(request, plan, Scope.ISSUES)
    owner = None
    if body.owner_role:
        owner = Role.objects.filter(plan=where.plan, slug=body.owner_role).first()
        if owner is None:
            raise FieldFault(["body", "owner_role"], f"No role “{body.owner_role[:80]}” in this plan.")
    with service_call("title"):
        issue = issue_open(
            where.plan,
            by=where.identity,
            title=body.title,
            severity=body.severity,
            description=body.description,
            owner_role=owner,
        )
    return Status(201, issue_out(issue))


def _issue(where: Any, number: int) -> Issue:
    issue = Issue.objects.select_related("plan", "owner_role").filter(plan=where.plan, number=number).first()
    if issue is None:
        raise HttpError(404, f"No issue #{number} in this plan.")
    return issue


@router.post(
    "/plans/{plan}/issues/{number}/acknowledge",
    response={200: IssueOut, **ERRORS},
    url_name="issue_acknowledge",
    auth=TokenAuth(Scope.ISSUES),
    summary="Acknowledge an issue",
    description="Scope `issues`. Stops its response SLA and its escalation. Only an open issue: a second call "
    "is a 409 and changes nothing.",
)
def issue_ack(request: HttpRequest, plan: str, number: int) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    with service_call():
        issue = issue_acknowledge(_issue(where, number), by=where.identity)
    return issue_out(issue)


@router.post(
    "/plans/{plan}/issues/{number}/resolve",
    response={200: IssueOut, **ERRORS},
    url_name="issue_resolve",
    auth=TokenAuth(Scope.ISSUES),
    summary="Resolve an issue",
    description="Scope `issues`. From open, acknowledged or mitigating; resolving an unacknowledged issue "
    "acknowledges it too. `root_cause` is optional here, needed to close. A resolved issue is a 409.",
)
def issue_done(request: HttpRequest, plan: str, number: int, body: ResolutionIn) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    with service_call("resolution"):
        issue = issue_resolve(
            _issue(where, number), by=where.identity, resolution=body.resolution, root_cause=body.root_cause
        )
    return issue_out(issue)


def _trigger(where: Any, trigger: str) -> RollbackTrigger:
    queryset = RollbackTrigger.objects.filter(plan=where.plan).select_related("plan", "metric")
    return _find(queryset, trigger, "description", "rollback trigger")  # type: ignore[no-any-return]


@router.post(
    "/plans/{plan}/rollback-triggers/{trigger}/raise",
    response={200: TriggerOut, **ERRORS},
    url_name="trigger_raise",
    auth=TokenAuth(Scope.ISSUES),
    summary="Raise (pull) a discretionary rollback trigger",
    description="Scope `issues`. An automatic trigger is raised by its metric's readings (409 here). Idempotent.",
)
def trigger_up(request: HttpRequest, plan: str, trigger: str, body: ReasonIn) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    with service_call("reason"):
        found = rollback_trigger_raise(_trigger(where, trigger), by=where.identity, reason=body.reason)
    return trigger_out(found)


@router.post(
    "/plans/{plan}/rollback-triggers/{trigger}/clear",
    response={200: TriggerOut, **ERRORS},
    url_name="trigger_clear",
    auth=TokenAuth(Scope.ISSUES),
    summary="Clear a raised rollback trigger",
    description="Scope `issues`. Clearing a clear trigger changes nothing.",
)
def trigger_down(request: HttpRequest, plan: str, trigger: str, body: ReasonIn) -> dict[str, Any]:
    where = access(request, plan, Scope.ISSUES)
    with service_call("reason"):
        found = rollback_trigger_clear(_trigger(where, trigger), by=where.identity, reason=body.reason)
    return trigger_out(found)


def _step(where: Any, step: str) -> Step:
    return _find(Step.objects.filter(plan=where.plan), step, "name", "step")  # type: ignore[no-any-return]


def _step_result(step: Model) -> dict[str, Any]:
    """The step as the live state shows it, with its forecast (it was null in a write's answer)."""
    fresh = Step.objects.select_related("plan", "lead_role").get(pk=step.pk)
    forecast = plan_forecast(fresh.plan, now=timezone.now())
    return step_out(fresh, forecast.steps.get(fresh.pk))


@router.post(
    "/plans/{plan}/steps/{step}/start",
    response={200: StepOut, **ERRORS},
    url_name="step_start",
    auth=TokenAuth(Scope.STEPS),
    summary="Start a step",
    description="Scope `steps`. `{step}` is the step's id or the slug of its name. 409 while a step or gate it "
    "waits for is not done. Starting a started step changes nothing.",
)
def step_go(request: HttpRequest, plan: str, step: str) -> dict[str, Any]:
    where = access(request, plan, Scope.STEPS)
    with service_call():
        done = step_start(_step(where, step), by=where.identity)
    return _step_result(done)


@router.post(
    "/plans/{plan}/steps/{step}/finish",
    response={200: StepOut, **ERRORS},
    url_name="step_finish",
    auth=TokenAuth(Scope.STEPS),
    summary="Finish a step (“deploy done”)",
    description="Scope `steps`. 409 for a step that has not started. Finishing a finished step changes nothing.",
)
def step_done(request: HttpRequest, plan: str, step: str, body: NoteIn | None = None) -> dict[str, Any]:
    where = access(request, plan, Scope.STEPS)
    with service_call("note"):
        done = step_finish(_step(where, step), by=where.identity, note=body.note if body else "")
    return _step_result(done)
