"""Telling the open pages that a plan changed: after the commit of every revision bump
(``plans.signals.revision_committed``), to the streams of this process at once and, with Redis, to every
other process through one PUBLISH on the plan's channel. Without Redis (``make run``), the other processes
(the Celery worker and beat) reach the streams through the hub's revision poll instead (live.hub).

A publish never fails a write: the write has committed already, and the pages poll anyway.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)


def channel_prefix() -> str:
    """The pub/sub channels' prefix. Redis channels ignore the database number, so the prefix names the
    database the revisions belong to (two deployments, or two test runs, on one Redis never mix)."""
    explicit: str = getattr(settings, "LIVE_CHANNEL_PREFIX", "")
    return explicit or f"launchcontrol:{connections['default'].settings_dict['NAME']}:live:"


def redis_url() -> str:
    return str(getattr(settings, "REDIS_URL", "") or "")


@cache
def _client(url: str) -> redis.Redis:
    import redis

    # A stopped Redis costs the writer a second at most, once per commit, never an exception.
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def publish(plan_id: int, revision: int) -> None:
    from .hub import deliver_everywhere_here

    deliver_everywhere_here(plan_id, revision)  # this process's streams, without a round trip
    url = redis_url()
    if not url:
        return
    try:
        _client(url).publish(f"{channel_prefix()}{plan_id}", json.dumps({"plan": plan_id, "revision": revision}))
    except Exception as exc:  # the pages poll: a lost publish costs one poll interval, never the write
        log.warning("live: could not publish plan %s revision %s (%s: %s)", plan_id, revision, type(exc).__name__, exc)


def nudge(plan_id: int) -> None:
    """A change the pages show with no new revision (a status post): a ``tick`` to the plan's streams."""
    from .hub import tick_everywhere_here

    url = redis_url()
    if url:  # every process's hub hears it, this one's too (a tick is not deduplicated as a revision is)
        try:
            _client(url).publish(f"{channel_prefix()}{plan_id}", json.dumps({"plan": plan_id, "tick": True}))
            return
        except Exception as exc:
            log.warning("live: could not nudge plan %s (%s: %s)", plan_id, type(exc).__name__, exc)
    tick_everywhere_here(plan_id)


def on_plan_nudged(sender: Any, *, plan_id: int, **kwargs: Any) -> None:
    nudge(plan_id)


def on_revision_committed(sender: Any, *, plan_id: int, revision: int, **kwargs: Any) -> None:
    publish(plan_id, revision)
