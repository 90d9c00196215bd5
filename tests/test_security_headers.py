"""Every page passes the Content-Security-Policy with no inline script or style (issue 8, finding 9):
the policy and the Permissions-Policy are sent, and the HTML has no inline <script> body, no style=""
attribute, no <style> element, no on*= handler and nothing htmx would have to eval."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from django.contrib import admin
from django.urls import reverse

from communications.models import Message
from launch.format import template_text
from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus
from tests import factories

if TYPE_CHECKING:
    from django.test import Client


JS_TYPES = {"", "text/javascript", "module", "application/javascript"}


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would refuse (or what htmx would eval)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}=...> (hx-on is eval'd)")
            elif name in {"hx-trigger", "data-hx-trigger"} and value and "[" in value:
                self.problems.append(f"<{tag} {name}={value!r}> (a trigger filter is eval'd)")
            elif name in {"hx-vals", "hx-headers"} and value and value.lstrip().startswith(("js:", "javascript:")):
                self.problems.append(f"<{tag} {name}={value!r}> (js: values are eval'd)")
            elif (
                name in {"href", "src", "action", "formaction"}
                and value
                and value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self._in_script = (names.get("type") or "").strip().lower()

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None and self._in_script in JS_TYPES and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def test_the_finder_finds_what_the_policy_refuses() -> None:
    html = (
        '<div style="width:3%"></div><select onchange="go()"></select><style>p{}</style>'
        '<script>alert(1)</script><button hx-on:click="x()"></button><div hx-trigger="every 2s[ok()]"></div>'
        '<a href="javascript:void(0)">x</a>'
    )
    assert len(inline_problems(html)) == 7
    assert inline_problems('<script src="/static/a.js" defer></script><div data-left="3"></div>') == []


@pytest.fixture
def site(db: None, client: Client) -> Plan:
    coordinator = factories.UserFactory(username="coordinator", is_staff=True, is_superuser=True)
    plan = import_plan_text(
        template_text("heypeter-academy-lms"),
        t0="2026-12-01T12:00",
        tz="Europe/London",
        source_template="heypeter-academy-lms",
        coordinator=coordinator,
    )
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COUNTDOWN)  # the status page is public now
    plan.refresh_from_db()
    client.force_login(coordinator)
    return plan


def page_urls(client: Client, plan: Plan) -> list[str]:
    role = plan.roles.order_by("order").first()
    gate = plan.gates.first()
    message = Message.objects.filter(plan=plan).first()
    assert role is not None and gate is not None and message is not None
    urls = [
        reverse("launch:home"),
        reverse("plans:detail", args=[plan.slug]),
        reverse("plans:timeline", args=[plan.slug]),
        reverse("plans:timeline", args=[plan.slug]) + f"?role={role.slug}",
        reverse("plans:activity", args=[plan.slug]),
        reverse("checklists:role", args=[plan.slug, role.slug]),
        reverse("checklists:gate", args=[plan.slug, gate.slug]),
        reverse("issues:list", args=[plan.slug]),
        reverse("warroom:metrics", args=[plan.slug]),
        reverse("warroom:board", args=[plan.slug]),
        reverse("warroom:kiosks", args=[plan.slug]),
        reverse("api_tokens:list", args=[plan.slug]),
        reverse("api:openapi-view"),
        reverse("communications:page", args=[plan.slug]),
        reverse("communications:preview", args=[plan.slug, message.pk]),
        reverse("statuspage:page", args=[plan.slug]),
        reverse("admin:index"),
        reverse("admin:plans_plan_add"),
        reverse("admin:plans_plan_from_template"),
        reverse("admin:plans_plan_change", args=[plan.pk]),
        reverse("admin:checklists_gate_change", args=[gate.pk]),
        reverse("admin:checklists_checklist_change", args=[plan.checklists.earliest("pk").pk]),
        reverse("admin:roles_role_change", args=[role.pk]),
        reverse("admin:communications_message_change", args=[message.pk]),
    ]
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label in {"plans", "roles", "checklists", "issues", "communications", "auth"}:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    # A kiosk link, made the way the coordinator makes one, then opened as the TV would.
    client.post(reverse("warroom:kiosk_create", args=[plan.slug]), {"label": "TV 1"})
    kiosk = re.search(r'"(https?://[^"]*?(/kiosk/[^"/]+/))"', client.get(urls[10]).content.decode())
    assert kiosk, "the kiosk links page shows the new link"
    urls.append(kiosk.group(2))
    return urls


@pytest.mark.django_db
def test_every_page_sends_the_policies_and_has_no_inline_script_or_style(client: Client, site: Plan) -> None:
    urls = page_urls(client, site)
    anonymous = {reverse("statuspage:page", args=[site.slug]), urls[-1]}
    checked = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
            "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
            "object-src 'none'",
        ):  # fmt: skip
            assert directive in csp, (url, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (url, csp)
        permissions = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in permissions, (url, permissions)
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert inline_problems(response.content.decode()) == [], url
        checked += 1
    client.logout()
    login = client.get(reverse("login"))
    assert "Content-Security-Policy" in login and inline_problems(login.content.decode()) == []
    for url in anonymous:
        response = client.get(url)
        assert response.status_code == 200 and "Content-Security-Policy" in response, url
        assert inline_problems(response.content.decode()) == [], url
    assert checked > 40


@pytest.mark.django_db
def test_the_board_fragment_has_no_inline_style(client: Client, site: Plan) -> None:
    """The war-room fragment htmx swaps in every poll: its progress bars are classes, not style=""."""
    board = client.get(reverse("warroom:board", args=[site.slug]))
    found = re.search(r'hx-get="([^"]+)"', board.content.decode())
    assert found is not None
    poll_url = found.group(1)
    fragment = client.get(poll_url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'class="pct-' in html and inline_problems(html) == []
