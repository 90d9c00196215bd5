"""Every public status response from a cached rendering, for a launch-day spike (issue 14).

A rendering is stored per (plan, variant, host) with the plan's revision and the moment it stops being
true by time alone (the maintenance starting or ending, midnight for the history bars). A request reads
that entry and the plan's current revision in one cache round trip (``get_many``) and, if both agree,
answers from the entry: **no database query, no session, no rendering**, and ``304 Not Modified`` for a
matching ``If-None-Match`` (or ``If-Modified-Since``).

The plan's current stamp (its revision and newest status post) is read from the database on a miss and kept
in the cache for ``STAMP_SECONDS``; when a write of the plan commits (an event, a status post:
:mod:`statuspage.signals`) :func:`stale` drops it, so a change reaches the page on the next request. So a
spike costs one or two queries per plan every ``STAMP_SECONDS`` at most, whatever the number of viewers.
With the cache unreachable every request renders for itself.

Responses say ``Cache-Control: public, max-age=STATUS_MAX_AGE, stale-while-revalidate=STATUS_STALE_SECONDS``
so a CDN or reverse proxy in front absorbs the load (README, "Production")."""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe

from plans.models import Plan

log = logging.getLogger(__name__)

#: How long a stamp read from the database is trusted: a write committing while a request read the old state
#: (and stored it after the write's invalidation) is seen at most this late.
STAMP_SECONDS = 15
ENTRY_SECONDS = 3600
#: Each process keeps the renderings it served this long without asking the shared cache again (a spike's
#: requests then cost no network round trip at all); a change is seen at most this much later.
LOCAL_SECONDS = 1.0
_LOCAL: dict[tuple[str, str, str], tuple[float, Entry]] = {}

#: What a rendering was made from: the plan's revision (every service write moves it) and its newest status
#: post (the outbox publishes those without an event).
Stamp = tuple[int, int]


def max_age() -> int:
    return int(getattr(settings, "STATUS_MAX_AGE", 15))


def stale_seconds() -> int:
    return int(getattr(settings, "STATUS_STALE_SECONDS", 60))


@dataclass(frozen=True)
class Entry:
    stamp: Stamp
    valid_until: float  # epoch seconds
    body: bytes
    packed: bytes
    content_type: str
    etag: str
    last_modified: int  # epoch seconds
    last_modified_http: str
    cache_control: str


Rendered = tuple[bytes, str, datetime]  # body, content type, the moment the page stops being true


def _rev_key(slug: str) -> str:
    return f"statuspage:rev:{slug}"


def _entry_key(slug: str, variant: str, base: str) -> str:
    digest = hashlib.sha256(f"{variant}|{base}".encode()).hexdigest()[:24]
    return f"statuspage:entry:{slug}:{digest}"


def stale(slug: str) -> None:
    """A write of the plan committed: the next request reads the plan's stamp again (one query or two).
    This process forgets its own copies now; the others within ``LOCAL_SECONDS``."""
    for key in [k for k in _LOCAL if k[0] == slug]:
        _LOCAL.pop(key, None)
    try:
        cache.delete(_rev_key(slug))
    except Exception as exc:  # the cache is down: nothing is served from it anyway
        log.warning("statuspage: could not mark %s stale (%s)", slug, exc)


def forget_local() -> None:
    """Drop this process's copies (the tests' cache reset)."""
    _LOCAL.clear()


def stamp_of(plan: Plan) -> Stamp:
    from communications.models import StatusPost

    last = StatusPost.objects.filter(plan=plan).order_by("-id").values_list("id", flat=True).first()
    return (plan.revision, last or 0)


def _headers(response: HttpResponse, entry: Entry) -> HttpResponse:
    response["ETag"] = entry.etag
    response["Last-Modified"] = entry.last_modified_http
    response["Cache-Control"] = entry.cache_control
    response["Vary"] = "Accept-Encoding"
    return response


def _not_modified(request: HttpRequest, entry: Entry) -> bool:
    match = request.META.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return entry.etag in tags or "*" in tags
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and entry.last_modified <= since


def respond(request: HttpRequest, entry: Entry) -> HttpResponse:
    if _not_modified(request, entry):
        return _headers(HttpResponse(status=304), entry)
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        response = HttpResponse(entry.packed, content_type=entry.content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(entry.body, content_type=entry.content_type)
    return _headers(response, entry)


def _make(plan: Plan, stamp: Stamp, render: Callable[[Plan], Rendered]) -> Entry:
    body, content_type, until = render(plan)
    last_modified = int(plan.updated_at.timestamp())
    tag = hashlib.sha256(body).hexdigest()[:20]
    return Entry(
        stamp=stamp,
        valid_until=until.timestamp(),
        body=body,
        packed=gzip.compress(body, compresslevel=6, mtime=0),
        content_type=content_type,
        etag=f'"{tag}"',
        last_modified=last_modified,
        last_modified_http=http_date(last_modified),
        cache_control=f"public, max-age={max_age()}, stale-while-revalidate={stale_seconds()}",
    )


def serve(
    request: HttpRequest,
    slug: str,
    variant: str,
    load: Callable[[str], Plan],
    render: Callable[[Plan], Rendered],
) -> HttpResponse:
    """The cached response for ``variant`` of the plan's public pages (see the module's docstring)."""
    base = f"{request.scheme}://{request.get_host()}"
    now = timezone.now().timestamp()
    here = (slug, variant, base)
    local = _LOCAL.get(here)
    if local is not None and time.monotonic() - local[0] < LOCAL_SECONDS and now < local[1].valid_until:
        return respond(request, local[1])
    entry = _shared(request, slug, _entry_key(slug, variant, base), _rev_key(slug), now, load, render)
    if len(_LOCAL) > 2000:
        _LOCAL.clear()
    _LOCAL[here] = (time.monotonic(), entry)
    return respond(request, entry)


def _shared(
    request: HttpRequest,
    slug: str,
    key: str,
    rev_key: str,
    now: float,
    load: Callable[[str], Plan],
    render: Callable[[Plan], Rendered],
) -> Entry:
    try:
        got = cache.get_many([key, rev_key])
    except Exception as exc:
        log.warning("statuspage: cache unreachable (%s); rendering without it", exc)
        plan = load(slug)
        return _make(plan, stamp_of(plan), render)
    entry, stamp = got.get(key), got.get(rev_key)
    if entry is not None and stamp == entry.stamp and now < entry.valid_until:
        return entry  # type: ignore[no-any-return]
    plan = load(slug)  # 404 for a draft plan, 409 for dates out of range
    current = stamp_of(plan)
    if stamp != current:
        _remember(rev_key, current, replace=stamp is not None)
    if entry is None or entry.stamp != current or now >= entry.valid_until:
        entry = _make(plan, current, render)
        try:
            cache.set(key, entry, timeout=ENTRY_SECONDS)
        except Exception as exc:
            log.warning("statuspage: could not store a rendering (%s)", exc)
    return entry  # type: ignore[no-any-return]


def _remember(rev_key: str, stamp: Stamp, *, replace: bool) -> None:
    """Keep the stamp read from the database, briefly. ``add`` when there was none: a write committing
    meanwhile deleted it, and must not be undone by an older read (``STAMP_SECONDS`` bounds the rest)."""
    try:
        if replace:
            cache.set(rev_key, stamp, timeout=STAMP_SECONDS)
        else:
            cache.add(rev_key, stamp, timeout=STAMP_SECONDS)
    except Exception as exc:
        log.warning("statuspage: could not store the stamp (%s)", exc)
