"""``make run``'s demo: a coordinator login and a live HeyPeter launch with T-0 two hours ahead.

Idempotent: the password is generated once and kept in ``VAR_DIR/demo-password.txt`` (the database
only holds its hash) so each run can print the login; an existing demo plan is left as it is."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from launch.services.demo import DEMO_SLUG, DEMO_TEMPLATE, PEOPLE, demo_plan, demo_user
from plans.models import Plan

if TYPE_CHECKING:
    from typing import Any


def password_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-password.txt"


def demo_password() -> str:
    path = password_file()
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(9)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


class Command(BaseCommand):
    help = "Create the demo coordinator, demo people and a live demo plan (idempotent); print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000/")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = demo_password()
        User = get_user_model()
        with transaction.atomic():
            coordinator = demo_user(User, "coordinator", password, first="Casey", last="Coordinator", staff=True)
            people = {u: demo_user(User, u, password, first=f, last=last) for u, (f, last, _, _) in PEOPLE.items()}
        if Plan.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(f"Demo plan {DEMO_SLUG!r} exists; left as it is.")
        else:
            demo_plan(coordinator, people)
            self.stdout.write(f"Demo plan {DEMO_SLUG!r} created from template {DEMO_TEMPLATE!r}.")
        self.stdout.write(f"Sign in at {opts['base_url']} as coordinator / {password}")
        self.stdout.write(f"(also as {', '.join(PEOPLE)} with the same password)")
