"""Issue 11, finding 12: a plan file with several mistakes reports every one it can in the first run, each
once, in words an author can act on (`error: FILE:LINE: message`, exit 1, nothing saved)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from launch.format import parse_plan_text
from launch.format.loader import PlanFormatError
from launch.services.importer import import_plan_text
from tests import factories
from tests.plans.format_samples import SMALL
from tests.plans.test_format import replace, row_counts

THREE_MISTAKES = """\
name: Three mistakes
roles:
  - name: DBA
phases:
  - name: Prep
    steps:
      - name: Backup
        at: T-2 minutes
        lead: DBA
        depends_on: [Restore]
      - name: Restore
        at: T-1h
        lead: Nobody
        depends_on: [Backup]
"""


def run_import(path: Path) -> tuple[int, list[str]]:
    err = StringIO()
    code = 0
    try:
        call_command("import_plan", str(path), "--t0", "2026-12-01T12:00", "--tz", "UTC", stdout=StringIO(), stderr=err)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, err.getvalue().strip().splitlines()


def errors(text: str) -> list[str]:
    before = row_counts()
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    assert row_counts() == before
    return exc.value.lines()


@pytest.mark.django_db
def test_three_mistakes_are_reported_in_the_first_run(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(THREE_MISTAKES)
    before = row_counts()
    code, lines = run_import(path)
    assert code == 1
    assert row_counts() == before
    assert lines == [
        f"error: {path}:8: phases[0].steps[0].at: malformed offset 'T-2 minutes': expected T-7d, T-6h, T+0, T+2h30m",
        f"error: {path}:13: unknown role 'Nobody'",
        f"error: {path}:14: dependency cycle: Backup -> Restore -> Backup",
    ]


@pytest.mark.django_db
def test_an_entry_left_out_is_not_called_unknown() -> None:
    """A role whose name is refused is left out of the checks; a reference to it is not a second error."""
    long_name = "D" * 121
    text = SMALL.replace("DBA", long_name)
    assert errors(text) == [
        "plan.yaml:9: roles[1].name: at most 120 characters (this has 121)",
    ]


@pytest.mark.django_db
def test_an_entry_is_not_blamed_for_a_value_taken_out() -> None:
    """Without its refused `every`, the message's `count` would lack one: that is not the author's mistake."""
    text = replace(SMALL, "at: T+0, every: 1h, count: 4}", "at: T+0, every: 1 hour, count: 4}")
    assert errors(text) == [
        "plan.yaml:63: messages[0].every: malformed duration '1 hour': expected e.g. 30m, 2h, 1d, 1h30m"
    ]


@pytest.mark.django_db
def test_the_schema_and_the_references_of_later_entries_are_reported_together() -> None:
    text = replace(SMALL, "      - name: Backup\n        at: T-7d", "      - name: Backup\n        at: yesterday")
    text = replace(text, "    authority: Technical Lead", "    authority: CTO")
    text = replace(text, "        gate: Go/No-Go\n", "        gate: Go-No-Go\n")
    lines = errors(text)
    assert lines[0].startswith("plan.yaml:18: phases[0].steps[0].at: malformed offset 'yesterday'")
    assert lines[1:] == ["plan.yaml:31: unknown role 'CTO'", "plan.yaml:42: unknown gate 'Go-No-Go'"]


@pytest.mark.django_db
def test_a_duplicate_role_name_is_reported_once() -> None:
    text = replace(SMALL, "  - name: DBA\n    team: Core", "  - name: technical lead\n    team: Core")
    text = text.replace("DBA", "Technical Lead")
    assert errors(text) == ["plan.yaml:9: duplicate role name 'technical lead'"]


@pytest.mark.django_db
def test_a_duplicate_slug_of_different_names_is_still_reported() -> None:
    text = replace(SMALL, "  - name: DBA\n    team: Core", "  - name: DBA\n    slug: technical-lead\n    team: Core")
    assert errors(text) == ["plan.yaml:10: duplicate role slug 'technical-lead'"]


@pytest.mark.django_db
def test_an_unquoted_placeholder_is_explained() -> None:
    text = SMALL + "  - name: Hello\n    at: T-1h\n    channels: [Staff email]\n    subject: {{countdown}}\n"
    line = text.count("\n", 0, text.index("subject:")) + 1
    assert errors(text) == [
        f"plan.yaml:{line}: YAML read {{{{countdown}}}} as a mapping (a value starting with {{ is one): put it in "
        'quotes: "{{countdown}}"'
    ]


@pytest.mark.django_db
def test_a_mapping_where_text_belongs_says_so() -> None:
    text = replace(SMALL, "summary: A plan with one of everything.", "summary: {X}")
    assert errors(text) == [
        'plan.yaml:3: summary: YAML read {X} as a mapping, not text: put the value in quotes ("{X}")'
    ]


@pytest.mark.django_db
def test_a_bad_duration_is_echoed_as_written() -> None:
    text = replace(SMALL, "        duration: 1h\n", "        duration: 2 minutes\n")
    assert errors(text) == [
        "plan.yaml:19: phases[0].steps[0].duration: malformed duration '2 minutes': expected e.g. 30m, 2h, 1d, 1h30m"
    ]


def test_a_good_file_still_parses() -> None:
    assert parse_plan_text(SMALL).doc.name == "Small launch"


@pytest.mark.django_db
def test_a_refused_list_of_roles_does_not_make_every_reference_unknown() -> None:
    text = replace(SMALL, "roles:\n  - name: Technical Lead\n", "roles: Technical Lead\nx:\n  - name: Technical Lead\n")
    lines = errors(text)
    assert "plan.yaml:5: roles: Input should be a valid list" in lines
    assert not [line for line in lines if "unknown role" in line]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("12345", 'name: YAML read 12345 as a number, not text: put the value in quotes ("12345")'),
        ("1.5", 'name: YAML read 1.5 as a number, not text: put the value in quotes ("1.5")'),
        (
            '"\\ud800"',
            "name: contains a lone surrogate (an escape such as \\ud800 that is half of a character); remove it",
        ),
        ('"\\u00a0"', "name: is empty; type a name"),
    ],
)
def test_a_value_yaml_reads_as_no_text_says_what_to_do(written: str, says: str) -> None:
    assert errors(replace(SMALL, "name: Small launch", f"name: {written}")) == [f"plan.yaml:2: {says}"]


@pytest.mark.django_db
def test_a_placeholder_name_pattern_is_said_in_words() -> None:
    text = SMALL + "placeholders:\n  - name: Bridge\n"
    line = text.count("\n", 0, text.index("- name: Bridge")) + 1
    assert errors(text) == [
        f"plan.yaml:{line}: placeholders[0].name: 'Bridge' must be lower-case letters, digits, hyphens and "
        "underscores, starting with a letter or digit (e.g. go-live-date)"
    ]


# The opening of a go-live document like ../shared/seeds/midas-lifestyle-go-live.md, and a shorter one.
SEED_OPENING = """\
# Go-Live Execution Plan - Midas The Lifestyle
## Enterprise Production Launch Strategy

