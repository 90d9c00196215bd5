from __future__ import annotations

from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checklists"

    def ready(self) -> None:
        from plans.timing import register_offset_field

        from .models import Gate, Item

        register_offset_field(Item, "due_offset")
        register_offset_field(Gate, "offset")
