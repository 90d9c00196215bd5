"""``manage.py compare_launches [SLUG ...]``: the launches' key figures side by side (oldest T-0 first);
without slugs, the latest launches whose T-0 has passed (at most review.compare.COMPARE_MAX)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from review.compare import compare, compared_plans, figures_table


class Command(BaseCommand):
    help = "Print launches' key figures side by side: on-time steps, overrun, holds, SLA breaches, criteria met."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*")

    def handle(self, *args: Any, **opts: Any) -> None:
        plans = compared_plans(opts["slugs"])
        missing = sorted(set(opts["slugs"]) - {p.slug for p in plans})
        if missing:
            raise CommandError("no plan with slug " + ", ".join(repr(s) for s in missing))
        rows = figures_table(compare(plans, now=timezone.now()))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
