"""Scoping: a staff user administers the plans they coordinate; every admin write records an event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from roles.people import people

from ..models import Plan
from ..services import event_record
from ..validators import NoControlCharacters, check_plain_data, visible_or_empty
from .timing import TimingFieldsMixin

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def actor(request: HttpRequest) -> User:
    return cast("User", request.user)


def plan_of(obj: Any) -> Plan | None:
    if isinstance(obj, Plan):
        return None  # (not its own reverse one-to-one, the rollout)
    for attr in ("plan", "gate", "metric", "checklist", "route", "rollout", "track"):
        target = getattr(obj, attr, None)
        if isinstance(target, Plan):
            return target
        if target is not None and attr != "plan":
            return plan_of(target)
    return None


def plan_path(model: type[models.Model]) -> str | None:
    """The lookup path from ``model`` to its plan ("" for the plan itself), or None if it has none."""
    if model is Plan:
        return ""
    for name in ("plan", "gate", "metric", "checklist", "route", "rollout", "track"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # try the next way to the plan
        if not (field.many_to_one or (field.one_to_one and field.concrete)) or field.related_model is None:
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
            if related is get_user_model():  # people: never the identities behind API tokens
                kwargs["queryset"] = people(kwargs.get("queryset"))
            return  # people and other global rows: not plan data
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)  # type: ignore[attr-defined]
            if queryset is None:
                queryset = related._default_manager.all()
        kwargs["queryset"] = scope_to_coordinator(queryset, path, request)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Text as the plan format and the services take it: no control characters (a tab pasted into a
        name, an escape sequence) or text-direction controls, which the export, the pages and the messages
        would otherwise carry; text with nothing visible is empty (so a required name says so)."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if field is None:
            return field
        if isinstance(db_field, models.CharField | models.TextField) and not db_field.choices:
            field.validators.append(NoControlCharacters(multiline=isinstance(db_field, models.TextField)))
            field.to_python = _visible(field.to_python, getattr(field, "empty_value", ""))
        elif isinstance(db_field, models.JSONField):
            field.validators.append(check_plain_data)  # what the plan format's ``extra:`` takes
        return field

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


def _visible(to_python: Any, empty: Any) -> Any:
    """``to_python`` that makes text with no visible character empty (plans.validators.visible_or_empty)."""

    def convert(value: Any) -> Any:
        text = to_python(value)
        return empty if visible_or_empty(text) == "" and text != "" else text

    return convert
