from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from plans.admin import PlanEventMixin, PlanScopedAdmin

from .models import Issue, IssueCategory, SeveritySLA


@admin.register(SeveritySLA)
class SeveritySLAAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("severity", "response_within", "resolve_within", "description", "plan")
    list_filter = ("plan", "severity")
    search_fields = ("description", "plan__name")


@admin.register(IssueCategory)
class IssueCategoryAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("name", "order", "plan")
    list_filter = ("plan",)
    search_fields = ("name", "plan__name")


@admin.register(Issue)
class IssueAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("number", "title", "severity", "status", "owner_role", "reported_at", "respond_by", "plan")
    list_filter = ("plan", "severity", "status", "category", ("owner_role", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "description", "resolution", "plan__name")
    date_hierarchy = "reported_at"
    readonly_fields = (
        "acknowledged_at",
        "acknowledged_by",
        "mitigating_at",
        "mitigating_by",
        "resolved_at",
        "resolved_by",
        "closed_at",
        "closed_by",
        "reopened_at",
        "reopen_count",
        "response_time",
        "resolution_time",
        "rollback_trigger",  # marked through issue_mark_rollback, which pulls the trigger
        "escalation_level",
    )

    def view_on_site(self, obj: Issue) -> str:  # #3 is /plans/<plan>/issues/3/
        return reverse("issues:detail", args=[obj.plan.slug, obj.number])
