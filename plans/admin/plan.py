"""The plan's own admin page, with its phase and step inlines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from ..models import Phase, Plan, Step
from ..services import plan_rebaseline, plan_set_coordinator
from .scope import PlanEventMixin, PlanScopedAdmin, actor, administers_every_plan
from .timing import TimingFieldsMixin


class PhaseInline(PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("order", "name", "start_offset", "end_offset", "description")


class StepInline(PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Step
    extra = 0
    fields = ("order", "name", "phase", "offset", "duration", "lead_role", "status")
    readonly_fields = ("status",)  # a step starts and finishes on the checklist pages (their times with it)
    show_change_link = True

    def get_formset(self, request: HttpRequest, obj: Plan | None = None, **kwargs: Any):  # type: ignore[override]
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            fields: dict[str, Any] = formset.form.base_fields
            fields["phase"].queryset = fields["phase"].queryset.filter(plan=obj)
            fields["lead_role"].queryset = fields["lead_role"].queryset.filter(plan=obj)
        return formset


# --- Plan -----------------------------------------------------------------------------------------


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "name", "slug", "summary", "status", "coordinator", "t0", "timezone", "reminder_lead",
            "source_template", "extra",
        ]  # fmt: skip
        help_texts = {"t0": "In UTC. Changing it re-baselines the plan: every planned time moves with it."}

    def clean_coordinator(self):  # type: ignore[no-untyped-def]
        coordinator = self.cleaned_data.get("coordinator")
        if coordinator is not None and not coordinator.is_active:
            raise forms.ValidationError("This account is inactive: choose an active user.")
        return coordinator


@admin.register(Plan)
class PlanAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    plan_field = ""  # the plan itself: a staff user sees the plans they coordinate
    form = PlanForm
    list_display = ("name", "slug", "status", "t0", "timezone", "coordinator", "source_template", "revision")
    list_filter = ("status", "timezone", "source_template")
    search_fields = ("name", "slug", "summary")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("revision", "t0_local", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Plan | None = None) -> tuple[str, ...]:
        # The launch state moves only through plans.services.transition/hold_* (the war room's controls).
        fields = (*self.readonly_fields, "status") if obj is not None else self.readonly_fields
        # Who coordinates a plan decides whose admin it is in: only a superuser hands it over.
        return fields if administers_every_plan(request) else (*fields, "coordinator")

    autocomplete_fields = ("coordinator",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "summary", "status", "coordinator")}),
        ("Time", {"fields": ("t0", "timezone", "t0_local", "reminder_lead")}),
        ("Source", {"fields": ("source_template", "extra"), "classes": ("collapse",)}),
        ("Bookkeeping", {"fields": ("revision", "created_at", "updated_at"), "classes": ("collapse",)}),
    )
    # roles and checklists append their inlines here (see roles/admin.py, checklists/admin.py) so that
    # plans never imports them.
    inlines = [PhaseInline, StepInline]

    @admin.display(description="T-0 in the plan's zone")
    def t0_local(self, obj: Plan) -> str:
        if not obj.pk or not obj.dates_in_range:
            return "—"
        return f"{obj.local(obj.t0):%a %d %b %Y %H:%M %Z}"

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
