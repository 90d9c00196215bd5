"""``make run``'s demo: a coordinator login and a live HeyPeter launch with T-0 two hours ahead.

Idempotent: the password is generated once and kept in ``VAR_DIR/demo-password.txt`` (the database
only holds its hash) so each run can print the login; an existing demo plan is left as it is."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from plans.format import template_text
from plans.format.importer import import_plan_text
from plans.models import Plan, PlanStatus

DEMO_SLUG = "demo-heypeter"
DEMO_TEMPLATE = "heypeter-academy-lms"
# username -> (first name, last name, role slug it is primary for, role slug it backs up)
PEOPLE = {
    "techlead": ("Tess", "Lead", "technical-lead", "devops-engineer"),
    "devops": ("Dev", "Ops", "devops-engineer", "technical-lead"),
    "dba": ("Dana", "Base", "dba", "qa-lead"),
    "qa": ("Quinn", "Assure", "qa-lead", "dba"),
    "pm": ("Pat", "Product", "product-manager", "support-lead"),
    "support": ("Sam", "Support", "support-lead", "product-manager"),
}
TICKED = [
    "Provision production servers",
    "Configure load balancers",
    "Create production database",
    "Feature freeze",
    "Complete regression testing",
    "Database backup",
    "Enable maintenance mode",
    "Run migration scripts",
]


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

    def handle(self, *args, **opts) -> None:
        password = demo_password()
        User = get_user_model()
        with transaction.atomic():
            coordinator = self._user(User, "coordinator", password, first="Casey", last="Coordinator", staff=True)
            people = {u: self._user(User, u, password, first=f, last=last) for u, (f, last, _, _) in PEOPLE.items()}
        if Plan.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(f"Demo plan {DEMO_SLUG!r} exists; left as it is.")
        else:
            self._plan(coordinator, people)
            self.stdout.write(f"Demo plan {DEMO_SLUG!r} created from template {DEMO_TEMPLATE!r}.")
        self.stdout.write(f"Sign in at {opts['base_url']} as coordinator / {password}")
        self.stdout.write(f"(also as {', '.join(PEOPLE)} with the same password)")

    def _user(self, User, username: str, password: str, *, first: str, last: str, staff: bool = False):  # noqa: N803
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.com")
            user.is_staff = user.is_superuser = staff
            user.set_password(password)
            user.save()
        elif not user.check_password(password):
            user.set_password(password)  # the stored password file is the truth for demo logins
            user.save(update_fields=["password"])
        return user

    def _plan(self, coordinator, people) -> None:
        from checklists.models import Item
        from checklists.services import item_tick
        from issues.services import issue_open
        from plans.metrics import record_reading
        from plans.services import transition

        now = timezone.now().replace(second=0, microsecond=0)
        t0 = now + timedelta(hours=2)
        with transaction.atomic():
            plan = import_plan_text(
                template_text(DEMO_TEMPLATE),
                filename=f"{DEMO_TEMPLATE}.yaml",
                t0=t0,
                tz="Europe/London",
                slug=DEMO_SLUG,
                name="HeyPeter Academy LMS go-live (demo)",
                coordinator=coordinator,
                by=coordinator,
                source_template=DEMO_TEMPLATE,
            )
            roles = {r.slug: r for r in plan.roles.all()}
            for username, (_, _, primary, backup) in PEOPLE.items():
                roles[primary].primary = people[username]
                roles[primary].save(update_fields=["primary"])
                roles[backup].backup = people[username]
                roles[backup].save(update_fields=["backup"])
            transition(plan, to=PlanStatus.SCHEDULED, by=coordinator)
            transition(plan, to=PlanStatus.COUNTDOWN, by=coordinator)
            for title in TICKED:
                item = Item.objects.filter(plan=plan, title=title).select_related("owner_role").first()
                if item is not None and item.owner_role is not None:
                    item_tick(item, by=item.owner_role.primary or coordinator)
            issue_open(
                plan,
                by=people["dba"],
                title="Replication lag on the read replica after the migration",
                severity="high",
                description="Lag is 40 s and falling; watching it before the soft launch.",
                owner_role=roles["dba"],
            )
            issue_open(
                plan,
                by=people["qa"],
                title="Course thumbnails load slowly on the staging CDN",
                severity="low",
                owner_role=roles["devops-engineer"],
            )
            metrics = {m.name: m for m in plan.metrics.all()}
            readings = {"Error rate": ["0.04", "0.06"], "API response time": ["320", "410"], "Page load time": ["2.1"]}
            for name, values in readings.items():
                for i, value in enumerate(values):
                    at = now - timedelta(minutes=10 * (len(values) - i))
                    record_reading(metrics[name], value=value, by=coordinator, at=at)
