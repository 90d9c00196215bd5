"""The admin for editing plans. Writes that matter to a live launch go through the service layer:
moving T-0 is :func:`plans.services.rebaseline`, a plan made from a template is
:func:`launch.services.importer.import_plan_text` (the plan-from-template page and the YAML export
live in launch/admin.py, the app that knows the plan format), and every other admin edit records an event so the
war room (which keys its caches on the plan's revision) sees it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from launchcontrol.http import error_text

from .models import (
    Event,
    Hold,
    KioskLink,
    MetricReading,
    Phase,
    Plan,
    Risk,
    RollbackTrigger,
    Step,
    SuccessMetric,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.forms.models import BaseInlineFormSet

from .offsets import OffsetError, format_duration, format_offset, parse_duration, parse_offset
from .services import TransitionError, event_record, hold_end, plan_rebaseline, plan_set_coordinator
from .validators import check_duration, check_offset


class _TimingField(forms.Field):
    """A duration written the way the plan format writes it: ``T-7d`` for an offset, ``2h30m`` for a length."""

    widget = forms.TextInput(attrs={"size": 10})

    def __init__(self, *, offset: bool, **kwargs: Any) -> None:
        self.offset = offset
        example = "e.g. T-7d, T-2h30m, T+0" if offset else "e.g. 30m, 2h, 1d"
        kwargs["help_text"] = f"{kwargs['help_text']} ({example})" if kwargs.get("help_text") else example
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, timedelta):
            return format_offset(value) if self.offset else format_duration(value)
        return value

    def to_python(self, value: Any) -> timedelta | None:
        if value in (None, ""):
            return None
        try:
            delta = (parse_offset if self.offset else parse_duration)(str(value)[:40])
            return check_offset(delta) if self.offset else check_duration(delta)
        except OffsetError as exc:
            raise forms.ValidationError(str(exc)) from None


OFFSET_FIELDS = {"offset", "start_offset", "end_offset", "due_offset"}


class TimingFieldsMixin:
    """Offsets and durations appear as ``T-7d`` / ``2h`` instead of Django's ``-7 00:00:00``; long text
    fields get small boxes so tabular inlines stay readable."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.DurationField):
            return _TimingField(
                offset=db_field.name in OFFSET_FIELDS,
                required=not db_field.blank,
                initial=db_field.get_default() if db_field.has_default() else None,
                label=db_field.verbose_name.capitalize(),
                help_text=db_field.help_text or None,
            )
        if isinstance(db_field, models.TextField) and isinstance(self, admin.options.InlineModelAdmin):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 40})
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


def actor(request: HttpRequest) -> User:
    return cast("User", request.user)


def plan_of(obj: Any) -> Plan | None:
    for attr in ("plan", "gate", "metric", "checklist"):
        target = getattr(obj, attr, None)
        if isinstance(target, Plan):
            return target
        if target is not None and attr != "plan":
            return plan_of(target)
    return None


# --- Scoping: a staff user administers the plans they coordinate --------------------------------------


def plan_path(model: type[models.Model]) -> str | None:
    """The lookup path from ``model`` to its plan ("" for the plan itself), or None if it has none."""
    if model is Plan:
        return ""
    for name in ("plan", "gate", "metric", "checklist"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # try the next way to the plan
        if not field.many_to_one or field.related_model is None:
            continue
        if field.related_model is Plan:
            return name
        rest = plan_path(cast("type[models.Model]", field.related_model))
        if rest:
            return f"{name}__{rest}"
    return None


def administers_every_plan(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def scope_to_coordinator(queryset: QuerySet[Any], path: str, request: HttpRequest) -> QuerySet[Any]:
    """Only the rows of plans the signed-in user coordinates (everything for a superuser)."""
    if administers_every_plan(request):
        return queryset
    return queryset.filter(**{f"{path}__coordinator" if path else "coordinator": request.user})


def _plan_for_scope(obj: Any) -> Plan | None:
    return obj if isinstance(obj, Plan) else plan_of(obj)


class PlanScopedAdmin:
    """Mixin for every ModelAdmin and inline of a plan's data: a staff user sees, edits and deletes only
    the rows of plans they coordinate, and every plan-owned choice in a form (a plan, role, phase, step,
    gate, channel…) is limited to those plans, so nothing can be attached to someone else's plan. A
    superuser sees everything. ``plan_field`` is the lookup path to the plan ("" for the plan itself);
    another plan's object is a 404, as if it did not exist."""

    plan_field: str = "plan"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scope_to_coordinator(queryset, self.plan_field, request)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is None:
            raise Http404("No such object, or not one of your plans.")
        return obj

    def _scoped_choices(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        related = db_field.related_model
        path = plan_path(related) if related is not None else None
        if path is None:
            return  # people and other global rows: not plan data
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
            if queryset is None:
                queryset = related._default_manager.all()
        kwargs["queryset"] = scope_to_coordinator(queryset, path, request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> Any:
        # The plain related filter would list every plan (and every role…) by name: list only those
        # that the visible rows point at.
        filters = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]
            if isinstance(entry, str):
                field = _field_at(self.model, entry)  # type: ignore[attr-defined]
                related = getattr(field, "related_model", None)
                if related is not None and plan_path(related) is not None:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None or administers_every_plan(request):
            return True
        plan = _plan_for_scope(obj)
        return plan is None or plan.coordinator_id == request.user.pk

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request, obj) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request, obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request, obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class ReadOnlyAdmin:
    """Live launch state (holds, readings, votes, deliveries, events) is shown, never edited, in the
    admin: it changes only through the services the pages call (an admin action may call one too).
    Put it before PlanScopedAdmin in the bases."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _field_at(model: type[models.Model], path: str) -> Any:
    field: Any = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # not a model field: leave the filter alone
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


class PlanEventMixin(TimingFieldsMixin):
    """Record an ``admin.changed``/``admin.deleted`` event on the owning plan for every admin write."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        plan = plan_of(obj)
        if plan is not None:
            verb = "changed" if change else "added"
            with transaction.atomic():
                event_record(
                    plan,
                    kind=f"admin.{verb}",
                    actor=actor(request),
                    summary=f"{obj._meta.verbose_name.capitalize()} “{obj}” {verb} in the admin",
                    data={"model": obj._meta.label, "pk": obj.pk, "fields": list(getattr(form, "changed_data", []))},
                )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        plan, label, name = plan_of(obj), obj._meta.verbose_name, str(obj)
        super().delete_model(request, obj)  # type: ignore[misc]
        if plan is not None and Plan.objects.filter(pk=plan.pk).exists():
            with transaction.atomic():
                event_record(
                    plan, kind="admin.deleted", actor=actor(request), summary=f"{label.capitalize()} “{name}” deleted"
                )


# --- Inlines on the plan ------------------------------------------------------------------------------


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

    def get_formset(
        self, request: HttpRequest, obj: Plan | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Any, Any, Any]]:
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


# --- The rest of plans' models ------------------------------------------------------------------------


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
    readonly_fields = ("status", "actual_start", "actual_finish")

    @admin.display(description="Offset", ordering="offset")
    def at(self, obj: Step) -> str:
        return format_offset(obj.offset)


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
    inlines = [RollbackTriggerInline]


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


__all__ = ["PlanAdmin", "PlanEventMixin", "PlanScopedAdmin", "ReadOnlyAdmin", "plan_of"]
