"""Signals of the core, for the apps above it (the core imports none of them).

``revision_committed`` is sent once a transaction that bumped a plan's revision has committed (never
inside it, never for a rolled-back one): the push channel (``live``) tells the open pages from it.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent with ``plan_id`` after the commit of a change that the public pages show but that bumps no revision
#: (a status post the outbox publishes): the push channel tells the plan's open pages to fetch anyway.
plan_nudged = Signal()

#: Sent with ``plan_id`` and ``revision`` (the revision the transaction committed) after the commit.
revision_committed = Signal()


def announce_revision(plan_id: int, revision: int) -> None:
    """``transaction.on_commit`` target of :func:`plans.services.event_record`."""
    revision_committed.send(sender=None, plan_id=plan_id, revision=revision)
