from __future__ import annotations

from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "statuspage"
    verbose_name = "Public status page"

    def ready(self) -> None:
        from . import signals

        signals.connect()

        from . import notify

        notify.connect()  # the subscribers' outbox source (registered on import), relevance and senders

        from plans.panels import register_role_part

        from .drafts import draft_tasks

        register_role_part("statuspage.drafts", draft_tasks)
