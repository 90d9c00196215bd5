"""The readiness pages (issue 13): the plan's summary (``/plans/<plan>/readiness/``), a track's page with
its attendance (recorded by hand or from an attendance sheet) and the readiness items' ticks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import AuthenticatedHttpRequest, error_text
from launchcontrol.kept import refuse
from plans.models import Plan
from plans.viewtools import live_etag, live_page, member_plan

from . import services
from .models import Attendee, ReadinessItem, Session
from .selectors import readiness_summary, track_for
from .selectors import track_page as track_data
from .sheet import MAX_BYTES


@login_required
@require_GET
@member_plan
def summary_page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    ctx = readiness_summary(plan, user=request.user)
    etag = live_etag(request, plan)  # the live part's first fetch is a 304 while nothing changed
    return render(request, "readiness/summary.html", {"plan": plan, "nav": "readiness", "etag": etag, **ctx})


@login_required
@require_GET
@member_plan
@live_page
def summary_live(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """The summary's figures (per audience, per role), fetched by htmx when pushed or polled
    (static/js/live.js): 304 while nothing changed (live_page), so a tick or an attendance recorded
    elsewhere shows on the open page without a reload."""
    ctx = readiness_summary(plan, user=request.user)
    return render(request, "readiness/summary.html#live", {"plan": plan, **ctx})


@login_required
@require_GET
@member_plan
def track_page(request: AuthenticatedHttpRequest, plan: Plan, track: str) -> HttpResponse:
    ctx = track_data(plan, track_for(plan, track), user=request.user)
    etag = live_etag(request, plan)  # the live part's first fetch is a 304 while nothing changed
    return render(request, "readiness/track.html", {"plan": plan, "nav": "readiness", "etag": etag, **ctx})


@login_required
@require_GET
@member_plan
@live_page
def track_live(request: AuthenticatedHttpRequest, plan: Plan, track: str) -> HttpResponse:
    """A track's figure, sessions and attendees, fetched by htmx when pushed or polled (static/js/live.js):
    304 while nothing changed, so attendance another trainer records shows on the open page."""
    ctx = track_data(plan, track_for(plan, track), user=request.user)
    return render(request, "readiness/track.html#live", {"plan": plan, **ctx})


@login_required
@require_POST
@member_plan
def attendance_record(request: AuthenticatedHttpRequest, plan: Plan, track: str, pk: int) -> HttpResponse:
    track_obj = track_for(plan, track)
    attendee = get_object_or_404(Attendee, track=track_obj, pk=pk)
    session = None
    if raw := request.POST.get("session", "").strip():
        if not raw.isdigit():
            refuse(request, "Choose a session of this track.")
            return redirect("readiness:track", plan.slug, track_obj.slug)
        session = Session.objects.filter(track=track_obj, pk=int(raw)).first()
        if session is None:
            refuse(request, "Choose a session of this track.")
            return redirect("readiness:track", plan.slug, track_obj.slug)
    completed = request.POST.get("completed") == "1"
    try:
        services.attendance_record(
            attendee, by=request.user, completed=completed, session=session, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, f"{attendee.name}: {'completed' if completed else 'not completed'}.")
    return redirect(f"{_track_url(plan, track_obj.slug)}#attendee-{attendee.pk}")


def _track_url(plan: Plan, slug: str) -> str:
    return reverse("readiness:track", args=[plan.slug, slug])


def _sheet_text(request: AuthenticatedHttpRequest) -> str:
    upload = request.FILES.get("sheet")
    if upload is None:
        return str(request.POST.get("text", ""))
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError("The sheet is larger than 1 MB.")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("The sheet is not UTF-8 text (save it as CSV UTF-8).") from exc


@login_required
@require_POST
@member_plan
def sheet_upload(request: AuthenticatedHttpRequest, plan: Plan, track: str) -> HttpResponse:
    """An attendance sheet (CSV file, or pasted): every row is recorded, or none, each bad line named."""
    track_obj = track_for(plan, track)
    try:
        services.require_recorder(request.user, track_obj)
        changed = services.attendance_import(track_obj, by=request.user, text=_sheet_text(request))
    except ValidationError as exc:
        for line in exc.messages:
            refuse(request, line)
    else:
        messages.success(request, f"Attendance sheet recorded: {changed} attendee(s) changed.")
    return redirect("readiness:track", plan.slug, track_obj.slug)


@login_required
@require_POST
@member_plan
def attendees_upload(request: AuthenticatedHttpRequest, plan: Plan, track: str) -> HttpResponse:
    """A participant list (CSV file, or pasted) for the track's expected attendees: every row, or none."""
    track_obj = track_for(plan, track)
    try:
        services.require_role(request.user, track_obj.lead_role, plan=plan)
        added, updated = services.attendees_import(track_obj, by=request.user, text=_sheet_text(request))
    except ValidationError as exc:
        for line in exc.messages:
            refuse(request, line)
    else:
        messages.success(request, f"Participant list imported: {added} added, {updated} updated.")
    return redirect("readiness:track", plan.slug, track_obj.slug)


@login_required
@require_POST
@member_plan
def item_set(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    item = get_object_or_404(ReadinessItem.objects.select_related("role"), plan=plan, pk=pk)
    done = request.POST.get("done") == "1"
    try:
        services.readiness_item_set(item, by=request.user, done=done, note=request.POST.get("note", ""))
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, f"{item.title}: {'done' if done else 'not done'}.")
    return redirect(f"{_summary_url(plan)}#ritem-{item.pk}")


def _summary_url(plan: Plan) -> str:
    return reverse("readiness:summary", args=[plan.slug])
