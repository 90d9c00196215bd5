"""Issue 8, findings 4 and 7: dates out of any sane range and malformed form input. Each is refused with
a clear message and nothing changes; a plan already holding an out-of-range date shows a 409 page that
says why (and lets its coordinator move T-0 back), never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checklists.models import Item, NoGoTrigger, Vote
from communications.models import Channel, ChannelKind, Delivery, Message
from issues.models import Issue
from launch.format import template_text
from launch.services.importer import import_plan_text
from plans.models import Event, Hold, KioskLink, MetricReading, Plan, PlanStatus
from plans.validators import (
    BoundsError,
    check_duration,
    check_number,
    check_offset,
    check_t0,
    clean_text,
    parse_datetime_input,
)
from roles.models import Role
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from tests.fixture_types import ClientResponse

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def events(plan: Plan) -> int:
    return Event.objects.filter(plan=plan).count()


def page_text(response: ClientResponse) -> str:
    return response.content.decode()


# --- the shared validators --------------------------------------------------------------------------


def test_clean_text_refuses_control_characters_and_overlong_text() -> None:
    assert clean_text("  fine  ", max_length=10) == "fine"
    assert clean_text("two\r\nlines\tok", max_length=50, multiline=True) == "two\nlines\tok"
    for bad in ("a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\nb", "a\tb", "a\ud800b"):
        with pytest.raises(BoundsError, match="character"):
            clean_text(bad, max_length=50)
    with pytest.raises(BoundsError, match="NUL"):
        clean_text("a\x00b", max_length=50, multiline=True)
    with pytest.raises(BoundsError, match="at most 3 characters"):
        clean_text("four", max_length=3)


def test_t0_offset_duration_and_number_bounds() -> None:
    assert check_t0(T0) == T0
    for bad in (
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
    ):
        with pytest.raises(BoundsError, match="between 2000-01-01 and 2100-01-01"):
            check_t0(bad)
    with pytest.raises(BoundsError):
        check_t0(datetime(2026, 1, 1))  # naive
    assert check_offset(timedelta(days=-400)) == timedelta(days=-400)
    with pytest.raises(BoundsError, match="±400 days"):
        check_offset(timedelta(days=3650000))
    with pytest.raises(BoundsError, match="at most 400 days"):
        check_duration(timedelta(days=401))
    assert check_number("9999999999.9999", max_digits=14, decimal_places=4) == Decimal("9999999999.9999")
    for number in ("1e10", "10000000000", "NaN", "inf", "abc", "1" * 100):
        with pytest.raises(BoundsError):
            check_number(number, max_digits=14, decimal_places=4)


def test_datetime_input_refuses_absurd_utc_offsets_and_years() -> None:
    zone = Plan(timezone="Europe/London").zone
    assert parse_datetime_input("2026-12-01T12:00", zone) == T0
    assert parse_datetime_input("2026-12-01T12:00+14:00", zone) == T0 - timedelta(hours=14)
    with pytest.raises(BoundsError, match="UTC offset \\+23:59"):
        parse_datetime_input("2026-11-22T16:00+23:59", zone)
    for bad in ("0001-01-01T00:00", "9999-12-31T23:59", "yesterday", "2026-12-01T12:00\x00"):
        with pytest.raises(BoundsError):
            parse_datetime_input(bad, zone)


# --- finding 4: re-baselining out of range, and pages of a plan that already is ----------------------


@pytest.mark.parametrize("new_t0", ["0001-01-01T00:00", "9999-12-31T23:59", "2100-01-01T00:00", "1999-12-31T12:00"])
def test_rebaseline_out_of_range_is_refused(client: Client, plan: Plan, coordinator: User, new_t0: str) -> None:
    client.force_login(coordinator)
    before = events(plan)
    response = client.post(
        reverse("plans:rebaseline", args=[plan.slug]), {"new_t0": new_t0, "reason": "x"}, follow=True
    )
    assert response.status_code == 200
    assert "T-0 must lie between 2000-01-01 and 2100-01-01" in page_text(response)
    plan.refresh_from_db()
    assert plan.t0 == T0 and events(plan) == before
    preview = client.get(reverse("plans:detail", args=[plan.slug]), {"new_t0": new_t0})
    assert preview.status_code == 200 and "T-0 must lie between" in page_text(preview)


def test_rebaseline_service_refuses_out_of_range(plan: Plan, coordinator: User) -> None:
    from plans.services import plan_rebaseline

    with pytest.raises(ValidationError):
        plan_rebaseline(plan, new_t0=datetime(1, 1, 1, tzinfo=UTC), by=coordinator)
    with pytest.raises(ValidationError):  # the admin's path skips the permission check, not the bounds
        plan_rebaseline(plan, new_t0=datetime(9999, 12, 31, tzinfo=UTC), by=coordinator, check=False)
    plan.refresh_from_db()
    assert plan.t0 == T0


@pytest.mark.parametrize("moment", [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)])
def test_pages_of_a_plan_already_out_of_range_answer_409_not_500(client: Client, moment: datetime) -> None:
    coordinator = factories.UserFactory(username="coord")
    plan = import_plan_text(
        template_text("heypeter-academy-lms"), t0="2026-12-01T12:00", tz="Europe/London", coordinator=coordinator
    )
    Plan.objects.filter(pk=plan.pk).update(t0=moment, status=PlanStatus.COUNTDOWN)  # data from before the bound
    role = Role.objects.filter(plan=plan).first()
    message = Message.objects.filter(plan=plan).first()
    assert role is not None and message is not None
    link = KioskLink.objects.create(plan=plan, label="TV", created_by=coordinator)
    from plans.kiosk import kiosk_token

    client.force_login(coordinator)
    client.raise_request_exception = False
    pages = [
        reverse("plans:detail", args=[plan.slug]),
        reverse("plans:timeline", args=[plan.slug]),
        reverse("checklists:role", args=[plan.slug, role.slug]),
        reverse("communications:page", args=[plan.slug]),
        reverse("communications:preview", args=[plan.slug, message.pk]),
        reverse("warroom:board", args=[plan.slug]),
        reverse("warroom:metrics", args=[plan.slug]),
        reverse("statuspage:page", args=[plan.slug]),
        reverse("warroom:kiosk", args=[kiosk_token(link)]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 409, url
        assert "dates out of range" in page_text(response)
    home = client.get(reverse("launch:home"))
    assert home.status_code == 200 and "out of range" in page_text(home)
    # the coordinator's plan page carries the form that moves T-0 back, and then every page works
    assert 'name="new_t0"' in page_text(client.get(reverse("plans:detail", args=[plan.slug])))
    client.post(reverse("plans:rebaseline", args=[plan.slug]), {"new_t0": "2026-12-01T12:00", "reason": "fix"})
    plan.refresh_from_db()
    assert plan.t0 == T0
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_an_out_of_range_offset_in_old_data_is_a_409_not_a_500(client: Client, plan: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=plan, slug="dba")
    factories.StepFactory(plan=plan, lead_role=role, offset=timedelta(days=3650000))
    client.force_login(coordinator)
    client.raise_request_exception = False
    response = client.get(reverse("plans:timeline", args=[plan.slug]))
    assert response.status_code == 409 and "outside the range" in page_text(response)


def test_admin_refuses_t0_out_of_range(client: Client, plan: Plan) -> None:
    admin = factories.UserFactory(username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | dict)}
    data.update(
        {
            "name": plan.name,
            "slug": plan.slug,
            "status": plan.status,
            "timezone": plan.timezone,
            "t0_0": "0001-01-01",
            "t0_1": "00:00:00",
            "reminder_lead": "15m",
            "extra": "{}",
        }
    )
    for prefix in ("phases", "steps"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    plan.refresh_from_db()
    assert plan.t0 == T0
    assert response.status_code == 200 and "T-0 must lie between" in page_text(response)


# --- finding 7: malformed form input -----------------------------------------------------------------


def test_absurd_utc_offset_in_new_t0_is_refused(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.get(reverse("plans:detail", args=[plan.slug]), {"new_t0": "2026-11-22T16:00+23:59"})
    assert response.status_code == 200 and "is not a real time zone" in page_text(response)
    response = client.post(
        reverse("plans:rebaseline", args=[plan.slug]), {"new_t0": "2026-11-22T16:00+23:59"}, follow=True
    )
    assert "is not a real time zone" in page_text(response)
    plan.refresh_from_db()
    assert plan.t0 == T0


@pytest.mark.parametrize("value", ["1e10", "10000000000", "-99999999999", "1e400", "NaN", "12\x00"])
def test_metric_value_out_of_the_columns_range_is_refused(
    client: Client, plan: Plan, coordinator: User, value: str
) -> None:
    metric = factories.MetricFactory(plan=plan)
    client.force_login(coordinator)
    response = client.post(reverse("warroom:metric_record", args=[plan.slug, metric.pk]), {"value": value}, follow=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "too large" in text or "not a number" in text or "finite" in text or "NUL" in text
    assert not MetricReading.objects.exists()


def test_largest_metric_value_fits(plan: Plan, coordinator: User) -> None:
    from plans.models import SuccessMetric
    from plans.services import reading_record

    metric = SuccessMetric.objects.create(plan=plan, name="Users")
    reading = reading_record(metric, value="9999999999.9999", by=coordinator)
    reading.refresh_from_db()
    assert reading.value == Decimal("9999999999.9999")


def test_nul_in_kiosk_label_is_refused(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(reverse("warroom:kiosk_create", args=[plan.slug]), {"label": "TV\x00 1"}, follow=True)
    assert "Label: contains a NUL character" in page_text(response)
    assert not KioskLink.objects.exists()
    response = client.post(reverse("warroom:kiosk_create", args=[plan.slug]), {"label": "T" * 121}, follow=True)
    assert "at most 120 characters" in page_text(response) and not KioskLink.objects.exists()


def test_nul_in_hold_transition_and_rebaseline_reasons_is_refused(
    client: Client, plan: Plan, coordinator: User
) -> None:
    client.force_login(coordinator)
    before = events(plan)
    response = client.post(reverse("plans:hold_start", args=[plan.slug]), {"reason": "vendor\x00"}, follow=True)
    assert "Reason: contains a NUL character" in page_text(response)
    response = client.post(
        reverse("plans:transition", args=[plan.slug]), {"to": "aborted", "reason": "why\x00"}, follow=True
    )
    assert "Reason: contains a NUL character" in page_text(response)
    response = client.post(
        reverse("plans:rebaseline", args=[plan.slug]),
        {"new_t0": "2026-12-02T12:00", "reason": "later\x00"},
        follow=True,
    )
    assert "Reason: contains a NUL character" in page_text(response)
    response = client.post(reverse("plans:hold_start", args=[plan.slug]), {"reason": "x" * 2001}, follow=True)
    assert "at most 2000 characters" in page_text(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COUNTDOWN and plan.t0 == T0
    assert not Hold.objects.exists() and events(plan) == before


@pytest.fixture
def comms(plan: Plan) -> Message:
    staff = Channel.objects.create(plan=plan, name="Staff", kind=ChannelKind.EMAIL, target="staff@example.com")
    msg = Message.objects.create(plan=plan, name="Launching soon", offset=-timedelta(hours=1))
    msg.channels.set([staff])
    return msg


@pytest.mark.parametrize("view", ["communications:send_now", "communications:skip"])
@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2026-11-22T16:00:00+23:59"]
)
def test_send_now_and_skip_with_a_forged_key_holding_an_absurd_date(
    client: Client, plan: Plan, coordinator: User, comms: Message, view: str, when: str
) -> None:
    client.force_login(coordinator)
    client.raise_request_exception = False
    key = f"message|{comms.pk}|channel:1|email|{when}"
    response = client.post(reverse(view, args=[plan.slug]), {"key": key}, follow=True)
    assert response.status_code == 200
    assert "not one this plan schedules" in page_text(response)
    assert not Delivery.objects.exists() and not events(plan)


def test_forged_key_and_huge_delivery_id_need_the_coordinator_and_change_nothing(
    client: Client, plan: Plan, comms: Message
) -> None:
    client.force_login(factories.UserFactory(username="stranger"))
    key = f"message|{comms.pk}|channel:1|email|0001-01-01T00:00:00+00:00"
    assert client.post(reverse("communications:send_now", args=[plan.slug]), {"key": key}).status_code == 403
    assert client.post(reverse("communications:skip", args=[plan.slug]), {"delivery": str(10**30)}).status_code == 404
    assert not Delivery.objects.exists()


def test_control_characters_in_checklist_and_gate_text_are_refused(plan: Plan, coordinator: User) -> None:
    from checklists import services

    role = factories.RoleFactory(plan=plan, primary=coordinator)
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=role)
    gate = factories.GateFactory(plan=plan, authority_role=role)
    gate.polled_roles.set([role])
    trigger = NoGoTrigger.objects.create(gate=gate, description="Data loss")
    with pytest.raises(ValidationError, match="NUL"):
        services.item_set_status(item, by=coordinator, status="done", note="ok\x00")
    with pytest.raises(ValidationError, match="at most 2000"):
        services.item_set_status(item, by=coordinator, status="done", note="n" * 2001)
    with pytest.raises(ValidationError, match="control character"):
        services.trigger_raise(trigger, by=coordinator, reason="bad\x1b[31m")
    services.gate_open_poll(gate, by=coordinator)
    with pytest.raises(ValidationError, match="NUL"):
        services.vote_cast(gate, role=role, by=coordinator, vote="no_go", comment="no\x00")
    with pytest.raises(ValidationError, match="NUL"):
        services.gate_decide(gate, by=coordinator, decision="no_go", reason="stop\x00")
    item.refresh_from_db()
    trigger.refresh_from_db()
    assert item.status == "open" and item.note == "" and not trigger.raised and not Vote.objects.exists()


def test_control_characters_in_issues_are_refused(client: Client, plan: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("issues:list", args=[plan.slug]), {"title": "Down\x07", "severity": "high", "description": ""}
    )
    assert response.status_code == 200 and "control character" in page_text(response)
    response = client.post(
        reverse("issues:list", args=[plan.slug]), {"title": "Down", "severity": "high", "description": "x\x00"}
    )
    assert response.status_code == 200 and not Issue.objects.exists()


# --- item notes: a stale page cannot overwrite a newer note ------------------------------------------


def test_stale_note_does_not_overwrite_a_newer_one(client: Client, plan: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=plan, slug="dba", primary=coordinator)
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=role)
    url = reverse("checklists:item_set", args=[plan.slug, "dba", item.pk])
    client.force_login(coordinator)
    seen = item.version  # two people loaded the page at this version
    client.post(url, {"status": "open", "version": seen, "note": "Vendor confirmed at 10:00"})
    item.refresh_from_db()
    assert item.note == "Vendor confirmed at 10:00" and item.version == seen + 1
    response = client.post(url, {"status": "open", "version": seen, "note": "Waiting for vendor"}, follow=True)
    item.refresh_from_db()
    assert item.note == "Vendor confirmed at 10:00"
    assert "changed by someone else" in page_text(response)
    assert Event.objects.filter(plan=plan, kind="item.noted").count() == 1
    # with the current version the note is saved
    client.post(url, {"status": "open", "version": item.version, "note": "Waiting for vendor"})
    item.refresh_from_db()
    assert item.note == "Waiting for vendor"


def test_item_note_double_submit_is_idempotent(plan: Plan, coordinator: User) -> None:
    from checklists import services

    role = factories.RoleFactory(plan=plan, primary=coordinator)
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=role)
    version = item.version
    services.item_set_status(item.pk, by=coordinator, status="done", note="done", expected_version=version)
    again = services.item_set_status(item.pk, by=coordinator, status="done", note="done", expected_version=version)
    assert again.note == "done" and Item.objects.get(pk=item.pk).version == version + 1


def test_note_refused_by_the_form_says_why(client: Client, plan: Plan, coordinator: User) -> None:
    role = factories.RoleFactory(plan=plan, slug="dba", primary=coordinator)
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=role)
    client.force_login(coordinator)
    url = reverse("checklists:item_set", args=[plan.slug, "dba", item.pk])
    response = client.post(url, {"status": "open", "version": item.version, "note": "a\x00b"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Note: Null characters are not allowed." in page_text(response)
    item.refresh_from_db()
    assert item.note == "" and item.version == 0


def test_rebaseline_by_a_stranger_is_403_whatever_the_date(client: Client, plan: Plan) -> None:
    client.force_login(factories.UserFactory(username="stranger"))
    for value in ("", "0001-01-01T00:00", "2026-12-02T12:00"):
        response = client.post(reverse("plans:rebaseline", args=[plan.slug]), {"new_t0": value})
        assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.t0 == T0


def test_a_plan_out_of_range_does_not_stop_the_outbox_or_escalation_for_the_others() -> None:
    """Old data with an absurd T-0 sends nothing, and every other plan's deliveries still come due."""
    import time_machine

    from communications import outbox
    from issues.tasks import escalate_open_issues

    coordinator = factories.UserFactory(username="coord")
    with time_machine.travel(T0 - timedelta(days=8), tick=False):
        text = template_text("heypeter-academy-lms")
        good, bad = (
            import_plan_text(text, t0="2026-12-01T12:00", tz="Europe/London", coordinator=coordinator) for _ in range(2)
        )
    Plan.objects.filter(pk__in=[good.pk, bad.pk]).update(status=PlanStatus.COUNTDOWN)
    Plan.objects.filter(pk=bad.pk).update(t0=datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    with time_machine.travel(T0 - timedelta(hours=1), tick=False):
        assert outbox.materialise() > 0
        escalate_open_issues()  # no exception for the out-of-range plan
    assert Delivery.objects.filter(plan=good).exists()
    assert not Delivery.objects.filter(plan=bad).exists()
