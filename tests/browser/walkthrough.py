"""The launch walkthrough's moving parts (tests/browser/test_walkthrough.py): the server's clock, moved with
time-machine in this process (pytest-django's live server runs in a thread of it, so it moves too; the pages
follow it through the server's time on every response, static/js/clock.js), the outbox beat run in-process,
and a watch on the board that says at which poll a change reached it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core import mail
from django.utils import timezone

from communications import outbox
from plans.models import Plan

if TYPE_CHECKING:
    from django.core.mail import EmailMessage
    from playwright.sync_api import Page

# Records, at each swap of the board, whether an element matching `selector` (CSS) has every one of `texts`:
# the number of the poll that brought it (window.warroom.polls counts the polls sent). Run through the
# DevTools protocol, so the Content-Security-Policy (no eval) does not apply; the listener is a closure.
WATCH = """([name, selector, texts]) => {
  window.__seen = window.__seen || {};
  delete window.__seen[name];
  const found = () => Array.from(document.querySelectorAll(selector)).some(
    (el) => texts.every((t) => el.textContent.includes(t)));
  document.body.addEventListener("htmx:afterSwap", () => {
    if (window.__seen[name] === undefined && found()) window.__seen[name] = window.warroom.polls;
  });
  return window.warroom.polls;
}"""


def until(check: Callable[[], Any], what: str, *, timeout: float = 20.0, page: Page | None = None) -> Any:
    """Wait (real time, not the server's) until ``check()`` is truthy; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for: {what}")
        if page is not None:
            page.wait_for_timeout(150)
        else:
            time.sleep(0.15)


@dataclass
class Walk:
    """The launch under way: its plan, the server's clock and the pages the people have open."""

    live: str
    plan: Plan
    clock: Any  # time_machine.Coordinates: the server's time, ticking from where it was moved to
    pages: dict[str, Page] = field(default_factory=dict)
    beats: list[datetime] = field(default_factory=list)  # when the outbox ticked (the server's time)

    def url(self, path: str) -> str:
        return f"{self.live}/plans/{self.plan.slug}/{path}"

    def t0(self) -> datetime:
        self.plan.refresh_from_db()  # a hold moves T-0
        return self.plan.t0

    def at(self, offset: timedelta) -> datetime:
        """Move the server's clock to T-0 + ``offset`` (it keeps ticking from there)."""
        moment = self.t0() + offset
        self.clock.move_to(moment)
        return moment

    def beat(self) -> list[EmailMessage]:
        """One outbox tick at the server's now (what the Celery beat runs); the emails it sent."""
        before = len(mail.outbox)
        self.beats.append(timezone.now())
        outbox.tick(now=self.beats[-1])
        return list(mail.outbox[before:])

    def watch(self, name: str, selector: str, *texts: str) -> None:
        """Start watching the board for an element matching ``selector`` (CSS) with all ``texts`` in it (before
        the change is made, so that no swap is missed)."""
        self.pages["board"].evaluate(WATCH, [name, selector, list(texts)])

    def polls(self) -> int:
        """How many polls the board has sent: read once a change is made (committed, or the clock moved)."""
        return int(self.pages["board"].evaluate("window.warroom.polls"))

    def reached(self, name: str, *, polls: int = 2) -> None:
        """The watched change, made just now, reaches the board without a reload by the next poll (or the one
        after, if one was on its way): within the poll interval, counted in polls, not seconds."""
        board = self.pages["board"]
        since = self.polls()
        seen = until(
            lambda: board.evaluate(f"window.__seen && window.__seen[{name!r}]"),
            f"{name} on the board",
            page=board,
        )
        assert seen - since <= polls, f"{name} reached the board at poll {seen}, {seen - since} after the change"

    def board_text(self, selector: str) -> str:
        return str(self.pages["board"].locator(selector).first.text_content() or "")

    def server_minute(self) -> str:
        return f"{timezone.localtime(timezone.now(), self.plan.zone):%H:%M}"

    def board_follows_the_server(self) -> None:
        """The board's local-time clock reads the server's (moved) time: it re-measured the skew."""
        until(
            lambda: self.board_text("#wr-localtime")[:5] == self.server_minute(),
            "the board's clock to follow the server's",
            page=self.pages["board"],
        )


def moment_text(plan: Plan, moment: datetime, fmt: str = "%H:%M") -> str:
    return f"{timezone.localtime(moment, plan.zone):{fmt}}"


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
