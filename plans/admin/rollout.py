"""The rollout's admin: who decides and its stages (name, traffic, soak, metrics that must hold), scoped to
the plans the staff user coordinates. Where the rollout stands (the stage under way, when it started, the
last rollback answer) is live state: read-only here, moved only by the rollout page and the API
(plans.rollout.services). The plan's admin shows the rollout as an inline with a link here."""

from __future__ import annotations

from django.contrib import admin

from ..models import Rollout, RolloutStage
from .plan import PlanAdmin
from .scope import PlanEventMixin, PlanScopedAdmin

LIVE = ("current", "stage_started_at", "stage_started_by", "answered_at")


class RolloutStageInline(PlanScopedAdmin, admin.TabularInline):
    model = RolloutStage
    plan_field = "rollout__plan"
    fields = ("order", "name", "percent", "soak", "metrics")
    filter_horizontal = ("metrics",)
    extra = 0


@admin.register(Rollout)
class RolloutAdmin(PlanScopedAdmin, PlanEventMixin, admin.ModelAdmin):
    list_display = ("plan", "authority_role", "current", "stage_started_at")
    list_filter = ("plan",)
    fields = ("plan", "authority_role", *LIVE)
    readonly_fields = LIVE
    inlines = [RolloutStageInline]


class RolloutInline(PlanScopedAdmin, admin.TabularInline):
    """On the plan's page: the rollout's authority and where it stands; its stages on its own page (the
    change link): Django has no inline within an inline."""

    model = Rollout
    fields = ("authority_role", *LIVE)
    readonly_fields = LIVE
    show_change_link = True
    extra = 0
    max_num = 1


PlanAdmin.inlines = [*PlanAdmin.inlines, RolloutInline]
