"""The role page (laptops) and the gate page. Writes go through :mod:`checklists.services`; a write from
someone who may not make it raises ``PermissionDenied`` there and becomes a 403 with nothing changed."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition, require_GET, require_POST

from launchcontrol.http import error_text
from launchcontrol.kept import refuse
from plans.lateness import plan_clock
from plans.models import Plan
from plans.panels import role_sections, role_tasks
from plans.selectors import my_roles, plan_for
from plans.viewtools import live_etag, live_page, member_plan
from readiness.models import ReadinessItem
from readiness.selectors import role_items, role_readiness
from readiness.services import readiness_item_set
from roles.models import Role
from roles.pages import role_page_slug

from . import services
from .about import role_about
from .forms import DecisionForm, ItemSetForm, ReasonForm, VoteForm
from .models import NoGoTrigger
from .selectors import Unowned, gate_for, items_for_role, led_by, one_item_row, one_step_row, role_for, role_may
from .selectors import gate_page as gate_page_data
from .selectors import gate_poll as gate_poll_data
from .selectors import role_page as role_page_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from launchcontrol.http import AuthenticatedHttpRequest

    from .models import Gate


@login_required
@require_GET
@member_plan(allow_out_of_range=True)
def roles_index(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    """``/plans/<plan>/roles/``, a role page's URL trimmed: the viewer's own role page when they hold exactly
    one role in the plan (primary or backup), else the plan page's list of roles. Who may see it: as the plan page."""
    held = list(my_roles(request.user).filter(plan=plan).values_list("slug", flat=True)[:2])
    if len(held) == 1:
        return redirect(reverse("checklists:role", args=[plan.slug, held[0]]))
    return redirect(reverse("plans:detail", args=[plan.slug]) + "#roles")


@login_required
@member_plan
def role_page(request: AuthenticatedHttpRequest, plan: Plan, role: str) -> HttpResponse:
    chosen = role_page_slug(plan, request.GET.get("role"))  # the role switch's "Open" (a GET form: no JS needed)
    if chosen and chosen != role:
        return redirect(reverse("checklists:role", args=[plan.slug, chosen]))
    role_obj = role_for(plan, role)
    ctx = _live(plan, role_obj, request.user)
    etag = _rows_etag_for(request, plan)
    about = role_about(plan, role_obj)  # what the plan says about the role (issue 16)
    # its readiness items and the trainings it leads or gives (issue 13); none on the unowned page
    readiness = None if isinstance(role_obj, Unowned) else role_readiness(plan, role_obj)
    return render(
        request,
        "checklists/role.html",
        {"plan": plan, "nav": "role", "rows_etag": etag, "about": about, "readiness": readiness, **ctx},
    )


def _live(plan: Plan, role: Role | Unowned, user: Any) -> dict[str, Any]:
    """The role page's live part as of now: its rows and summary, what other apps show at its top (its open
    issues) and give it to do ("Also yours": posts by hand, status drafts), with the page and at each poll."""
    now = timezone.now()  # (the issues' SLAs count by it; "Also yours" by the plan's ``clock``: on hold, its start)
    ctx = role_page_data(plan, role, user=user, now=now) | {"tasks": role_tasks(plan, role, now), "now": now}
    return ctx | {"sections": role_sections(plan, role, user, now), "clock": plan_clock(plan, now)}


def _rows_etag_for(request: AuthenticatedHttpRequest, plan: Plan) -> str:
    """The role page's rows change with the plan's revision, the time slot (due, late: the minute, or the
    board's deadline that has just passed, so lateness shows on time) and the viewer."""
    return live_etag(request, plan)


def _rows_etag(request: AuthenticatedHttpRequest, plan: str, role: str) -> str:
    # condition() calls this with the URL's slug, before the view: the Plan is looked up (and the
    # membership checked) here once and handed to the view.
    obj = plan_for(request.user, plan)
    request._role_plan = obj  # type: ignore[attr-defined]
    return _rows_etag_for(request, obj)


@login_required
@require_GET
@condition(etag_func=_rows_etag)
def role_rows(request: AuthenticatedHttpRequest, plan: str, role: str) -> HttpResponse:
    """The role page's rows and summary, polled by the open page (304 while the plan is unchanged), so a
    tick by the backup or the coordinator shows on the primary's screen within seconds."""
    obj = getattr(request, "_role_plan", None) or plan_for(request.user, plan)
    ctx = _live(obj, role_for(obj, role), request.user)
    return render(request, "checklists/role.html#live-rows", {"plan": obj, "live": True, **ctx})


def _row_response(
    request: AuthenticatedHttpRequest, plan: Plan, role: Role | Unowned, kind: str, pk: int, message: str = ""
) -> HttpResponse:
    if not getattr(request, "htmx", False):
        if message:
            refuse(request, message)
        return redirect(reverse("checklists:role", args=[plan.slug, role.slug]) + f"#{kind}-{pk}")
    loader = one_item_row if kind == "item" else one_step_row
    row = loader(plan, role, pk, user=request.user, now=timezone.now())
    row.message = message
    if message and "note" in request.POST:  # refused (a stale page, a note too long): the note typed stays
        row.typed_note = request.POST.get("note", "")[:2000]
    return render(request, f"checklists/role.html#{kind}-row", {"plan": plan, "role": role, "row": row})


