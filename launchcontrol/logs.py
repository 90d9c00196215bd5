"""Keep bearer tokens out of logs.

Kiosk links (``/kiosk/<token>/``), calendar feeds (``/plans/<plan>/calendar/<token>.ics``) and the war
room's screen tokens (``?s=<token>``) are credentials carried in URLs, so every line that would print such
a URL prints ``[redacted]`` in the token's place. API tokens (``lct_<prefix>_<secret>``, api/) travel in
the ``Authorization`` header, never in a URL; a line that prints one anyway (a header dump, a pasted curl
command) keeps its prefix and loses its secret, and any ``Bearer <credential>`` loses the credential:

- ``RedactTokens``: a logging filter, on the console handler (so ``django.request``'s "Forbidden
  (Permission denied): /kiosk/…" and "Not Found: …/calendar/….ics", ``django.security`` and runserver's
  request lines) and on gunicorn's error log;
- ``GunicornLogger``: gunicorn's logger class with the access log's atoms redacted (request line, path,
  query, referer, headers and environ), whatever ``--access-logformat`` says. The Dockerfile runs
  gunicorn with ``--logger-class launchcontrol.logs.GunicornLogger``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"

_PATTERNS = [
    re.compile(r"(/kiosk/)[^/?#\s\"'<>]+"),  # a kiosk link: any segment after /kiosk/
    re.compile(r"(/calendar/)[^/?#.\s\"'<>]{16,}"),  # a calendar feed's token (not "new/" or a row id)
    re.compile(r"((?:^|[?&;])s=)[^&#\s\"'<>]+"),  # a screen token in a query string
    re.compile(r"(\blct_[0-9a-f]{8}_)[A-Za-z0-9_-]+"),  # an API token (api/): its public prefix stays
    re.compile(r"((?i:bearer)\s+)[A-Za-z0-9._~+/=-]{16,}"),  # any bearer credential in a logged header
]
_MARKERS = ("/kiosk/", "/calendar/", "s=", "lct_", "earer")


def redact_tokens(text: str) -> str:
    """``text`` with every kiosk, calendar and screen token replaced by ``[redacted]``."""
    if not any(marker in text for marker in _MARKERS):  # the common case costs three substring checks
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactTokens(logging.Filter):
    """A filter that rewrites a record's message (and its formatted traceback) without tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to report
            return True
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        return True


try:
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:  # gunicorn is a production dependency; tolerate its absence in odd environments
    _GunicornBase = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornBase):  # type: ignore[misc,valid-type]
    """gunicorn's logger, with tokens redacted from every access-log atom and from the error log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(RedactTokens())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}
