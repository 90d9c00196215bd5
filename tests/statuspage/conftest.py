"""A plan with a communications role and three components, for the status page's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from statuspage.models import Component
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan, RollbackTrigger
    from roles.models import Role

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BEFORE = T0 - timedelta(hours=3)


@dataclass
class Site:
    plan: Plan
    coordinator: User
    comms: User
    other: User
    role: Role
    web: Component
    api: Component
    payments: Component
    trigger: RollbackTrigger


@pytest.fixture
def site(plan: Plan, coordinator: User) -> Site:
    from plans.models import RollbackTrigger, TriggerKind

    comms = factories.UserFactory(username="comms", first_name="Cora", last_name="Quill")
    other = factories.UserFactory(username="dba", last_name="Zanzibar")
    role = factories.RoleFactory(plan=plan, name="Communications", slug="communications", primary=comms)
    factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=other)
    plan.window_end = timedelta(hours=2)
    plan.save()
    made = {
        name: Component.objects.create(
            plan=plan, name=name, order=i, description=desc, created_at=T0 - timedelta(days=10)
        )
        for i, (name, desc) in enumerate(
            [("Web app", "The site customers use"), ("API", "Public REST API"), ("Payments", "")]
        )
    }
    trigger = RollbackTrigger.objects.create(
        plan=plan, description="Checkout errors above 5 % (internal wording)", kind=TriggerKind.DISCRETIONARY
    )
    made["Payments"].triggers.add(trigger)
    return Site(plan, coordinator, comms, other, role, made["Web app"], made["API"], made["Payments"], trigger)
