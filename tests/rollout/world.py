"""A launched plan with four rollout stages (10, 25, 50, 100 %), an authority, a stranger with another role,
and an automatic rollback trigger: error rate over 5 % for 10 minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User

from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus, SuccessMetric
from plans.services import reading_record
from roles.models import Role
from tests.factories import UserFactory

T0 = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)

PLAN = """\
format: 1
name: Shop launch
roles:
  - name: SRE
  - name: Release manager
metrics:
  - {name: Error rate, comparator: <, target: 1, unit: '%'}
  - {name: Latency, comparator: <, target: 300, unit: ms}
rollback_triggers:
  - {description: Errors over 5 % for 10 min, metric: Error rate, comparator: '>', threshold: 5, sustained_for: 10m}
rollout:
  authority: Release manager
  stages:
    - {name: Canary, percent: 10, soak: 30m, metrics: [Error rate, Latency]}
    - {name: Early adopters, percent: 25, soak: 1h, metrics: [Error rate, Latency]}
    - {name: Half, percent: 50, soak: 1h, metrics: [Error rate]}
    - {name: Everyone, percent: 100, metrics: [Error rate]}
"""


@dataclass
class RolloutWorld:
    plan: Plan
    coordinator: User
    authority: User
    sre: User
    errors: SuccessMetric
    latency: SuccessMetric

    def read(self, errors: str | None = None, latency: str | None = None) -> None:
        if errors is not None:
            reading_record(self.errors, value=Decimal(errors), by=self.sre)
        if latency is not None:
            reading_record(self.latency, value=Decimal(latency), by=self.sre)

    def fresh(self) -> Plan:
        return Plan.objects.get(pk=self.plan.pk)


def rollout_world(slug: str = "shop", *, launched: bool = True) -> RolloutWorld:
    coordinator = UserFactory(username=f"{slug}-coord")
    plan = import_plan_text(
        PLAN,
        filename="plan.yaml",
        t0=T0.strftime("%Y-%m-%dT%H:%M"),
        tz="UTC",
        slug=slug,
        coordinator=coordinator.username,
    )
    authority, sre = UserFactory(username=f"{slug}-rm"), UserFactory(username=f"{slug}-sre")
    Role.objects.filter(plan=plan, name="Release manager").update(primary=authority)
    Role.objects.filter(plan=plan, name="SRE").update(primary=sre)
    if launched:
        Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.LAUNCHED)
    plan.refresh_from_db()
    return RolloutWorld(
        plan, coordinator, authority, sre, plan.metrics.get(name="Error rate"), plan.metrics.get(name="Latency")
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
