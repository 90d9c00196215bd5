from __future__ import annotations

from django.apps import AppConfig


class IssuesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "issues"

    def ready(self) -> None:
        from plans.panels import register_role_section

        from .role_page import role_issues

        register_role_section("issues.open", "issues/_role_issues.html", role_issues)
