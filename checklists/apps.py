from __future__ import annotations

from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checklists"

    def ready(self) -> None:
        from plans.event_links import register_event_link
        from plans.guards import register_launch_caution, register_launch_guard
        from plans.panels import register_overview_part, register_role_part
        from plans.timing import register_gate_source, register_offset_field, register_series_source

        from .launch_guard import launch_caution, launch_guard
        from .models import Gate, Item, Recurrence
        from .plan_parts import gate_links, gate_tasks, plan_gates, plan_item_progress
        from .series.state import series_source
        from .timing import gate_source

        register_offset_field(Item, "due_offset")
        register_offset_field(Gate, "offset")
        register_offset_field(Recurrence, "start")
        register_offset_field(Recurrence, "until")
        register_overview_part("gates", plan_gates)
        register_overview_part("item_progress", plan_item_progress)
        register_role_part("checklists.gates", gate_tasks)
        register_gate_source(gate_source)
        register_series_source(series_source)
        register_launch_guard(launch_guard)
        register_launch_caution(launch_caution)
        register_event_link("gate", gate_links)
