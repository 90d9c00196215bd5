from __future__ import annotations

from django.apps import AppConfig


class LaunchConfig(AppConfig):
    """The top of the house: what knows every app (the plan file format, the demo, the sample plan,
    the home page). Nothing imports it (see [tool.importlinter] in pyproject.toml)."""

    name = "launch"
    verbose_name = "Launch"
