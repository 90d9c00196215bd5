from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand, CommandError, CommandParser

from launch.format import PlanFormatError, builtin_templates, template_path
from launch.format.loader import read_plan_file, read_plan_stream
from launch.services.importer import import_plan_text
from plans.models import Plan

if TYPE_CHECKING:
    from typing import Any


class Command(BaseCommand):
    help = "Create a plan from a plan-format YAML file (or a built-in template) and print its slug."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="Plan file (YAML); '-' reads standard input.")
        parser.add_argument("--template", help="A built-in template instead of a file (see list_templates).")
        parser.add_argument(
            "--t0", default=None, help="T-0 in the plan's zone, e.g. 2026-12-01T12:00 (none for a clockless plan)."
        )
        parser.add_argument("--tz", help="IANA time zone, e.g. Europe/London (default: the file's timezone:).")
        parser.add_argument("--slug", help="Slug for the new plan (default: from its name).")
        parser.add_argument("--name", help="Name for the new plan (default: the file's name:).")
        parser.add_argument("--coordinator", help="Username of the plan's coordinator.")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Fill a placeholder the file declares (repeat for each).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        source_template = ""
        if opts["template"]:
            if opts["file"]:
                raise CommandError("give a FILE or --template, not both")
            try:
                path = template_path(opts["template"])
            except KeyError as exc:
                known = ", ".join(t.key for t in builtin_templates())
                raise CommandError(f"unknown template {opts['template']!r}; known: {known}") from exc
            filename, source_template = str(path), opts["template"]
        elif opts["file"]:
            filename = "<stdin>" if opts["file"] == "-" else opts["file"]
        else:
            raise CommandError("give a FILE or --template NAME")
        values: dict[str, str] = {}
        for pair in opts["set"]:
            name, sep, value = pair.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"--set expects NAME=VALUE, got {pair[:80]!r}")
            values[name.strip()] = value
        try:
            if opts["file"] == "-":
                text = read_plan_stream(getattr(sys.stdin, "buffer", sys.stdin), filename)
            else:
                text = read_plan_file(Path(filename), filename)
            plan = import_plan_text(
                text,
                filename=filename,
                t0=opts["t0"],
                tz=opts["tz"],
                slug=opts["slug"],
                name=opts["name"],
                coordinator=opts["coordinator"],
                source_template=source_template,
                values=values,
            )
        except PlanFormatError as exc:
            for line in exc.lines():
                self.stderr.write(f"error: {line}")
            raise SystemExit(1) from None
        twins = Plan.objects.filter(name=plan.name).exclude(pk=plan.pk).values_list("slug", flat=True)
        if twins:  # people see plans by name: two of one name look alike on the home page and in the nav
            others = ", ".join(sorted(twins)[:5])
            self.stderr.write(
                f"warning: another plan is named {plan.name!r} ({others}); people will tell them apart only by "
                "their slugs: give this one its own name (--name, or rename it in the admin)"
            )
        if plan.coordinator_id is None:  # the admin's import makes whoever imports it coordinator; here nobody is
            self.stderr.write(
                "warning: the plan has no coordinator: nobody may tick what no role owns, hold the countdown or "
                "launch; give --coordinator USERNAME, or a superuser sets one in the admin"
            )
        self.stdout.write(plan.slug)
