"""The bounds every typed value must keep, shared by the plan format's schema and the services.

One place for the limits (docs/plan-format.md, "Limits", lists them): text fits its column and holds no
control characters, T-0 lies between 2000-01-01 and 2100-01-01 (UTC), offsets stay within ±400 days
of T-0, durations within 400 days, UTC offsets within those of real time zones (−12:00 to +14:00),
numbers within their column's digits. Each check raises :class:`BoundsError`, which is both a Django
``ValidationError`` (forms and services show its message) and a ``ValueError`` (pydantic reports it
with the line of the value).
"""

from __future__ import annotations

import math
import re
import unicodedata
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from launchcontrol.http import error_text

from .localtime import local_moment

T0_MIN = datetime(2000, 1, 1, tzinfo=UTC)
T0_MAX = datetime(2100, 1, 1, tzinfo=UTC)
OFFSET_LIMIT = timedelta(days=400)
DURATION_LIMIT = timedelta(days=400)
#: Real time zones lie between UTC−12:00 and UTC+14:00.
UTC_OFFSET_MIN = timedelta(hours=-12)
UTC_OFFSET_MAX = timedelta(hours=14)
#: Any moment the app computes from a plan (T-0 ± an offset ± a duration) stays inside this window.
MOMENT_MIN = T0_MIN - 2 * OFFSET_LIMIT
MOMENT_MAX = T0_MAX + 2 * OFFSET_LIMIT
#: Text columns without a length of their own (descriptions, notes, message bodies).
LONG_TEXT_MAX = 20_000
#: Free-form data (a plan's ``extra``) nests at most this deep: what the plan format's reader takes.
DATA_DEPTH_MAX = 31
#: A recurring message sends at most this many times.
MAX_OCCURRENCES = 10_000

# C0 and C1 control characters, DEL and lone surrogates; multi-line text may keep tab, newline and CR, and
# the line and paragraph separators (U+2028, U+2029), which are line breaks that one-line text cannot hold.
_CONTROL_SINGLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_CONTROL_MULTI = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: Bidirectional embeddings, overrides and isolates: they reorder the page's own text after them ("Launch
#: \u202egnp.exe" reads as "Launch exe.png"). The marks U+200E and U+200F do not, and stay allowed.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
#: Characters that draw nothing though they are not format characters (category Cf) or whitespace: the
#: Hangul fillers, the Mongolian vowel separator, the blank Braille pattern.
_BLANK = frozenset("\u115f\u1160\u180e\u2800\u3164\uffa0")
#: The line breaks a one-line field cannot hold, for the hint.
_LINE_BREAKS = ("U+0009", "U+000A", "U+2028", "U+2029")


class BoundsError(ValidationError, ValueError):
    """A value outside its bounds. A ``ValidationError`` for Django, a ``ValueError`` for pydantic."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return error_text(self)


def _prefix(field: str) -> str:
    return f"{field}: " if field else ""


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in ``text`` (``"U+0000"``), or None."""
    match = (_CONTROL_MULTI if multiline else _CONTROL_SINGLE).search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def without_controls(text: str) -> str:
    """``text`` with what :func:`clean_text` refuses in multi-line text dropped instead (control characters
    but tab, newline and CR; text-direction controls): for text a machine sent (an alert), not a person."""
    return _BIDI.sub("", _CONTROL_MULTI.sub("", text))


def bidi_control(text: str) -> str | None:
    """The first bidirectional embedding, override or isolate in ``text`` (``"U+202E"``), or None."""
    match = _BIDI.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def invisible_only(text: str) -> bool:
    """True if ``text`` is not empty but shows nothing: only whitespace and invisible characters (zero-width
    space, joiners, the byte order mark: Unicode category Cf) and blank fillers."""
    return bool(text) and all(c.isspace() or c in _BLANK or unicodedata.category(c) == "Cf" for c in text)


def _text_problem(text: str, *, multiline: bool, hint: bool = False) -> str | None:
    """Why ``text`` cannot be kept (a sentence without its field's name), or None. ``hint``: say that a
    line break cannot be in a one-line field."""
    bad = control_character(text, multiline=multiline)
    if bad is not None:
        what = "a NUL character" if bad == "U+0000" else f"a control character ({bad})"
        if bad in ("U+2028", "U+2029"):
            what = f"a line break ({bad})"
        why = " (a tab or a line break cannot be in a one-line field)" if hint and bad in _LINE_BREAKS else ""
        return f"contains {what}{why}; remove it"
    bidi = bidi_control(text)
    if bidi is not None:
        return f"contains a text-direction control ({bidi}), which would reverse the text shown after it; remove it"
    return None


