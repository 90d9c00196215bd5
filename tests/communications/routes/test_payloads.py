"""Each route's document, as its vendor documents it, received by a local HTTP server (real sockets).

The expected documents are written out in full from the vendors' documentation:
- Slack, "Sending messages using incoming webhooks" and the Block Kit reference (header, section, context
  blocks); Mattermost's incoming webhooks read the same ``text``;
- Microsoft Teams, "Send Adaptive Cards using an Incoming Webhook": ``type: message`` with one attachment of
  ``contentType: application/vnd.microsoft.card.adaptive``, ``contentUrl: null`` and the card as ``content``;
- PagerDuty Events API v2, "Send an Alert Event": ``routing_key``, ``event_action``, ``dedup_key``,
  ``payload`` (summary, source, severity, timestamp, component, group, class, custom_details), ``links``,
  ``client``, ``client_url``; acknowledge and resolve carry only routing_key, dedup_key and event_action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import time_machine

from communications.models import Delivery, DeliveryStatus
from issues.services import issue_acknowledge, issue_open, issue_resolve
from tests.beats import tick_at

from .conftest import NOW, S, Setup, posted

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

KEY = "R0UT1NGKEY0123456789abcdefABCDEF"


def issue_page(setup: Setup) -> str:
    """The issue's own page, where a notice about it links (not the plan's issue list)."""
    return f"http://testserver/plans/checkout-v2/issues/{setup.plan.issues.get().number}/"


def _open_critical(setup: Setup, coordinator: User) -> None:
    with time_machine.travel(NOW, tick=False):
        issue_open(
            setup.plan, by=coordinator, title="Card payments <declined>", severity="critical",
            description="Stripe answers 402 & 500", owner_role=setup.tech,
        )  # fmt: skip


def test_slack_gets_text_and_block_kit_blocks(routed: Setup, coordinator: User) -> None:
    _open_critical(routed, coordinator)
    issue_url = issue_page(routed)
    tick_at(NOW + 5 * S)
    primary = routed.tech.primary
    assert primary is not None
    who = f"{primary.get_full_name()} (Technical team, primary)"
    assert posted(routed.sink, "/ok/slack") == [
        {
            "text": "Critical issue #1 opened: Card payments &lt;declined&gt;\nStripe answers 402 &amp; 500\n"
            + issue_url,
            "blocks": [
                {
                    "type": "header",
                    "text": {
                        "type": "plain_text",
                        "text": "Critical issue #1 opened: Card payments <declined>",
                        "emoji": True,
                    },
                },
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": f"Stripe answers 402 &amp; 500\n*For:* {who}\n<{issue_url}|Open in Launch Control>",
                    },
                },
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": "Checkout v2 · critical · Tue 1 Dec 12:00 UTC"}],
                },
            ],
        }
    ]


def test_teams_gets_a_message_with_one_adaptive_card(routed: Setup, coordinator: User) -> None:
    _open_critical(routed, coordinator)
    issue_url = issue_page(routed)
    tick_at(NOW + 5 * S)
    primary = routed.tech.primary
    assert primary is not None
    assert posted(routed.sink, "/ok/teams") == [
        {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.2",
                        "body": [
                            {
                                "type": "TextBlock",
                                "text": "Critical issue #1 opened: Card payments <declined>",
                                "weight": "Bolder",
                                "size": "Medium",
                                "wrap": True,
                            },
                            {"type": "TextBlock", "text": "Stripe answers 402 & 500", "wrap": True},
                            {
                                "type": "FactSet",
                                "facts": [
                                    {"title": "Plan", "value": "Checkout v2"},
                                    {"title": "Severity", "value": "critical"},
                                    {"title": "For", "value": f"{primary.get_full_name()} (Technical team, primary)"},
                                ],
                            },
                        ],
                        "actions": [{"type": "Action.OpenUrl", "title": "Open in Launch Control", "url": issue_url}],
                    },
                }
            ],
        }
    ]


def test_pagerduty_trigger_acknowledge_resolve_on_one_dedup_key(routed: Setup, coordinator: User) -> None:
    _open_critical(routed, coordinator)
    issue_url = issue_page(routed)
    tick_at(NOW + 5 * S)
    with time_machine.travel(NOW + 2 * 60 * S, tick=False):
        issue_acknowledge(routed.plan.issues.get(), by=coordinator)
    tick_at(NOW + 2 * 60 * S + 5 * S)
    with time_machine.travel(NOW + 9 * 60 * S, tick=False):
        issue_resolve(routed.plan.issues.get(), by=coordinator, resolution="Rolled back the card form")
    tick_at(NOW + 9 * 60 * S + 5 * S)
    primary = routed.tech.primary
    assert primary is not None
    dedup = "launchcontrol/checkout-v2/issue/1"
    assert posted(routed.sink, "/ok/pd") == [
        {
            "routing_key": KEY,
            "event_action": "trigger",
            "dedup_key": dedup,
            "payload": {
                "summary": "[Checkout v2] Critical issue #1 opened: Card payments <declined>",
                "source": "testserver/plans/checkout-v2",
                "severity": "critical",
                "timestamp": "2026-12-01T12:00:00.000+00:00",
                "component": "Technical team",
                "group": "checkout-v2",
                "class": "issue",
                "custom_details": {
                    "issue": "#1",
                    "severity": "critical",
                    "status": "open",
                    "owner role": "Technical team",
                    "escalation": "L1 Technical",
                    "on call": f"{primary.get_full_name()} (Technical team, primary)",
                    "text": "Stripe answers 402 & 500",
                },
            },
            "client": "Launch Control",
            "client_url": "http://testserver/plans/checkout-v2/warroom/",
            "links": [{"href": issue_url, "text": "Open in Launch Control"}],
        },
        {"routing_key": KEY, "event_action": "acknowledge", "dedup_key": dedup},
        {"routing_key": KEY, "event_action": "resolve", "dedup_key": dedup},
    ]


def test_a_vendor_refusal_fails_at_once_and_shows_under_needs_attention(routed: Setup, coordinator: User) -> None:
    routed.pager.url = f"{routed.sink.url}/refuse/pd"
    routed.pager.save()
    _open_critical(routed, coordinator)
    tick_at(NOW + 5 * S)
    page = Delivery.objects.get(channel_kind="pagerduty")
    assert page.status == DeliveryStatus.FAILED
    assert page.attempts == 1
    assert page.error == "webhook refused it: HTTP 400 Bad Request (not retried)"
    assert KEY not in page.body and KEY not in page.address  # the secret is read at send time only
    assert page.address == "{{ pd_key }}"
