"""A simulated launch of the English Training Center's built-in plan, with the clock moved by time-machine:
what the review test (test_simulated_launch.py) checks every figure of the review against.

The story, in UTC (T-0 08:00 as planned; the plan's zone is UTC):

- Readiness (issue 13): this launch trains its support team before the gate, so its plan file adds the
  four of them to the template's "Support team" track and binds the gate to it ("Support team trained
  >= 100 %"). 04:30 the Support Lead uploads the attendance sheet: three completed, Dan Cho did not.
- 05:00 every required criterion of the Go-Live Readiness gate is ticked but one ("Support team
  ready"); 05:10 the poll opens; 05:15 three roles vote GO and the Support Lead NO-GO.
- 05:20 GO is refused (the open criterion, the NO-GO vote, the support team at 75 %: Dan Cho missing);
  05:25 the Deployment Lead decides NO-GO, which puts the launch on hold; 05:55 the hold ends: 30 minutes,
  T-0 slips to 08:30.
- 05:58 Dan Cho's catch-up session is recorded by hand (100 %); 06:00 the criterion is ticked; the
  coordinator reopens the gate; 06:02 the poll opens; 06:05 all GO; 06:10 GO.
- Steps (planned after the slip): Final Preparation 06:30-07:30 ran 06:30-07:50 (late, +20m overrun);
  Internal Soft Launch 07:30-08:30 ran 07:50-08:20 (started late, finished early); Public Launch
  08:30-09:30 ran 08:30-09:10; First Day Monitoring 09:30-13:30 started 09:15 and is not finished.
  Every step they depend on ran exactly as planned.
- Issues: #1 critical 08:40, acknowledged 08:50, resolved 09:40; #2 high 09:00, acknowledged 09:45 (SLA 30m:
  breached), resolved 10:30; #3 medium 09:30, never acknowledged (SLA 2h: breached by the review at
  13:00); #4 low 10:00, acknowledged 10:30.
- Readings: System uptime (> 99.9 %, first month) 99.95, 99.5, 99.99 at 09:00, 10:00, 11:00 (not met);
  Response time (< 500 ms, "p95": from T-0) 900 at 06:00 (a rehearsal before T-0, outside the window),
  320 and 410 at 09:00 and 10:00 (met); Critical issues (= 0, first day) 1 at 09:00 (not met).
- Communications: one message sent on time, one sent 5 minutes late, one failed, one too late to send.
- The review is read at 13:00.

The post-launch week (:func:`run_week`, after :func:`simulate`; T-0 is 08:30 on 1 December after the slip):

- The two daily checks (Support Lead, ``repeat: every 1d from T+1d until T+7d``, due 08:30 on 2-8 December)
  are ticked an hour after they come due, every day but one: Backup verification on T+4 (5 December) is
  not ticked, and missed once T+5's comes due.
- Readings: User adoption (> 80 %, first week, the latest reading) 40, 65, 85 on T+1, T+3 and T+6 (met once
  the week is over, 8 December 08:30); System uptime (> 99.9 %, first month, the mean) 99.95 and 99.97 on
  T+2 and T+5 (still open at T+8); Critical issues (= 0, first day) stays not met (the 1 at 09:00).
- T+8 (9 December) 09:00: the coordinator proposes the operations handoff to the Operations Representative;
  09:05 the Support Lead's accept is refused (not the receiver); 09:10 the Operations Representative accepts
  and the launch is closed; open items and issues #3 and #4 are carried over.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth.models import User

from checklists import services as cs
from checklists.models import Gate, Item
from communications.models import Delivery, DeliveryStatus
from issues import services as issues
from issues.models import Issue
from launch.format import template_text
from launch.services.importer import import_plan_text
from plans import services as ps
from plans.models import Plan, PlanStatus, Step
from readiness import services as rs
from readiness.models import Attendee, Track
from review import services as review_services
from review.models import Handoff
from roles.models import Role
from tests import factories

KEY = "english-training-center-phase8"
GATE = "go-live-readiness"
HELD_ITEM = "Support team ready"
RUN = ["Final Preparation", "Internal Soft Launch", "Public Launch"]
MONITORING = "First Day Monitoring"
SUPPORT = [("Ana Souza", "ana"), ("Ben Okafor", "ben"), ("Chloe Martin", "chloe"), ("Dan Cho", "dan")]
SHEET = (
    "email,completed,session\n"
    "ana@example.com,yes,Support intensive\nben@example.com,yes,\nchloe@example.com,x,\ndan@example.com,no,\n"
)


def plan_text() -> str:
    """The template with the support team named on its track and the gate bound to it."""
    people = "".join(f"      - {{name: {n}, email: {e}@example.com, session: Support intensive}}\n" for n, e in SUPPORT)
    session = (
        "      - {title: Support intensive, at: T+2d, duration: 4h, trainer: Support Lead, capacity: 10, "
        "location: In person}\n"
    )
    text = template_text(KEY)
    assert session in text and "readiness:\n  items:\n" in text
    text = text.replace(session, session + "    attendees:\n" + people)
    bar = "  gates:\n    - {gate: Go-Live Readiness, track: Support team, min: 100}\n"
    return text.replace("readiness:\n  items:\n", "readiness:\n" + bar + "  items:\n")


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


@dataclass
class Launch:
    plan: Plan
    coordinator: User
    lead: User  # the Deployment Lead
    people: dict[str, User]  # role name -> its primary
    prerequisites: list[Step]  # the steps the story's steps depend on, run as planned
    lead_role: Role | None = None
    refused_go: str = ""


def _cast(plan: Plan) -> tuple[User, dict[str, User]]:
    coordinator = factories.UserFactory(username="cora", first_name="Cora", last_name="Coordinator")
    Plan.objects.filter(pk=plan.pk).update(coordinator=coordinator)  # test set-up
    people = {}
    for role in Role.objects.filter(plan=plan):
        user = factories.UserFactory(username=role.slug[:30], first_name=role.name, last_name="")
        Role.objects.filter(pk=role.pk).update(primary=user)  # test set-up
        people[role.name] = user
    plan.refresh_from_db()
    return coordinator, people


def _prerequisites(plan: Plan) -> list[Step]:
    """Every step the story's first step depends on, directly or not, in planned order."""
    seen: dict[int, Step] = {}
    todo = list(Step.objects.get(plan=plan, name=RUN[0]).depends_on.all())
    while todo:
        step = todo.pop()
        if step.pk not in seen:
            seen[step.pk] = step
            todo += list(step.depends_on.all())
    return sorted(seen.values(), key=lambda s: (s.offset, s.order, s.pk))


