"""The hub: one per process (per event loop), holding the open streams by plan.

- It learns of new revisions from ONE Redis pattern subscription per process (never one per stream),
  or, without Redis (``make run``) or while Redis is unreachable, from one query a second for the
  revisions of every plan that has an open stream (``live.listening``). Writes made in this process
  arrive at once either way (``deliver_everywhere_here``, called by ``live.channel.publish``).
- It wakes each stream of the plan; the stream writes one small event, and the page fetches the parts
  that changed with the requests it polls with (the same fragments, the same one-render-per-revision
  cache and ETags). A board's stream instead gets the board's fragment in the event (``live.push``):
  read once per change and process in a worker thread, encoded once, the same bytes to every board.
- It knows the next moment the board changes by itself (an item becoming late, entering the next 30
  minutes, an alarm: ``warroom.buckets.upcoming_changes``) and wakes the plan's streams at that moment.

A stream never touches the database: the hub reads (revisions, deadlines) per plan and per process, in a
worker thread that closes its connection when done, so a thousand open streams hold no connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from django.conf import settings

from .listening import RevisionListener, closing_connections
from .push import RECHECK_SECONDS, Pushed, board_fragment, encode, live_kiosk_links, recheck_board_tokens

log = logging.getLogger(__name__)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 15))


#: Without a deadline in sight, the hub looks again this often (the deadlines cover a few minutes ahead).
LOOK_AGAIN_SECONDS = 60.0
#: A deadline fires this long after its moment, so the board's bucket (``current_bucket``) has turned.
AFTER_DEADLINE = 0.05


class Watch:
    """One open stream: what it has been told, and the event that wakes it."""

    __slots__ = ("board", "closed", "kiosk", "plan_id", "revision", "ticks", "verified", "wake")

    def __init__(self, plan_id: int, revision: int, board: str = "", kiosk: int = 0) -> None:
        self.plan_id = plan_id
        self.revision = revision
        self.ticks = 0
        self.closed = False
        self.wake = asyncio.Event()
        self.board = board  # a board's screen token, checked: this stream gets the board's fragment pushed
        self.kiosk = kiosk  # a kiosk link's id: its stream ends when the link is revoked or expires
        self.verified = time.monotonic()


def upcoming(plan_id: int) -> list[int]:
    from warroom.buckets import upcoming_changes

    return upcoming_changes(plan_id)


class Hub(RevisionListener):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.watches: dict[int, set[Watch]] = {}
        self.revisions: dict[int, int] = {}
        self.next_change: dict[int, float] = {}
        self._listening_init()  # ready, subscribed, subscriptions, polls (live.listening)
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._scheduling: set[int] = set()
        self._again: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._stopping = False
        self.pushed: dict[int, Pushed] = {}  # the board's latest fragment event, per plan
        self.renders = 0  # board fragments read for pushing (one per change and process, not per stream)
        self._seq = 0
        self._rendering: set[int] = set()
        self._render_again: dict[int, str] = {}
        self._verifying = False

    # --- streams ----------------------------------------------------------------------------------

    def add(self, plan_id: int, revision: int, board: str = "", kiosk: int = 0) -> Watch:
        if (self._runner is None or self._runner.done()) and not self._stopping:
            self._runner = self.loop.create_task(self._run())
        if (board or kiosk) and not self._verifying and not self._stopping:
            self._verifying = True  # one checker per process, started by its first board or kiosk
            self._spawn(self._verify_boards())
        known = max(revision, self.revisions.get(plan_id, revision))
        watch = Watch(plan_id, known, board, kiosk)
        first = plan_id not in self.watches
        self.watches.setdefault(plan_id, set()).add(watch)
        self.revisions[plan_id] = known
        if first:
            self._plan_deadlines(plan_id)
        return watch

    def remove(self, watch: Watch) -> None:
        streams = self.watches.get(watch.plan_id)
        if streams is None:
            return
        streams.discard(watch)
        if not streams:
            del self.watches[watch.plan_id]
            timer = self._timers.pop(watch.plan_id, None)
            if timer is not None:
                timer.cancel()
            self.next_change.pop(watch.plan_id, None)
            self.pushed.pop(watch.plan_id, None)
            self.posted.pop(watch.plan_id, None)

    def open_streams(self) -> int:
        return sum(len(s) for s in self.watches.values())

    def notify(self, plan_id: int, revision: int) -> None:
        """A new revision of the plan: wake its streams (an old or repeated revision does nothing)."""
        streams = self.watches.get(plan_id)
        if not streams or revision <= self.revisions.get(plan_id, -1):
            return
        self.revisions[plan_id] = revision
        for watch in streams:
            watch.revision = revision
        if any(watch.kiosk for watch in streams):  # the change may be its link's revocation: end it at once
            self._spawn(self._check_kiosks([w for w in streams if w.kiosk]))
        self._wake(plan_id, "rev")
        self._plan_deadlines(plan_id)

    def tick(self, plan_id: int) -> None:
        """A time-dependent change is due now: wake the plan's streams."""
        for watch in self.watches.get(plan_id, ()):
            watch.ticks += 1
        self._wake(plan_id, "tick")

    def pushing_to(self, watch: Watch) -> bool:
        """This stream gets the board pushed: a board whose screen token was checked within the minute."""
        return bool(watch.board) and time.monotonic() - watch.verified < RECHECK_SECONDS + 15

    def _wake(self, plan_id: int, kind: str) -> None:
        """Wake the streams that fetch at once; the boards once their fragment is read (``_render``)."""
        boards = False
        for watch in self.watches.get(plan_id, ()):
            if self.pushing_to(watch):
                boards = True
            else:
                watch.wake.set()
        if boards:
            self._push(plan_id, kind)

    def close_all(self) -> None:
        """End every open stream (the pages reconnect; tests use it to kill the streams)."""
        for streams in self.watches.values():
            for watch in streams:
                watch.closed = True
                watch.wake.set()

    async def stop(self) -> None:
        """End the streams and the hub's own tasks (a server shutting down; the tests' servers)."""
        self._stopping = True
        self.close_all()
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        tasks = [t for t in [self._runner, *self._tasks] if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks, timeout=5) if tasks else None
        self._runner = None

    # --- the board's fragment, pushed (live.push) --------------------------------------------------------

    def _push(self, plan_id: int, kind: str) -> None:
        if plan_id in self._rendering:  # a burst of changes: one more read after this one, not one each
            self._render_again[plan_id] = kind
            return
        self._rendering.add(plan_id)
        self._spawn(self._render(plan_id, kind))

    async def _render(self, plan_id: int, kind: str) -> None:
        try:
            self.renders += 1
            revision, tag, packed = await asyncio.to_thread(closing_connections, board_fragment, plan_id)
            self._seq += 1
            at = self.next_change.get(plan_id)
            if plan_id in self.watches:  # (its last stream may have gone meanwhile)
                self.pushed[plan_id] = encode(kind, self._seq, revision, tag, packed, int(at * 1000) if at else None)
        except Exception as exc:  # the boards get the small event and fetch, as every other page
            log.warning("live: could not read plan %s's board to push (%s: %s)", plan_id, type(exc).__name__, exc)
            self.pushed.pop(plan_id, None)
        finally:
            self._rendering.discard(plan_id)
        for watch in self.watches.get(plan_id, ()):
            if watch.board:
                watch.wake.set()
        again = self._render_again.pop(plan_id, None)
        if again is not None and plan_id in self.watches:
            self._push(plan_id, again)

    async def _check_kiosks(self, watches: list[Watch]) -> None:
        """End the kiosk streams whose link is no longer live (revoked, expired, deleted): the page reconnects,
        is refused and says so. Checked on each of the plan's revisions (a revocation is one) and once a minute."""
        try:
            live = await asyncio.to_thread(closing_connections, live_kiosk_links, sorted({w.kiosk for w in watches}))
        except Exception as exc:  # the database is away: its fetches are refused or fail anyway
            log.warning("live: could not check the kiosk links (%s: %s)", type(exc).__name__, exc)
            return
        for watch in watches:
            if watch.kiosk in live:
                watch.verified = time.monotonic()
            else:
                watch.closed = True
                watch.wake.set()

    async def _verify_boards(self) -> None:
        """Check the board streams' screen tokens again once a minute each (as their fetches would be): a
        token no longer good (signed out, deactivated) ends its stream; the page reconnects and is refused.
        The kiosk streams' links likewise (``_check_kiosks``)."""
        try:
            while not self._stopping:
                await asyncio.sleep(min(5.0, RECHECK_SECONDS / 4))
                now = time.monotonic()
                streams = [w for ws in self.watches.values() for w in ws]
                kiosks = [w for w in streams if w.kiosk and now - w.verified >= RECHECK_SECONDS]
                if kiosks:
                    await self._check_kiosks(kiosks)
                due = [w for ws in self.watches.values() for w in ws if w.board and now - w.verified >= RECHECK_SECONDS]
                tokens = sorted({w.board for w in due})[:500]
                if not tokens:
                    continue
                try:
                    good = await asyncio.to_thread(closing_connections, recheck_board_tokens, tokens)
                except Exception as exc:  # the database is away: stop pushing to them (they fetch) until it is back
                    log.warning("live: could not check the boards' tokens (%s: %s)", type(exc).__name__, exc)
                    continue
                for watch in (w for w in due if w.board in good):
                    if good[watch.board] == watch.plan_id:
                        watch.verified = time.monotonic()
                    else:
                        watch.closed = True
                        watch.wake.set()
        finally:
            self._verifying = False

    # --- time-dependent changes --------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _plan_deadlines(self, plan_id: int) -> None:
        if plan_id in self._scheduling:
            self._again.add(plan_id)  # a burst of revisions: one read after the running one, not one each
            return
        self._scheduling.add(plan_id)
        self._spawn(self._schedule(plan_id))

    async def _schedule(self, plan_id: int) -> None:
        try:
            moments: list[int] = await asyncio.to_thread(closing_connections, upcoming, plan_id)
        except Exception as exc:
            log.warning("live: could not read plan %s's deadlines (%s: %s)", plan_id, type(exc).__name__, exc)
            moments = []
        finally:
            self._scheduling.discard(plan_id)
        if plan_id in self._again:
            self._again.discard(plan_id)
            self._plan_deadlines(plan_id)
            return
        if plan_id not in self.watches:
            return
        now = time.time()
        coming = [m / 1000 for m in moments if m / 1000 > now]  # epoch ms, as the board's bucket
        old = self._timers.pop(plan_id, None)
        if old is not None:
            old.cancel()
        if coming and coming[0] - now <= LOOK_AGAIN_SECONDS:
            self.next_change[plan_id] = coming[0]
            self._timers[plan_id] = self.loop.call_later(coming[0] - now + AFTER_DEADLINE, self._due, plan_id, True)
        else:
            self.next_change.pop(plan_id, None)
            self._timers[plan_id] = self.loop.call_later(LOOK_AGAIN_SECONDS, self._due, plan_id, False)

    def _due(self, plan_id: int, change: bool) -> None:
        self._timers.pop(plan_id, None)
        if plan_id not in self.watches:
            return
        if change:
            self.tick(plan_id)
        self._plan_deadlines(plan_id)


_HUBS: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """This event loop's hub (uvicorn runs one loop per process)."""
    loop = asyncio.get_running_loop()
    found = _HUBS.get(loop)
    if found is None:
        for old in [lp for lp in _HUBS if lp.is_closed()]:
            _HUBS.pop(old, None)
        found = _HUBS[loop] = Hub(loop)
    return found


def hubs() -> list[Hub]:
    return [h for lp, h in list(_HUBS.items()) if not lp.is_closed()]


def deliver_everywhere_here(plan_id: int, revision: int) -> None:
    """A revision committed in this process: straight to this process's hubs, from any thread."""
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for found in hubs():
        if found.loop is running:
            found.notify(plan_id, revision)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                found.loop.call_soon_threadsafe(found.notify, plan_id, revision)


def tick_everywhere_here(plan_id: int) -> None:
    """``live.channel.nudge`` in this process: a ``tick`` to the plan's streams of this process's hubs."""
    for found in hubs():
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            found.loop.call_soon_threadsafe(found.tick, plan_id)
