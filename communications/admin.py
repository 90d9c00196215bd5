from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from plans.admin import PlanEventMixin

from . import models


@admin.register(models.Channel)
class ChannelAdmin(PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "target", "purpose", "enabled", "plan")
    list_filter = ("plan", "kind", "enabled")
    search_fields = ("name", "target", "purpose", "plan__name")


@admin.register(models.Message)
class MessageAdmin(PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "audience", "offset", "every", "count", "requires_approval", "enabled", "plan")
    list_filter = ("plan", "kind", "audience", "requires_approval", "enabled")
    search_fields = ("name", "subject", "body", "plan__name")
    filter_horizontal = ("channels",)
    readonly_fields = ("approved_at", "approved_by")


if hasattr(models, "Delivery"):

    @admin.register(models.Delivery)
    class DeliveryAdmin(admin.ModelAdmin):
        list_display = ("label", "channel_kind", "due_at", "status", "attempts", "sent_at", "plan")
        list_filter = ("plan", "status", "channel_kind")
        search_fields = ("label", "recipient", "recipient_label", "subject", "error")
        date_hierarchy = "due_at"

        def has_add_permission(self, request: HttpRequest) -> bool:
            return False  # the outbox is filled by the scheduler


if hasattr(models, "StatusPost"):

    @admin.register(models.StatusPost)
    class StatusPostAdmin(admin.ModelAdmin):
        list_display = ("title", "published_at", "plan")
        list_filter = ("plan",)
        search_fields = ("title", "body")