def _run(step: Step, start: datetime, finish: datetime | None, by: User) -> None:
    with clock(start):
        cs.step_start(step, by=by)
    if finish is not None:
        with clock(finish):
            cs.step_finish(step, by=by)


def _holder(launch: Launch, step: Step) -> User:
    return launch.people[step.lead_role.name] if step.lead_role else launch.coordinator


def _gate_story(launch: Launch) -> None:
    plan, lead, people = launch.plan, launch.lead, launch.people
    gate = Gate.objects.get(plan=plan, slug=GATE)
    support = Track.objects.get(plan=plan, name="Support team")
    with clock(at(4, 30)):
        rs.attendance_import(support, by=people["Support Lead"], text=SHEET)
    with clock(at(5)):
        for item in gate.criteria.filter(required=True).exclude(title=HELD_ITEM):
            cs.item_tick(item, by=launch.coordinator)
    with clock(at(5, 10)):
        cs.gate_open_poll(gate, by=lead)
    with clock(at(5, 15)):
        for role in gate.polled_roles.all():
            no = role.name == "Support Lead"
            cs.vote_cast(
                gate,
                role=role,
                by=people[role.name],
                vote="no_go" if no else "go",
                comment="Support rota not staffed" if no else "",
            )
    with clock(at(5, 20)):
        try:
            cs.gate_decide(gate, by=lead, decision="go")
        except Exception as exc:  # the refusal names its blockers
            launch.refused_go = str(exc)
    with clock(at(5, 25)):
        cs.gate_decide(gate, by=lead, decision="no_go", reason="Support rota not staffed")
    with clock(at(5, 55)):
        # the NO-GO's own hold: ended against the gate, with the override's reason (plans.guards)
        ps.hold_end(plan, by=launch.coordinator, override="Support rota being staffed; the gate is polled again")
    with clock(at(5, 58)):
        dan = Attendee.objects.get(track=support, email="dan@example.com")
        rs.attendance_record(dan, by=people["Support Lead"], completed=True, note="Catch-up session")
    with clock(at(6)):
        cs.item_tick(Item.objects.get(plan=plan, gate=gate, title=HELD_ITEM), by=people["Support Lead"])
        cs.gate_reopen(gate, by=launch.coordinator, reason="Support rota staffed")
    with clock(at(6, 2)):
        cs.gate_open_poll(gate, by=lead)
    with clock(at(6, 5)):
        for role in gate.polled_roles.all():
            cs.vote_cast(gate, role=role, by=people[role.name], vote="go")
    with clock(at(6, 10)):
        cs.gate_decide(gate, by=lead, decision="go", reason="All MUST HAVE items met")


def _issue(
    launch: Launch, title: str, severity: str, raised: datetime, ack: datetime | None, resolved: datetime | None
) -> Issue:
    with clock(raised):
        issue = issues.issue_open(
            launch.plan, by=launch.lead, title=title, severity=severity, owner_role=launch.lead_role
        )
    if ack is not None:
        with clock(ack):
            issues.issue_acknowledge(issue, by=launch.lead)
    if resolved is not None:
        with clock(resolved):
            issues.issue_resolve(issue, by=launch.lead, resolution="Fixed")
    return issue


