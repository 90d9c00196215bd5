"""The plan's own admin page, with its phase and step inlines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from launchcontrol.dates import moment_text

from ..closing import is_ended
from ..models import Phase, Plan, PlanStatus, Step
from ..offsets import format_duration, format_offset
from ..services import plan_rebaseline, plan_reschedule, plan_set_coordinator
from .scope import PlanEventMixin, PlanScopedAdmin, actor, administers_every_plan
from .timing import TimingFieldsMixin

if TYPE_CHECKING:
    pass


class PhaseInline(PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("order", "name", "start_offset", "end_offset", "description")


class SummaryInline:
    """Rows listed read-only on the plan's page, each with a link to its own page where it is edited (and
    added, from that model's list). The plan's page stays short and within a 1366 px screen, and builds no
    select of roles or phases per row: with every inline editable it was 14,000 px tall, 350 KB and took
    seconds to render and to save. Put it first in the bases; ``related`` is select_related."""

    extra = 0
    can_delete = False
    show_change_link = True
    related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return queryset.select_related(*self.related) if self.related else queryset

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="When")
    def when(self, obj: Any) -> str:
        offset = getattr(obj, "offset", None)
        return format_offset(offset) if offset is not None else "—"

    @admin.display(description="Duration")
    def length(self, obj: Any) -> str:
        duration = getattr(obj, "duration", None)
        return format_duration(duration) if duration else "—"


class StepInline(SummaryInline, PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Step
    fields = readonly_fields = ("order", "name", "phase", "when", "length", "lead_role", "status")
    related = ("phase", "lead_role")


# --- Plan -----------------------------------------------------------------------------------------


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "name", "slug", "summary", "status", "coordinator", "t0", "timezone", "clockless", "reminder_lead",
            "window_end",
            "source_template", "extra",
        ]  # fmt: skip
        help_texts = {"t0": "In UTC. Changing it re-baselines the plan: every planned time moves with it."}

    def clean_coordinator(self):  # type: ignore[no-untyped-def]
        coordinator = self.cleaned_data.get("coordinator")
        if coordinator is not None and not coordinator.is_active:
            raise forms.ValidationError("This account is inactive: choose an active user.")
        return coordinator

    def clean(self):  # type: ignore[no-untyped-def]
        """An ended launch's T-0 no longer moves (plans.services.plan_rebaseline refuses): said on the field."""
        cleaned = super().clean()
        if (
            self.instance.pk
            and "t0" in self.changed_data
            and is_ended(str(cleaned.get("status") or self.instance.status))
        ):
            self.add_error("t0", "The launch has ended (closed, aborted or rolled back): its T-0 no longer moves.")
        return cleaned


#: The states in which the admin deletes a plan: it never went live.
DELETABLE = frozenset({PlanStatus.DRAFT, PlanStatus.SCHEDULED})


@admin.register(Plan)
class PlanAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    plan_field = ""  # the plan itself: a staff user sees the plans they coordinate
    form = PlanForm
    list_display = ("name", "slug", "status", "t0", "timezone", "coordinator", "source_template", "revision")
    list_filter = ("status", "timezone", "source_template")
    search_fields = ("name", "slug", "summary")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("revision", "t0_local", "created_at", "updated_at")

    def view_on_site(self, obj: Plan) -> str:  # the admin's "View on site": the plan's page
        return reverse("plans:detail", args=[obj.slug])

    def get_readonly_fields(self, request: HttpRequest, obj: Plan | None = None) -> tuple[str, ...]:
        # The launch state moves only through plans.services.transition/hold_* (the war room's controls).
        fields = (*self.readonly_fields, "status") if obj is not None else self.readonly_fields
        # Who coordinates a plan decides whose admin it is in: only a superuser hands it over.
        return fields if administers_every_plan(request) else (*fields, "coordinator")

    autocomplete_fields = ("coordinator",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "summary", "status", "coordinator")}),
        ("Time", {"fields": ("t0", "timezone", "t0_local", "clockless", "reminder_lead", "window_end")}),
        ("Source", {"fields": ("source_template", "extra"), "classes": ("collapse",)}),
        ("Bookkeeping", {"fields": ("revision", "created_at", "updated_at"), "classes": ("collapse",)}),
    )
    # roles and checklists append their inlines here (see roles/admin.py, checklists/admin.py) so that
    # plans never imports them.
    inlines = [PhaseInline, StepInline]

    def has_delete_permission(self, request: HttpRequest, obj: Plan | None = None) -> bool:
        """A plan that never went live (a draft or a scheduled plan: a mistaken or duplicate import) may be
        deleted, with everything it holds; a launch that began keeps its record for its review."""
        if obj is not None and obj.status not in DELETABLE:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, set[str], Any]:
        """The plan's own rows go with it: their read-only admins (events, deliveries...) refuse deleting one on
        its own, not with their plan. A plan that began cannot be deleted (named, with why, in the refusal)."""
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        kept = {
            f"{plan} ({plan.get_status_display().lower()}: a launch that began keeps its record)"
            for plan in objs
            if plan.status not in DELETABLE
        }
        return deleted, counts, kept, protected

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        """After the steps are saved: the ones placed after others get their planned offsets again."""
        super().save_related(request, form, formsets, change)
        with transaction.atomic():
            plan_reschedule(form.instance)

    @admin.display(description="T-0 in the plan's zone")
    def t0_local(self, obj: Plan) -> str:
        if not obj.pk or not obj.dates_in_range:
            return "—"
        return moment_text(obj.local(obj.t0), year=True)

    def save_model(self, request: HttpRequest, obj: Plan, form: forms.ModelForm, change: bool) -> None:
        if not change:
            if not administers_every_plan(request):
                obj.coordinator = actor(request)  # a staff user's new plan is theirs
            super().save_model(request, obj, form, change)
            return
        # T-0 and the coordinator change through their services (each records its event); the rest here.
        saved = Plan.objects.values("t0", "coordinator_id").get(pk=obj.pk)
        new_t0 = obj.t0 if "t0" in form.changed_data else None
        hand_over = "coordinator" in form.changed_data
        new_coordinator = obj.coordinator if hand_over else None
        obj.t0, obj.coordinator_id = saved["t0"], saved["coordinator_id"]
        super().save_model(request, obj, form, change)
        if new_t0 is not None:
            plan_rebaseline(obj, new_t0=new_t0, by=actor(request), reason="changed in the admin", check=False)
        if hand_over:
            plan_set_coordinator(obj, by=actor(request), coordinator=new_coordinator)
        obj.refresh_from_db()