class NoControlCharacters:
    """A form field validator: the text holds no control character (``multiline`` text may hold tab,
    newline and carriage return). The admin's text fields use it, as the plan format and the services do."""

    def __init__(self, *, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        problem = _text_problem(str(value), multiline=self.multiline, hint=True)
        if problem is not None:
            raise ValidationError(f"{problem[0].upper()}{problem[1:]}.", code="control_character")


def visible_or_empty(value: Any) -> Any:
    """A form's text with nothing visible in it made empty, so that a required field says so: a name of
    zero-width spaces would show as a blank."""
    return "" if isinstance(value, str) and invisible_only(value) else value


def clean_text(value: Any, *, max_length: int, multiline: bool = False, field: str = "") -> str:
    """``value`` stripped, or BoundsError if it is not text, holds a control character (newline, tab
    and carriage return are allowed in multi-line text), a text-direction control, or is longer than
    ``max_length``. Text with no visible character (zero-width spaces) is returned empty, so that a
    required value is refused as missing."""
    if not isinstance(value, str):
        raise BoundsError(f"{_prefix(field)}expected text, got {type(value).__name__}")
    text = value.strip()
    if multiline:
        text = text.replace("\r\n", "\n")
    problem = _text_problem(text, multiline=multiline)
    if problem is not None:
        raise BoundsError(f"{_prefix(field)}{problem}")
    if invisible_only(text):
        return ""
    if len(text) > max_length:
        raise BoundsError(f"{_prefix(field)}at most {max_length} characters (this has {len(text)})")
    return text


def _date(moment: datetime) -> str:
    """``0001-01-01``: ``%Y`` does not pad a year below 1000 on every platform."""
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


def _when(moment: datetime) -> str:
    """A moment as a bound's message shows it: in UTC, as the bounds are, with the time as typed beside it."""
    typed = f"{_date(moment)} {moment:%H:%M}"
    try:
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return typed
    if moment.utcoffset() == timedelta(0):
        return f"{typed} UTC"
    zone = getattr(moment.tzinfo, "key", None) or moment.strftime("UTC%z")
    return f"{_date(utc)} {utc:%H:%M} UTC ({typed} in {zone})"


def _sane_year(moment: datetime, low: datetime, high: datetime, what: str) -> None:
    # Compare years first: arithmetic on a year-1 or year-9999 value can overflow.
    if not low.year - 1 <= moment.year <= high.year + 1:
        raise BoundsError(f"{what} must lie between {low:%Y-%m-%d} and {high:%Y-%m-%d} (UTC); got {_date(moment)}")


def check_utc_offset(moment: datetime, *, field: str = "") -> datetime:
    """An aware ``moment`` whose UTC offset is one a real time zone can have (−12:00 to +14:00)."""
    offset = moment.utcoffset()
    if offset is not None and not UTC_OFFSET_MIN <= offset <= UTC_OFFSET_MAX:
        sign = "-" if offset < timedelta(0) else "+"
        minutes = int(abs(offset).total_seconds()) // 60
        raise BoundsError(
            f"{_prefix(field)}UTC offset {sign}{minutes // 60:02d}:{minutes % 60:02d} is not a real time zone's "
            "(they lie between -12:00 and +14:00)"
        )
    return moment


def check_t0(moment: datetime, *, field: str = "T-0") -> datetime:
    """An aware T-0 between 2000-01-01 and 2100-01-01 (UTC)."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise BoundsError(f"{field} must be a date and time with a time zone")
    check_utc_offset(moment, field=field)
    _sane_year(moment, T0_MIN, T0_MAX, field)
    if not T0_MIN <= moment < T0_MAX:
        raise BoundsError(
            f"{field} must lie between {T0_MIN:%Y-%m-%d} and {T0_MAX:%Y-%m-%d} (UTC); got {_when(moment)}"
        )
    return moment


def t0_in_range(moment: datetime | None) -> bool:
    try:
        check_t0(moment)  # type: ignore[arg-type]
    except (BoundsError, OverflowError):
        return False
    return True


def check_moment(moment: datetime, *, field: str = "time") -> datetime:
    """An aware moment inside the window any plan's times can reach (T-0's range widened by 800 days)."""
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise BoundsError(f"{field} must be a date and time with a time zone")
    check_utc_offset(moment, field=field)
    _sane_year(moment, MOMENT_MIN, MOMENT_MAX, field)
    if not MOMENT_MIN <= moment <= MOMENT_MAX:
        raise BoundsError(f"{field} must lie between {MOMENT_MIN:%Y-%m-%d} and {MOMENT_MAX:%Y-%m-%d} (UTC)")
    return moment


def _days(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 86400:g} days"


def check_offset(delta: timedelta, *, field: str = "") -> timedelta:
    """An offset from T-0 within ±400 days."""
    if abs(delta) > OFFSET_LIMIT:
        raise BoundsError(
            f"{_prefix(field)}offsets stay within ±{OFFSET_LIMIT.days} days of T-0 (this one is {_days(delta)})"
        )
    return delta


def check_duration(delta: timedelta, *, field: str = "") -> timedelta:
    """A length of time from zero to 400 days."""
    if delta < timedelta(0):
        raise BoundsError(f"{_prefix(field)}a duration cannot be negative")
    if delta > DURATION_LIMIT:
        raise BoundsError(
            f"{_prefix(field)}durations are at most {DURATION_LIMIT.days} days (this one is {_days(delta)})"
        )
    return delta


def check_timezone(name: Any, *, field: str = "time zone") -> zoneinfo.ZoneInfo:
    """The IANA zone called ``name``; BoundsError for anything else (no paths, no NUL)."""
    if not isinstance(name, str) or not name or len(name) > 64 or control_character(name) is not None:
        raise BoundsError(f"unknown {field} {str(name)[:64]!r}")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise BoundsError(f"unknown {field} {name!r}") from None


def parse_datetime_input(text: Any, zone: tzinfo, *, field: str = "date and time", t0: bool = False) -> datetime:
    """A form's ``2026-12-01T14:30`` read in ``zone`` (or an ISO value with a real UTC offset), checked
    to be inside the window any plan time can reach (``t0``: T-0's range). BoundsError with a clear
    message otherwise."""
    low, high = (T0_MIN, T0_MAX) if t0 else (MOMENT_MIN, MOMENT_MAX)
    raw = clean_text(text if isinstance(text, str) else "", max_length=64, field=field)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BoundsError(f"“{raw}” is not a date and time (expected YYYY-MM-DD HH:MM).") from None
    _sane_year(value, low, high, field)
    if value.tzinfo is None:
        try:
            value = local_moment(value, zone)
        except ValueError as exc:
            raise BoundsError(f"{_prefix(field)}{exc}") from None
    check_utc_offset(value, field=field)
    return check_t0(value, field=field) if t0 else check_moment(value, field=field)


def check_number(value: Any, *, max_digits: int, decimal_places: int, field: str = "") -> Decimal:
    """A finite decimal that fits a ``DecimalField(max_digits, decimal_places)``, rounded to its places."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise BoundsError(f"{_prefix(field)}expected a number, got {value!r}")
    raw = str(value).strip()
    if len(raw) > 64:
        raise BoundsError(f"{_prefix(field)}“{raw[:20]}…” is not a number.")
    try:
        number = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise BoundsError(f"{_prefix(field)}“{raw}” is not a number.") from None
    if not number.is_finite():
        raise BoundsError(f"{_prefix(field)}a number must be finite, not “{raw}”.")
    limit = Decimal(10) ** (max_digits - decimal_places)
    if abs(number) >= limit:
        raise BoundsError(
            f"{_prefix(field)}“{raw}” is too large: at most {max_digits - decimal_places} digits before the point."
        )
    rounded = number.quantize(Decimal(1).scaleb(-decimal_places))
    if abs(rounded) >= limit:
        raise BoundsError(f"{_prefix(field)}“{raw}” is too large once rounded to {decimal_places} decimal places.")
    return rounded


#: A reading as people type it off a dashboard: a number, then perhaps a unit ("410 ms", "0.06%", "1,200 users").
_READING = re.compile(r"(?P<number>.*[\d.])\s*(?P<unit>[^\d\s.,+\-\x00-\x1f\x7f][^\d\x00-\x1f\x7f]*)")
#: A number with thousands separators ("1,200", "12,500.5").
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def reading_text(raw: str, *, unit: str, metric: str) -> str:
    """What a person typed for a reading of ``metric`` (in ``unit``), as the number ``check_number`` reads: the
    metric's own unit after the number is allowed and dropped, as are thousands separators; another unit is
    refused, so "0.41 s" is not recorded as 0.41 ms."""
    text = raw.strip()
    if len(text) > 64:  # check_number refuses it in words; the pattern is not run over a long text
        return text
    typed = _READING.fullmatch(text)
    if typed is not None:
        if typed["unit"].replace(" ", "").lower() != unit.replace(" ", "").lower():
            if unit.strip():
                raise BoundsError(f"“{text[:40]}”: {metric} is recorded in {unit}; type the number in {unit}.")
            raise BoundsError(f"“{text[:40]}”: {metric} is a plain number; type it without a unit.")
        text = typed["number"].strip()
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    return text


def check_plain_data(value: Any, *, field: str = "", max_items: int = 10_000) -> Any:
    """Free-form data (a plan's ``extra:``, a role's ``attributes:``) kept as JSON: every key and string
    free of control characters (newlines allowed), numbers finite and of sane size, a bounded size."""
    budget = [max_items]

    def walk(node: Any, depth: int = 1) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise BoundsError(f"{_prefix(field)}more than {max_items} values")
        if depth > DATA_DEPTH_MAX and isinstance(node, dict | list):
            raise BoundsError(f"{_prefix(field)}nested more than {DATA_DEPTH_MAX} levels deep")
        if isinstance(node, dict):
            for key, item in node.items():
                clean_text(str(key), max_length=200, field=field)
                walk(item, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, str):
            clean_text(node, max_length=LONG_TEXT_MAX, multiline=True, field=field)
        elif isinstance(node, bool) or node is None:
            pass
        elif isinstance(node, int):
            if abs(node) >= 10**15:
                raise BoundsError(f"{_prefix(field)}number {str(node)[:20]}… is too large")
        elif isinstance(node, float) and not math.isfinite(node):
            raise BoundsError(f"{_prefix(field)}numbers must be finite")
        elif isinstance(node, float) and abs(node) >= 10**15:
            raise BoundsError(f"{_prefix(field)}number {node:.3g} is too large")
        return node

    return walk(value)