def _readings(launch: Launch) -> None:
    series = {
        "System uptime": [(at(9), "99.95"), (at(10), "99.5"), (at(11), "99.99")],
        "Response time": [(at(6), "900"), (at(9), "320"), (at(10), "410")],
        "Critical issues": [(at(9), "1")],
    }
    for name, points in series.items():
        metric = launch.plan.metrics.get(name=name)
        for moment, value in points:
            with clock(moment):
                ps.reading_record(metric, value=value, by=launch.lead)


def _deliveries(plan: Plan) -> None:
    # The story's communications are these four: what the outbox made when the hold's end moved T-0 (it makes
    # what came due at once, communications.outbox.due.rematerialise) is left out.
    Delivery.objects.filter(plan=plan).delete()
    make = factories.DeliveryFactory
    make(plan=plan, label="On time", status=DeliveryStatus.SENT, due_at=at(8), sent_at=at(8, 0) + timedelta(seconds=5))
    make(plan=plan, label="Held up", status=DeliveryStatus.SENT, due_at=at(9), sent_at=at(9, 5))
    make(plan=plan, label="Bounced", status=DeliveryStatus.FAILED, due_at=at(10), error="550 mailbox unavailable")
    make(plan=plan, label="Expired", status=DeliveryStatus.LATE, due_at=at(11), note="Too late to matter")


def simulate() -> Launch:
    with clock(at(12, day=1) - timedelta(days=10)):
        plan = import_plan_text(
            plan_text(), filename=f"{KEY}.yaml", t0="2026-12-01T08:00", tz="UTC", source_template=KEY
        )
    coordinator, people = _cast(plan)
    launch = Launch(plan, coordinator, people["Deployment Lead"], people, _prerequisites(plan))
    launch.lead_role = Role.objects.get(plan=plan, name="Deployment Lead")
    with clock(at(8, day=1) - timedelta(days=9)):
        ps.plan_transition(plan, to=PlanStatus.SCHEDULED, by=coordinator)
        ps.plan_transition(plan, to=PlanStatus.COUNTDOWN, by=coordinator)
    for step in launch.prerequisites:
        start = plan.at(step.offset)
        _run(step, start, start + step.length, _holder(launch, step))
    _gate_story(launch)
    steps = {s.name: s for s in Step.objects.filter(plan=plan, name__in=[*RUN, MONITORING])}
    _run(steps[RUN[0]], at(6, 30), at(7, 50), launch.lead)
    _run(steps[RUN[1]], at(7, 50), at(8, 20), launch.lead)
    with clock(at(8, 30)):
        ps.plan_transition(plan, to=PlanStatus.LAUNCHED, by=coordinator)
    _run(steps[RUN[2]], at(8, 30), at(9, 10), launch.lead)
    _run(steps[MONITORING], at(9, 15), None, people["Support Lead"])
    _issue(launch, "SSO login fails", "critical", at(8, 40), at(8, 50), at(9, 40))
    _issue(launch, "Course pages slow", "high", at(9), at(9, 45), at(10, 30))
    _issue(launch, "Typo in the welcome email", "medium", at(9, 30), None, None)
    _issue(launch, "Old logo on the certificate", "low", at(10), at(10, 30), None)
    _readings(launch)
    _deliveries(plan)
    plan.refresh_from_db()
    return launch


DAILY = ["Backup verification (daily)", "User adoption metrics (daily)"]
MISSED = ("Backup verification (daily)", 3)  # T+4's occurrence (index 3) is never ticked
RECEIVER = "Operations Representative"


def _daily_checks(launch: Launch) -> None:
    for title in DAILY:
        item = Item.objects.get(plan=launch.plan, title=title)
        for index in range(7):
            if (title, index) == MISSED:
                continue
            with clock(at(9, 30, day=2 + index)):
                cs.item_occurrence_tick(item, index=index, by=launch.people["Support Lead"])


def _week_readings(launch: Launch) -> None:
    series = {
        "User adoption": [(at(9, day=2), "40"), (at(9, day=4), "65"), (at(9, day=7), "85")],
        "System uptime": [(at(9, day=3), "99.95"), (at(9, day=6), "99.97")],
    }
    for name, points in series.items():
        metric = launch.plan.metrics.get(name=name)
        for moment, value in points:
            with clock(moment):
                ps.reading_record(metric, value=value, by=launch.lead)


def run_week(launch: Launch) -> Handoff:
    """T+1 to T+7, then the handoff at T+8 (the refused accept is left to the test)."""
    _daily_checks(launch)
    _week_readings(launch)
    with clock(at(9, day=9)):
        return review_services.handoff_propose(
            launch.plan,
            by=launch.coordinator,
            to_role=Role.objects.get(plan=launch.plan, name=RECEIVER),
            systems=["Production environment", "Monitoring dashboard"],
            runbooks=["Alert handling procedures"],
            contacts=["Support Lead"],
            note="Week one is over; monitoring goes monthly.",
        )
