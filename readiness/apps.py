from __future__ import annotations

from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "readiness"

    def ready(self) -> None:
        from plans.timing import register_offset_field

        from .models import Session

        register_offset_field(Session, "offset")
