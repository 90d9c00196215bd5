"""A small plan with a recurring check and an on-call rota, imported from plan-format text (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus
from tests import factories

T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # 12:00 in London (winter: UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)

PLAN = """\
format: 1
name: Launch watch
timezone: Europe/London
roles:
  - name: SRE
    slug: sre
    primary: alice
  - name: QA
    slug: qa
    primary: quinn
  - name: Support Lead
    slug: support-lead
    primary: sam
    rota:
      from: T+0
      until: T+7d
      shift: 12h
      people:
        - bob
        - carol
escalation:
  - level: 1
    name: Support on call
    after: 15m
    roles:
      - Support Lead
checklists:
  - name: Launch watch
    role: SRE
    items:
      - title: Health check
        repeat:
          every: 15m
          from: T+0
          until: T+2h
"""


def people() -> None:
    for name in ("alice", "quinn", "sam", "bob", "carol"):
        factories.UserFactory(username=name, first_name=name.capitalize(), last_name="Doe")


def make_plan(text: str = PLAN, *, at: datetime = T0 - H) -> Plan:
    """Import the plan (as of ``at``: the outbox looks back no further than the plan's creation) and start
    the countdown."""
    people()
    with time_machine.travel(at, tick=False):
        plan = import_plan_text(text, t0=T0.replace(tzinfo=None).isoformat(), tz="UTC", filename="watch.yaml")
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN)  # fixture set-up
    plan.refresh_from_db()
    return plan
