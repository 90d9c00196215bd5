"""The documents each vendor expects, built from a :class:`~.notices.Notice` (docs/api.md, "Notification
routes", names the documentation each shape follows):

- Slack (and Mattermost) incoming webhook: ``text`` (the fallback, and all Mattermost shows) and Block Kit
  ``blocks`` (a header, a section in mrkdwn, a context line);
- Microsoft Teams incoming webhook: a ``message`` with one Adaptive Card attachment;
- PagerDuty Events API v2: ``event_action`` trigger (with ``payload`` and ``links``), acknowledge or resolve,
  all on one ``dedup_key``. The ``routing_key`` is added when the delivery is sent (it is a secret, and the
  stored document is shown on the communications page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings

from .notices import PD_SEVERITY, Notice

if TYPE_CHECKING:
    from plans.models import Plan

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def _mrkdwn(text: str) -> str:
    """Slack's three control characters escaped (a user's text cannot make links or mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _people(notice: Notice) -> str:
    from ..sources.registry import person

    return ", ".join(f"{person(u)} ({tag})" for u, tag in notice.people)


def _context(plan: Plan, notice: Notice) -> str:
    from ..sources.registry import when

    return f"{plan.name} · {notice.severity} · {when(plan, notice.at)}"


def slack_doc(plan: Plan, notice: Notice) -> dict[str, Any]:
    lines = [_mrkdwn(notice.text)] if notice.text else []
    if notice.people:
        lines.append(f"*For:* {_mrkdwn(_people(notice))}")
    if notice.link:
        lines.append(f"<{notice.link}|Open in Launch Control>")
    body = "\n".join(lines) or _mrkdwn(notice.title)
    fallback = (
        f"{notice.title}" + (f"\n{notice.text}" if notice.text else "") + (f"\n{notice.link}" if notice.link else "")
    )
    return {
        "text": _mrkdwn(fallback)[:3000],
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": notice.title[:150], "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(_context(plan, notice))}]},
        ],
    }


def teams_doc(plan: Plan, notice: Notice) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": notice.title, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if notice.text:
        body.append({"type": "TextBlock", "text": notice.text, "wrap": True})
    facts = [{"title": "Plan", "value": plan.name}, {"title": "Severity", "value": notice.severity}]
    if notice.people:
        facts.append({"title": "For", "value": _people(notice)})
    body.append({"type": "FactSet", "facts": facts})
    card: dict[str, Any] = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.2", "body": body}
    if notice.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Launch Control", "url": notice.link}]
    return {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}]}


def pagerduty_doc(plan: Plan, notice: Notice) -> dict[str, Any]:
    """Everything but ``routing_key``. Acknowledge and resolve carry only the key and the action."""
    if notice.page != "trigger":
        return {"event_action": notice.page, "dedup_key": notice.dedup}
    site = settings.SITE_URL
    details = dict(notice.details)
    if notice.people:
        details["on call"] = _people(notice)
    if notice.text:
        details["text"] = notice.text
    doc: dict[str, Any] = {
        "event_action": "trigger",
        "dedup_key": notice.dedup,
        "payload": {
            "summary": f"[{plan.name}] {notice.title}"[:1024],
            "source": f"{urlsplit(site).hostname or 'launchcontrol'}/plans/{plan.slug}",
            "severity": PD_SEVERITY[notice.severity],
            "timestamp": notice.at.isoformat(timespec="milliseconds"),
            "component": notice.component or plan.name,
            "group": plan.slug,
            "class": notice.kind,
            "custom_details": details,
        },
        "client": "Launch Control",
        "client_url": f"{site}/plans/{plan.slug}/warroom/",
    }
    if notice.link:
        doc["links"] = [{"href": notice.link, "text": "Open in Launch Control"}]
    return doc


BUILDERS = {"slack": slack_doc, "teams": teams_doc, "pagerduty": pagerduty_doc}
