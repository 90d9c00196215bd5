"""The comms role's page for the status page (sign-in): set component states, review and publish the drafts
prepared when an alarm fired or a critical issue opened, open incidents and post their updates."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import refuse
from plans.models import Plan
from plans.viewtools import member_plan

from . import services
from .forms import ComponentForm, IncidentForm, UpdateForm, component_states
from .models import Component, Incident, IncidentKind, Subscriber, SubscriberState
from .services import subscribers as subscriber_services
from .states import UNRESOLVED

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
@require_GET
@member_plan
def page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    incidents = Incident.objects.filter(plan=plan, kind=IncidentKind.INCIDENT, discarded_at__isnull=True)
    components = list(Component.objects.filter(plan=plan))
    ctx = {
        "plan": plan,
        "nav": "communications",
        "can_post": services.can_post(request.user, plan),
        "components": components,
        "drafts": list(incidents.filter(published_at__isnull=True).prefetch_related("components")),
        "open": list(incidents.filter(published_at__isnull=False, status__in=UNRESOLVED).prefetch_related("updates")),
        "incident_form": IncidentForm(),
        "update_form": UpdateForm(),
        "states": Component._meta.get_field("status").choices,
    }
    return render(request, "statuspage/manage.html", ctx)


def _act(request: AuthenticatedHttpRequest, plan: Plan, act: Callable[[], object], done: str) -> HttpResponse:
    try:
        act()
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, done)
    return redirect("statuspage:manage", plan=plan.slug)


def _ids(plan: Plan) -> list[int]:
    return list(Component.objects.filter(plan=plan).values_list("pk", flat=True))


@login_required
@require_POST
@member_plan
def component(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    obj = get_object_or_404(Component, pk=pk, plan=plan)
    form = ComponentForm(request.POST)
    if not form.is_valid():
        services.require_poster(request.user, plan)
        refuse(request, "Choose one of the states.")
        return redirect("statuspage:manage", plan=plan.slug)
    status = form.cleaned_data["status"]
    return _act(
        request,
        plan,
        lambda: services.component_set_status(obj, by=request.user, status=status),
        f"{obj.name}: {dict(form.fields['status'].choices)[status]}",  # type: ignore[attr-defined]
    )


def _incident_post(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    form: IncidentForm | UpdateForm,
    refused: str,
    write: Callable[..., object],
    done: str,
) -> HttpResponse:
    """A form of the incident kind: refused with ``refused`` when it does not validate (after the poster's
    permission, so a stranger learns nothing from the message), else ``write(component_states=..., **fields)``."""
    if not form.is_valid():
        services.require_poster(request.user, plan)
        refuse(request, refused)
        return redirect("statuspage:manage", plan=plan.slug)
    states = component_states(request.POST, _ids(plan))
    return _act(request, plan, lambda: write(by=request.user, component_states=states, **form.cleaned_data), done)


@login_required
@require_POST
@member_plan
def incident_new(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    return _incident_post(
        request,
        plan,
        IncidentForm(request.POST),
        "An incident needs a title, a stage, an impact and the text customers read.",
        lambda **kw: services.incident_create(plan, **kw),
        "Published on the status page.",
    )


@login_required
@require_POST
@member_plan
def incident_update(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk, plan=plan)
    return _incident_post(
        request,
        plan,
        UpdateForm(request.POST),
        "An update needs a stage and the text customers read.",
        lambda **kw: services.incident_update_post(incident, **kw),
        "Update published.",
    )


@login_required
@require_POST
@member_plan
def incident_publish(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk, plan=plan)
    return _incident_post(
        request,
        plan,
        IncidentForm(request.POST),
        "A draft needs a title, a stage, an impact and the text customers read.",
        lambda **kw: services.incident_publish(incident, **kw),
        "Draft published on the status page.",
    )


@login_required
@require_POST
@member_plan
def incident_discard(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk, plan=plan)
    return _act(request, plan, lambda: services.incident_discard(incident, by=request.user), "Draft discarded.")


#: The subscribers list shows at most this many rows (newest first); the counts are of all.
SUBSCRIBERS_SHOWN = 500


@login_required
@require_GET
@member_plan
def subscribers(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """The page's subscribers: counts by state for every member; the addresses only for those who manage
    the page (the comms role and the coordinator)."""
    from django.db.models import Count

    counts = dict(
        Subscriber.objects.filter(plan=plan).values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    can_post = services.can_post(request.user, plan)
    newest = Subscriber.objects.filter(plan=plan).prefetch_related("components")
    rows = list(newest[:SUBSCRIBERS_SHOWN]) if can_post else []
    ctx = {
        "plan": plan,
        "nav": "communications",
        "can_post": can_post,
        "counts": [(s.label, counts.get(s.value, 0)) for s in SubscriberState],
        "total": sum(counts.values()),
        "rows": rows,
        "shown": SUBSCRIBERS_SHOWN,
    }
    return render(request, "statuspage/subscribers.html", ctx)


@login_required
@require_POST
@member_plan
def subscriber_remove(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    sub = get_object_or_404(Subscriber, pk=pk, plan=plan)
    try:
        subscriber_services.subscriber_remove(sub, by=request.user)
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, "Subscriber removed: nothing more is sent to them.")
    return redirect("statuspage:subscribers", plan=plan.slug)
