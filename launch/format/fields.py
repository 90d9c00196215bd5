"""The plan format's field types: offsets, durations, due dates, numbers, bounded text and names, each
validated by the parser and the bounds the app itself uses (plans.offsets, plans.validators)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from plans.duedates import DueDateError, check_due_text
from plans.offsets import OffsetError, format_duration, format_offset, parse_duration, parse_offset
from plans.validators import (
    LONG_TEXT_MAX,
    check_duration,
    check_offset,
    check_plain_data,
    clean_text,
)

#: At most this many entries in any list of a plan file (roles, steps, items of one checklist...).
MAX_ENTRIES = 1000


def _offset(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return check_offset(value)
    if not isinstance(value, str):
        raise ValueError(f"expected an offset such as T-7d or T+2h30m, got {value!r}")
    try:
        return check_offset(parse_offset(clean_text(value, max_length=40)))
    except OffsetError as exc:
        raise ValueError(str(exc)) from None


def _due_date(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a due date such as 2026-12-01 or 2026-12-01T17:00, got {value!r}")
    try:
        return check_due_text(clean_text(value, max_length=40))
    except DueDateError as exc:
        raise ValueError(str(exc)) from None


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return check_duration(value)
    if isinstance(value, int) and value == 0:
        return timedelta(0)
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as 30m, 2h or 1d, got {value!r}")
    try:
        return check_duration(parse_duration(clean_text(value, max_length=40)))
    except OffsetError as exc:
        raise ValueError(str(exc)) from None


def _line(max_length: int) -> Callable[[str], str]:
    return lambda value: clean_text(value, max_length=max_length)


def _name(max_length: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        text = clean_text(value, max_length=max_length)
        if not text:
            raise ValueError("has no visible characters (only spaces or invisible characters); type a name")
        return text

    return check


def _long(value: str) -> str:
    return clean_text(value, max_length=LONG_TEXT_MAX, multiline=True)


def _slug(value: str) -> str:
    if not value or value != slugify(value) or len(value) > 80:
        raise ValueError(f"slug {value[:100]!r} must be 1 to 80 lower-case letters, digits and hyphens")
    return value


def _email(value: str) -> str:
    value = clean_text(value, max_length=254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValueError(f"{value!r} is not an e-mail address") from None
    return value


def _plain_data(value: dict[str, Any]) -> dict[str, Any]:
    return check_plain_data(value)  # type: ignore[no-any-return]


T = TypeVar("T")
Text = Annotated[str, AfterValidator(_long)]  # a TextField: multi-line, bounded
Ref = Annotated[str, AfterValidator(_line(200))]  # a name of something else in the file
Email = Annotated[str, AfterValidator(_email)]
Slug = Annotated[str, AfterValidator(_slug)]
Data = Annotated[dict[str, Any], AfterValidator(_plain_data)]
Entries = Annotated[list[T], Field(max_length=MAX_ENTRIES)]
# Single-line CharFields, by their column's max_length; ``Name*`` may not be empty.
Name120 = Annotated[str, Field(min_length=1), AfterValidator(_name(120))]
Name200 = Annotated[str, Field(min_length=1), AfterValidator(_name(200))]
Name300 = Annotated[str, Field(min_length=1), AfterValidator(_name(300))]
Name80 = Annotated[str, Field(min_length=1), AfterValidator(_name(80))]
Str30 = Annotated[str, AfterValidator(_line(30))]
Str60 = Annotated[str, AfterValidator(_line(60))]
Str64 = Annotated[str, AfterValidator(_line(64))]
Str80 = Annotated[str, AfterValidator(_line(80))]
Str120 = Annotated[str, AfterValidator(_line(120))]
Str150 = Annotated[str, AfterValidator(_line(150))]
Str200 = Annotated[str, AfterValidator(_line(200))]
Str300 = Annotated[str, AfterValidator(_line(300))]
Str2000 = Annotated[str, AfterValidator(_line(2000))]


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        raw = str(value).strip()
        if len(raw) > 64:
            raise ValueError(f"expected a number of at most 64 characters, got {raw[:20]!r}...")
        number = Decimal(raw)
    except ArithmeticError:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    if number.as_tuple().exponent < -4 or abs(number) >= Decimal("1e10"):  # type: ignore[operator]
        raise ValueError(f"{value!r}: at most 4 decimal places and 10 integer digits")
    return number


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


Offset = Annotated[timedelta, BeforeValidator(_offset), PlainSerializer(format_offset, return_type=str)]
#: A clockless plan's absolute due date, in the plan's zone (plans.duedates).
DueDate = Annotated[str, BeforeValidator(_due_date)]
Duration = Annotated[timedelta, BeforeValidator(_duration), PlainSerializer(format_duration, return_type=str)]
Number = Annotated[Decimal, BeforeValidator(_number), PlainSerializer(_plain_number)]
Level = Literal["low", "medium", "high"]
ComparatorT = Literal["<", "<=", ">", ">=", "="]


class Strict(BaseModel):
    """Every document of the format: an unknown key is an error (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)
