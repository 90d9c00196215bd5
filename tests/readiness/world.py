"""A small plan with two training tracks bound to its go/no-go gate, and a person per role (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from launch.services.importer import import_plan_text
from plans.models import Plan
from roles.models import Role
from tests import factories

INSTRUCTORS = "\n".join(
    f"      - {{name: Instructor {n}, email: i{n}@example.com, session: Instructor workshop}}" for n in range(1, 11)
)
PLAN = f"""\
format: 1
name: Readiness launch
roles:
  - name: Launch Lead
  - name: Training Manager
  - name: Support Lead
  - name: Instructor Lead
gates:
  - name: Go/No-Go
    at: T-1h
    authority: Launch Lead
training:
  - audience: Support team
    lead: Support Lead
    sessions:
      - {{title: Support intensive, at: T-2d, duration: 4h, trainer: Support Lead, capacity: 3, location: Room 2}}
    attendees:
      - {{name: Ana Souza, email: ana@example.com, session: Support intensive}}
      - {{name: Ben Okafor, email: ben@example.com, session: Support intensive}}
  - audience: Instructors
    lead: Training Manager
    sessions:
      - {{title: Instructor workshop, at: T-3d, duration: 6h, trainer: Instructor Lead}}
    attendees:
{INSTRUCTORS}
readiness:
  items:
    - {{role: Support Lead, title: Support rota staffed}}
    - {{role: Launch Lead, title: Runbooks read}}
  gates:
    - {{gate: Go/No-Go, track: Support team, min: 100}}
    - {{gate: Go/No-Go, track: Instructors, min: 90}}
"""


@dataclass
class RWorld:
    plan: Plan
    people: dict[str, Any]  # by role name, plus "coordinator" and "stranger"

    def role(self, name: str) -> Role:
        return Role.objects.get(plan=self.plan, name=name)


def build(t0: str = "2026-12-01T12:00") -> RWorld:
    coordinator = factories.UserFactory(username="r-coordinator")
    plan = import_plan_text(PLAN, filename="readiness.yaml", t0=t0, tz="UTC")
    Plan.objects.filter(pk=plan.pk).update(coordinator=coordinator)  # (test set-up)
    plan.refresh_from_db()
    people: dict[str, Any] = {"coordinator": coordinator, "stranger": factories.UserFactory(username="r-stranger")}
    for role in Role.objects.filter(plan=plan):
        user = factories.UserFactory(username="r-" + role.slug)
        Role.objects.filter(pk=role.pk).update(primary=user)  # (test set-up)
        people[role.name] = user
    return RWorld(plan=plan, people=people)
