from __future__ import annotations

from django.apps import AppConfig


class RolesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roles"

    def ready(self) -> None:
        from plans.timing import register_offset_field

        from .models import Rota, Shift

        # A hold pins what lay before it and slips the rest, a re-baseline moves everything: shifts (and
        # the rota they came from) are offsets like the steps, so they move with them (issue 16).
        register_offset_field(Shift, "start")
        register_offset_field(Shift, "end")
        register_offset_field(Rota, "start")
        register_offset_field(Rota, "until")
