from __future__ import annotations

from django.contrib import admin

from .models import Channel, Delivery, Message, StatusPost


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "kind", "target", "enabled"]
    list_filter = ["kind", "enabled"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "kind", "audience", "offset", "every", "count", "requires_approval", "enabled"]
    list_filter = ["kind", "audience", "requires_approval"]
    filter_horizontal = ["channels"]
    readonly_fields = ["approved_at", "approved_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries change through the outbox and the communications page."""

    list_display = ["due_at", "plan", "source_kind", "label", "recipient_label", "channel_kind", "status", "attempts"]
    list_filter = ["status", "channel_kind", "source_kind"]
    search_fields = ["label", "recipient_label", "subject"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatusPost)
class StatusPostAdmin(admin.ModelAdmin):
    list_display = ["published_at", "plan", "title"]
