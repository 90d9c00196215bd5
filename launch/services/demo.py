"""The demo launch (``manage.py load_demo``, ``make run``): demo logins and a live HeyPeter plan,
T-0 two hours ahead, played forward through the apps' services; the demo's backdating of actual times
is the only write of its own."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from checklists.models import Gate, Item, Vote
from checklists.services import gate_decide, gate_open_poll, item_tick, step_finish, step_start, vote_cast
from issues.models import SeveritySLA
from issues.services import issue_open
from launch.format import template_text
from plans.models import Plan, PlanStatus, Step
from plans.services import plan_transition, reading_record

from .importer import import_plan_text

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import User

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
# The launch is under way: what was due more than this long ago is done, except LEFT_OPEN, so the
# room sees a realistic board (a late item or two, the launch-day steps in flight) rather than a wall
# of everything overdue.
DONE_BEFORE = timedelta(minutes=40)
LEFT_OPEN = ["Performance checks", "Update runbooks"]


def demo_user(
    user_model: type[User], username: str, password: str, *, first: str, last: str, staff: bool = False
) -> User:
    """The demo login ``username`` with ``password`` (made once; its password reset to the file's)."""
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, first_name=first, last_name=last, email=f"{username}@example.com")
        user.is_staff = user.is_superuser = staff
        user.set_password(password)
        user.save()
    elif not user.check_password(password):
        user.set_password(password)  # the stored password file is the truth for demo logins
        user.save(update_fields=["password"])
    return user


def _progress(plan: Plan, *, now: datetime, coordinator: User) -> None:
    """Tick what was due before ``now - DONE_BEFORE`` and run the steps whose time has come,
    through the services, then backdate the demo's actual times to the planned ones."""
    cutoff = now - DONE_BEFORE - plan.t0
    items = Item.objects.filter(plan=plan, due_offset__lt=cutoff).select_related("owner_role", "checklist__role")
    for item in items.order_by("due_offset", "id"):
        role = item.owner_role or item.checklist.role
        if item.title not in LEFT_OPEN:
            item_tick(item, by=(role.primary if role and role.primary else coordinator))
    for step in Step.objects.filter(plan=plan, offset__lte=now - plan.t0).order_by("offset", "order"):
        by = step.lead_role.primary if step.lead_role and step.lead_role.primary else coordinator
        step_start(step, by=by)
        begin = plan.t0 + step.offset
        finish = begin + step.duration
        if finish <= now:
            step_finish(step, by=by)
            Step.objects.filter(pk=step.pk).update(actual_start=begin, actual_finish=finish)
        else:
            Step.objects.filter(pk=step.pk).update(actual_start=begin)
    for item in Item.objects.filter(plan=plan, status="done", due_offset__isnull=False):
        assert item.due_offset is not None  # for the type checker: filtered above
        Item.objects.filter(pk=item.pk).update(done_at=plan.t0 + item.due_offset - timedelta(minutes=5))
    # Gates whose moment has passed were held: every polled role said GO and the authority agreed.
    for gate in plan.gates.filter(offset__lt=now - plan.t0).select_related("authority_role"):
        gate_open_poll(gate, by=coordinator)
        for role in gate.polled_roles.select_related("primary"):
            vote_cast(gate, role=role, by=role.primary or coordinator, vote="go", comment="Ready.")
        authority = gate.authority_role.primary if gate.authority_role and gate.authority_role.primary else None
        gate_decide(gate, by=authority or coordinator, decision="go", reason="All criteria met; every team GO.")
        assert gate.offset is not None  # for the type checker: filtered above
        held_at = plan.t0 + gate.offset
        Vote.objects.filter(gate=gate).update(voted_at=held_at - timedelta(minutes=10))
        Gate.objects.filter(pk=gate.pk).update(decided_at=held_at)


def demo_plan(coordinator: User, people: dict[str, User]) -> Plan:
    """The demo plan from its template, scheduled, counting down and part-way done, in one transaction."""
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
        plan_transition(plan, to=PlanStatus.SCHEDULED, by=coordinator)
        plan_transition(plan, to=PlanStatus.COUNTDOWN, by=coordinator)
        _progress(plan, now=now, coordinator=coordinator)
        if not plan.severity_slas.exists():
            # The HeyPeter seed names no response SLAs; the demo borrows the English Training
            # Center's (critical 15 min, high 30 min, medium 2 h, low 8 h) so the timers show.
            for severity, minutes in (("critical", 15), ("high", 30), ("medium", 120), ("low", 480)):
                SeveritySLA.objects.create(plan=plan, severity=severity, response_within=timedelta(minutes=minutes))
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
                reading_record(metrics[name], value=value, by=coordinator, at=at)
    return plan
