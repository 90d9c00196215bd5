"""The communications page and the public status page in Chromium (LC_SCREENSHOTS=dir keeps screenshots)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from communications import outbox
from communications.models import Audience, Channel, ChannelKind, Delivery, DeliveryStatus, Message, MessageKind
from communications.services import status_post
from tests import factories
from tests.browser.shots import keep

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import Page
    from pytest_django import Settings
    from pytest_django.live_server_helper import LiveServer

    from plans.models import Plan
    from tests.fixture_types import LoginPage


def _plan(coordinator: User) -> Plan:
    now = timezone.now()
    plan = factories.PlanFactory(
        coordinator=coordinator,
        name="Midas go-live",
        slug="midas",
        t0=now + timedelta(hours=2),
        timezone="America/New_York",
    )
    plan.created_at = now - timedelta(days=1)
    plan.save(update_fields=["created_at"])
    phase = factories.PhaseFactory(plan=plan, name="Launch day")
    dba = factories.RoleFactory(
        plan=plan, name="DBA", backup=factories.UserFactory(first_name="Bo", last_name="Backup")
    )
    cl = factories.ChecklistFactory(plan=plan, role=dba, phase=phase)
    factories.ItemFactory(checklist=cl, title="Freeze schema changes", due_offset=-timedelta(hours=2, minutes=5))
    factories.ItemFactory(checklist=cl, title="Verify replica lag", due_offset=timedelta(minutes=-30))
    factories.StepFactory(plan=plan, lead_role=dba, name="Switch DNS", offset=timedelta(minutes=-20))
    staff = Channel.objects.create(plan=plan, name="Staff list", kind=ChannelKind.EMAIL, target="staff@example.com")
    hook = Channel.objects.create(plan=plan, name="#launch", kind=ChannelKind.WEBHOOK, target="http://127.0.0.1:9/hook")
    page = Channel.objects.create(plan=plan, name="Status page", kind=ChannelKind.STATUS_PAGE)
    m = Message.objects.create(
        plan=plan,
        name="Launch announcement",
        offset=-timedelta(hours=2, minutes=1),
        audience=Audience.USERS,
        body="We launch at {{ t0|date('H:i T') }}.",
    )
    m.channels.set([staff, hook, page])
    m = Message.objects.create(
        plan=plan,
        name="Hourly status",
        offset=timedelta(0),
        kind=MessageKind.STATUS_UPDATE,
        every=timedelta(hours=1),
        count=4,
        audience=Audience.PUBLIC,
    )
    m.channels.set([staff, page])
    m = Message.objects.create(
        plan=plan,
        name="Press release",
        offset=timedelta(hours=1),
        audience=Audience.PUBLIC,
        requires_approval=True,
        body="Midas is live.",
    )
    m.channels.set([page])
    return plan


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_communications_and_status_pages_in_chromium(
    page: Page, live_server: LiveServer, login_page: LoginPage, settings: Settings
) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    coordinator = factories.UserFactory(username="coord", first_name="Casey", last_name="Coordinator")
    plan = _plan(coordinator)
    outbox.tick()
    status_post(plan, by=coordinator, title="Maintenance window confirmed", body="Checkout pauses for 10 minutes.")
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED, channel_kind="webhook").exists()

    login_page(page, coordinator)
    page.goto(f"{live_server.url}/plans/{plan.slug}/communications/")
    assert page.locator("#attention").is_visible()
    assert page.locator("#scheduled tr.scheduled").count() > 3
    keep(page, "communications.png", full_page=True)

    assert page.context.browser is not None
    anonymous = page.context.browser.new_context(viewport={"width": 1000, "height": 800})
    public = anonymous.new_page()
    public.goto(f"{live_server.url}/status/{plan.slug}/")
    assert public.locator("#countdown").inner_text().startswith("T-")
    text = public.locator("body").inner_text()
    assert "Launch announcement" in text and "Maintenance window confirmed" in text
    assert "Backup" not in text and "DBA" not in text
    keep(public, "status.png", full_page=True)
    anonymous.close()
