"""Reading an attendance sheet (CSV): one row per attendee, columns ``email`` (required), ``completed``
(yes/no; omitted = yes), ``session`` (a session's title), ``name`` and ``note`` (kept as text). Pure: the
caller passes the track's attendees and sessions; every bad row is reported with its line number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_BYTES = 1_000_000
MAX_ROWS = 5000
MAX_ERRORS = 20
YES = {"yes", "y", "true", "1", "x", "done", "completed", "attended"}
NO = {"no", "n", "false", "0", "", "absent", "missed"}


@dataclass(frozen=True)
class SheetRow:
    line: int
    email: str
    completed: bool
    session: str
    note: str


def _reader(text: str) -> csv.DictReader:
    """The CSV rows of a pasted or uploaded sheet, whatever its line endings: Excel for Mac ends lines with a
    lone carriage return, which the csv module refuses in an unquoted field (``newline=None`` reads any of
    them as one)."""
    return csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=None), restkey="_extra")


def _header(reader: csv.DictReader) -> list[str]:
    names = [(n or "").strip().casefold() for n in (reader.fieldnames or [])]
    if "email" not in names:
        raise ValidationError("Line 1: the sheet needs a header row with an “email” column.")
    reader.fieldnames = names
    return names


def _lines(reader: csv.DictReader) -> Iterator[tuple[int, dict]]:
    """The reader's rows with their line numbers, blank rows left out."""
    for raw in reader:
        if any((v or "").strip() for k, v in raw.items() if k != "_extra" and isinstance(v, str)):
            yield reader.line_num, raw


def _refuse(errors: list[str], rows: list, nothing: str, empty: str) -> None:
    """Every bad line (the first MAX_ERRORS) and that nothing changed; or that there was no row at all."""
    if errors:
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        raise ValidationError([*errors[:MAX_ERRORS], f"{nothing}{more}."])
    if not rows:
        raise ValidationError(empty)


def _row(line: int, raw: dict, sessions: set[str], has_completed: bool) -> tuple[SheetRow | None, str]:
    email = (raw.get("email") or "").strip().casefold()
    if not email or "@" not in email or len(email) > 254:
        return None, f"Line {line}: “{email[:80]}” is not an e-mail address."
    done = (raw.get("completed") or "").strip().casefold() if has_completed else "yes"
    if done not in YES | NO:
        return None, f"Line {line}: completed is “{done[:40]}”; write yes or no."
    session = (raw.get("session") or "").strip()
    if session and session.casefold() not in sessions:
        return None, f"Line {line}: no session of this track is called “{session[:80]}”."
    note = (raw.get("note") or "").strip()[:300]
    return SheetRow(line, email, done in YES, session, note), ""


def sheet_rows(text: str, *, emails: set[str], sessions: set[str]) -> list[SheetRow]:
    """The sheet's rows, or ValidationError naming every bad line (unknown attendee, duplicate, bad value).
    ``emails`` and ``sessions`` are casefolded."""
    if len(text.encode()) > MAX_BYTES:
        raise ValidationError("The sheet is larger than 1 MB.")
    reader = _reader(text)
    rows: list[SheetRow] = []
    errors: list[str] = []
    first: dict[str, int] = {}
    try:  # a line the csv module cannot read (a field over its 128 KB limit) is named, as a bad value is
        names = _header(reader)
        for line, raw in _lines(reader):
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(f"Line {line}: the sheet has more than {MAX_ROWS} rows.")
                break
            row, error = _row(line, raw, sessions, "completed" in names)
            if row is not None and row.email not in emails:
                error, row = f"Line {line}: {row.email} is not an expected attendee of this track.", None
            if row is not None and row.email in first:
                error, row = f"Line {line}: {row.email} is already on line {first[row.email]}.", None
            if row is None:
                errors.append(error)
            else:
                first[row.email] = line
                rows.append(row)
    except csv.Error as exc:
        errors.append(f"Line {reader.line_num}: {exc}.")
    _refuse(errors, rows, "Nothing was recorded", "The sheet has no rows.")
    return rows


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    email: str
    session: str


def _roster_row(line: int, raw: dict, sessions: set[str]) -> tuple[RosterRow | None, str]:
    email = (raw.get("email") or "").strip()
    if not email or "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        return None, f"Line {line}: “{email[:80]}” is not an e-mail address."
    name = " ".join((raw.get("name") or "").split())
    if not name or len(name) > 200:
        return None, f"Line {line}: the name is empty or longer than 200 characters."
    session = (raw.get("session") or "").strip()
    if session and session.casefold() not in sessions:
        return None, f"Line {line}: no session of this track is called “{session[:80]}”."
    return RosterRow(line, name, email, session), ""


def roster_rows(text: str, *, sessions: set[str]) -> list[RosterRow]:
    """A participant list (CSV: ``name``, ``email``, optional ``session``), or ValidationError naming every
    bad line (no name, not an address, an unknown session, an e-mail twice)."""
    if len(text.encode()) > MAX_BYTES:
        raise ValidationError("The list is larger than 1 MB.")
    reader = _reader(text)
    rows: list[RosterRow] = []
    errors: list[str] = []
    first: dict[str, int] = {}
    try:
        names = _header(reader)
        if "name" not in names:
            raise ValidationError("Line 1: the list needs a header row with “name” and “email” columns.")
        for line, raw in _lines(reader):
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append(f"Line {line}: the list has more than {MAX_ROWS} rows.")
                break
            row, error = _roster_row(line, raw, sessions)
            if row is not None and row.email.casefold() in first:
                error, row = f"Line {line}: {row.email} is already on line {first[row.email.casefold()]}.", None
            if row is None:
                errors.append(error)
            else:
                first[row.email.casefold()] = line
                rows.append(row)
    except csv.Error as exc:
        errors.append(f"Line {reader.line_num}: {exc}.")
    _refuse(errors, rows, "Nothing was imported", "The list has no rows.")
    return rows
