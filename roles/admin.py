from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

from plans.admin import PlanAdmin, PlanEventMixin, PlanScopedAdmin, SummaryInline, TimingFieldsMixin

from .models import Contact, EscalationLevel, Role, Rota, Shift


class RoleInline(SummaryInline, PlanScopedAdmin, TimingFieldsMixin, admin.TabularInline):
    """Who holds each role, read-only: "Assign people" (roles/admin_assign.py) sets them all on one page."""

    model = Role
    fields = readonly_fields = ("name", "team", "primary", "backup")
    related = ("primary", "backup")


PlanAdmin.inlines = [*PlanAdmin.inlines, RoleInline]


@admin.register(Role)
class RoleAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "plan", "team", "primary", "backup", "phone", "email")
    list_filter = ("plan", "team")
    search_fields = ("name", "slug", "team", "summary", "plan__name", "primary__username", "backup__username")
    autocomplete_fields = ("primary", "backup")
    prepopulated_fields = {"slug": ("name",)}

    def view_on_site(self, obj: Role) -> str:  # the role's page
        return reverse("checklists:role", args=[obj.plan.slug, obj.slug])


@admin.register(Contact)
class ContactAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("label", "name", "kind", "organisation", "phone", "email", "plan")
    list_filter = ("plan", "kind")
    search_fields = ("label", "name", "organisation", "email", "plan__name")


@admin.register(EscalationLevel)
class EscalationLevelAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("level", "name", "after", "until", "condition", "plan")
    list_filter = ("plan",)
    search_fields = ("name", "condition", "notes", "plan__name")
    filter_horizontal = ("roles",)


@admin.register(Shift)
class ShiftAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    """On-call shifts (issue 16): who is on call for a role from when to when, and their backup. A plan
    file's ``rota:`` made them; edit them here (the export then writes them as ``shifts:``)."""

    list_display = ("role", "start", "end", "person", "backup", "plan")
    list_filter = ("plan", "role")
    search_fields = ("role__name", "person__username", "backup__username", "plan__name")
    autocomplete_fields = ("person", "backup")
    offset_fields = ("start", "end")


@admin.register(Rota)
class RotaAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    """The rota a plan file wrote, read-only: the shifts are what counts (edit them under On-call shifts)."""

    list_display = ("role", "start", "until", "length", "plan")
    list_filter = ("plan",)
    readonly_fields = ("plan", "role", "start", "until", "length", "people", "backups")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
