"""Every page of the running launch keeps a fixed number of SQL queries as the plan grows: measured on
a small plan, then again after the plan grows to 500 items and 100 steps (bulk-created to keep the test fast;
a query per row or per step would show as hundreds more)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checklists.models import Checklist, Item, NoGoTrigger, Vote
from plans.models import Event, Step
from readiness.models import ReadinessItem, Session, Track
from roles.models import Role
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from checklists.models import Gate
    from plans.models import Plan


pytestmark = pytest.mark.django_db

# The pinned budget per page, whatever the plan's size.
BUDGET = {
    "home": 7,  # + the trainings the person is on the list of (readiness.selectors.my_trainings)
    # + the coordinated plans' cards: their items done and late (each on its plan's clock), their open issues
    "detail": 14,  # + placeholders and procedures (issue 10), + the risks (issue 16)
    # + the coordinator's launch guard: the gates that say no to "→ Launched" (plans.guards), and its
    # cautions: the launch's gates never decided
    # + how many steps and checklist items are done (its live head: tests/plans/test_live_parts.py)
    # + the forecast (dependencies, gates, criteria, waiting steps) + the holds (plans.slips)
    # + the gates each phase waits for (issue 10: a phase placed after a gate)
    "timeline": 15,  # + what repeats and who is on call (issue 16): the recurrences (their ticks when there
    # are some) and the shifts, as bands (plans.timeline_bands)
    "activity": 7,
    "role": 22,  # + the gates the steps wait for, the holds (offsets as planned), the roles ("Also yours")
    # + the gates the role decides or votes in ("Also yours": checklists.plan_parts.gate_tasks)
    # + the live forecast of the role's steps (issue 10): the plan's gates, their criteria, the steps waiting
    # for them (plans.timing); the plan's steps replace the role's own query, so nothing grows per step
    # + the contacts attached to the role and its checklists' descriptions ("About this role", issue 16)
    # + its readiness items, the tracks it leads or trains, the sessions it trains (issue 13: "Readiness")
    # + its open issues (issues/role_page.py: "Open issues for this role")
    "role_rows": 17,  # the role page's rows, + its open issues, + "Also yours" (its status drafts, the comms role,
    # the gates it decides or votes in)
    "gate": 14,  # + unfilled placeholders, blank thresholds (issue 10), the holds (plans.slips)
    # + the gate's readiness bars (issue 13; their tracks' attendees are one more query when there are bars)
    "gate_poll": 12,  # + unfilled placeholders, blank thresholds, the readiness bars
}


class PageWorld(TypedDict):
    plan: Plan
    owner: User
    role: Role
    other: Role
    gate: Gate
    checklist: Checklist


@pytest.fixture
def world(plan: Plan, coordinator: User) -> PageWorld:
    owner = factories.UserFactory(username="owner")
    role = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=owner)
    other = factories.RoleFactory(plan=plan, name="QA", slug="qa")
    gate = factories.GateFactory(plan=plan, slug="go", authority_role=role)
    gate.polled_roles.set([role, other])
    checklist = factories.ChecklistFactory(plan=plan, role=role, name="Main")
    step = factories.StepFactory(plan=plan, lead_role=role, name="Seed step")
    factories.ItemFactory(checklist=checklist, gate=gate, step=step, done_by=owner, status="done")
    factories.NoGoTriggerFactory(gate=gate)
    Event.objects.create(plan=plan, kind="item.ticked", summary="Ticked", role=role, actor=owner)
    ReadinessItem.objects.create(plan=plan, role=role, title="Runbooks read", done_by=owner, done_at=plan.t0)
    track = Track.objects.create(plan=plan, name="Support team", slug="support", lead_role=role)
    Session.objects.create(track=track, plan=plan, title="Intensive", offset=timedelta(days=-2), trainer_role=role)
    return {"plan": plan, "owner": owner, "role": role, "other": other, "gate": gate, "checklist": checklist}


def grow(world: PageWorld, *, items: int = 500, steps: int = 100) -> None:
    plan, role, gate, owner = world["plan"], world["role"], world["gate"], world["owner"]
    roles = Role.objects.bulk_create(
        [Role(plan=plan, name=f"Extra role {n}", slug=f"extra-{n}", order=10 + n, primary=owner) for n in range(20)]
    )
    lists = Checklist.objects.bulk_create(
        [Checklist(plan=plan, name=f"List {n}", role=role if n % 2 else roles[n]) for n in range(20)]
    )
    new_steps = Step.objects.bulk_create(
        [
            Step(
                plan=plan,
                name=f"Bulk step {n}",
                offset=timedelta(minutes=-600 + 5 * n),
                duration=timedelta(minutes=10),
                lead_role=role if n % 3 else roles[n % 20],
                status="done" if n < 50 else "pending",
                actual_start=plan.t0 + timedelta(minutes=-600 + 5 * n) if n < 50 else None,
                actual_finish=plan.t0 + timedelta(minutes=-590 + 5 * n) if n < 50 else None,
                started_by=owner if n < 50 else None,
                finished_by=owner if n < 50 else None,
            )
            for n in range(steps)
        ]
    )
    through = Step.depends_on.through
    through.objects.bulk_create(
        [through(from_step_id=new_steps[n].pk, to_step_id=new_steps[n - 1].pk) for n in range(1, steps)]
    )
    Item.objects.bulk_create(
        [
            Item(
                plan=plan,
                checklist=lists[n % 20],
                owner_role=role if n % 2 else None,
                title=f"Bulk item {n}",
                order=n,
                due_offset=timedelta(minutes=-3000 + 3 * n),
                step=new_steps[n % steps],
                gate=gate if n % 50 == 0 else None,
                status="done" if n % 3 == 0 else "open",
                done_by=owner if n % 3 == 0 else None,
                done_at=plan.t0 if n % 3 == 0 else None,
            )
            for n in range(items)
        ]
    )
    NoGoTrigger.objects.bulk_create([NoGoTrigger(gate=gate, description=f"Trigger {n}") for n in range(30)])
    ReadinessItem.objects.bulk_create([ReadinessItem(plan=plan, role=role, title=f"Ready {n}") for n in range(30)])
    tracks = Track.objects.bulk_create(
        [Track(plan=plan, name=f"Cohort {n}", slug=f"cohort-{n}", lead_role=role if n % 2 else None) for n in range(10)]
    )
    Session.objects.bulk_create(
        [Session(track=t, plan=plan, title=f"Session {n}", trainer_role=role) for n, t in enumerate(tracks * 3)]
    )
    gate.polled_roles.add(*roles)
    Vote.objects.bulk_create([Vote(gate=gate, role=r, vote="go", voted_by=owner, voted_at=plan.t0) for r in roles[:10]])
    Event.objects.bulk_create(
        [Event(plan=plan, kind="item.ticked", summary=f"Ticked {n}", actor=owner, role=role) for n in range(300)]
    )
    Event.objects.bulk_create(
        [Event(plan=plan, kind="gate.decided", summary="x", data={"gate": gate.pk}, actor=owner) for _ in range(5)]
    )


def pages(world: PageWorld) -> dict[str, str]:
    plan, role, gate = world["plan"], world["role"], world["gate"]
    return {
        "home": reverse("launch:home"),
        "detail": reverse("plans:detail", args=[plan.slug]),
        "timeline": reverse("plans:timeline", args=[plan.slug]),
        "activity": reverse("plans:activity", args=[plan.slug]) + "?role=dba&kind=item",
        "role": reverse("checklists:role", args=[plan.slug, role.slug]),
        "role_rows": reverse("checklists:role_rows", args=[plan.slug, role.slug]),
        "gate": reverse("checklists:gate", args=[plan.slug, gate.slug]),
        "gate_poll": reverse("checklists:gate_poll", args=[plan.slug, gate.slug]),
    }


def measure(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["owner", "coordinator"])
def test_every_page_keeps_a_fixed_number_of_queries(
    client: Client,
    world: PageWorld,
    coordinator: User,
    viewer: str,
) -> None:
    client.force_login(world["owner"] if viewer == "owner" else coordinator)
    urls = pages(world)
    small = {name: measure(client, url) for name, url in urls.items()}
    grow(world)
    assert Item.objects.filter(plan=world["plan"]).count() > 500
    big = {name: measure(client, url) for name, url in urls.items()}
    assert big == small
    assert {name: min(count, BUDGET[name]) for name, count in big.items()} == big, f"over budget {BUDGET}"


def test_unchanged_role_rows_poll_is_304(client: Any, world: dict[str, Any]) -> None:
    """The role page's live rows: an unchanged poll is answered 304 without rendering anything."""
    client.force_login(world["owner"])
    url = reverse("checklists:role_rows", args=[world["plan"].slug, world["role"].slug])
    with time_machine.travel(timezone.now().replace(second=5), tick=False):  # one minute bucket
        first = client.get(url)
        assert first.status_code == 200 and 'id="role-summary"' in first.content.decode()
        with CaptureQueriesContext(connection) as ctx:
            second = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 304
    assert len(ctx.captured_queries) <= 4
