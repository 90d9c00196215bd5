"""The issue pages (issue 12): the raise dialog (htmx and plain), the detail page with its timeline and
actions, the list's filters, the risk register; 403 for a user without rights, a double click answered with a
clear message and nothing changed, query counts pinned."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from issues import services
from issues.models import Issue, IssueComment, IssueStatus, SeveritySLA
from plans.models import Event, Risk
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoAssertNumQueries

    from plans.models import Plan
    from roles.models import Role

pytestmark = pytest.mark.django_db


class Setup(TypedDict):
    owner: User
    other: User
    role: Role


@pytest.fixture
def s(plan: Plan) -> Setup:
    owner = factories.UserFactory(username="owner")
    other = factories.UserFactory(username="other")
    role = factories.RoleFactory(plan=plan, name="DBA", primary=owner)
    factories.RoleFactory(plan=plan, name="QA", primary=other)
    SeveritySLA.objects.create(plan=plan, severity="critical", response_within=timedelta(minutes=15))
    return {"owner": owner, "other": other, "role": role}


def url(name: str, plan: Plan, *args: object) -> str:
    return reverse(f"issues:{name}", args=[plan.slug, *args])


def said(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_the_raise_dialog_with_htmx(client: Client, plan: Plan, s: Setup) -> None:
    client.force_login(s["other"])
    form = client.get(url("raise", plan), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in form and 'hx-post="' in form and 'name="title"' in form and "autofocus" in form
    assert 'name="step"' in form and 'name="owner_role"' in form and 'name="description"' not in form
    bad = client.post(url("raise", plan), {"title": "", "severity": "critical"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()  # htmx swaps a 200
    done = client.post(
        url("raise", plan), {"title": "Checkout 502", "severity": "critical"}, headers={"HX-Request": "true"}
    )
    issue = Issue.objects.get(plan=plan)
    html = done.content.decode()
    assert "Raised #1" in html and url("detail", plan, issue.number) in html and "Response SLA running" in html
    assert issue.severity == "critical" and issue.respond_by is not None


def test_the_raise_form_without_javascript(client: Client, plan: Plan, s: Setup) -> None:
    client.force_login(s["owner"])
    page = client.get(url("raise", plan)).content.decode()
    assert "<html" in page and 'action="' + url("raise", plan) + '"' in page
    response = client.post(
        url("raise", plan), {"title": "Search empty", "severity": "high", "owner_role": s["role"].pk}
    )
    issue = Issue.objects.get(plan=plan)
    assert response.status_code == 302 and response["Location"] == url("detail", plan, issue.number)


def test_a_user_without_rights_gets_403_and_nothing_changes(client: Client, plan: Plan, s: Setup) -> None:
    issue = services.issue_open(plan, by=s["owner"], title="Slow", severity="critical", owner_role=s["role"])
    events = Event.objects.count()
    client.force_login(factories.UserFactory(username="stranger"))
    assert client.get(url("raise", plan)).status_code == 403
    assert client.post(url("raise", plan), {"title": "x", "severity": "low"}).status_code == 403
    assert client.post(url("comment", plan, issue.number), {"body": "hi"}).status_code == 403
    client.force_login(s["other"])  # holds a role, but not the issue's
    for name, data in [("mitigate", {"note": ""}), ("resolve", {"resolution": "x"}), ("acknowledge", {})]:
        assert client.post(url(name, plan, issue.number), data).status_code == 403, name
    services.issue_resolve(issue, by=s["owner"], resolution="Restarted")
    assert client.post(url("close", plan, issue.number), {"root_cause": "Bug"}).status_code == 403
    assert Event.objects.count() == events + 1 and Issue.objects.get().status == IssueStatus.RESOLVED


def test_detail_page_walks_the_life_with_a_timeline(
    client: Client, plan: Plan, s: Setup, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    step = factories.StepFactory(plan=plan, name="Cut over DNS", lead_role=s["role"])
    issue = services.issue_open(
        plan, by=s["other"], title="Checkout 502", severity="critical", owner_role=s["role"], step=step
    )
    services.issue_comment(issue, by=s["other"], body="Seen from <Paris>")
    client.force_login(s["owner"])
    detail = url("detail", plan, issue.number)
    # session, user, the plan, the issue with its links (one join), the triggers "mark as rollback trigger"
    # offers, the issue's events and its comments (the timeline: two), the raise control adds none; for a
    # handler, the triage form's choices: categories, roles, steps and risks (one each)
    with django_assert_num_queries(DETAIL_QUERIES):
        page = client.get(detail).content.decode()
    assert "Checkout 502" in page and "Cut over DNS" in page and "Seen from &lt;Paris&gt;" in page
    # the owner role opens its page, its holders beside it (who to call), read with the issue (no query more)
    role_page = reverse("checklists:role", args=[plan.slug, s["role"].slug])
    holders = f'<span class="muted small">{s["owner"].get_full_name()} / no backup</span>'
    assert f'<a href="{role_page}">DBA</a> {holders}' in page
    assert 'aria-current="step">Open<' in page and "Acknowledge" in page and "Mitigating" in page
    client.post(url("acknowledge", plan, issue.number), {"back": "detail"})
    again = client.post(url("acknowledge", plan, issue.number), {"back": "detail"})  # the double click
    assert again.status_code == 302 and again["Location"] == detail
    assert "Nothing changed: #1 is already acknowledged." in said(again)
    assert Event.objects.filter(kind="issue.acknowledged").count() == 1
    client.post(url("mitigate", plan, issue.number), {"note": "Failing over"})
    client.post(url("resolve", plan, issue.number), {"resolution": "Failed over", "root_cause": "", "back": "detail"})
    blank = client.post(url("resolve", plan, issue.number), {"resolution": "   ", "back": "detail"})
    assert said(blank)[-1] == "Resolution: This field is required."  # the field's label, not its name
    refused = client.post(url("close", plan, issue.number), {"root_cause": "", "resolution": ""})
    assert "Write down the root cause before closing." in said(refused)
    client.post(url("close", plan, issue.number), {"root_cause": "Disk full", "resolution": ""})
    client.post(url("comment", plan, issue.number), {"body": "Post-mortem on Friday"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.root_cause == "Disk full" and IssueComment.objects.count() == 2
    page = client.get(detail).content.decode()
    for word in ("acknowledged", "mitigating", "resolved", "closed", "Post-mortem on Friday", "responded in"):
        assert word in page, word
    assert page.index("Seen from") < page.index("Failing over") < page.index("Post-mortem")


def test_reopen_from_the_page_needs_a_reason(client: Client, plan: Plan, s: Setup) -> None:
    issue = services.issue_open(plan, by=s["owner"], title="Slow", severity="critical", owner_role=s["role"])
    services.issue_resolve(issue, by=s["owner"], resolution="Restarted")
    client.force_login(s["other"])
    assert "Reopen" in client.get(url("detail", plan, issue.number)).content.decode()
    empty = client.post(url("reopen", plan, issue.number), {"reason": ""})
    assert "required" in " ".join(said(empty)) and Issue.objects.get().status == IssueStatus.RESOLVED
    client.post(url("reopen", plan, issue.number), {"reason": "502s are back"})
    assert Issue.objects.get().status == IssueStatus.OPEN


def test_a_resolution_typed_too_late_waits_in_the_comment_box(
    client: Client, plan: Plan, s: Setup, coordinator: User
) -> None:
    """Two people resolve the same issue: the second's text is not lost with the form that is gone; it waits in
    the issue's comment box (the page's kept-text block, which static/js/ui.js puts back), once."""
    issue = services.issue_open(plan, by=s["owner"], title="502s", severity="critical", owner_role=s["role"])
    client.force_login(s["owner"])
    client.get(url("list", plan))  # the form is on this page; meanwhile the other person resolves it
    services.issue_resolve(issue, by=coordinator, resolution="Restarted the pool")
    late = client.post(
        url("resolve", plan, issue.number),
        {"resolution": "Failed over to B", "root_cause": "Disk <full>", "back": "list"},
    )
    assert late["Location"] == url("detail", plan, issue.number)  # not the list: the comment box is on the issue
    assert said(late) == [
        "Nothing changed: #1 is already resolved. What you typed is in the comment box, to add as a comment."
    ]
    page = client.get(late["Location"]).content.decode()
    kept = json.loads(page.split('id="lc-kept" type="application/json">')[1].split("</script>")[0])
    assert kept == {
        "action": url("comment", plan, issue.number),
        "fields": {"body": ["Resolution: Failed over to B\nRoot cause: Disk <full>"]},
    }
    assert "lc-kept" not in client.get(late["Location"]).content.decode()  # once
    assert Issue.objects.get().resolution == "Restarted the pool" and not IssueComment.objects.exists()
    # nothing typed (a second Acknowledge): the warning alone, back where it was posted from
    services.issue_reopen(issue, by=coordinator, reason="Back")
    services.issue_acknowledge(issue, by=coordinator)
    again = client.post(url("acknowledge", plan, issue.number), {"back": "list"})
    assert again["Location"].startswith(url("list", plan))
    assert said(again) == ["Nothing changed: #1 is already acknowledged."]


def test_the_list_filters_by_status_severity_category_and_role(
    client: Client, plan: Plan, s: Setup, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    qa = s["other"]
    a = services.issue_open(plan, by=qa, title="Alpha critical", severity="critical", owner_role=s["role"])
    services.issue_open(plan, by=qa, title="Bravo low", severity="low")
    c = services.issue_open(plan, by=qa, title="Charlie mitigating", severity="high", owner_role=s["role"])
    services.issue_mitigate(c, by=s["owner"])
    services.issue_resolve(a, by=s["owner"], resolution="Fixed")
    client.force_login(s["owner"])
    listing = url("list", plan)
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(listing).content.decode()
    assert "Alpha critical" in page and "Bravo low" in page and "mitigating since" in page

    def shown(**query: str | int) -> set[str]:
        html = client.get(listing, query).content.decode()
        return {t for t in ("Alpha critical", "Bravo low", "Charlie mitigating") if t in html}

    assert shown(status="mitigating") == {"Charlie mitigating"}
    assert shown(status="done") == {"Alpha critical"}
    assert shown(status="unresolved") == {"Bravo low", "Charlie mitigating"}
    assert shown(severity="low") == {"Bravo low"}
    assert shown(role=s["role"].pk) == {"Alpha critical", "Charlie mitigating"}
    assert shown(role=s["role"].pk, status="open") == set()
    assert shown(status="nonsense", severity="apocalyptic") == {"Alpha critical", "Bravo low", "Charlie mitigating"}


def test_the_risk_register(
    client: Client, plan: Plan, s: Setup, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    payments = Risk.objects.create(  # (test set-up)
        plan=plan,
        title="Payment provider down",
        probability="high",
        impact="high",
        owner_role=s["role"],
        mitigation=["Second provider on standby"],
        rollback_plan="Switch providers",
        order=1,
    )
    Risk.objects.create(plan=plan, title="Slow search", probability="high", impact="low", order=2)  # (test set-up)
    Risk.objects.create(plan=plan, title="Press embargo", order=3)  # (test set-up)
    issue = services.issue_open(plan, by=s["other"], title="Card payments fail", severity="critical", risk=payments)
    client.force_login(s["other"])
    with django_assert_num_queries(RISK_QUERIES):
        page = client.get(url("risks", plan)).content.decode()
    assert 'id="cell-high-high"' in page and "Severe" in page and "Significant" in page and "Minor" in page
    cell = page[page.index('id="cell-high-high"') :]
    cell = cell[: cell.index("</td>")]
    assert '<span class="cell-count">1</span>' in cell and "R1" in cell and "realised" in cell
    assert "Not rated on both axes" in page and "Press embargo" in page
    assert url("detail", plan, issue.number) in page
    assert "Second provider on standby" in page and "Switch providers" in page
    assert ">Realised<" in page and ">Watching<" in page
    assert 'href="' + url("risks", plan) + '"' in page  # the nav links it


def test_every_plan_page_has_the_raise_control(client: Client, plan: Plan, s: Setup) -> None:
    client.force_login(s["owner"])
    raise_url = url("raise", plan)
    for page_url in (
        reverse("plans:detail", args=[plan.slug]),
        reverse("checklists:role", args=[plan.slug, s["role"].slug]),
        url("list", plan),
        url("risks", plan),
    ):
        html = client.get(page_url).content.decode()
        assert f'href="{raise_url}"' in html and "data-raise-issue" in html and "<kbd>i</kbd>" in html, page_url
        assert 'id="raise-dialog"' in html and "js/raise.js" in html


DETAIL_QUERIES = 12  # whatever the timeline's length, or the plan's roles, steps and risks (and its ended holds)
LIST_QUERIES = 12  # the roles read once for the raise form and the role filter; the form's steps and risks
RISK_QUERIES = 5  # session, user, plan, the risks with their owner roles, their issues (prefetched)


def test_the_coordinators_board_has_the_control_and_a_kiosk_does_not(
    client: Client, plan: Plan, coordinator: User
) -> None:
    from plans.kiosk import kiosk_token
    from plans.services import kiosk_create

    client.force_login(coordinator)
    board = client.get(reverse("warroom:board", args=[plan.slug])).content.decode()
    assert "data-raise-issue" in board and 'id="raise-dialog"' in board
    kiosk = kiosk_token(kiosk_create(plan, by=coordinator, label="War room TV"))
    client.logout()
    tv = client.get(reverse("warroom:kiosk", args=[kiosk])).content.decode()
    assert "data-raise-issue" not in tv and "raise-dialog" not in tv


def test_an_issue_s_address_is_its_number_in_its_plan(client: Client, plan: Plan, s: Setup, coordinator: User) -> None:
    """ "#1" is `/plans/<plan>/issues/1/` in every plan, as the pages, the API, the emails and the chat messages
    name it (it was the database id: a second plan's #1 was `/issues/37/`)."""
    other = factories.PlanFactory(coordinator=coordinator)
    factories.RoleFactory(plan=other, name="DBA", primary=s["owner"])
    first = services.issue_open(plan, by=coordinator, title="Replication lag", severity="high")
    second = services.issue_open(other, by=coordinator, title="Thumbnails slow", severity="low")
    assert (first.number, second.number) == (1, 1) and first.pk != second.pk
    client.force_login(coordinator)
    assert url("detail", other, 1) == f"/plans/{other.slug}/issues/1/"
    page = client.get(url("detail", other, 1)).content.decode()
    assert "Thumbnails slow" in page and "Replication lag" not in page
    assert client.get(url("detail", other, second.pk + 5)).status_code == 404  # no such number in that plan
    listing = client.get(reverse("issues:list", args=[other.slug])).content.decode()
    assert f'href="/plans/{other.slug}/issues/1/"' in listing
    response = client.post(url("acknowledge", other, 1), {"back": "detail"})
    assert response["Location"] == f"/plans/{other.slug}/issues/1/"
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == (IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED)


def test_the_issue_page_counts_its_response_sla_down_then_says_breached(
    client: Client, plan: Plan, s: Setup, coordinator: User
) -> None:
    """The issue page's response SLA reads as the issues page and the role page read it (one template,
    issues/_sla_state.html): the time left counting down on the page's clock, then "breached" at its moment."""
    import time_machine

    with time_machine.travel(datetime(2026, 12, 1, 11, 0, tzinfo=UTC), tick=False):
        issue = services.issue_open(plan, by=coordinator, title="Checkout 502", severity="critical")
        client.force_login(coordinator)
        sla = _sla(client.get(url("detail", plan, issue.number)).content.decode())
    assert "respond by" in sla and "data-deadline-left" in sla and "left</span>" in sla and "breached" not in sla
    with time_machine.travel(datetime(2026, 12, 1, 11, 20, tzinfo=UTC), tick=False):
        sla = _sla(client.get(url("detail", plan, issue.number)).content.decode())
    assert '<span class="sla-left over">breached ' in sla and "respond by" not in sla


def _sla(page: str) -> str:
    return page.split("<dt>Response SLA</dt>", 1)[1].split("</dd>", 1)[0]
