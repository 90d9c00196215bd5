from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import refuse
from plans.models import Plan, link_days_default, link_days_max
from plans.permissions import can_coordinate, require_coordinator
from plans.viewtools import member_plan
from roles.models import Role
from roles.pages import role_page_slug
from roles.permissions import can_act_for_role

from . import services
from .channels import webhook_payload
from .forms import DeliveryActionForm, HandPostForm, StatusPostForm
from .health import outbox_warning
from .ical import feed_create, feed_for, feed_path, feed_revoke, manageable_feeds, role_calendar
from .models import CalendarFeed, ChannelKind, Delivery, Message
from .selectors import communications_page, decode_key
from .sources import message_specs, occurrence_at, occurrences, render_message, series_length
from .templating import MessageTemplateError

if TYPE_CHECKING:
    from collections.abc import Callable

    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
@member_plan
def page(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    ctx = communications_page(plan)
    ctx["is_coordinator"] = can_coordinate(request.user, plan)
    # "Mark posted" (and "Undo") on the posts by hand, for those who may (services.message_mark_posted)
    by_hand_role: Role | None = ctx["by_hand_role"]  # type: ignore[assignment]
    ctx["can_post_by_hand"] = bool(ctx["by_hand"]) and can_act_for_role(request.user, by_hand_role, plan=plan)
    # Links to fix a channel or a route in the admin, for a coordinator who may open it there.
    ctx["admin_fix"] = ctx["is_coordinator"] and request.user.is_staff
    ctx["outbox_warning"] = outbox_warning(plan)
    ctx["post_form"] = StatusPostForm()
    ctx["nav"] = "communications"
    roles: list[Role] = ctx.pop("calendar_roles")  # type: ignore[assignment]
    ctx["calendars"] = manageable_feeds(plan, request.user, roles)
    ctx["link_days_default"], ctx["link_days_max"] = link_days_default(), link_days_max()
    return render(request, "communications/page.html", ctx)


def _delivery_action(request: AuthenticatedHttpRequest, plan: Plan, action: Callable[..., Delivery]) -> HttpResponse:
    form = DeliveryActionForm(request.POST)
    if not form.is_valid():
        raise Http404("No such delivery.")
    raw_key = form.cleaned_data["key"]
    key = decode_key(raw_key) if raw_key else None
    if raw_key and key is None:  # malformed or forged (a year-1 date...): refused, nothing looked up
        require_coordinator(request.user, plan)
        refuse(request, "That delivery is not one this plan schedules; reload the page.")
        return redirect("communications:page", plan=plan.slug)
    try:
        row = action(plan, by=request.user, delivery_id=form.cleaned_data["delivery"], key=key)
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, f"{row.get_status_display()}: {row.label} → {row.recipient_label}")
    return redirect("communications:page", plan=plan.slug)


@login_required
@require_POST
@member_plan
def dismiss(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """Leave late sends unsent (``delivery``: one or more ids, a series' late sends at once)."""
    ids = [int(v) for v in request.POST.getlist("delivery") if v.isdigit() and len(v) < 19]
    try:
        n = services.delivery_leave_unsent(plan, by=request.user, delivery_ids=ids)
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, f"Left unsent: {n} late send{pluralize(n)}.")
    return redirect("communications:page", plan=plan.slug)


