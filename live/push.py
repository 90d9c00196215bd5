"""The board's fragment in the event itself: one render per (revision, bucket), one encoding per process,
the same bytes written to every board stream of the plan, so a thousand screens fetch nothing.

Only for audiences that see the same bytes: the board fragment is one rendering per plan, revision and
time bucket for every viewer (``warroom.views.board_entry``: no user, no session in it), so every signed-in
board stream gets it, gzipped as the fetch serves it. A board stream is authorised as its fetches are, by
the board's screen token (``plans.screens``), re-checked once a minute per stream (``recheck_board_tokens``):
a sign-out stops the pushes within the minute, as it stops the fetches. Kiosk streams and every other page
(role, gate pages: their fragments differ per viewer) get the small event and fetch, as before.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

log = logging.getLogger(__name__)

#: A board stream's screen token is checked again this often (the fetches' own recheck, warroom.views).
RECHECK_SECONDS = 60.0
#: The part of the page the payload replaces (static/js/live.js dispatches ``lc:push`` on ``#board``).
BOARD_PART = "board"


@dataclass(frozen=True)
class Pushed:
    """One rendering of the board, encoded once as the event every board stream of the plan writes."""

    seq: int
    revision: int
    etag: str
    event: bytes


def board_fragment(plan_id: int) -> tuple[int, str, bytes]:
    """The plan's current revision, the board's ETag and its HTML gzipped: the fetch's own cached rendering
    (the same key, the same lock, the same gzipped bytes), so a fetch and a push never render it twice."""
    from plans.models import Plan
    from warroom.buckets import current_bucket
    from warroom.views import board_entry, etag

    revision = Plan.objects.filter(pk=plan_id).values_list("revision", flat=True).get()
    bucket = current_bucket(plan_id, revision)
    _, packed = board_entry(plan_id, revision, bucket)
    return revision, etag(plan_id, revision, bucket), packed


def encode(kind: str, seq: int, revision: int, tag: str, packed: bytes, next_ms: int | None) -> Pushed:
    """The event: the board gzipped, in base64 (about 3 KB for the bench plan's 14 KB board: a fifth of the
    bytes to write to every stream); the page inflates it with the browser's DecompressionStream."""
    data = {
        "revision": revision,
        "now": int(time.time() * 1000),
        "next": next_ms,
        "parts": {BOARD_PART: {"etag": tag, "gzip": base64.b64encode(packed).decode("ascii")}},
    }
    body = json.dumps(data, separators=(",", ":"))  # one line
    return Pushed(seq, revision, tag, f"event: {kind}\ndata: {body}\n\n".encode())


def board_token_plan(token: str) -> int | None:
    """The plan a board's screen token is (still) good for, or None."""
    from plans.screens import screen_plan_id

    try:
        return screen_plan_id(token)
    except PermissionDenied:
        return None


def live_kiosk_links(ids: list[int]) -> set[int]:
    """Which of these kiosk links are still live (not revoked, not expired): one query."""
    from django.utils import timezone

    from plans.models import KioskLink

    rows = KioskLink.objects.filter(pk__in=ids, revoked_at__isnull=True, expires_at__gt=timezone.now())
    return set(rows.values_list("pk", flat=True))


def recheck_board_tokens(tokens: list[str]) -> dict[str, int | None]:
    """Check screen tokens again (one query each, in one worker thread): the plan each is good for."""
    return {token: board_token_plan(token) for token in tokens}
