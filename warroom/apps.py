from __future__ import annotations

from django.apps import AppConfig


class WarroomConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "warroom"

    def ready(self) -> None:
        from plans.buckets import register_time_bucket
        from plans.event_links import register_event_link

        from .buckets import current_bucket
        from .readings import metric_links

        # Every live page's ETag turns over when the board's does (an item late, an alarm due).
        register_time_bucket(current_bucket)
        register_event_link("metric", metric_links)
