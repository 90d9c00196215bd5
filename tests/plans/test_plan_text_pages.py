"""What the plan says is on the pages a team works from (issue 16): the board's contacts panel, the role
page's facts and a step's rollback in a detail that opens in place, the plan page's risks and facts, and
who to call on each escalation rung of the issues page. Text from the file stays text (escaped)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from django.utils import timezone

from issues import services
from launch.services.importer import import_plan_text
from plans.kiosk import kiosk_token
from roles.contacts import ContactCard, escalation_ladder, plan_contacts
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries

    from plans.models import Plan

pytestmark = pytest.mark.django_db

PLAN = """\
name: Said
extra:
  source: said.md
  war_room: Conference Room A
  dashboards: "https://grafana.example.com/d/launch?x=<b>"
  contingency_plans: [Backup team members identified, Emergency vendor contacts]
roles:
  - name: Operations Manager
    primary: olga
    summary: Leads the public launch.
    responsibilities: [Public launch lead, Go-live call]
    phone: "+44 20 7946 0018"
    email: ops@example.com
    attributes: {Effort: 16 hours, Skills: "Operations, <b>procedures</b>"}
  - name: Executive Team
contacts:
  - {label: Hosting vendor, kind: vendor, organisation: Netlify, phone: "+1 (555) 010-0199",
     email: help@netlify.example}
  - {label: "<script>alert(1)</script>", kind: other, phone: "[PHONE]"}
  - {label: CEO, kind: emergency, role: Executive Team, name: Erin Exec, phone: "+1 555 010 0100"}
escalation:
  - {level: 1, name: Operations, after: 0, until: 15m, roles: [Operations Manager]}
  - {level: 2, name: Executive team, after: 15m, roles: [Executive Team]}
  - {level: 3, name: Emergency, roles: [Executive Team], condition: Emergency, notes: CEO/CTO immediate notification}
severity_slas:
  - {severity: high, response: 1h}
phases:
  - name: Launch
    description: The launch day itself.
    steps:
      - name: Database Migration
        at: T-5h
        duration: 1h
        lead: Operations Manager
        rollback: Restore database backup
checklists:
  - name: Launch list
    role: Operations Manager
    description: Run on the day, in order.
    items:
      - {title: Remove maintenance mode, due: T+0}
risks:
  - title: Payment Processing
    probability: low
    impact: high
    mitigation: [Vendor confirmation obtained]
    rollback: Manual processing available
    owner: Operations Manager
