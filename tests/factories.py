from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models

from checklists.models import Checklist, Gate, Item, NoGoTrigger
from communications.models import Channel, ChannelKind, Delivery, DeliveryStatus, Message
from issues.models import Issue
from plans.models import KioskLink, Phase, Plan, PlanStatus, Step, SuccessMetric
from roles.models import Role

PASSWORD = "correct-horse-battery"

_M = TypeVar("_M", bound=models.Model)


class ModelFactory(factory.django.DjangoModelFactory[_M]):
    """A model factory that type checkers see returning its model: ``PlanFactory(...)`` is a ``Plan``.

    factory_boy's metaclass ``__call__`` is untyped, so mypy would take ``PlanFactory(...)`` for a
    ``PlanFactory``; the ``__new__`` below exists for the type checker only."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, **kwargs: Any) -> _M: ...  # type: ignore[misc]  # returns the model, not the factory


class UserFactory(ModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class PlanFactory(ModelFactory[Plan]):
    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"Launch {n}")
    slug = factory.Sequence(lambda n: f"launch-{n}")
    t0 = factory.LazyFunction(lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    timezone = "Europe/London"
    status = PlanStatus.COUNTDOWN


class PhaseFactory(ModelFactory[Phase]):
    class Meta:
        model = Phase

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Phase {n}")
    order = factory.Sequence(lambda n: n)


class RoleFactory(ModelFactory[Role]):
    class Meta:
        model = Role

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Role {n}")
    slug = factory.Sequence(lambda n: f"role-{n}")
    order = factory.Sequence(lambda n: n)
    primary = factory.SubFactory(UserFactory)


class StepFactory(ModelFactory[Step]):
    class Meta:
        model = Step

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Step {n}")
    offset = timedelta(hours=-1)
    duration = timedelta(minutes=30)
    lead_role = factory.SubFactory(RoleFactory, plan=factory.SelfAttribute("..plan"))


class ChecklistFactory(ModelFactory[Checklist]):
    class Meta:
        model = Checklist

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Checklist {n}")
    role = factory.SubFactory(RoleFactory, plan=factory.SelfAttribute("..plan"))


class ItemFactory(ModelFactory[Item]):
    class Meta:
        model = Item

    checklist = factory.SubFactory(ChecklistFactory)
    plan = factory.SelfAttribute("checklist.plan")
    owner_role = factory.SelfAttribute("checklist.role")
    title = factory.Sequence(lambda n: f"Item {n}")
    order = factory.Sequence(lambda n: n)
    due_offset = timedelta(hours=-2)


class GateFactory(ModelFactory[Gate]):
    class Meta:
        model = Gate

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Gate {n}")
    slug = factory.Sequence(lambda n: f"gate-{n}")
    offset = timedelta(hours=-1)
    authority_role = factory.SubFactory(RoleFactory, plan=factory.SelfAttribute("..plan"))


class NoGoTriggerFactory(ModelFactory[NoGoTrigger]):
    class Meta:
        model = NoGoTrigger

    gate = factory.SubFactory(GateFactory)
    description = factory.Sequence(lambda n: f"Trigger {n}")


class IssueFactory(ModelFactory[Issue]):
    class Meta:
        model = Issue

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Issue {n}")
    severity = "high"


class MetricFactory(ModelFactory[SuccessMetric]):
    class Meta:
        model = SuccessMetric

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Metric {n}")
    category = "Technical"
    comparator = "<"
    target = Decimal("0.1")  # a Decimal, as the column gives back (its __str__ calls .normalize())
    unit = "%"


class ChannelFactory(ModelFactory[Channel]):
    class Meta:
        model = Channel

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Channel {n}")
    kind = ChannelKind.EMAIL
    target = "staff@example.com"


class MessageFactory(ModelFactory[Message]):
    class Meta:
        model = Message

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Message {n}")
    offset = timedelta(hours=-1)
    subject = "Launch update"
    body = "All on track."


class DeliveryFactory(ModelFactory[Delivery]):
    """A due, pending delivery of a message to an email channel (the shape the outbox makes)."""

    class Meta:
        model = Delivery

    plan = factory.SubFactory(PlanFactory)
    channel = factory.SubFactory(ChannelFactory, plan=factory.SelfAttribute("..plan"))
    source_kind = "message"
    source_id = factory.Sequence(lambda n: n + 1)
    recipient = factory.LazyAttribute(lambda d: f"channel:{d.channel.pk}")
    channel_kind = ChannelKind.EMAIL
    address = factory.LazyAttribute(lambda d: d.channel.target)
    recipient_label = factory.LazyAttribute(lambda d: d.channel.name)
    label = factory.Sequence(lambda n: f"Delivery {n}")
    subject = "Launch update"
    body = "All on track."
    status = DeliveryStatus.PENDING
    due_at = factory.LazyFunction(lambda: datetime(2026, 12, 1, 11, 0, tzinfo=UTC))
    next_attempt_at = factory.SelfAttribute("due_at")


class KioskLinkFactory(ModelFactory[KioskLink]):
    class Meta:
        model = KioskLink

    plan = factory.SubFactory(PlanFactory)
    label = factory.Sequence(lambda n: f"War room TV {n}")
