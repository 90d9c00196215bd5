"""API tokens and alert routes in Django's admin, scoped like every plan admin to the plans the staff user
coordinates (plans.admin.PlanScopedAdmin).

- **Tokens** are made on the coordinator's API tokens page only, where the raw token is shown once: the
  admin cannot add one (a token made here would have to show its secret in an admin message), and it never
  shows the digest. It lists them (prefix, scopes, last use, expiry) and revokes them through the same
  service as the page (``api.services.token_revoke``: an event on the plan).
- **Alert routes** are edited here like the rest of a plan's definition (what ``alerts:`` in the plan file
  says); their metric, trigger and owner role are limited to the plan's own, and each write records an event.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from plans.admin import PlanEventMixin, PlanScopedAdmin, ReadOnlyAdmin, actor

from .models import AlertRoute, ApiToken
from .services import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin, PlanScopedAdmin, admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "plan",
        "scopes",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("plan", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "plan__name")
    fields = (
        "name",
        "plan",
        "prefix",
        "scopes",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "made_on",
    )
    readonly_fields = fields  # (the digest and the service identity are never shown)
    actions = ["revoke"]

    @admin.display(description="Make and revoke")
    def made_on(self, obj: ApiToken) -> str:
        url = reverse("api_tokens:list", args=[obj.plan.slug])
        return format_html('<a href="{}">the plan’s API tokens page</a> (a new token is shown once, there)', url)

    @admin.action(description="Revoke (its next call gets 401)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("plan"):
            try:
                token_revoke(token, by=actor(request))
            except PermissionDenied as exc:
                self.message_user(request, f"{token}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{token}: revoked.", messages.SUCCESS)


@admin.register(AlertRoute)
class AlertRouteAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("__str__", "plan", "order", "source", "action", "metric", "trigger", "severity", "owner_role")
    list_filter = ("plan", "source", "action")
    search_fields = ("alertname", "plan__name")
    fields = (
        "plan",
        "order",
        "alertname",
        "labels",
        "source",
        "action",
        "metric",
        "value",
        "trigger",
        "severity",
        "owner_role",
    )
