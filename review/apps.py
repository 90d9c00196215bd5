from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Launch review"

    def ready(self) -> None:
        from plans.closing import register_exemption

        from .services import _follow_up_exempt

        register_exemption(_follow_up_exempt)  # a closed launch's follow-up actions may still be ticked
