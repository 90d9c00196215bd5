"""Issue 11, finding 15: one message per person per tick, with deep links; no false OVERDUE by "Send now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from pytest_django.fixtures import Settings

from communications import outbox
from communications.models import Delivery, DeliveryStatus
from communications.services import delivery_send_now
from communications.sources import specs_for
from plans.models import PlanStatus
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H, M = timedelta(hours=1), timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def test_eight_overdue_items_for_one_person_make_one_email_with_deep_links(coordinator: User) -> None:
    with time_machine.travel(T0 - 10 * timedelta(days=1), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    pm = factories.UserFactory(email="pm@example.com")
    role = factories.RoleFactory(plan=plan, primary=pm, backup=None, slug="pm")
    checklist = factories.ChecklistFactory(plan=plan, role=role)
    items = [
        factories.ItemFactory(checklist=checklist, owner_role=role, title=f"Task {n}", due_offset=-2 * H)
        for n in range(8)
    ]
    before = T0 - 2 * H - 15 * M  # the reminder lead: eight "due soon" reminders in one email
    with time_machine.travel(before, tick=False):
        outbox.tick(now=before)
    due_mail = [m for m in mail.outbox if m.to == ["pm@example.com"]]
    assert len(due_mail) == 1 and due_mail[0].subject == f"[{plan.name}] 8 things need you"
    mail.outbox.clear()
    at = T0 - 2 * H + 5 * M  # all eight became late at T-2h; the overdue reminders fall due now
    with time_machine.travel(at, tick=False):
        outbox.tick(now=at)
    overdue_mail = [m for m in mail.outbox if "8 things need you, 8 overdue" in m.subject]
    assert len(overdue_mail) == 1
    body = overdue_mail[0].body
    for item in items:
        assert f"http://testserver/plans/{plan.slug}/roles/pm/#item-{item.pk}" in body
        assert item.title in body
    rows = Delivery.objects.filter(plan=plan, source_kind="item.overdue")
    assert rows.count() == 8  # every reminder still has its row (and its key: no second email next beat)
    assert rows.filter(status=DeliveryStatus.SENT).count() == 1
    assert all("one message" in r.note for r in rows.filter(status=DeliveryStatus.SKIPPED))
    with time_machine.travel(at + 15 * timedelta(seconds=1), tick=False):
        outbox.tick(now=at + 15 * timedelta(seconds=1))
    assert len([m for m in mail.outbox if m.to == ["pm@example.com"]]) == 1


def test_send_now_refuses_an_overdue_notice_before_it_is_overdue(coordinator: User) -> None:
    with time_machine.travel(T0 - 10 * timedelta(days=1), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    role = factories.RoleFactory(plan=plan)
    factories.ItemFactory(checklist__plan=plan, checklist__role=role, owner_role=role, due_offset=-H)
    now = T0 - 3 * H
    with time_machine.travel(now, tick=False):
        spec = next(s for s in specs_for(plan, now, T0) if s.source_kind == "item.overdue")
        with pytest.raises(ValidationError, match="Not overdue yet"):
            delivery_send_now(plan, by=coordinator, key=spec.key)
    assert not Delivery.objects.exists() and not mail.outbox


def test_one_email_says_which_role_each_thing_is_yours_as(coordinator: User) -> None:
    """Someone who is the PM and the DBA's backup gets one email for both, each line naming the role it
    reaches them as; someone with one role reads it once, in the heading."""
    with time_machine.travel(T0 - 10 * timedelta(days=1), tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.COUNTDOWN)
    pat = factories.UserFactory(email="pat@example.com")
    dana = factories.UserFactory(email="dana@example.com")
    pm = factories.RoleFactory(plan=plan, name="Product Manager", primary=pat, backup=None, slug="pm")
    dba = factories.RoleFactory(plan=plan, name="DBA", primary=dana, backup=pat, slug="dba")
    for role, title in ((pm, "Sign off the release notes"), (dba, "Freeze schema changes"), (dba, "Check replicas")):
        factories.ItemFactory(checklist__plan=plan, checklist__role=role, owner_role=role, title=title, due_offset=-H)
    at = T0 - H - 15 * M
    with time_machine.travel(at, tick=False):
        outbox.tick(now=at)
    (to_pat,) = [m for m in mail.outbox if m.to == ["pat@example.com"]]
    assert to_pat.subject == f"[{plan.name}] 3 things need you"
    assert to_pat.body.startswith("3 things need you:\n")
    assert "Sign off the release notes (as Product Manager)" in to_pat.body
    assert "Freeze schema changes (as DBA's backup)" in to_pat.body
    assert "Check replicas (as DBA's backup)" in to_pat.body
    (to_dana,) = [m for m in mail.outbox if m.to == ["dana@example.com"]]
    assert to_dana.body.startswith("2 things need you as DBA:\n") and "(as DBA)" not in to_dana.body
