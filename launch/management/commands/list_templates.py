from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand

from launch.format import builtin_templates

if TYPE_CHECKING:
    from typing import Any


class Command(BaseCommand):
    help = "List the built-in plan templates (use one with: import_plan --template KEY --t0 ... --tz ...)."

    def handle(self, *args: Any, **opts: Any) -> None:
        for t in builtin_templates():
            self.stdout.write(f"{t.key}\t{t.name}\t{t.timezone or ''}")
