"""Create a plan from a plan file, in one transaction, or save nothing and say what is wrong."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify

from communications.channels import validate_email_target, validate_webhook_target
from communications.models import ChannelKind
from launch.format.checks import check_references
from launch.format.due_checks import due_items
from launch.format.loader import Parsed, PlanFormatError, Problem, field_path, parse_plan_partial, read_plan_file
from launch.format.route_checks import route_user_problems
from launch.format.series_checks import oncall_user_problems
from plans.duedates import due_problem
from plans.localtime import local_moment
from plans.models import Plan
from plans.services import event_record
from plans.validators import BoundsError, check_t0, check_timezone, clean_text, control_character
from roles.people import deactivated

from .content import placeholder_values_apply
from .creation import create_plan_objects

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return check_timezone(name)
    except BoundsError:
        return None


def parse_t0(value: str | datetime, tz: str) -> datetime:
    """``2026-12-01T12:00`` read in zone ``tz`` (an aware value keeps its own offset). ValueError if it
    is not a date and time; BoundsError if it is outside 2000-01-01 to 2100-01-01 or its UTC offset
    is not a real one."""
    if isinstance(value, datetime):
        moment = value
    else:
        raw = str(value).strip()
        if len(raw) > 64 or control_character(raw) is not None:
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw)
    if timezone.is_naive(moment):
        if not 1999 <= moment.year <= 2100:
            got = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            raise BoundsError(f"T-0 must lie between 2000-01-01 and 2100-01-01 (UTC); got {got}")
        try:
            moment = local_moment(moment, zoneinfo.ZoneInfo(tz))
        except ValueError as exc:
            raise BoundsError(str(exc)) from None
    return check_t0(moment)


def validate_plan_text(
    text: str, *, filename: str = "<plan>", tz: str | None = None, slug: str | None = None
) -> tuple[Parsed, str]:
    """Every check that needs no write: schema, references, users, zone, slug, webhook targets; every
    problem they can find in one run (the checks after the schema run on what it accepted). Returns
    (parsed, zone)."""
    parsed = parse_plan_partial(text, filename)
    doc = parsed.doc
    problems = list(parsed.problems)
    findings = check_references(doc, touched=parsed.touched, dropped=parsed.dropped)
    problems += [Problem(parsed.line(loc), msg) for loc, msg in findings]
    problems += _user_problems(parsed) + _zone_problems(parsed, tz) + _slug_problems(parsed, slug)
    problems += _due_date_problems(parsed, tz)
    problems += _channel_problems(parsed) + oncall_user_problems(parsed) + route_user_problems(parsed)
    if problems:
        raise PlanFormatError(problems, filename)
    return parsed, tz or doc.timezone or "UTC"


def _user_problems(parsed: Parsed) -> list[Problem]:
    """A role's primary and backup must be users, and active ones: as the "Assign people" screen refuses a
    deactivated account (roles.services.role_assign_people), so does the import (one query)."""
    doc = parsed.doc
    active = dict(
        get_user_model()
        .objects.filter(username__in={u for r in doc.roles for u in (r.primary, r.backup) if u})
        .values_list("username", "is_active")
    )
    return [
        Problem(
            parsed.line(("roles", i, field)),
            f"user {username!r} for role {role.name!r}: the account is inactive: choose an active user"
            if username in active
            else f"unknown user {username!r} for role {role.name!r}",
        )
        for i, role in enumerate(doc.roles)
        for field in ("primary", "backup")
        if (username := getattr(role, field)) and not active.get(username)
    ]


def _zone_problems(parsed: Parsed, tz: str | None) -> list[Problem]:
    doc = parsed.doc
    problems = []
    if doc.timezone and _zone(doc.timezone) is None:
        problems.append(Problem(parsed.line(("timezone",)), f"unknown time zone {doc.timezone!r}"))
    if tz and _zone(tz) is None:
        problems.append(Problem(None, f"--tz: unknown time zone {tz!r}"))
    if not (tz or doc.timezone):
        problems.append(Problem(None, "no time zone: give --tz or a timezone: key"))
    return problems


def _due_date_problems(parsed: Parsed, tz: str | None) -> list[Problem]:
    """A clockless plan's due dates with a time the plan's zone skips (DST): refused, not moved an hour."""
    doc = parsed.doc
    zone = _zone(tz or doc.timezone or "UTC")
    if zone is None:
        return []
    dated = [(loc + ("due_date",), it.due_date) for loc, it in due_items(doc)]
    dated += [
        (("training", i, "sessions", j, "date"), s.date)
        for i, track in enumerate(doc.training)
        for j, s in enumerate(track.sessions)
    ]
    return [
        Problem(parsed.line(loc), f"{field_path(loc)}: {problem}")
        for loc, text in dated
        if text and (problem := due_problem(text, zone)) is not None
    ]


def _slug_problems(parsed: Parsed, slug: str | None) -> list[Problem]:
    wanted = slug or parsed.doc.slug
    if wanted is None:
        return []
    where = None if slug else parsed.line(("slug",))
    if wanted != slugify(wanted) or not wanted or len(wanted) > 80:
        return [Problem(where, f"slug {wanted!r} must be lower-case letters, digits and hyphens")]
    if Plan.objects.filter(slug=wanted).exists():
        return [Problem(where, f"a plan with slug {wanted!r} already exists")]
    return []


def _channel_problems(parsed: Parsed) -> list[Problem]:
    """A webhook or e-mail channel's target is refused at import as it would be when saved in the admin:
    not an http(s) URL, a host on a private address (unless WEBHOOK_ALLOW_PRIVATE), not e-mail addresses."""
    problems = []
    checks = {ChannelKind.WEBHOOK: validate_webhook_target, ChannelKind.EMAIL: validate_email_target}
    for i, channel in enumerate(parsed.doc.channels):
        check = checks.get(channel.kind)  # type: ignore[call-overload]
        if check is None or not channel.target.strip():
            continue
        try:
            check(channel.target)
        except ValidationError as exc:
            where = parsed.line(("channels", i, "target"))
            problems += [Problem(where, f"channels[{i}].target: {message}") for message in exc.messages]
    return problems


def import_plan_text(
    text: str,
    *,
    t0: str | datetime | None,
    tz: str | None = None,
    filename: str = "<plan>",
    slug: str | None = None,
    name: str | None = None,
    coordinator: User | str | None = None,
    by: User | None = None,
    source_template: str = "",
    values: dict[str, str] | None = None,
) -> Plan:
    """Create a plan from plan-format text; ``values`` fill the file's placeholders (``--set``).
    Raises :class:`PlanFormatError` (every problem, with its line) and then saves nothing. ``t0`` is
    naive local time in the zone, or aware; None for a clockless plan (``clockless: true``), whose T-0 is
    only the moment it was made."""
    parsed, zone = validate_plan_text(text, filename=filename, tz=tz, slug=slug)
    if parsed.doc.clockless != (t0 is None):
        why = "a clockless plan has no T-0: leave out --t0" if t0 is not None else "--t0: T-0 is required"
        raise PlanFormatError([Problem(None, why)], filename)
    unfilled = placeholder_values_apply(parsed.doc, values or {})
    if unfilled:
        raise PlanFormatError([Problem(None, line) for line in unfilled], filename)
    try:
        moment = timezone.now() if t0 is None else parse_t0(t0, zone)
    except BoundsError as exc:
        raise PlanFormatError([Problem(None, f"--t0: {exc}")], filename) from None
    except (ValueError, OverflowError):
        shown = str(t0)[:64]
        raise PlanFormatError(
            [Problem(None, f"--t0: malformed date and time {shown!r}: expected 2026-12-01T12:00")], filename
        ) from None
    if name is not None:
        try:
            name = clean_text(name, max_length=200, field="--name") or None
        except BoundsError as exc:
            raise PlanFormatError([Problem(None, str(exc))], filename) from None
    if isinstance(coordinator, str):
        if control_character(coordinator) is not None or len(coordinator) > 150:
            raise PlanFormatError([Problem(None, f"--coordinator: unknown user {coordinator[:150]!r}")], filename)
        found = get_user_model().objects.filter(username=coordinator).first()
        if found is None:
            raise PlanFormatError([Problem(None, f"--coordinator: unknown user {coordinator!r}")], filename)
        if deactivated(found):  # as a role's holder (_user_problems): a deactivated account may coordinate nothing
            why = f"--coordinator: user {coordinator!r}: the account is inactive: choose an active user"
            raise PlanFormatError([Problem(None, why)], filename)
        coordinator = found
    try:
        with transaction.atomic():
            plan = create_plan_objects(
                parsed,
                t0=moment,
                zone=zone,
                slug=slug,
                name=name,
                coordinator=coordinator,
                source_template=source_template,
            )
            event_record(
                plan,
                kind="plan.imported",
                actor=by,
                summary=f"Plan created from {source_template or Path(filename).name}",
                data={"file": filename, "template": source_template, "t0": moment.isoformat(), "timezone": zone},
            )
    except (DatabaseError, ValueError, OverflowError) as exc:
        # The schema keeps every value inside its column; should the database still refuse one, the
        # transaction has rolled back and the author gets a message, not a traceback.
        raise PlanFormatError([Problem(None, f"the database refused the plan: {str(exc)[:300]}")], filename) from None
    return plan


def import_plan_file(path: str | Path, **kwargs: Any) -> Plan:
    """Import a plan file; a missing, unreadable, oversized or non-UTF-8 file is a PlanFormatError."""
    filename = str(kwargs.pop("filename", path))
    return import_plan_text(read_plan_file(path, filename), filename=filename, **kwargs)
