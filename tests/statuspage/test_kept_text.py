"""A form the server refuses gives back what was typed into it (launchcontrol.kept): kept in the session by
the refusal, handed once to the next page that session loads, never the CSRF token or a secret, and never
touching the session of a visitor who has none (the public status page)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest
from django.test import RequestFactory
from django.urls import reverse

from launchcontrol.kept import SESSION_KEY, keep_typed, kept_typed

if TYPE_CHECKING:
    from django.test import Client

    from .conftest import Site

pytestmark = pytest.mark.django_db


def _kept(html: str) -> dict | None:
    found = re.search(r'<script id="lc-kept" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_a_refused_incident_comes_back_once_to_the_form_it_was_typed_into(client: Client, site: Site) -> None:
    client.force_login(site.comms)
    new = reverse("statuspage:incident_new", args=[site.plan.slug])
    typed = {"name": "Sign-in fails for EU users", "status": "investigating", "impact": "major", "body": "   "}
    page = client.post(new, typed, follow=True).content.decode()
    assert "An incident needs a title, a stage, an impact and the text customers read." in page
    kept = _kept(page)
    assert kept == {
        "action": new,
        "fields": {
            "name": ["Sign-in fails for EU users"],
            "status": ["investigating"],
            "impact": ["major"],
            "body": ["   "],
        },
    }
    again = client.get(reverse("statuspage:manage", args=[site.plan.slug])).content.decode()
    assert _kept(again) is None  # once


def test_markup_typed_comes_back_as_text(client: Client, site: Site) -> None:
    client.force_login(site.comms)
    new = reverse("statuspage:incident_new", args=[site.plan.slug])
    page = client.post(new, {"name": "</script><script>alert(1)</script>", "body": ""}, follow=True).content.decode()
    assert "<script>alert(1)" not in page
    assert _kept(page)["fields"]["name"] == ["</script><script>alert(1)</script>"]  # type: ignore[index]


def test_the_csrf_token_and_secrets_are_not_kept_and_only_a_post_keeps(rf: RequestFactory) -> None:
    request = rf.post("/x/", {"csrfmiddlewaretoken": "t", "password": "p", "api_token": "s", "reason": "r" * 20_000})
    request.session = {}  # type: ignore[assignment]
    keep_typed(request)
    assert request.session[SESSION_KEY] == {"action": "/x/", "fields": {"reason": ["r" * 10_000]}}
    request = rf.get("/x/", {"reason": "r"})
    request.session = {}  # type: ignore[assignment]
    keep_typed(request)
    assert request.session == {}


def test_a_visitor_without_a_session_is_not_given_one(rf: RequestFactory) -> None:
    class Untouchable(dict):
        def pop(self, *args: object) -> None:
            raise AssertionError("the session was read")

    request = rf.get("/status/launch/")
    request.session = Untouchable()  # type: ignore[assignment]
    assert kept_typed(request) == {}


def test_every_refusal_goes_through_refuse() -> None:
    """docs/architecture.md says a refused write keeps what was typed: no view flashes an error on its own."""
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    skip = {".venv", "tests", "node_modules", ".git", "migrations"}
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".")]
        for name in files:
            if name.endswith(".py") and name != "kept.py":
                path = Path(folder, name)
                lines = path.read_text(encoding="utf-8").splitlines()
                found += [
                    f"{path.relative_to(root)}:{n}" for n, line in enumerate(lines, 1) if "messages.error(" in line
                ]
    assert found == []
