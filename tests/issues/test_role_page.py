"""The issues a role owns, at the top of its page (issues/role_page.py): a DBA working their checklist sees the
issue raised against their role with its response SLA, and acknowledges it there; others read it without the
button, and their acknowledge is refused. The page of unowned work shows the issues with no owner role. The
rows' poll brings the section with it, so an issue raised while the page is open shows without a reload."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
from django.urls import reverse
from django.utils import timezone

from issues import services
from issues.models import Issue, IssueStatus, SeveritySLA
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db


class World(TypedDict):
    plan: Plan
    dba: User
    qa: User
    role: Role
    other: Role
    mine: Issue


@pytest.fixture
def w(plan: Plan, coordinator: User) -> World:
    dba, qa = factories.UserFactory(username="dana"), factories.UserFactory(username="quinn")
    role = factories.RoleFactory(plan=plan, name="Database Administrator", slug="dba", primary=dba)
    other = factories.RoleFactory(plan=plan, name="QA Lead", slug="qa", primary=qa)
    SeveritySLA.objects.create(plan=plan, severity="high", response_within=timedelta(minutes=15))
    title = "Replication lag on the <read> replica"
    mine = services.issue_open(plan, by=qa, title=title, severity="high", owner_role=role)
    services.issue_open(plan, by=dba, title="Flaky login test", severity="low", owner_role=other)
    services.issue_open(plan, by=coordinator, title="Press embargo unclear", severity="medium")
    done = services.issue_open(plan, by=qa, title="Old index missing", severity="critical", owner_role=role)
    services.issue_resolve(done, by=dba, resolution="Index rebuilt")
    return {"plan": plan, "dba": dba, "qa": qa, "role": role, "other": other, "mine": mine}


def _page(client: Client, plan: Plan, slug: str) -> str:
    response = client.get(reverse("checklists:role", args=[plan.slug, slug]))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str) -> str:
    start = html.index('id="role-sections"')
    return html[start : html.index('class="summary-bar"', start)]


def test_the_roles_open_issues_are_at_the_top_of_its_page_with_their_sla(client: Client, w: World) -> None:
    client.force_login(w["dba"])
    section = _section(_page(client, w["plan"], "dba"))
    assert "Open issues for this role" in section
    assert "#1 Replication lag on the &lt;read&gt; replica" in section and "<read>" not in section  # text, escaped
    assert reverse("issues:detail", args=[w["plan"].slug, w["mine"].number]) in section
    assert "data-deadline-left" in section and " left" in section  # the response SLA, counting down
    assert "Acknowledge" in section
    assert "Flaky login test" not in section  # another role's
    assert "Press embargo unclear" not in section  # no owner role: the coordinator's page of unowned work
    assert "Old index missing" not in section  # resolved
    page = _page(client, w["plan"], "qa")  # the QA Lead's page, read by the DBA: its issue, no button
    assert "Flaky login test" in _section(page) and "Acknowledge" not in _section(page)


def test_a_role_without_open_issues_shows_no_section(client: Client, w: World) -> None:
    services.issue_acknowledge(w["mine"], by=w["dba"])
    services.issue_resolve(w["mine"], by=w["dba"], resolution="Replica caught up")
    client.force_login(w["dba"])
    section = _section(_page(client, w["plan"], "dba"))
    assert "Open issues" not in section and "Replication lag" not in section


def test_the_page_of_unowned_work_shows_the_issues_with_no_owner_role(
    client: Client, w: World, coordinator: User
) -> None:
    client.force_login(coordinator)
    section = _section(_page(client, w["plan"], "_unowned"))
    assert "Press embargo unclear" in section and "Acknowledge" in section
    assert "Replication lag" not in section and "Flaky login test" not in section


def test_acknowledged_from_the_role_page_and_back_to_it(client: Client, w: World) -> None:
    client.force_login(w["dba"])
    url = reverse("issues:acknowledge", args=[w["plan"].slug, w["mine"].number])
    response = client.post(url, {"back": "role", "role": "dba"})
    assert response.status_code == 302
    assert response["Location"] == reverse("checklists:role", args=[w["plan"].slug, "dba"]) + "#role-issues"
    w["mine"].refresh_from_db()
    assert w["mine"].status == IssueStatus.ACKNOWLEDGED and w["mine"].acknowledged_by == w["dba"]
    section = _section(_page(client, w["plan"], "dba"))
    assert "acknowledged" in section and "Acknowledge</button>" not in section
    # A second click (a stale page) changes nothing and comes back to the same place.
    again = client.post(url, {"back": "role", "role": "dba"})
    assert again["Location"].endswith("#role-issues")


@pytest.mark.parametrize("role", ["nope", "https://evil.example/", "../admin", ""])
def test_a_role_that_is_not_the_plans_goes_back_to_the_issue(client: Client, w: World, role: str) -> None:
    client.force_login(w["dba"])
    response = client.post(
        reverse("issues:acknowledge", args=[w["plan"].slug, w["mine"].number]), {"back": "role", "role": role}
    )
    assert response["Location"] == reverse("issues:detail", args=[w["plan"].slug, w["mine"].number])


def test_someone_elses_acknowledge_is_refused(client: Client, w: World) -> None:
    client.force_login(w["qa"])
    response = client.post(
        reverse("issues:acknowledge", args=[w["plan"].slug, w["mine"].number]), {"back": "role", "role": "dba"}
    )
    assert response.status_code == 403
    w["mine"].refresh_from_db()
    assert w["mine"].status == IssueStatus.OPEN


def test_the_rows_poll_brings_an_issue_raised_while_the_page_is_open(client: Client, w: World) -> None:
    client.force_login(w["dba"])
    rows = reverse("checklists:role_rows", args=[w["plan"].slug, "dba"])
    first = client.get(rows)
    assert first.status_code == 200
    assert client.get(rows, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    title = "Disk filling on the primary"
    services.issue_open(w["plan"], by=w["qa"], title=title, severity="high", owner_role=w["role"])
    again = client.get(rows, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    html = again.content.decode()
    assert 'id="role-sections" hx-swap-oob="true"' in html  # swapped in out of band, with the rows
    assert "Disk filling on the primary" in html and "Replication lag" in html


def test_a_breached_response_sla_reads_so(client: Client, w: World) -> None:
    Issue.objects.filter(pk=w["mine"].pk).update(respond_by=timezone.now() - timedelta(minutes=2))
    client.force_login(w["dba"])
    section = _section(_page(client, w["plan"], "dba"))
    assert "response SLA breached" in section and "sla-breached" in section


def test_the_home_pages_role_card_counts_the_roles_open_issues(client: Client, w: World) -> None:
    client.force_login(w["dba"])
    home = client.get(reverse("launch:home")).content.decode()
    card = home[home.index("Database Administrator") :]
    card = card[: card.index("Open my checklist")]
    assert "1 open issue</span>" in card and "(1 critical or high)" in card
    assert reverse("checklists:role", args=[w["plan"].slug, "dba"]) + "#role-issues" in card
    services.issue_acknowledge(w["mine"], by=w["dba"])
    services.issue_resolve(w["mine"], by=w["dba"], resolution="Replica caught up")
    assert "open issue" not in client.get(reverse("launch:home")).content.decode()
