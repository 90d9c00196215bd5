from __future__ import annotations

from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "communications"

    def ready(self) -> None:
        from plans.timing import register_offset_field

        from .models import Message

        register_offset_field(Message, "offset")

        from . import routes, sources  # noqa: F401  (register the built-in delivery sources, then the routes')
        from .outbox import connect_signals

        connect_signals()

        from plans.event_links import register_event_link
        from plans.panels import register_role_part

        from .selectors import message_links
        from .sources.by_hand import by_hand_tasks

        register_role_part("communications.by_hand", by_hand_tasks)
        register_event_link("message", message_links)