@login_required
@require_POST
@member_plan
def send_now(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    return _delivery_action(request, plan, services.delivery_send_now)


@login_required
@require_POST
@member_plan
def skip(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    return _delivery_action(request, plan, services.delivery_skip)


@login_required
@require_POST
@member_plan
def approve(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk, plan=plan)
    try:
        services.message_approve(message, by=request.user)
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, f"Approved: {message.name}")
    return redirect("communications:page", plan=plan.slug)


@login_required
@require_POST
@member_plan
def post_status(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    form = StatusPostForm(request.POST)
    if not form.is_valid():
        refuse(request, "A status post needs a title.")
        return redirect("communications:page", plan=plan.slug)
    try:
        services.status_post(plan, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, "Published on the status page.")
    return redirect("communications:page", plan=plan.slug)


@login_required
@require_GET
@member_plan
def preview(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    """Exactly what the message's next send would be, per channel, rendered from the live plan now. A template
    that does not render shows its error (with the line) instead of the text."""
    message = get_object_or_404(Message.objects.prefetch_related("channels"), pk=pk, plan=plan)
    now = timezone.now()
    n, at = next(occurrences(plan, message, after=now), None) or _last_send(plan, message)
    subject, body, error = "", "", ""
    try:
        subject, body = render_message(plan, message, occurrence=n, at=now)
    except MessageTemplateError as exc:
        error = str(exc)
    sends = []
    for spec in message_specs(plan, message, at - timedelta(microseconds=1), at):
        row = Delivery(plan=plan, subject=subject, body=body, channel_kind=spec.channel_kind, address=spec.address)
        row.pk = 0
        sends.append(
            {
                "spec": spec,
                "payload": webhook_payload(row) if spec.channel_kind == ChannelKind.WEBHOOK and not error else None,
            }
        )
    return render(
        request,
        "communications/preview.html",
        {
            "plan": plan,
            "message": message,
            "occurrence": n,
            "count": series_length(message),
            "at": at,
            "subject": subject,
            "body": body,
            "error": error,
            "sends": sends,
            "occurrences": list(itertools.islice(occurrences(plan, message), PREVIEW_OCCURRENCES)),
            "is_coordinator": can_coordinate(request.user, plan),
        },
    )


PREVIEW_OCCURRENCES = 50


def _last_send(plan: Plan, message: Message) -> tuple[int, datetime]:
    n = series_length(message)
    try:
        return n, occurrence_at(plan, message, n)
    except OverflowError:
        return 1, occurrence_at(plan, message, 1)


@require_GET
def ical(request: HttpRequest, plan: str, token: str) -> HttpResponse:
    """A role's feed for a calendar app: the token is the only credential, checked on every request."""
    obj = get_object_or_404(Plan, slug=plan)
    feed = feed_for(obj, token)
    if feed is None:
        raise Http404("No such calendar (the link was revoked, has expired or never existed).")
    role = feed.role
    response = HttpResponse(role_calendar(obj, role), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="{obj.slug}-{role.slug}.ics"'
    return response


@login_required
@require_POST
@member_plan
def calendar_create(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """Make a feed link for a role and show its URL, this once (only its hash is kept)."""
    role = get_object_or_404(Role, pk=_int(request.POST.get("role")), plan=plan)
    try:
        feed, token = feed_create(role, by=request.user, days=request.POST.get("days"))
    except ValidationError as exc:
        refuse(request, error_text(exc))
        return redirect(reverse("communications:page", args=[plan.slug]) + "#calendars")
    response = render(
        request,
        "communications/calendar_created.html",
        {"plan": plan, "role": role, "feed": feed, "url": request.build_absolute_uri(feed_path(plan, token))},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@member_plan
def calendar_revoke(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("role__plan"), pk=pk, role__plan=plan)
    feed_revoke(feed, by=request.user)
    messages.success(request, f"Calendar feed link for {feed.role.name} revoked: calendars using it stop updating.")
    return redirect(reverse("communications:page", args=[plan.slug]) + "#calendars")


def _int(value: str | None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise Http404("No such role.") from None
    if not 0 < number < 2**63:
        raise Http404("No such role.")
    return number


@login_required
@require_POST
@member_plan
def hand_post(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """Mark a send to a named-only channel posted by hand (or, with ``undo``, take a mistaken mark back), from its
    task on the communications role's page (or the page of unowned work): back to that page, else to the
    communications page."""
    form = HandPostForm(request.POST)
    back = role_page_slug(plan, request.POST.get("back"))
    if back is not None:
        to = reverse("checklists:role", args=[plan.slug, back]) + "#tasks"
    else:
        to = reverse("communications:page", args=[plan.slug]) + "#by-hand"
    if not form.is_valid():
        refuse(request, "That post was not understood; reload the page.")
        return redirect(to)
    data = form.cleaned_data
    write = services.message_unmark_posted if data["undo"] else services.message_mark_posted
    try:
        write(plan, by=request.user, message_id=data["message"], due_at=data["due"], recipient=data["recipient"])
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, "No longer marked posted." if data["undo"] else "Marked posted by hand.")
    return redirect(to)
