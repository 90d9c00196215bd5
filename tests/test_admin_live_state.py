"""The admin cannot corrupt live launch state (issue 9, finding 3): holds, metric readings, votes,
deliveries and events are read-only there; a hold ends through the "End hold" action, which is the war
room's service; step and item status are read-only; and event_record() refuses to run outside a transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from checklists.models import Item, ItemStatus, Vote
from communications.models import Delivery
from plans.models import Event, Hold, MetricReading, PlanStatus, Step, StepStatus
from plans.services import NotInTransaction, TransitionError, event_record, hold_end, hold_start, reading_record
from tests import factories
from tests.test_admin import form_data

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Model
    from django.test import Client

    from plans.models import Plan

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def on_hold(plan: Plan, coordinator: User) -> Plan:
    with time_machine.travel(T0 - timedelta(hours=2), tick=False):
        hold_start(plan, by=coordinator, reason="Payment provider down")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.HOLD
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Hold, MetricReading, Vote, Delivery, Event])
def test_live_state_is_read_only_in_the_admin(admin_user: User, model: type[Model]) -> None:
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.django_db
def test_editing_a_hold_in_the_admin_is_refused_and_changes_nothing(admin_client: Client, on_hold: Plan) -> None:
    hold = Hold.objects.get(plan=on_hold)
    url = reverse("admin:plans_hold_change", args=[hold.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="ended_at' not in response.content.decode()  # shown, not a field
    response = admin_client.post(url, {"reason": "x", "ended_at_0": "2026-12-01", "ended_at_1": "10:30:00"})
    assert response.status_code == 403
    assert admin_client.post(reverse("admin:plans_hold_delete", args=[hold.pk]), {"post": "yes"}).status_code == 403
    hold.refresh_from_db()
    on_hold.refresh_from_db()
    assert hold.ended_at is None and on_hold.status == PlanStatus.HOLD and on_hold.t0 == T0


@pytest.mark.django_db
def test_the_end_hold_action_ends_it_exactly_as_the_war_room_does(
    admin_client: Client, admin_user: User, on_hold: Plan
) -> None:
    hold = Hold.objects.get(plan=on_hold)
    revision = on_hold.revision
    with time_machine.travel(T0 - timedelta(hours=1, minutes=15), tick=False):
        response = admin_client.post(
            reverse("admin:plans_hold_changelist"), {"action": "end_hold", "_selected_action": [hold.pk]}
        )
    assert response.status_code == 302
    on_hold.refresh_from_db()
    hold.refresh_from_db()
    assert on_hold.status == PlanStatus.COUNTDOWN
    assert on_hold.t0 == T0 + timedelta(minutes=45)  # T-0 slipped by the hold's length
    assert hold.slip == timedelta(minutes=45) and hold.ended_by == admin_user
    assert on_hold.revision == revision + 1
    assert Event.objects.filter(plan=on_hold, kind="hold.ended", actor=admin_user).count() == 1
    # Once more on the ended hold: nothing to do, no error, nothing recorded.
    response = admin_client.post(
        reverse("admin:plans_hold_changelist"), {"action": "end_hold", "_selected_action": [hold.pk]}
    )
    assert response.status_code == 302
    assert Event.objects.filter(plan=on_hold, kind="hold.ended").count() == 1


@pytest.mark.django_db
def test_a_plan_on_hold_without_an_open_hold_is_a_clear_error_not_a_500(
    client: Client, on_hold: Plan, coordinator: User
) -> None:
    # What the old Hold admin left behind (ended_at set by hand): HOLD with no open hold. End hold
    # then met an AssertionError, a 500; now it is a TransitionError the war room shows.
    Hold.objects.filter(plan=on_hold).update(ended_at=T0)
    with pytest.raises(TransitionError):
        hold_end(on_hold, by=coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("plans:hold_end", args=[on_hold.slug]))
    assert response.status_code < 500
    on_hold.refresh_from_db()
    assert on_hold.status == PlanStatus.HOLD and on_hold.t0 == T0


@pytest.mark.django_db
def test_a_reading_cannot_be_added_in_the_admin(admin_client: Client, plan: Plan, coordinator: User) -> None:
    metric = factories.MetricFactory(plan=plan)
    reading = reading_record(metric, value="1.5", by=coordinator)
    assert admin_client.get(reverse("admin:plans_metricreading_add")).status_code == 403
    url = reverse("admin:plans_metricreading_change", args=[reading.pk])
    assert admin_client.post(url, {"metric": metric.pk, "value": "99"}).status_code == 403
    reading.refresh_from_db()
    assert reading.value == Decimal("1.5") and MetricReading.objects.count() == 1


@pytest.mark.django_db
def test_step_status_and_times_are_read_only_in_the_admin(admin_client: Client, plan: Plan) -> None:
    step = factories.StepFactory(plan=plan)
    url = reverse("admin:plans_step_change", args=[step.pk])
    data = form_data(admin_client.get(url))
    assert "status" not in data and "actual_start_0" not in data
    data.update({"status": StepStatus.DONE, "actual_start_0": "2026-12-01", "actual_start_1": "10:00:00"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    step.refresh_from_db()
    assert step.status == StepStatus.PENDING and step.actual_start is None
    # The plan's step inline too.
    plan_form = form_data(admin_client.get(reverse("admin:plans_plan_change", args=[plan.pk])))
    assert not any(name.startswith("steps-") and name.endswith("-status") for name in plan_form)
    assert Step.objects.get(pk=step.pk).status == StepStatus.PENDING


@pytest.mark.django_db
def test_item_status_is_read_only_in_the_admin(admin_client: Client, plan: Plan) -> None:
    item = factories.ItemFactory(checklist__plan=plan)
    url = reverse("admin:checklists_item_change", args=[item.pk])
    data = form_data(admin_client.get(url))
    assert "status" not in data
    data["status"] = ItemStatus.DONE
    assert admin_client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and Item.objects.filter(status=ItemStatus.DONE).count() == 0


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(plan: Plan) -> None:
    revision = plan.revision
    with pytest.raises(NotInTransaction):
        event_record(plan, kind="test.outside", summary="no transaction")
    plan.refresh_from_db()
    assert plan.revision == revision and not Event.objects.filter(kind="test.outside").exists()
