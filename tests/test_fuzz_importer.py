"""Fuzzed plan files through the importer: the function the import_plan command uses, and the command
itself. Either the plan is created, or there is a clean list of ``FILE[:LINE]: message`` problems (the
command: ``error: FILE[:LINE]: message`` lines and exit status 1), nothing is saved, and it is over in
a few seconds. Never another exception, never a runaway (alias bombs, deep nesting)."""

from __future__ import annotations

import io
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from launch.format import PlanFormatError
from launch.services.importer import import_plan_text
from plans.models import Plan
from tests import factories
from tests.conftest import fuzz_examples
from tests.endpoints import rolled_back
from tests.strategies import mutated_plans, plan_bytes, plan_texts

if TYPE_CHECKING:
    from types import FrameType
    from typing import NoReturn

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

SECONDS = 5  # the issue asks for < 2 s for any file under the size cap; 5 leaves room for a loaded CI box
PROBLEM = re.compile(r"^(?P<file>[^:\n]+)(:(?P<line>\d+))?: \S.*$", re.DOTALL)


class TooSlow(AssertionError):
    pass


class ImportCrash(AssertionError):
    """Anything but a clean refusal; the message names the original exception (and Hypothesis reports
    each distinct original exception as its own failure)."""


@contextmanager
def no_crash(what: str) -> Iterator[None]:
    try:
        yield
    except (PlanFormatError, SystemExit, CommandError):
        raise
    except (TooSlow, RecursionError, MemoryError) as exc:
        # A runaway: the clock or the recursion limit stops it, whichever comes first on this machine, so
        # all of them are one failure (a replay stopped the other way is not "flaky").
        crash = ImportCrash(f"{what}: runaway input: {type(exc).__name__}: {str(exc)[:300]}")
        crash.__context__ = None
        raise crash from None
    except Exception as exc:
        raise ImportCrash(f"{what}: {type(exc).__name__}: {str(exc)[:300]}") from exc


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Interrupt a runaway (an alias bomb grows without bound) and report it as a failure."""

    def stop(signum: int, frame: FrameType | None) -> NoReturn:
        raise TooSlow(f"{what} took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_clean_problems(lines: list[str], filename: str) -> None:
    assert lines, "a refusal with no problem listed"
    for line in lines:
        match = PROBLEM.match(line)
        assert match and match["file"] == filename, f"not a 'FILE[:LINE]: message' line: {line!r}"


T0S = st.sampled_from(["2026-12-01T12:00"] * 6 + ["0001-01-01T00:00", "9999-12-31T23:59", "2026-12-01T12:00+23:59"])


@settings(max_examples=fuzz_examples(40))
@given(text=plan_texts(), t0=T0S)
def test_import_function_never_crashes(text: str, t0: str) -> None:
    with rolled_back():
        before = Plan.objects.count()
        try:
            with no_crash("import_plan_text"), time_limit(SECONDS, "import_plan_text"):
                import_plan_text(text, t0=t0, tz="UTC", filename="fuzz.yaml")
        except PlanFormatError as exc:
            assert_clean_problems(exc.lines(), "fuzz.yaml")
            assert Plan.objects.count() == before, "a refused plan file saved something"
        else:
            assert Plan.objects.count() == before + 1


@settings(max_examples=fuzz_examples(20))
@given(content=st.one_of(plan_bytes(), st.none()), t0=T0S)
def test_import_command_never_crashes(content: bytes | None, t0: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """``content=None``: the file does not exist."""
    path = tmp_path_factory.mktemp("plans") / "fuzz.yaml"
    if content is not None:
        path.write_bytes(content)
    stdout, stderr = io.StringIO(), io.StringIO()
    with rolled_back():
        before = Plan.objects.count()
        try:
            with no_crash("import_plan"), time_limit(SECONDS, "import_plan"):
                call_command("import_plan", str(path), "--t0", t0, "--tz", "UTC", stdout=stdout, stderr=stderr)
        except SystemExit as exc:
            assert exc.code == 1
            lines = stderr.getvalue().splitlines()
            assert all(line.startswith("error: ") for line in lines), lines
            assert_clean_problems([line.removeprefix("error: ") for line in lines], str(path))
            assert Plan.objects.count() == before
        except CommandError as exc:
            assert_clean_problems([str(exc).removeprefix("error: ")], str(path))
            assert Plan.objects.count() == before
        else:
            assert Plan.objects.count() == before + 1
            assert Plan.objects.filter(slug=stdout.getvalue().strip()).exists()


@settings(max_examples=fuzz_examples(10))
@given(text=mutated_plans())
def test_imported_plans_render(text: str) -> None:
    """A plan the importer accepted opens: its pages answer, none of them a 500, none of them slow."""
    coordinator = factories.UserFactory(username="fuzz-coordinator", password=None)
    with rolled_back():
        try:
            plan = import_plan_text(
                text, t0="2026-12-01T12:00", tz="UTC", filename="fuzz.yaml", coordinator=coordinator
            )
        except PlanFormatError:
            return
        from django.test import Client

        client = Client(raise_request_exception=False)
        client.force_login(coordinator)
        urls = [reverse(name, args=[plan.slug]) for name in ("plans:detail", "plans:timeline", "communications:page")]
        urls += [reverse("warroom:board", args=[plan.slug]), reverse("statuspage:page", args=[plan.slug])]
        urls += [reverse("checklists:role", args=[plan.slug, role.slug]) for role in plan.roles.all()]
        urls += [reverse("communications:preview", args=[plan.slug, message.pk]) for message in plan.messages.all()[:2]]
        for url in urls:
            with time_limit(SECONDS, f"GET {url}"):
                response = client.get(url)
            # exc_info: set by the test client when raise_request_exception is off; not in django-stubs
            assert response.status_code in (200, 404), (url, response.status_code, response.exc_info)  # type: ignore[attr-defined]


def test_the_fuzz_files_include_the_dangerous_shapes() -> None:
    """The strategies reach what broke the importer before: a sanity check on the generator itself."""
    from tests.strategies import alias_bomb, deep_nesting

    assert alias_bomb(9, 10, "extra").count("*l") == 90
    assert deep_nesting(500, "flow-list").count("[") == 500
    assert Path(__file__).name.startswith("test_fuzz")
