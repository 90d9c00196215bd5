from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Launch review"

    def ready(self) -> None:
        from plans.closing import register_exemption, register_open_items

        from .selectors import follow_up_items
        from .services import _follow_up_exempt

        register_exemption(_follow_up_exempt)  # an ended launch's follow-up actions may still be ticked
        register_open_items(follow_up_items)  # ... and their role pages still offer the tick
