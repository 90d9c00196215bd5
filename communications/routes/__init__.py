"""Notification routes (issue 12): the plan's alarms, SLA breaches, escalation rungs, NO-GOs, holds,
state changes and reminders, out through the outbox to email, Slack-compatible and Teams webhooks and
PagerDuty (Events API v2), by each route's and each person's choices.

- :mod:`.rules`: what a route may say; secrets as ``{{ placeholder }}`` or ``env:LC_ROUTE_…`` references;
- :mod:`.notices`: what there is to tell in a window of time (from the plan's state and activity log);
- :mod:`.payloads`: the vendors' documents;
- :mod:`.source`: the delivery source (which route hears which notice; people's preferences);
- :mod:`.send`: the senders for the webhook kinds (the secret is read at send time).

Importing this package registers the source and the senders.
"""

from __future__ import annotations

from . import send, source

__all__ = ["send", "source"]
