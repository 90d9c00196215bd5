from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand, CommandError, CommandParser

from launch.format.exporter import ExportError, export_plan
from plans.models import Plan

if TYPE_CHECKING:
    from typing import Any


class Command(BaseCommand):
    help = "Print a plan in the plan format (YAML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")

    def handle(self, *args: Any, **opts: Any) -> None:
        plan = Plan.objects.filter(slug=opts["slug"]).first()
        if plan is None:
            raise CommandError(f"no plan with slug {opts['slug']!r}")
        try:
            self.stdout.write(export_plan(plan), ending="")
        except ExportError as exc:
            raise CommandError(str(exc)) from None
