"""Finding 5 (logs): the access log (gunicorn ``--access-logfile -``) and Django's 403/404 warnings wrote
kiosk, screen and calendar tokens in clear. Now a logging filter and a gunicorn logger class redact them."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from gunicorn.config import Config

from communications.ical import feed_create, feed_revoke
from launchcontrol.logs import REDACTED, GunicornLogger, RedactTokens, redact_tokens
from plans.kiosk import kiosk_token
from plans.services import kiosk_create, kiosk_revoke
from tests import factories

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from django.test import Client

    from plans.models import Plan

KIOSK = "WzEsMl0:1xYMDS:LsxtOUJ-B5g8xxM0r_xi-GdKYv9qb2S"
SCREEN = "eyJnIjoxLCJwIjoxfQ:1xYMDS:LsxtOUJ-B5g8xxM0r_xi"
CAL = "Vd3m0Nq4k9q1kL0sX2wYzZ7oG5uTt6rB8pC1aE2fH3i"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /kiosk/{KIOSK}/ HTTP/1.1", f"GET /kiosk/{REDACTED}/ HTTP/1.1"),
        (f"/kiosk/{KIOSK}/fragment/", f"/kiosk/{REDACTED}/fragment/"),
        (
            f"GET /plans/p/warroom/fragment/?s={SCREEN} HTTP/1.1",
            f"GET /plans/p/warroom/fragment/?s={REDACTED} HTTP/1.1",
        ),
        (f"s={SCREEN}", f"s={REDACTED}"),
        (f"/x/?a=1&s={SCREEN}&b=2", f"/x/?a=1&s={REDACTED}&b=2"),
        (f"Not Found: /plans/p/calendar/{CAL}.ics", f"Not Found: /plans/p/calendar/{REDACTED}.ics"),
        (f"https://lc.example.com/kiosk/{KIOSK}/", f"https://lc.example.com/kiosk/{REDACTED}/"),
        # Nothing else is touched.
        ("POST /plans/p/calendar/new/ HTTP/1.1", "POST /plans/p/calendar/new/ HTTP/1.1"),
        ("POST /plans/p/calendar/12/revoke/ HTTP/1.1", "POST /plans/p/calendar/12/revoke/ HTTP/1.1"),
        ("GET /plans/p/?items=3&days=2 HTTP/1.1", "GET /plans/p/?items=3&days=2 HTTP/1.1"),
        ("GET /healthz HTTP/1.1", "GET /healthz HTTP/1.1"),
    ],
)
def test_redact_tokens(line: str, expected: str) -> None:
    assert redact_tokens(line) == expected


def test_the_filter_redacts_a_record_and_its_traceback() -> None:
    try:
        raise ValueError(f"bad token /kiosk/{KIOSK}/")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Forbidden (%s): %s",
            ("Permission denied", f"/kiosk/{KIOSK}/"),
            sys.exc_info(),
        )
    assert RedactTokens().filter(record) is True
    assert record.getMessage() == f"Forbidden (Permission denied): /kiosk/{REDACTED}/"
    assert record.exc_text is not None
    assert KIOSK not in record.exc_text and REDACTED in record.exc_text


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The console handler configured in settings.LOGGING, writing into a buffer for the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, RedactTokens) for f in h.filters)
    )
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


def test_djangos_403_and_404_warnings_print_no_token(
    client: Client, plan: Plan, coordinator: User, console: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    link = kiosk_create(plan, by=coordinator, label="TV")
    kiosk_revoke(link, by=coordinator)
    role = factories.RoleFactory(plan=plan, primary=coordinator)
    feed, cal = feed_create(role, by=coordinator)
    feed_revoke(feed, by=coordinator)
    token = kiosk_token(link)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("warroom:kiosk", args=[token])).status_code == 403
        assert client.get(reverse("warroom:kiosk_fragment", args=[token])).status_code == 403
        assert client.get(reverse("warroom:fragment", args=[plan.slug]) + f"?s={SCREEN}").status_code == 403
        assert client.get(reverse("communications:ical", args=[plan.slug, cal])).status_code == 404
    raw = [r for r in caplog.records if r.name == "django.request"]
    assert len(raw) == 4
    out = console.getvalue()
    assert "Forbidden (Permission denied): /kiosk/[redacted]/" in out
    assert f"Not Found: /plans/{plan.slug}/calendar/[redacted].ics" in out
    assert token not in out and cal not in out


def _gunicorn_logger(capsys: pytest.CaptureFixture[str]) -> GunicornLogger:
    cfg = Config()
    cfg.set("accesslog", "-")
    return GunicornLogger(cfg)


def test_gunicorn_access_log_atoms_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    logger = _gunicorn_logger(capsys)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/plans/p/warroom/fragment/?s={SCREEN}",
        "PATH_INFO": "/plans/p/warroom/fragment/",
        "QUERY_STRING": f"s={SCREEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://lc.example.com/kiosk/{KIOSK}/",
        "REMOTE_ADDR": "10.0.0.7",
    }
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("HOST", "lc.example.com")])
    resp = SimpleNamespace(status="304 Not Modified", sent=0, headers=[("ETag", '"1.2.3"')])
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=3))
    assert atoms["r"] == f"GET /plans/p/warroom/fragment/?s={REDACTED} HTTP/1.1"
    assert atoms["q"] == f"s={REDACTED}"
    assert atoms["f"] == f"https://lc.example.com/kiosk/{REDACTED}/"
    assert atoms["{referer}i"] == atoms["f"] and atoms["{http_referer}e"] == atoms["f"]
    assert atoms["{raw_uri}e"] == f"/plans/p/warroom/fragment/?s={REDACTED}"
    assert atoms["h"] == "10.0.0.7" and atoms["s"] == "304"
    assert not any(SCREEN in str(v) or KIOSK in str(v) for v in atoms.values())

    environ["RAW_URI"] = environ["PATH_INFO"] = f"/plans/p/calendar/{CAL}.ics"
    environ["QUERY_STRING"] = ""
    logger.access(resp, req, environ, timedelta(milliseconds=3))
    line = capsys.readouterr().out
    assert f"GET /plans/p/calendar/{REDACTED}.ics HTTP/1.1" in line and CAL not in line and KIOSK not in line


def test_gunicorn_error_log_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    logger = _gunicorn_logger(capsys)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.error_log.addHandler(handler)
    try:
        logger.error("Error handling request %s", f"/kiosk/{KIOSK}/fragment/")
    finally:
        logger.error_log.removeHandler(handler)
    assert stream.getvalue().strip() == f"Error handling request /kiosk/{REDACTED}/fragment/"
