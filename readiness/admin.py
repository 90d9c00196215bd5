"""Readiness in the admin (issue 13): a training track with its sessions and expected attendees, and the
readiness items per role, scoped to the plans the staff user coordinates like every plan-owned admin. Who
completed a track and which items are done are recorded on the readiness pages (readiness.services:
attendance_record, readiness_item_set) and shown read-only here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from plans.admin import PlanEventMixin, PlanScopedAdmin, TimingFieldsMixin

from .models import Attendee, ReadinessItem, Session, Track

if TYPE_CHECKING:
    from django.forms.models import BaseInlineFormSet


def _same_plan(data: dict[str, Any], *names: str) -> None:
    """A role (or session) chosen in the form belongs to the row's plan, not another plan of the same user."""
    plan = data.get("plan")
    for name in names:
        target = data.get(name)
        if target is not None and plan is not None and target.plan_id != plan.pk:
            raise ValidationError({name: f"“{target}” belongs to another plan."})


class _OfTrack:
    """An inline whose role and session choices are those of the track's plan."""

    limited: tuple[str, ...] = ()

    def get_formset(
        self, request: HttpRequest, obj: Any = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Any, Any, Any]]:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        if obj is not None:
            fields: dict[str, Any] = formset.form.base_fields
            for name in self.limited:
                choices = fields[name].queryset
                fields[name].queryset = (
                    choices.filter(track=obj) if name == "session" else choices.filter(plan=obj.plan)
                )
        return formset


class SessionInline(_OfTrack, PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Session
    extra = 0
    fields = ("order", "title", "offset", "starts_at", "duration", "trainer_role", "capacity", "location")
    limited = ("trainer_role",)


class AttendeeInline(_OfTrack, PlanScopedAdmin, admin.TabularInline):
    plan_field = "track__plan"
    model = Attendee
    extra = 0
    fields = ("order", "name", "email", "session", "completed_at", "attended", "note")
    # Completion is recorded on the track's page (by hand or from an attendance sheet), never here.
    readonly_fields = ("completed_at", "attended", "note")
    limited = ("session",)


class TrackForm(forms.ModelForm):  # type: ignore[type-arg]
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _same_plan(data, "lead_role")
        return data


@admin.register(Track)
class TrackAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    form = TrackForm
    list_display = ("name", "plan", "lead_role", "order")
    list_filter = ("plan",)
    list_select_related = ("plan", "lead_role")
    search_fields = ("name", "slug", "description", "plan__name")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SessionInline, AttendeeInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for row in formset.save(commit=False):
            if isinstance(row, Session):
                row.plan_id = form.instance.plan_id  # a session's plan is its track's
            row.save()
        for row in formset.deleted_objects:
            row.delete()
        formset.save_m2m()


class ReadinessItemForm(forms.ModelForm):  # type: ignore[type-arg]
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _same_plan(data, "role")
        return data


@admin.register(ReadinessItem)
class ReadinessItemAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    form = ReadinessItemForm
    list_display = ("title", "role", "done", "plan", "order")
    list_filter = ("plan", ("role", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("plan", "role")
    search_fields = ("title", "note", "role__name", "plan__name")
    # Ticked by the role on its page or the readiness page (readiness.services.readiness_item_set), never here.
    readonly_fields = ("done_at", "done_by", "note")

    @admin.display(boolean=True, description="Done", ordering="done_at")
    def done(self, obj: ReadinessItem) -> bool:
        return obj.done_at is not None
