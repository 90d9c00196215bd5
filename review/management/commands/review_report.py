"""``manage.py review_report SLUG --format pdf|md|csv|decisions [--out PATH]``: the go-live report.

- ``md``: the review as Markdown, to stdout or ``--out FILE``;
- ``pdf``: the review as a PDF (WeasyPrint), to ``--out FILE`` (default ``SLUG-review.pdf``);
- ``csv``: the plan's data, one CSV per kind (steps, items, issues, readings, decisions) into the folder
  ``--out DIR`` (default ``SLUG-data/``);
- ``decisions``: the decision record as CSV, to stdout or ``--out FILE``.

``--at`` reads the review as of another moment (ISO 8601; default now).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plans.models import Plan
from review.report.csvs import data_files, decisions_csv
from review.report.markdown import review_markdown
from review.report.pdf import review_pdf
from review.selectors import plan_review

FORMATS = ("pdf", "md", "csv", "decisions")


class Command(BaseCommand):
    help = "Write a plan's launch review (go-live report) as PDF, Markdown, CSV files or the decision record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=FORMATS, default="md")
        parser.add_argument("--out", default="", help="File (pdf, md, decisions) or folder (csv).")
        parser.add_argument("--at", default="", help="The review as of this moment (ISO 8601, default now).")

    def handle(self, *args: Any, **opts: Any) -> None:
        plan = Plan.objects.filter(slug=opts["slug"]).first()
        if plan is None:
            raise CommandError(f"no plan with slug {opts['slug']!r}")
        now = timezone.now()
        if opts["at"]:
            try:
                now = datetime.fromisoformat(opts["at"])
            except ValueError as exc:
                raise CommandError(f"--at: {exc}") from None
            if timezone.is_naive(now):
                now = now.replace(tzinfo=plan.zone)
        review = plan_review(plan, now=now)
        fmt, out = opts["format"], opts["out"]
        if fmt == "pdf":
            path = Path(out or f"{plan.slug}-review.pdf")
            path.write_bytes(review_pdf(review))
            self.stdout.write(f"wrote {path}")
        elif fmt == "csv":
            folder = Path(out or f"{plan.slug}-data")
            folder.mkdir(parents=True, exist_ok=True)
            for name, body in data_files(review).items():
                (folder / name).write_text(body, encoding="utf-8")
                self.stdout.write(f"wrote {folder / name}")
        else:
            body = review_markdown(review) if fmt == "md" else decisions_csv(review)
            if out:
                Path(out).write_text(body, encoding="utf-8")
                self.stdout.write(f"wrote {out}")
            else:
                self.stdout.write(body, ending="")