@login_required
@require_POST
@member_plan
def item_set(request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int) -> HttpResponse:
    """Tick, untick or annotate one item. The page sends the state it wants (not a toggle) and the
    row's version, so a double click records one event and a stale page cannot undo a newer change."""
    role_obj = role_for(plan, role)
    if not items_for_role(plan, role_obj).filter(pk=pk).exists():
        raise Http404("No such item on this role's page.")
    form = ItemSetForm(request.POST)
    message = ""
    if not form.is_valid():
        message = "That change was not understood; reload the page."
        if "note" in form.errors:  # too long, or a NUL character
            message = "Note: " + " ".join(str(e) for e in form.errors["note"])
    else:
        data = form.cleaned_data
        note = data["note"] if "note" in request.POST else None
        try:
            services.item_set_status(
                pk, by=request.user, status=data["status"], note=note, expected_version=data["version"]
            )
        except ValidationError as exc:
            message = error_text(exc)
    return _row_response(request, plan, role_obj, "item", pk, message)


@login_required
@require_POST
@member_plan
def occurrence_tick(request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int, index: int) -> HttpResponse:
    """Tick one occurrence of a recurring item (checklists.series); a role that does not own it gets 403."""
    note = request.POST.get("note", "")[:2000]
    return _item_write(request, plan, role, pk, partial(services.item_occurrence_tick, index=index, note=note))


@login_required
@require_POST
@member_plan
def occurrence_untick(request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int, index: int) -> HttpResponse:
    """Take back the tick of one occurrence (recorded with who ticked it and when); others get 403."""
    why = request.POST.get("reason", "")[:2000]
    return _item_write(request, plan, role, pk, partial(services.item_occurrence_untick, index=index, reason=why))


def _item_write(
    request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int, action: Callable[..., object]
) -> HttpResponse:
    """Run ``action(pk, by=user)`` on an item of the role's page (404 for an item not on it) and answer with
    its row, the service's refusal shown in it."""
    role_obj = role_for(plan, role)
    if not items_for_role(plan, role_obj).filter(pk=pk).exists():
        raise Http404("No such item on this role's page.")
    message = ""
    try:
        action(pk, by=request.user)
    except ValidationError as exc:
        message = error_text(exc)
    return _row_response(request, plan, role_obj, "item", pk, message)


@login_required
@require_POST
@member_plan
def step_occurrence_tick(request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int, index: int) -> HttpResponse:
    """Tick one occurrence of a recurring step; a role that does not lead it gets 403."""
    note = request.POST.get("note", "")[:2000]
    return _step_write(request, plan, role, pk, partial(services.step_occurrence_tick, index=index, note=note))


@login_required
@require_POST
@member_plan
def step_occurrence_untick(
    request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int, index: int
) -> HttpResponse:
    """Take back the tick of one occurrence of a recurring step; others get 403."""
    why = request.POST.get("reason", "")[:2000]
    return _step_write(request, plan, role, pk, partial(services.step_occurrence_untick, index=index, reason=why))


def _step_write(
    request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int, action: Callable[..., object]
) -> HttpResponse:
    from plans.models import Step

    role_obj = role_for(plan, role)
    step = get_object_or_404(Step.objects.filter(led_by(role_obj)).only("pk"), pk=pk, plan=plan)
    message = ""
    try:
        action(step, by=request.user)
    except ValidationError as exc:
        message = error_text(exc)
    return _row_response(request, plan, role_obj, "step", step.pk, message)


@login_required
@require_POST
@member_plan
def step_start(request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int) -> HttpResponse:
    return _step_write(request, plan, role, pk, services.step_start)