"""


@pytest.fixture
def olga(db: None) -> User:
    return factories.UserFactory(username="olga", first_name="Olga", last_name="Ops")


@pytest.fixture
def said(olga: User, coordinator: User) -> Plan:
    return import_plan_text(
        PLAN, filename="said.yaml", t0=timezone.now() + timedelta(hours=2), tz="UTC", coordinator=coordinator
    )


def test_contact_cards_the_team_first_then_by_kind(said: Plan) -> None:
    cards = plan_contacts(said)
    assert [c.label for c in cards] == ["Operations Manager", "CEO", "Hosting vendor", "<script>alert(1)</script>"]
    ops = cards[0]
    assert ops.people == ("Olga Ops",) and ops.tel == "+442079460018" and ops.email == "ops@example.com"
    assert cards[2].tel == "+15550100199"
    assert cards[3].tel == ""  # a placeholder is no number: shown, not dialled


def test_tel_keeps_only_digits() -> None:
    assert ContactCard(label="x", kind="other", kind_label="Other", phone="0800 123 456 ext. 7").tel == "08001234567"


def test_board_shows_a_contacts_panel(client: Client, said: Plan, olga: User) -> None:
    client.force_login(olga)
    page = client.get(reverse("warroom:board", args=[said.slug])).content.decode()
    assert 'id="wr-contacts"' in page and "Who to call" in page and 'title="4 contacts"' in page
    assert 'href="tel:+442079460018"' in page and 'href="mailto:ops@example.com"' in page
    assert 'href="tel:+15550100199"' in page and "Netlify" in page
    assert 'data-copy="+44 20 7946 0018"' in page and "js/copy.js" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="tel:[PHONE]"' not in page and "[PHONE]" in page


def test_kiosk_board_shows_the_contacts_too(client: Client, said: Plan, coordinator: User) -> None:
    link = factories.KioskLinkFactory(plan=said, created_by=coordinator)
    page = client.get(reverse("warroom:kiosk", args=[kiosk_token(link)])).content.decode()
    # a TV nobody touches: the strip is open (no <details> to click), numbers as text, turning by itself
    panel = page.split('id="wr-contacts"', 1)[1].split("</section>", 1)[0]
    assert "Who to call" in panel and "☎ +44 20 7946 0018" in panel and "data-ct-rotate" in panel
    assert "<details" not in panel and "js/contacts.js" in page


def test_contacts_are_for_signed_in_people_and_strangers_raise_nothing(client: Client, said: Plan) -> None:
    for url in (
        reverse("warroom:board", args=[said.slug]),
        reverse("checklists:role", args=[said.slug, "operations-manager"]),
        reverse("issues:list", args=[said.slug]),
        reverse("plans:detail", args=[said.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    client.force_login(factories.UserFactory(username="stranger"))  # signed in, no role: reads, cannot raise
    response = client.post(reverse("issues:list", args=[said.slug]), {"title": "x", "severity": "high"})
    assert response.status_code == 403 and not said.issues.exists()


def test_role_page_shows_the_role_and_the_rollback_in_place(client: Client, said: Plan, olga: User) -> None:
    client.force_login(olga)
    page = client.get(reverse("checklists:role", args=[said.slug, "operations-manager"])).content.decode()
    assert '<details class="role-facts card small" id="role-about">' in page  # closed until opened
    assert "About this role: 2 responsibilities · facts · contacts · checklist note" in page
    assert "<li>Public launch lead</li>" in page and "Leads the public launch." in page
    assert "<dt>Effort</dt><dd>16 hours</dd>" in page
    assert "Operations, &lt;b&gt;procedures&lt;/b&gt;" in page
    assert "Run on the day, in order." in page  # the checklist's description
    assert 'href="tel:+442079460018"' in page
    # the step's row: its rollback and its phase's description open in place
    assert "Runbook: rollback · phase" in page
    assert '<dd class="step-rollback">Restore database backup</dd>' in page
    assert "The launch day itself." in page


def test_unowned_page_has_no_role_facts(client: Client, said: Plan, coordinator: User) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("checklists:role", args=[said.slug, "_unowned"])).content.decode()
    assert "role-about" not in page


def test_plan_page_shows_risks_and_the_plans_facts(client: Client, said: Plan, olga: User) -> None:
    client.force_login(olga)
    page = client.get(reverse("plans:detail", args=[said.slug])).content.decode()
    assert 'id="risks"' in page and "Payment Processing" in page
    assert "probability low" in page and "impact high" in page
    assert "<li>Vendor confirmation obtained</li>" in page and "Manual processing available" in page
    assert "What else the plan says (3 facts)" in page
    # a link; the markup after it stays text
    assert '<a href="https://grafana.example.com/d/launch?x=" rel="nofollow">' in page and "&lt;b&gt;" in page
    assert "x=<b>" not in page
    assert "<dt>War room</dt><dd>Conference Room A</dd>" in page
    assert "<li>Emergency vendor contacts</li>" in page
    assert "said.md" not in page  # the importer's bookkeeping, not a fact of the launch


def test_escalation_ladder_names_who_to_call(said: Plan) -> None:
    ladder = escalation_ladder(said)
    assert [(r.level.level, [c.label for c in r.cards]) for r in ladder] == [
        (1, ["Operations Manager"]),
        (2, ["Executive Team", "CEO"]),
        (3, ["Executive Team", "CEO"]),
    ]


def test_issues_page_shows_the_rung_and_its_contacts(
    client: Client, said: Plan, olga: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    issue = services.issue_open(said, by=olga, title="Checkout down", severity="high")
    issue.reported_at = timezone.now() - timedelta(minutes=20)  # unanswered 20 minutes: rung 2
    issue.save(update_fields=["reported_at"])
    client.force_login(olga)
    url = reverse("issues:list", args=[said.slug])
    # session, user, plan, categories, roles (the raise form and the role filter), open, resolved, rungs +
    # their roles, contacts, can_raise, (issue 12) the raise form's steps and risks, and the plan's ended holds
    # (the steps' planned offsets): 14, no spare
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "L2 Executive team: who to call" in page
    assert 'id="escalation-ladder"' in page and "CEO/CTO immediate notification" in page
    assert 'href="tel:+15550100100"' in page and "Erin Exec" in page
    for _ in range(5):
        services.issue_open(said, by=olga, title="More", severity="high")
    with django_assert_max_num_queries(14):  # no query per issue (an unowned one asked for its plan)
        client.get(url)
