from __future__ import annotations

from django.apps import AppConfig


class LiveConfig(AppConfig):
    """The push channel: one server-sent-events stream per open page (live.views), fed by the plans'
    revision bumps after commit (live.channel) through one Redis subscription per process (live.hub)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "live"

    def ready(self) -> None:
        from plans.signals import plan_nudged, revision_committed

        from .channel import on_plan_nudged, on_revision_committed

        revision_committed.connect(on_revision_committed, dispatch_uid="live.channel")
        plan_nudged.connect(on_plan_nudged, dispatch_uid="live.channel.nudge")
