from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.urls import reverse

from plans.admin import PlanEventMixin, PlanScopedAdmin, ReadOnlyAdmin
from plans.runbook.services import placeholders_mark_secret

from .forms import MessageAdminForm
from .models import Channel, Delivery, Message, Route, RoutePreference, StatusPost
from .routes.rules import placeholder_of, shown


@admin.register(Channel)
class ChannelAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ["name", "plan", "kind", "target", "purpose", "enabled"]
    list_filter = ["plan", "kind", "enabled"]
    search_fields = ["name", "target", "purpose", "plan__name"]


@admin.register(Message)
class MessageAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    form = MessageAdminForm
    list_display = ["name", "plan", "kind", "audience", "offset", "every", "count", "requires_approval", "enabled"]
    list_filter = ["plan", "kind", "audience", "requires_approval", "enabled"]
    search_fields = ["name", "subject", "body", "plan__name"]
    filter_horizontal = ["channels"]
    readonly_fields = ["approved_at", "approved_by"]

    def view_on_site(self, obj: Message) -> str:  # what its next send says
        return reverse("communications:preview", args=[obj.plan.slug, obj.pk])


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin, PlanScopedAdmin, admin.ModelAdmin):
    """Read-only: deliveries change through the outbox and the communications page."""

    list_display = ["due_at", "plan", "source_kind", "label", "recipient_label", "channel_kind", "status", "attempts"]
    list_filter = ["plan", "status", "channel_kind", "source_kind"]
    search_fields = ["label", "recipient_label", "subject"]
    date_hierarchy = "due_at"


@admin.register(StatusPost)
class StatusPostAdmin(PlanScopedAdmin, admin.ModelAdmin):
    list_display = ["published_at", "plan", "title"]
    list_filter = ["plan"]
    search_fields = ["title", "body"]


class RoutePreferenceInline(PlanScopedAdmin, admin.TabularInline):
    """Each person's choice on the route: from which severity (or off), and quiet hours."""

    plan_field = "route__plan"
    model = RoutePreference
    extra = 0
    fields = ("user", "severity", "quiet_from", "quiet_until")


class RouteForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Route
        fields = ["plan", "order", "name", "kind", "url", "key", "to", "events", "severity", "roles", "enabled"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        plan, roles = data.get("plan"), data.get("roles")
        if plan is not None and roles is not None and any(r.plan_id != plan.pk for r in roles):
            self.add_error("roles", "Choose roles of the route's own plan.")
        return data


@admin.register(Route)
class RouteAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    """A plan's notification routes (communications/routes/). URL and key hold only references to secrets
    ({{ placeholder }} or env:LC_ROUTE_…), so the list shows them as they are."""

    form = RouteForm
    list_display = ["name", "plan", "kind", "target", "severity", "enabled"]
    list_filter = ["plan", "kind", "enabled"]
    search_fields = ["name", "plan__name"]
    filter_horizontal = ["roles"]
    inlines = [RoutePreferenceInline]

    def save_model(self, request: Any, obj: Route, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        placeholders_mark_secret(obj.plan, [placeholder_of(obj.url) or "", placeholder_of(obj.key) or ""])

    @admin.display(description="URL or key")
    def target(self, obj: Route) -> str:
        return shown(obj.key if obj.kind == "pagerduty" else obj.url or obj.to)
