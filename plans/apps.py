from __future__ import annotations

from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"

    def ready(self) -> None:
        from .event_links import register_event_link, step_links
        from .models import Phase, Step
        from .timing import register_offset_field

        register_offset_field(Step, "offset")
        register_offset_field(Phase, "start_offset")
        register_offset_field(Phase, "end_offset")
        register_event_link("step", step_links)
