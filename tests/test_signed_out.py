"""A write sent after its sender was signed out (another tab, an expired session) loses nothing
(launchcontrol/signedout.py): the sign-in page says nothing was saved, and signing in leads back to the page
the form was on with what was typed put back, not to the POST-only address (a blank 405)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse

from issues import services
from issues.models import IssueComment, SeveritySLA
from launchcontrol.signedout import SIGNED_OUT
from tests import factories

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan

pytestmark = pytest.mark.django_db


def _kept(html: str) -> dict | None:
    found = re.search(r'<script id="lc-kept" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_a_comment_sent_after_signing_out_comes_back_after_signing_in(
    client: Client, plan: Plan, coordinator: User
) -> None:
    SeveritySLA.objects.create(plan=plan, severity="high", response_within=timedelta(hours=1))
    issue = services.issue_open(plan, by=coordinator, title="502s", severity="high")
    detail = reverse("issues:detail", args=[plan.slug, issue.number])
    comment = reverse("issues:comment", args=[plan.slug, issue.number])
    client.force_login(coordinator)
    client.post(reverse("logout"))  # in another tab
    sent = client.post(comment, {"body": "Pool exhausted at 11:02"}, headers={"Referer": f"http://testserver{detail}"})
    login = reverse("login")
    assert sent.status_code == 302 and sent["Location"] == f"{login}?next={detail.replace('/', '%2F')}"
    page = client.get(sent["Location"]).content.decode()
    assert SIGNED_OUT in page and not IssueComment.objects.exists()
    signed_in = client.post(sent["Location"], {"username": coordinator.username, "password": factories.PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == detail
    back = client.get(detail).content.decode()
    assert _kept(back) == {"action": comment, "fields": {"body": ["Pool exhausted at 11:02"]}}


def test_an_htmx_write_after_signing_out_loads_the_sign_in_page_instead_of_swapping_it_in(
    client: Client, plan: Plan
) -> None:
    item = factories.ItemFactory(checklist__plan=plan)
    role = item.checklist.role
    assert role is not None
    page = reverse("checklists:role", args=[plan.slug, role.slug])
    tick = reverse("checklists:item_set", args=[plan.slug, role.slug, item.pk])
    sent = client.post(
        tick, {"status": "done"}, headers={"HX-Request": "true", "Referer": f"http://testserver{page}?view=all"}
    )
    assert sent.status_code == 204 and not sent.content
    assert sent["HX-Redirect"] == f"{reverse('login')}?next={page.replace('/', '%2F')}%3Fview%3Dall"


def test_another_site_as_referer_leads_home_and_reads_and_other_answers_are_untouched(
    client: Client, plan: Plan, coordinator: User
) -> None:
    comment = reverse("issues:comment", args=[plan.slug, 1])
    sent = client.post(comment, {"body": "x"}, headers={"Referer": "https://evil.example/plans/"})
    assert sent["Location"] == f"{reverse('login')}?next=%2F"
    read = client.get(reverse("issues:list", args=[plan.slug]))
    assert read.status_code == 302 and read["Location"] == f"{reverse('login')}?next={read.request['PATH_INFO']}"
    client.force_login(coordinator)
    assert client.post(reverse("logout"))["Location"] == reverse("login")  # a signed-in write's own: untouched