### 🎯 **Launch Overview**

**Launch Date:** [TO BE DETERMINED]
**Launch Time:** 06:00 EST (11:00 UTC)
**Duration:** 8-hour launch window

---
"""
MARKDOWN = """\
# Go-Live Execution Plan
## Launch Strategy

Some words.

| Role | Owner |
|------|-------|
| DBA  | Dana  |
"""


@pytest.mark.parametrize("text", [SEED_OPENING, MARKDOWN], ids=["seed", "table"])
def test_a_go_live_document_is_told_apart_from_a_plan_file(text: str, tmp_path: Path) -> None:
    """A seed document (Markdown) was refused with "invalid YAML: unknown alias **Launch" at line 6."""
    path = tmp_path / "go-live.md"
    path.write_text(text)
    code, lines = run_import(path)
    assert code == 1 and len(lines) == 1
    assert "looks like a Markdown document, not a plan file" in lines[0] and "--template" in lines[0]
    assert "alias" not in lines[0]


@pytest.mark.django_db
def test_a_second_plan_of_the_same_name_is_imported_with_a_warning(tmp_path: Path) -> None:
    """Two plans of one name looked alike everywhere people see them; the import said nothing."""
    path = tmp_path / "plan.yaml"
    path.write_text(SMALL)
    assert run_import(path)[0] == 0
    err, out = StringIO(), StringIO()
    call_command("import_plan", str(path), "--t0", "2026-12-01T12:00", "--tz", "UTC", stdout=out, stderr=err)
    first = parse_plan_text(SMALL, "plan.yaml").doc.name
    assert err.getvalue().startswith(f"warning: another plan is named {first!r}")
    assert "warning: the plan has no coordinator" in err.getvalue()  # no --coordinator given
    assert out.getvalue().strip()  # imported all the same: its slug
    err = StringIO()
    call_command(
        "import_plan",
        str(path),
        "--t0",
        "2026-12-01T12:00",
        "--tz",
        "UTC",
        "--name",
        "Another",
        "--coordinator",
        factories.UserFactory(username="casey").username,
        stdout=StringIO(),
        stderr=err,
    )
    assert err.getvalue() == ""  # its own name and a coordinator: nothing to warn of
