"""On-call rotas (issue 16): a rota hands over at the shift boundary (the board and the role page show the
new person), whoever starts a shift is reminded once, an escalation for the role goes to the person on
call (the role's primary when no shift covers the moment); the rota imports, exports as written and
round-trips byte for byte, and a bad one names its line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from communications.models import Delivery
from issues.services import issue_open
from launch.format import PlanFormatError
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from roles.models import Role, Shift
from tests.beats import beat, tick_at, tick_each
from warroom import selectors as board_selectors
from warroom import views as board_views

from .helpers import PLAN, T0, H, M, make_plan, people

pytestmark = pytest.mark.django_db
UNKNOWN = "r.yaml:20: unknown user 'ghost' on the rota of role 'Support Lead'"
RUNBOOK = Path(__file__).resolve().parent.parent / "runbooks" / "launch-week-oncall.yaml"


def _on_call(plan_slug: str, moment: datetime) -> tuple[str, str]:
    from plans.models import Plan

    plan = Plan.objects.get(slug=plan_slug)
    with time_machine.travel(moment, tick=False):
        board = board_selectors.board(plan)
        client = Client()
        client.force_login(User.objects.get(username="sam"))
        page = client.get(reverse("checklists:role", args=[plan.slug, "support-lead"])).content.decode()
    row = next(o for o in board.on_call if o.role == "Support Lead")
    line = page.split('id="on-call"', 1)[1].split("</p>", 1)[0]
    return row.person, line


def test_the_rota_hands_over_at_the_shift_boundary() -> None:
    plan = make_plan()
    shifts = list(Shift.objects.filter(plan=plan).order_by("start").values_list("start", "end", "person__username"))
    assert len(shifts) == 14 and shifts[:2] == [(timedelta(0), 12 * H, "bob"), (12 * H, 24 * H, "carol")]
    person, line = _on_call(plan.slug, T0 + 12 * H - M)
    assert person == "Bob Doe" and "Bob Doe" in line and "(backup Carol Doe)" in line and "next Carol Doe" in line
    person, line = _on_call(plan.slug, T0 + 12 * H)
    assert person == "Carol Doe" and "Carol Doe</span> (backup Bob Doe)" in line
    person, line = _on_call(plan.slug, T0 - M)  # before the rota: nobody, pages go to the primary
    assert person == "" and "no shift" in line
    with time_machine.travel(T0 + 12 * H, tick=False):
        html = board_views.render_board(plan)
    panel = html.split('id="wr-oncall"', 1)[1].split("</div>", 1)[0]
    assert "Support Lead" in panel and "Carol Doe" in panel and "/ Bob Doe" in panel


def test_whoever_starts_a_shift_is_reminded_once() -> None:
    plan = make_plan()
    # The beat around each moment something falls due (tests/beats.py): the shift reminders among them, each
    # seen again by a tick just after it and one late in its lookback.
    tick_each(beat(plan, T0 - 20 * M, T0 + 12 * H + 10 * M))
    sent = Delivery.objects.filter(plan=plan, source_kind="shift.start").order_by("due_at")
    bob, carol = User.objects.get(username="bob"), User.objects.get(username="carol")
    assert list(sent.values_list("recipient", "due_at")) == [
        (f"user:{bob.pk}", T0 - plan.reminder_lead),
        (f"user:{carol.pk}", T0 + 12 * H - plan.reminder_lead),
    ]
    assert "You are on call as Support Lead" in sent[0].subject


def test_an_escalation_pages_the_person_on_call() -> None:
    plan = make_plan()
    role = Role.objects.get(plan=plan, name="Support Lead")
    coordinator = User.objects.create(username="coord-16", is_superuser=True)
    for opened, person in ((T0 - 30 * M, "sam"), (T0 + 13 * H, "carol")):
        with time_machine.travel(opened, tick=False):
            issue_open(plan, by=coordinator, title=f"Down {person}", severity="high", description="", owner_role=role)
        for minute in range(0, 20, 2):
            tick_at(opened + minute * M + timedelta(seconds=5))
    rows = Delivery.objects.filter(plan=plan, source_kind="issue.escalation").order_by("due_at")
    got = sorted((d.label.rsplit(" ", 2)[-2] + " " + d.label.rsplit(" ", 1)[-1], d.recipient_label) for d in rows)
    assert got == [
        ("Down carol", "Bob Doe (Support Lead, on-call backup)"),
        ("Down carol", "Carol Doe (Support Lead, on call)"),  # the person on call, not the primary
        ("Down sam", "Sam Doe (Support Lead, primary)"),  # no shift before T-0: the role's primary
    ]


def test_the_runbook_round_trips_byte_for_byte_and_an_edited_shift_exports_as_shifts() -> None:
    people()
    text = RUNBOOK.read_text()
    plan = import_plan_text(text, t0="2026-12-05T12:00", filename=RUNBOOK.name)

    def body(t: str) -> str:
        return "".join(line for line in t.splitlines(keepends=True) if not line.startswith("#"))

    exported = export_plan(plan)
    assert body(exported) == body(text)
    again = import_plan_text(exported, t0="2026-12-05T12:00", filename=RUNBOOK.name)
    assert body(export_plan(again)) == body(text)
    first = Shift.objects.filter(plan=plan, role__name="Support Lead").order_by("start").first()
    assert first is not None
    Shift.objects.filter(pk=first.pk).update(person=User.objects.get(username="carol"))  # as in the admin
    edited = export_plan(plan)
    assert "    rota:" not in edited.split("  - name: SRE")[0]
    assert "      - from: T+0\n        until: T+12h\n        person: carol\n        backup: bob\n" in edited


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        - carol\n",
            "        - ghost\n",
            "r.yaml:20: unknown user 'ghost' on the rota of role 'Support Lead'",
        ),
        ("      shift: 12h\n", "      shift: 0\n", "r.yaml:17: a shift must be longer than 0"),
        (
            "      until: T+7d\n",
            "      until: T-1d\n",
            "r.yaml:16: role 'Support Lead': the rota ends (until) before it starts",
        ),
        (
            "      shift: 12h\n",
            "      shift: 12h\n      colour: red\n",
            "r.yaml:18: unknown field 'colour' in roles[2].rota",
        ),
        (
            "    primary: sam\n    rota:\n",
            "    primary: sam\n    shifts:\n      - {from: T+0, until: T+1h, person: sam}\n    rota:\n",
            "r.yaml:14: role 'Support Lead': give rota or shifts, not both",
        ),
    ],
)
def test_a_bad_rota_names_its_line(old: str, new: str, expected: str) -> None:
    people()
    assert old in PLAN
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(PLAN.replace(old, new, 1), t0="2026-12-05T12:00", tz="UTC", filename="r.yaml")
    assert exc.value.lines() == [expected]
