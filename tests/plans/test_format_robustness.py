"""Issue 8, finding 8: no plan file makes the importer crash. A corpus of malformed files, generated here,
each gives ``error: FILE[:LINE]: ...`` lines on stderr, exit status 1 and no row saved.

The base plan has every text field at exactly its column's length (and references that match), so it
imports; each case then breaks one thing."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command

from plans.models import Plan
from plans.validators import LONG_TEXT_MAX
from tests.plans.test_format import row_counts

if TYPE_CHECKING:
    from pytest_django import Settings

pytestmark = pytest.mark.django_db

LONG = LONG_TEXT_MAX
ROLE = "R" * 120
STEP = "S" * 200
GATE = "G" * 200
METRIC = "M" * 200
CHANNEL = "C" * 120
#: An e-mail channel's target at its column's length: addresses separated by commas (2,000 characters).
EMAILS_2000 = ",".join(["a@b.co"] * 284 + ["abcdefg@b.co"])
PHASE = "P" * 200
EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61  # 254 characters


def base_plan() -> dict[str, Any]:
    return {
        "format": 1,
        "name": "N" * 200,
        "slug": "p" * 80,
        "summary": "s" * LONG,
        "timezone": "Europe/London",
        "extra": {"owner": "ops"},
        "roles": [
            {
                "name": ROLE,
                "slug": "r" * 80,
                "team": "t" * 120,
                "summary": "s" * LONG,
                "responsibilities": ["x" * 2000],
                "phone": "1" * 60,
                "email": EMAIL,
                "chat": "c" * 120,
                "attributes": {"size": 3},
            }
        ],
        "contacts": [
            {
                "label": "l" * 120,
                "name": "n" * 120,
                "organisation": "o" * 120,
                "phone": "2" * 60,
                "email": EMAIL,
                "notes": "n" * LONG,
                "role": ROLE,
            }
        ],
        "escalation": [
            {"level": 32767, "name": "e" * 120, "after": "400d", "roles": [ROLE], "condition": "c" * 200, "notes": "x"}
        ],
        "severity_slas": [{"severity": "critical", "response": "15m", "description": "d" * 200}],
        "phases": [
            {
                "name": PHASE,
                "start": "T-400d",
                "end": "T+400d",
                "description": "d" * LONG,
                "steps": [
                    {
                        "name": STEP,
                        "at": "T-400d",
                        "duration": "400d",
                        "lead": ROLE,
                        "verify": "v" * LONG,
                        "rollback": "r" * LONG,
                        "description": "d" * LONG,
                    }
                ],
            }
        ],
        "gates": [
            {
                "name": GATE,
                "slug": "g" * 80,
                "at": "T+400d",
                "step": STEP,
                "description": "d" * LONG,
                "authority": ROLE,
                "polled": [ROLE],
                "triggers": ["t" * 300],
            }
        ],
        "checklists": [
            {
                "name": "K" * 200,
                "role": ROLE,
                "phase": PHASE,
                "description": "d" * LONG,
                "items": [{"title": "i" * 300, "section": "s" * 200, "step": STEP, "gate": GATE, "due": "T-1d"}],
            }
        ],
        "risks": [
            {"title": "r" * 200, "description": "d" * LONG, "mitigation": ["m" * 2000], "rollback": "r", "owner": ROLE}
        ],
        "metrics": [
            {
                "name": METRIC,
                "category": "c" * 80,
                "comparator": "<",
                "target": 9999999999.9999,
                "unit": "u" * 30,
                "window": "w" * 120,
                "description": "d" * LONG,
            }
        ],
        "rollback_triggers": [
            {
                "description": "t" * 300,
                "metric": METRIC,
                "comparator": ">",
                "threshold": -9999999999.9999,
                "sustained_for": "400d",
            }
        ],
        "channels": [{"name": CHANNEL, "kind": "email", "target": EMAILS_2000, "purpose": "p" * 200}],
        "messages": [
            {
                "name": "m" * 200,
                "channels": [CHANNEL],
                "at": "T-400d",
                "every": "1d",
                "count": 801,
                "subject": "s" * 200,
                "body": "b" * LONG,
            }
        ],
    }


def text_of(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=2)  # JSON is YAML: one value per line, so lines are meaningful


def run_import(path: Path, *extra: str) -> tuple[int | None, str]:
    err = StringIO()
    try:
        call_command("import_plan", str(path), "--t0", "2026-12-01T12:00", *extra, stdout=StringIO(), stderr=err)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1, err.getvalue()
    return 0, err.getvalue()


def assert_refused(path: Path, *extra: str, expect: str = "") -> list[str]:
    before = row_counts()
    code, err = run_import(path, *extra)
    lines = err.strip().splitlines()
    assert code == 1, err
    assert lines, "no message"
    assert all(line.startswith(f"error: {path}") for line in lines), lines
    assert "Traceback" not in err
    assert expect in err, (expect, lines)
    assert row_counts() == before
    return lines


def test_the_base_plan_with_every_field_at_its_columns_length_imports(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(text_of(base_plan()))
    code, err = run_import(path)
    assert code == 0, err
    assert Plan.objects.get(slug="p" * 80).name == "N" * 200


# (where, field, text column length): every text field of the format, one character too long
OVERLONG: list[tuple[tuple[Any, ...], str | int, int]] = [
    ((), "name", 200),
    ((), "summary", LONG),
    ((), "timezone", 64),
    (("roles", 0), "name", 120),
    (("roles", 0), "team", 120),
    (("roles", 0), "summary", LONG),
    (("roles", 0), "phone", 60),
    (("roles", 0), "chat", 120),
    (("roles", 0), "slug", 80),
    (("roles", 0), "email", 254),
    (("roles", 0, "responsibilities"), 0, 2000),
    (("contacts", 0), "label", 120),
    (("contacts", 0), "name", 120),
    (("contacts", 0), "organisation", 120),
    (("contacts", 0), "phone", 60),
    (("contacts", 0), "notes", LONG),
    (("escalation", 0), "name", 120),
    (("escalation", 0), "condition", 200),
    (("severity_slas", 0), "description", 200),
    (("phases", 0), "name", 200),
    (("phases", 0), "description", LONG),
    (("phases", 0, "steps", 0), "name", 200),
    (("phases", 0, "steps", 0), "verify", LONG),
    (("phases", 0, "steps", 0), "rollback", LONG),
    (("phases", 0, "steps", 0), "description", LONG),
    (("gates", 0), "name", 200),
    (("gates", 0), "slug", 80),
    (("gates", 0), "description", LONG),
    (("gates", 0, "triggers"), 0, 300),
    (("checklists", 0), "name", 200),
    (("checklists", 0), "description", LONG),
    (("checklists", 0, "items", 0), "title", 300),
    (("checklists", 0, "items", 0), "section", 200),
    (("risks", 0), "title", 200),
    (("risks", 0), "description", LONG),
    (("risks", 0, "mitigation"), 0, 2000),
    (("metrics", 0), "name", 200),
    (("metrics", 0), "category", 80),
    (("metrics", 0), "unit", 30),
    (("metrics", 0), "window", 120),
    (("rollback_triggers", 0), "description", 300),
    (("channels", 0), "name", 120),
    (("channels", 0), "purpose", 200),
    (("channels", 0), "target", 2000),
    (("messages", 0), "name", 200),
    (("messages", 0), "subject", 200),
    (("messages", 0), "body", LONG),
]


def at(plan: dict[str, Any], where: tuple[Any, ...]) -> Any:
    node: Any = plan
    for part in where:
        node = node[part]
    return node


@pytest.mark.parametrize(("where", "field", "limit"), OVERLONG, ids=lambda v: str(v))
def test_text_longer_than_its_column(tmp_path: Path, where: tuple[Any, ...], field: str | int, limit: int) -> None:
    plan = copy.deepcopy(base_plan())
    at(plan, where)[field] = "x" * (limit + 1)
    path = tmp_path / "plan.yaml"
    path.write_text(text_of(plan))
    assert_refused(path, expect=f"{limit}")


def mutated(**changes: Any) -> dict[str, Any]:
    plan = copy.deepcopy(base_plan())
    for dotted, value in changes.items():
        parts: list[Any] = [int(p) if p.isdigit() else p for p in dotted.split("__")]
        at(plan, tuple(parts[:-1]))[parts[-1]] = value
    return plan


BROKEN_PLANS: dict[str, tuple[dict[str, Any], str]] = {
    "metric target 1e10": (mutated(metrics__0__target=1e10), "10 integer digits"),
    "threshold -1e12": (mutated(rollback_triggers__0__threshold=-1e12), "10 integer digits"),
    "level 40000": (mutated(escalation__0__level=40000), "less than or equal to 32767"),
    "level -1": (mutated(escalation__0__level=-1), "greater than or equal to 0"),
    "count 10**20": (mutated(messages__0__count=10**20), "less than or equal to 10000"),
    "count beyond 400 days": (mutated(messages__0__count=900), "beyond ±400 days"),
    "at T+3650000d": (mutated(phases__0__steps__0__at="T+3650000d"), "steps[0].at"),
    "at T+401d": (mutated(phases__0__steps__0__at="T+401d"), "within ±400 days"),
    "at T+99999999999999d": (mutated(phases__0__steps__0__at="T+99999999999999d"), "far too large"),
    "duration 401d": (mutated(phases__0__steps__0__duration="401d"), "at most 400 days"),
    "due T-500d": (mutated(checklists__0__items__0__due="T-500d"), "within ±400 days"),
    "NUL escaped in a name": (mutated(name="Launch\x00"), "NUL"),
    "ESC in a title": (mutated(checklists__0__items__0__title="\x1b[31mred"), "control character"),
    "newline in a subject": (mutated(messages__0__subject="Hi\nBcc: all@example.com"), "control character"),
    "NUL in extra": (mutated(extra={"k": "v\x00"}), "NUL"),
    "NUL in an attribute key": (mutated(roles__0__attributes={"k\x00": 1}), "NUL"),
    "bad role slug": (mutated(roles__0__slug="Not A Slug"), "lower-case letters"),
    "timezone path": (mutated(timezone="../../../etc/passwd"), "unknown time zone"),
    "e-mail with a header": (mutated(roles__0__email="a@example.com\nBcc: x@example.com"), "control character"),
    "not an e-mail": (mutated(contacts__0__email="nobody"), "not an e-mail address"),
    "a list too long": (mutated(risks=[{"title": f"r{i}"} for i in range(1001)]), "at most 1000 items"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_PLANS))
def test_broken_values(tmp_path: Path, case: str) -> None:
    plan, expect = BROKEN_PLANS[case]
    path = tmp_path / "plan.yaml"
    path.write_text(text_of(plan), encoding="utf-8")
    assert_refused(path, expect=expect)


def laughs(levels: int = 9) -> str:
    lines = ["name: Laughs", "extra:", '  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"  a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


RAW_FILES: dict[str, tuple[bytes, str]] = {
    "NUL byte": (b"name: Launch\x00\n", "plan.yaml:1: NUL character"),
    "control character": (b"name: Launch\nsummary: bell \x07\n", "plan.yaml:2: control character U+0007"),
    "C1 control": ("name: Launch\x85x\n".encode(), "control character U+0085"),
    "not UTF-8": ("name: Café\n".encode("latin-1"), "plan.yaml:1: not UTF-8"),
    "UTF-16": ("name: Launch\n".encode("utf-16"), "not UTF-8"),
    "deep flow nesting": (b"name: x\nextra: {a: " + b"[" * 500 + b"]" * 500 + b"}\n", "nested more than"),
    "deep block nesting": (
        ("name: x\nextra:\n" + "".join("  " * (i + 1) + "- \n" for i in range(500))).encode(),
        "nested more than",
    ),
    "billion laughs": (laughs().encode(), "expands to more than"),
    "billion laughs in a role": (
        (laughs().replace("extra:", "roles:\n  - name: R\n    attributes:").replace("\n  a", "\n      a")).encode(),
        "expands to more than",
    ),
    "infinite number": (b"name: x\nextra: {k: .inf}\n", "plan.yaml:2: extra: numbers must be finite"),
    "python tag": (b"name: !!python/object/apply:os.system [echo hi]\n", "is not allowed"),
    "unknown alias": (b"name: *nowhere\n", "unknown alias"),
    "huge integer": (b"name: x\nextra: {n: " + b"9" * 5000 + b"}\n", "plan.yaml:2: invalid value"),
    "two documents": (b"name: a\n---\nname: b\n", "one plan per file"),
    "empty file": (b"", "a plan file is a YAML mapping"),
    "a list": (b"- name: a\n", "a plan file is a YAML mapping"),
    "unclosed bracket": (b"name: [\n", "invalid YAML"),
    "duplicate key": (b"name: a\nname: b\n", "plan.yaml:2: invalid YAML: duplicate key 'name'"),
    "a mapping as a key": (b"name: x\nextra: {? {a: 1} : 2}\n", "a mapping key must be a plain value"),
}


@pytest.mark.parametrize("case", sorted(RAW_FILES))
def test_malformed_files(tmp_path: Path, case: str) -> None:
    data, expect = RAW_FILES[case]
    path = tmp_path / "plan.yaml"
    path.write_bytes(data)
    assert_refused(path, "--tz", "UTC", expect=expect)


def test_file_over_the_size_cap(tmp_path: Path, settings: Settings) -> None:
    settings.PLAN_FILE_MAX_BYTES = 10_000
    path = tmp_path / "plan.yaml"
    path.write_text("name: Big\nsummary: " + "x" * 20_000 + "\n")
    assert_refused(path, "--tz", "UTC", expect="larger than 10000 bytes (PLAN_FILE_MAX_BYTES)")


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    assert_refused(tmp_path / "missing.yaml", expect="cannot read the file: No such file or directory")
    assert_refused(tmp_path, expect="cannot read the file")  # a directory


@pytest.mark.parametrize(
    ("option", "value", "expect"),
    [
        ("--t0", "0001-01-01T00:00", "T-0 must lie between 2000-01-01 and 2100-01-01"),
        ("--t0", "9999-12-31T23:59", "T-0 must lie between"),
        ("--t0", "2026-11-22T16:00+23:59", "is not a real time zone"),
        ("--t0", "2026-12-01T12:00\x00", "malformed date and time"),
        ("--tz", "Europe/London\x00", "unknown time zone"),
        ("--name", "Launch\x00", "--name: contains a NUL character"),
        ("--name", "n" * 201, "--name: at most 200 characters"),
        ("--slug", "s" * 81, "must be lower-case letters"),
        ("--coordinator", "root\x00", "unknown user"),
    ],
)
def test_malformed_command_line_values(tmp_path: Path, option: str, value: str, expect: str) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: Small\ntimezone: UTC\n")
    args = ["--tz", "UTC"] if option != "--tz" else []
    assert_refused(path, *args, option, value, expect=expect)  # the last --t0 given wins


def test_standard_input_is_bounded_and_decoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    class Stdin(io.TextIOWrapper):
        pass

    monkeypatch.setattr(sys, "stdin", Stdin(io.BytesIO("name: Café\n".encode("latin-1"))))
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_plan", "-", "--t0", "2026-12-01T12:00", "--tz", "UTC", stderr=err)
    assert err.getvalue().startswith("error: <stdin>:1: not UTF-8")