@login_required
@require_POST
@member_plan
def step_finish(request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _step_write(request, plan, role, pk, lambda step, by: services.step_finish(step, by=by, note=note))


@login_required
@require_POST
@member_plan
def readiness_set(request: AuthenticatedHttpRequest, plan: Plan, role: str, pk: int) -> HttpResponse:
    """Tick or untick one of the role's readiness items through readiness.services.readiness_item_set, which
    refuses (403) anyone but the role's primary, backup or the coordinator. Answers htmx with the row."""
    role_obj = role_for(plan, role)
    item = get_object_or_404(ReadinessItem.objects.select_related("role"), plan=plan, role_id=role_obj.pk, pk=pk)
    message = ""
    try:  # the page sends the state it wants (a double click records one event); the note is kept
        readiness_item_set(item, by=request.user, done=request.POST.get("done") == "1", note=item.note)
    except ValidationError as exc:
        message = error_text(exc)
    if not getattr(request, "htmx", False):
        if message:
            refuse(request, message)
        return redirect(reverse("checklists:role", args=[plan.slug, role_obj.slug]) + f"#ritem-{pk}")
    assert isinstance(role_obj, Role)  # the unowned page has no readiness items: 404 above
    items = role_items(plan, role_obj)  # the row, and the section's count (swapped out of band)
    done = sum(1 for i in items if i.done_at is not None)
    ctx = {"plan": plan, "role": role_obj, "can_act": role_may(request.user, role_obj), "message": message}
    ritem = next(i for i in items if i.pk == pk)
    return render(
        request,
        "checklists/role.html#readiness-row",
        {**ctx, "ritem": ritem, "oob": True, "done": done, "n": len(items)},
    )


@login_required
@require_GET
@member_plan
@live_page
def role_readiness_part(request: AuthenticatedHttpRequest, plan: Plan, role: str) -> HttpResponse:
    """The role page's "Readiness" section, fetched by htmx when pushed or polled (static/js/live.js): 304
    while nothing changed (live_page), so a tick by the backup shows on the primary's open page."""
    role_obj = role_for(plan, role)
    if isinstance(role_obj, Unowned):
        raise Http404("The page of work no role owns has no readiness section.")
    ctx = {"plan": plan, "role": role_obj, "can_act": role_may(request.user, role_obj)}
    return render(
        request, "checklists/role.html#readiness-section", {**ctx, "readiness": role_readiness(plan, role_obj)}
    )


# --- Gates ---------------------------------------------------------------------------------------------


@login_required
@member_plan
def gate_page(request: AuthenticatedHttpRequest, plan: Plan, gate: str) -> HttpResponse:
    gate_obj = gate_for(plan, gate).mark_overdue(plan, timezone.now())
    ctx = gate_page_data(plan, gate_obj, user=request.user)
    return render(request, "checklists/gate.html", {"plan": plan, "nav": "gate", **ctx})


@login_required
@require_GET
@member_plan
@live_page
def gate_poll(request: AuthenticatedHttpRequest, plan: Plan, gate: str) -> HttpResponse:
    """The live fragment of the gate page (criteria, triggers, votes, what blocks), fetched by htmx when
    pushed or polled: 304 while nothing changed (live_page)."""
    gate_obj = gate_for(plan, gate)
    ctx = gate_poll_data(plan, gate_obj, user=request.user)
    return render(request, "checklists/gate.html#poll", {"plan": plan, **ctx})


def _back_to_gate(plan: Plan, gate: Gate) -> HttpResponse:
    return redirect("checklists:gate", plan.slug, gate.slug)


def _gate_write(
    request: AuthenticatedHttpRequest, plan: Plan, gate: str, action: Callable[[Plan, Gate], object], success: str
) -> HttpResponse:
    gate_obj = gate_for(plan, gate)
    try:
        action(plan, gate_obj)
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, success)
    return _back_to_gate(plan, gate_obj)


@login_required
@require_POST
@member_plan
def gate_open_poll(request: AuthenticatedHttpRequest, plan: Plan, gate: str) -> HttpResponse:
    return _gate_write(
        request, plan, gate, lambda p, g: services.gate_open_poll(g, by=request.user), "The poll is open."
    )


@login_required
@require_POST
@member_plan
def vote_cast(request: AuthenticatedHttpRequest, plan: Plan, gate: str) -> HttpResponse:
    form = VoteForm(request.POST)

    def action(p: Plan, g: Gate) -> None:
        if not form.is_valid():
            raise ValidationError("Choose GO or NO-GO.")
        role = get_object_or_404(Role, pk=form.cleaned_data["role"], plan=p)
        services.vote_cast(
            g, role=role, by=request.user, vote=form.cleaned_data["vote"], comment=form.cleaned_data["comment"]
        )

    return _gate_write(request, plan, gate, action, "Your vote is recorded.")


@login_required
@require_POST
@member_plan
def gate_decide(request: AuthenticatedHttpRequest, plan: Plan, gate: str) -> HttpResponse:
    form = DecisionForm(request.POST)

    def action(p: Plan, g: Gate) -> None:
        if not form.is_valid():
            raise ValidationError("Choose GO or NO-GO.")
        services.gate_decide(
            g, by=request.user, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"]
        )

    return _gate_write(request, plan, gate, action, "The decision is recorded.")


@login_required
@require_POST
@member_plan
def gate_reopen(request: AuthenticatedHttpRequest, plan: Plan, gate: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _gate_write(
        request, plan, gate, lambda p, g: services.gate_reopen(g, by=request.user, reason=reason), "Gate reopened."
    )


def _trigger_write(
    request: AuthenticatedHttpRequest, plan: Plan, gate: str, pk: int, fn: Callable[..., NoGoTrigger], success: str
) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def action(p: Plan, g: Gate) -> None:
        trigger = get_object_or_404(NoGoTrigger, pk=pk, gate=g)
        fn(trigger, by=request.user, reason=reason)

    return _gate_write(request, plan, gate, action, success)


@login_required
@require_POST
@member_plan
def trigger_raise(request: AuthenticatedHttpRequest, plan: Plan, gate: str, pk: int) -> HttpResponse:
    return _trigger_write(request, plan, gate, pk, services.trigger_raise, "Trigger raised.")


@login_required
@require_POST
@member_plan
def trigger_clear(request: AuthenticatedHttpRequest, plan: Plan, gate: str, pk: int) -> HttpResponse:
    return _trigger_write(request, plan, gate, pk, services.trigger_clear, "Trigger cleared.")
