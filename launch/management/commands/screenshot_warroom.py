"""Take a 1920x1080 screenshot of a plan's war-room board in headless Chromium.

    python manage.py screenshot_warroom --out docs/warroom.png [--plan SLUG] [--sample]

Serves the app from a thread on a free 127.0.0.1 port, signs a browser in as the plan's coordinator
(or the first user), opens the board and writes the PNG. The plan is ``--plan``, else ``demo``, else
the first plan; ``--sample`` builds a synthetic live plan first (also used when there is no plan).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application
from django.test import Client
from django.urls import reverse

from plans.models import Plan

if TYPE_CHECKING:
    from typing import Any

    from django.core.management.base import CommandParser

DEMO_SLUGS = ["demo", "demo-heypeter"]  # `make demo` loads demo-heypeter
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class Command(BaseCommand):
    help = "Screenshot the war-room board of the demo plan at 1920x1080 (headless Chromium)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="docs/warroom.png")
        parser.add_argument("--plan", default="", help="Plan slug (default: demo, else the first plan).")
        parser.add_argument("--sample", action="store_true", help="Build the synthetic sample plan and shoot it.")
        parser.add_argument("--width", type=int, default=1920)
        parser.add_argument("--height", type=int, default=1080)

    def handle(self, *args: Any, **options: Any) -> None:
        plan = self._plan(options["plan"], options["sample"])
        user = plan.coordinator or get_user_model().objects.filter(is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No user to sign in as: create one (manage.py createsuperuser).")
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value

        server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
        server.set_app(StaticFilesHandler(get_internal_wsgi_application()))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": options["width"], "height": options["height"]})
                context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
                page = context.new_page()
                page.goto(base + reverse("warroom:board", args=[plan.slug]))
                page.wait_for_selector("#wr-root")
                # Not wait_for_function: it evals its predicate in the page, which the CSP refuses.
                for _ in range(150):
                    if page.evaluate("window.warroom && window.warroom.polls > 0"):
                        break
                    page.wait_for_timeout(100)
                page.wait_for_timeout(600)
                page.screenshot(path=str(out))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
        self.stdout.write(f"Wrote {out} ({plan.name}, {options['width']}x{options['height']})")

    def _plan(self, slug: str, sample: bool) -> Plan:
        if sample:
            from launch.services.sample import build_sample_plan

            return build_sample_plan()
        if slug:
            plan = Plan.objects.filter(slug=slug).first()
            if plan is None:
                raise CommandError(f"No plan {slug!r}.")
            return plan
        plan = Plan.objects.filter(slug__in=DEMO_SLUGS).order_by("slug").first() or Plan.objects.order_by("pk").first()
        if plan is None:
            from launch.services.sample import build_sample_plan

            self.stdout.write("No plan loaded (make demo): building the synthetic sample plan.")
            plan = build_sample_plan()
        return plan
