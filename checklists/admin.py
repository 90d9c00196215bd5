from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from plans.admin import (
    PlanAdmin,
    PlanEventMixin,
    PlanScopedAdmin,
    ReadOnlyAdmin,
    SummaryInline,
    TimingFieldsMixin,
    actor,
)
from plans.offsets import format_offset

from .models import Checklist, Gate, Item, NoGoTrigger, Recurrence, Vote
from .services import checklist_items_save, step_recurrence_problems, step_recurring_sync

if TYPE_CHECKING:
    from django.forms.models import BaseInlineFormSet


class ChecklistInline(SummaryInline, PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Checklist
    fields = readonly_fields = ("order", "name", "role", "phase")
    related = ("role", "phase")


class GateInline(SummaryInline, PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Gate
    fields = readonly_fields = ("order", "name", "kind", "when", "authority_role", "status")
    related = ("authority_role",)


PlanAdmin.inlines = [*PlanAdmin.inlines, ChecklistInline, GateInline]


class ItemInline(PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    model = Item
    extra = 0
    fields = ("order", "title", "section", "owner_role", "step", "gate", "due_offset", "required", "status")
    readonly_fields = ("status",)

    def get_formset(
        self, request: HttpRequest, obj: Any = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Any, Any, Any]]:
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            fields: dict[str, Any] = formset.form.base_fields
            for name in ("owner_role", "step", "gate"):
                fields[name].queryset = fields[name].queryset.filter(plan=obj.plan)
        return formset


@admin.register(Checklist)
class ChecklistAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "plan", "role", "phase", "order")
    list_filter = ("plan", ("role", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "description", "plan__name")
    inlines = [ItemInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        items = formset.save(commit=False)
        checklist_items_save(form.instance, by=actor(request), saved=items, deleted=list(formset.deleted_objects))
        formset.save_m2m()


@admin.register(Item)
class ItemAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("title", "checklist", "owner_role", "due", "required", "status", "plan")
    list_filter = ("plan", ("owner_role", admin.RelatedOnlyFieldListFilter), "status", "required")
    search_fields = ("title", "section", "note", "checklist__name", "plan__name")
    list_select_related = ("checklist", "owner_role", "plan")
    raw_id_fields = ("checklist", "step", "gate")
    # Ticked and reopened on the role page (checklists.services.item_tick/item_reopen), never here.
    readonly_fields = ("plan", "status", "done_at", "done_by", "version")

    @admin.display(description="Due", ordering="due_offset")
    def due(self, obj: Item) -> str:
        return "" if obj.due_offset is None else format_offset(obj.due_offset)

    def save_model(self, request: HttpRequest, obj: Item, form: Any, change: bool) -> None:
        obj.plan_id = obj.checklist.plan_id
        super().save_model(request, obj, form, change)


class NoGoTriggerInline(PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    plan_field = "gate__plan"
    model = NoGoTrigger
    extra = 0
    fields = ("order", "description", "raised", "raised_at")
    readonly_fields = ("raised", "raised_at")


class CriterionInline(PlanScopedAdmin, admin.TabularInline):
    model = Item
    fk_name = "gate"
    extra = 0
    verbose_name = "criterion"
    verbose_name_plural = "criteria (checklist items of this gate)"
    fields = ("title", "checklist", "status")
    readonly_fields = ("title", "checklist", "status")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Gate)
class GateAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "plan", "kind", "offset", "authority_role", "status", "decision")
    list_filter = ("plan", "kind", "status")
    search_fields = ("name", "slug", "description", "plan__name")
    filter_horizontal = ("polled_roles",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("status", "poll_round", "decision", "decided_at", "decided_by", "decision_reason")
    inlines = [CriterionInline, NoGoTriggerInline]

    def view_on_site(self, obj: Gate) -> str:
        return reverse("checklists:gate", args=[obj.plan.slug, obj.slug])


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin, PlanScopedAdmin, admin.ModelAdmin):
    """Votes are cast on the gate page, through checklists.services.vote_cast: read-only here."""

    plan_field = "gate__plan"
    list_display = ("gate", "role", "poll_round", "vote", "voted_by", "voted_at")
    list_filter = ("gate__plan", "vote")
    search_fields = ("gate__name", "role__name", "comment")


@admin.register(Recurrence)
class RecurrenceAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    """How a recurring item or step repeats (issue 16): every (an interval) or times (clock times), from, until."""

    list_display = ("item", "step", "every", "times", "start", "until", "grace", "plan")
    list_filter = ("plan",)
    search_fields = ("item__title", "step__name", "plan__name")
    raw_id_fields = ("item", "step")
    offset_fields = ("start", "until")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = RecurrenceForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():  # the step's flag follows its recurrence (a moved one frees its old step)
            super().save_model(request, obj, form, change)
            step_recurring_sync(obj.plan_id)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        plan_id = obj.plan_id
        with transaction.atomic():
            super().delete_model(request, obj)
            step_recurring_sync(plan_id)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        plan_ids = set(queryset.values_list("plan_id", flat=True))
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            for plan_id in plan_ids:
                step_recurring_sync(plan_id)


class RecurrenceForm(forms.ModelForm):  # type: ignore[type-arg]
    """A step given a recurrence leaves every chain of steps, as the plan file's checks require."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        step, item = data.get("step"), data.get("item")
        if step is not None and item is not None:
            raise ValidationError("A recurrence repeats an item or a step, not both.")
        plan = data.get("plan")
        for part in (step, item):
            if part is not None and plan is not None and part.plan_id != plan.pk:
                raise ValidationError(f"“{part}” belongs to another plan.")
        if step is not None and (problems := step_recurrence_problems(step)):
            raise ValidationError(f"“{step.name}” cannot repeat: " + "; ".join(problems) + ".")
        return data
