from __future__ import annotations

from django.core.management.base import BaseCommand

from launch.format import builtin_templates


class Command(BaseCommand):
    help = "List the built-in plan templates (use one with: import_plan --template KEY --t0 ... --tz ...)."

    def handle(self, *args, **opts) -> None:
        for t in builtin_templates():
            self.stdout.write(f"{t.key}\t{t.name}\t{t.timezone or ''}")
