"""What a route may say, and how its secrets are written and read back (issue 12).

A route's webhook URL (Slack, Mattermost, Teams) and PagerDuty routing key are secrets. A plan file and the
admin hold only a reference to one, never the secret itself:

- ``{{ name }}``: the value of the plan's placeholder ``name`` (filled with ``import_plan --set`` or on the
  admin's *New plan from template*);
- ``env:LC_ROUTE_NAME``: an environment variable of the server whose name starts with ``LC_ROUTE_`` (no
  other variable can be named, so a plan cannot send the server's own secrets anywhere).

The reference is what pages, logs and the export show; the secret is read when a delivery is sent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from plans.models import Plan

SEVERITIES = ("critical", "high", "medium", "low")
RANK = {name: i for i, name in enumerate(SEVERITIES)}  # 0 is the most severe
#: Notice kinds (docs/api.md, "Notification routes").
EVENTS = ("alarm", "escalation", "sla", "issue", "no_go", "hold", "state", "reminder")
DEFAULT_EVENTS = {
    "pagerduty": ("alarm", "escalation", "issue"),
    "slack": ("alarm", "escalation", "sla", "issue", "no_go", "hold", "state"),
    "teams": ("alarm", "escalation", "sla", "issue", "no_go", "hold", "state"),
    "email": ("alarm", "escalation", "sla", "issue", "no_go", "hold", "state"),
}
DEFAULT_SEVERITY = {"pagerduty": "critical"}
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
#: Where a routing key read from the server's environment may go (a plan cannot send it elsewhere).
PAGERDUTY_HOSTS = frozenset({"events.pagerduty.com", "events.eu.pagerduty.com"})
ENV_PREFIX = "LC_ROUTE_"

_PLACEHOLDER = re.compile(r"^\{\{\s*([a-z0-9_-]{1,80})\s*\}\}$")
_ENV = re.compile(r"^env:(LC_ROUTE_[A-Z0-9_]{1,60})$")


class SecretMissing(Exception):
    """A route's secret reference names a placeholder or variable that has no value."""


def reference_problem(value: str, what: str) -> str | None:
    """Why ``value`` is not a secret reference (None: it is one)."""
    if _PLACEHOLDER.match(value.strip()) or _ENV.match(value.strip()):
        return None
    return (
        f"{what} is a secret: give it as {{{{ placeholder }}}} or env:{ENV_PREFIX}NAME, never written out in the plan"
    )


def placeholder_of(value: str) -> str | None:
    m = _PLACEHOLDER.match(value.strip())
    return m.group(1) if m else None


def resolve(plan: Plan, value: str) -> str:
    """The secret a reference names (a literal, allowed only for the PagerDuty endpoint, is itself)."""
    value = value.strip()
    if m := _ENV.match(value):
        found = os.environ.get(m.group(1), "").strip()
        if not found:
            raise SecretMissing(f"the server has no {m.group(1)} set")
        return found
    if name := placeholder_of(value):
        from plans.models import Placeholder

        found = (Placeholder.objects.filter(plan=plan, name=name).values_list("value", flat=True).first() or "").strip()
        if not found:
            raise SecretMissing(f"the placeholder {name} is not filled in")
        return found
    return value


def events_of(kind: str, events: list[str]) -> tuple[str, ...]:
    return tuple(events) if events else DEFAULT_EVENTS.get(kind, ())


def severity_of(kind: str, severity: str) -> str:
    return severity or DEFAULT_SEVERITY.get(kind, "low")


def route_problems(*, kind: str, url: str, key: str, to: str, events: list[str], severity: str) -> dict[str, list[str]]:
    """What is wrong with a route's fields, by field (the admin's clean, the importer's checks)."""
    found: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        found.setdefault(field, []).append(message)

    if kind in {"slack", "teams"}:
        if not url.strip():
            add("url", "a webhook route needs its url")
        elif why := reference_problem(url, "the webhook URL"):
            add("url", why)
    if kind == "pagerduty":
        if not key.strip():
            add("key", "a PagerDuty route needs its routing key")
        elif why := reference_problem(key, "the routing key"):
            add("key", why)
        if url.strip() and not placeholder_of(url) and not _ENV.match(url.strip()):
            url_problem(url, add)
        if why := env_key_problem(url, key):
            add("url", why)
    elif key.strip():
        add("key", "key is a PagerDuty routing key: it goes with kind pagerduty")
    if to.strip() and kind != "email":
        add("to", "to lists email addresses: it goes with kind email")
    if kind == "email" and url.strip():
        add("url", "an email route has no url (to: lists its addresses)")
    for name in events or []:
        if name not in EVENTS:
            add("events", f"unknown notice kind {name!r} (one of {', '.join(EVENTS)})")
    if severity and severity not in SEVERITIES:
        add("severity", f"severity is one of {', '.join(SEVERITIES)}")
    return found


def env_key_problem(url: str, key: str) -> str | None:
    """A routing key from the server's environment goes only to PagerDuty's own endpoints: a plan may not
    point it at another host (a plan's own {{ placeholder }} key may go to any endpoint, a test receiver)."""
    from urllib.parse import urlsplit

    if not _ENV.match(key.strip()) or not url.strip():
        return None
    if placeholder_of(url) or _ENV.match(url.strip()) or urlsplit(url.strip()).hostname not in PAGERDUTY_HOSTS:
        return "a routing key from the server's environment is sent only to events.pagerduty.com or " + (
            "events.eu.pagerduty.com (leave url empty, or give the key as a {{ placeholder }})"
        )
    return None


def url_problem(url: str, add: Callable[[str, str], None]) -> None:
    from ..channels import validate_webhook_target

    try:
        validate_webhook_target(url)
    except ValidationError as exc:
        add("url", exc.messages[0])


def shown(value: str) -> str:
    """A route's url or key as a page may show it: a reference as written, anything else by host only."""
    value = value.strip()
    if not value or placeholder_of(value) or _ENV.match(value):
        return value
    from urllib.parse import urlsplit

    host = urlsplit(value).hostname
    return f"{urlsplit(value).scheme}://{host}/…" if host else "…"
