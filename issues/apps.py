from __future__ import annotations

from django.apps import AppConfig


class IssuesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "issues"

    def ready(self) -> None:
        from plans.event_links import register_event_link
        from plans.panels import register_role_section

        from .role_page import role_issues
        from .selectors import issue_links

        register_role_section("issues.open", "issues/_role_issues.html", role_issues)
        register_event_link("issue", issue_links)
