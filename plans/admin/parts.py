"""The rest of plans' models: phases, steps, risks, metrics and their triggers, and the read-only launch state."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from launchcontrol.http import error_text

from ..models import (
    Event,
    Hold,
    KioskLink,
    MetricReading,
    Phase,
    Risk,
    RollbackTrigger,
    Step,
    SuccessMetric,
)
from ..offsets import format_offset
from ..services import TransitionError, hold_end, plan_reschedule
from .scope import PlanEventMixin, PlanScopedAdmin, ReadOnlyAdmin, actor
from .timing import TimingFieldsMixin


@admin.register(Phase)
class PhaseAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "plan", "order", "start_offset", "end_offset")
    list_filter = ("plan",)
    search_fields = ("name", "description", "plan__name")


@admin.register(Step)
class StepAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "plan", "phase", "at", "duration", "lead_role", "status")
    list_filter = ("plan", "status", ("lead_role", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "description", "verify", "rollback", "plan__name")
    filter_horizontal = ("depends_on",)
    raw_id_fields = ("plan",)
    # Started and finished through checklists.services.step_start/step_finish, which set the times.
    readonly_fields = ("status", "actual_start", "actual_finish", "recurring")  # recurring: set by the importer

    def view_on_site(self, obj: Step) -> str:
        return reverse("plans:step", args=[obj.plan.slug, obj.pk])

    @admin.display(description="Offset", ordering="offset")
    def at(self, obj: Step) -> str:
        return format_offset(obj.offset)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A step placed after others, or one they follow, moves them: their planned offsets are derived."""
        super().save_related(request, form, formsets, change)
        with transaction.atomic():
            plan_reschedule(form.instance.plan)


@admin.register(Risk)
class RiskAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("title", "plan", "probability", "impact", "owner_role")
    list_filter = ("plan", "probability", "impact")
    search_fields = ("title", "description", "rollback_plan", "plan__name")


class RollbackTriggerInline(PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = RollbackTrigger
    extra = 0
    fields = ("order", "description", "comparator", "threshold", "sustained_for", "raised_at")
    readonly_fields = ("raised_at",)


@admin.register(SuccessMetric)
class SuccessMetricAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "plan", "category", "comparator", "target", "unit", "window")
    list_filter = ("plan", "category")
    search_fields = ("name", "description", "plan__name")
    readonly_fields = ("run_ended_at",)  # live state: set when an alert that fed the metric resolves
    inlines = [RollbackTriggerInline]

    def view_on_site(self, obj: SuccessMetric) -> str:  # its readings
        return reverse("warroom:metric_readings", args=[obj.plan.slug, obj.pk])


@admin.register(RollbackTrigger)
class RollbackTriggerAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("description", "plan", "metric", "comparator", "threshold", "sustained_for", "raised_at")
    list_filter = ("plan", ("raised_at", admin.EmptyFieldListFilter))
    search_fields = ("description", "plan__name")


@admin.register(MetricReading)
class MetricReadingAdmin(ReadOnlyAdmin, PlanScopedAdmin, admin.ModelAdmin):
    """Readings are recorded on the metrics page (plans.services.reading_record judges the rollback
    triggers and bumps the revision), so here they are read-only."""

    plan_field = "metric__plan"
    list_display = ("metric", "value", "recorded_at", "recorded_by")
    list_filter = ("metric__plan",)
    search_fields = ("metric__name",)
    date_hierarchy = "recorded_at"


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin, PlanScopedAdmin, admin.ModelAdmin):
    """Holds start and end in the war room (they move T-0); here they are read-only, and the "End hold"
    action ends an open one exactly as the war room does (plans.services.hold_end)."""

    list_display = ("plan", "reason", "started_at", "ended_at", "slip")
    list_filter = ("plan",)
    search_fields = ("reason", "plan__name")
    actions = ["end_hold"]

    @admin.action(description="End hold (T-0 slips by its length)")
    def end_hold(self, request: HttpRequest, queryset: QuerySet[Hold]) -> None:
        for hold in queryset.filter(ended_at__isnull=True).select_related("plan"):
            try:
                hold_end(hold.plan, by=actor(request))
            except (TransitionError, PermissionDenied) as exc:
                text = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{hold.plan.name}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{hold.plan.name}: hold ended, T-0 slipped.", messages.SUCCESS)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin, PlanScopedAdmin, admin.ModelAdmin):
    """The activity log is append-only."""

    list_display = ("at", "plan", "kind", "summary", "actor", "revision")
    list_filter = ("plan", "kind")
    search_fields = ("summary", "kind", "plan__name")
    date_hierarchy = "at"


@admin.register(KioskLink)
class KioskLinkAdmin(PlanScopedAdmin, admin.ModelAdmin):
    list_display = ("label", "plan", "created_by", "created_at", "revoked_at")
    list_filter = ("plan", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("label", "plan__name")
