"""Fuzzed form and htmx bodies for every write endpoint of the URL guard's table, posted by a user who
is allowed to write there: never a 500; a 4xx changes nothing and says why in words; a change always
comes with its event and revision bump; an error message never comes with a change (no partial write).

Bounded in `make test` (derandomised: the classic bad values one field at a time, and five generated bodies per
endpoint); `make fuzz` draws FUZZ_EXAMPLES bodies per endpoint."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.messages import constants as message_levels
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import clear_cache, fuzz_examples
from tests.endpoints import WRITES, Endpoint, World, messages_of, post, rolled_back
from tests.strategies import form_bodies, resolve

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


class ServerError(AssertionError):
    """The endpoint answered 500; raised from the view's own exception so that Hypothesis tells
    distinct crashes apart and shows each one's traceback."""


def _cheap_state(world: World, entry: Endpoint) -> tuple[Any, ...]:
    from plans.models import Event, Plan

    assert entry.target is not None
    target = entry.target(world)
    return (
        Plan.objects.values_list("revision", flat=True).get(pk=world.plan.pk),
        Event.objects.count(),
        type(target)._default_manager.filter(pk=target.pk).values().first(),
    )


def _human(html: str) -> bool:
    text = re.sub(r"<[^>]+>", " ", html)
    return bool(re.search(r"[A-Za-z]{3,}", text)) and "Traceback" not in html


def check_post(entry: Endpoint, world: World, body: dict[str, Any], htmx: bool) -> None:
    url = reverse(entry.name, kwargs=entry.kwargs(world))
    client = world.client(entry.fuzz_actor)  # signed in outside the savepoint: the session must outlive it
    world.client("coordinator")  # the pages are checked as the coordinator: sign in outside it too
    clear_cache()  # the board is cached per revision, and revisions repeat once examples are rolled back
    with rolled_back():
        if entry.prepare:
            entry.prepare(world)
        before = _cheap_state(world, entry)
        response = post(client, url, body, htmx=htmx)
        code = response.status_code
        if code >= 500:
            # exc_info: set by the test client when raise_request_exception is off; not in django-stubs
            exc = response.exc_info[1] if response.exc_info else None  # type: ignore[attr-defined]
            try:
                if exc is not None:
                    raise exc
            except Exception as cause:
                raise ServerError(f"{entry.name} answered {code} to {body!r}: {cause!r}") from cause
            raise ServerError(f"{entry.name} answered {code} to {body!r}")
        after = _cheap_state(world, entry)
        if 400 <= code < 500:
            assert after == before, f"{entry.name} answered {code} to {body!r} but changed something"
            assert _human(response.content.decode(errors="replace")), f"{entry.name}: {code} with no message"
            return
        errors = [text for level, text in messages_of(response) if level >= message_levels.ERROR]
        if errors:
            assert after == before, f"{entry.name}: error {errors} yet something changed (a partial write)"
        if after[2] != before[2]:
            assert after[0] > before[0] and after[1] > before[1], (
                f"{entry.name}: {body!r} changed its row without an event and a revision bump"
            )
        if after != before:
            check_pages(entry, world, body)


PAGES = ("plans:detail", "plans:timeline", "warroom:board")


def check_pages(entry: Endpoint, world: World, body: dict[str, Any]) -> None:
    """What a write accepted must not break the pages that show it (the plan, its timeline, the board)."""
    client = world.client("coordinator")
    for name in PAGES:
        response = client.get(reverse(name, args=[world.plan.slug]))
        if response.status_code >= 500:
            # exc_info: set by the test client when raise_request_exception is off; not in django-stubs
            exc = response.exc_info[1] if response.exc_info else None  # type: ignore[attr-defined]
            try:
                if exc is not None:
                    raise exc
            except Exception as cause:
                raise ServerError(f"{name} answered 500 after {entry.name} accepted {body!r}: {cause!r}") from cause
            raise ServerError(f"{name} answered 500 after {entry.name} accepted {body!r}")


CLASSIC: dict[str, list[Any]] = {
    "text": ["a\x00b", "x" * 2001, "{{ plan.coordinator.password }}"],
    "datetime": ["0001-01-01T00:00", "9999-12-31T23:59", "2026-11-22T16:00+23:59", "2026-02-30T12:00"],
    "number": ["1e10", "99999999999999999999", "NaN", "-1e400", "0.000001"],
    "int": ["-1", "9223372036854775808", "x"],
    "key": [
        "message|1|channel:1|email|0001-01-01T00:00:00+00:00",
        "message|1|channel:1|email|9999-12-31T23:59:59+00:00",
    ],
}
BOUNDARY_CASES = [
    pytest.param(entry, field, value, id=f"{entry.name}-{field}-{i}")
    for entry in WRITES
    for field, kind in entry.fields.items()
    for i, value in enumerate(CLASSIC.get(kind.split(":")[0], CLASSIC["int"] if kind.startswith("pk:") else []))
]


@pytest.mark.parametrize(("entry", "field", "value"), BOUNDARY_CASES)
def test_boundary_values(entry: Endpoint, field: str, value: Any, world: World) -> None:
    """The classic bad values, one field at a time, in an otherwise valid body: always tried, in order."""
    body = {**entry.data(world), field: value}
    if entry.fields[field] == "key":
        body.pop("delivery", None)  # a key names a delivery that is not due yet; a row id would win
    check_post(entry, world, body, entry.htmx)


BODIES = {e.name: st.tuples(form_bodies(dict(e.fields)), st.booleans()) for e in WRITES}


def _fuzz_test(entry: Endpoint) -> Callable[..., None]:
    # Five generated bodies per endpoint in `make test` (the classic bad values above are always tried);
    # `make fuzz` draws thousands.
    @settings(max_examples=fuzz_examples(5))
    @given(case=BODIES[entry.name])
    def test(world: World, case: tuple[dict[str, Any], bool]) -> None:
        body, htmx = case
        check_post(entry, world, {k: resolve(v, world) for k, v in body.items()}, htmx and entry.htmx)

    test.__name__ = test.__qualname__ = f"test_fuzzed_bodies_{entry.name.replace(':', '_')}"
    test.__doc__ = f"Generated bodies for {entry.name}: no 500, no half write, a 4xx says why."
    return test


# One test per write endpoint, each drawing from its own fixed strategy. (A parametrised test drawing
# with st.data() made Hypothesis report "inconsistent data generation" instead of the failure.)
for _entry in WRITES:
    _test = _fuzz_test(_entry)
    globals()[_test.__name__] = _test
del _entry, _test
