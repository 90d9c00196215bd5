from __future__ import annotations

from django.contrib import admin

from plans.admin import PlanEventMixin, PlanScopedAdmin, ReadOnlyAdmin

from .forms import MessageAdminForm
from .models import Channel, Delivery, Message, StatusPost


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
