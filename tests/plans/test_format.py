from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from checklists.models import Item
from launch.format import PlanFormatError, normalise, parse_plan_text
from launch.format.exporter import export_plan
from launch.services.importer import import_plan_text
from plans.models import Event, Step
from roles.models import Role
from tests.plans.format_samples import SMALL

if TYPE_CHECKING:
    from typing import Any

APPS = ["plans", "roles", "checklists", "issues", "communications", "auth"]


def row_counts() -> dict[str, int]:
    """Rows of every model of the plan schema (and users): an import that fails must leave them all alone.
    One query for all of them (a count each was some fifty queries, and this runs hundreds of times)."""
    tables = set(connection.introspection.table_names())
    models = [m for a in APPS for m in apps.get_app_config(a).get_models() if m._meta.db_table in tables]
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT %s, (SELECT COUNT(*) FROM {qn(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql, [m._meta.label for m in models])
        return dict(cursor.fetchall())


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def import_errors(text: str, **kwargs: Any) -> list[str]:
    kwargs.setdefault("t0", "2026-12-01T12:00")
    kwargs.setdefault("tz", "Europe/London")
    before = row_counts()
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="plan.yaml", **kwargs)
    assert row_counts() == before
    return exc.value.lines()


@pytest.mark.django_db
def test_import_places_everything_from_t0() -> None:
    plan = import_plan_text(SMALL, filename="plan.yaml", t0="2026-12-01T12:00", tz="Europe/London")
    assert plan.t0 == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # London is UTC in December
    item = Item.objects.get(title="Backup verified")
    assert item.due_at() == plan.t0 - timedelta(days=7)
    migrate = Step.objects.get(name="Migrate")
    assert migrate.planned_start == plan.t0 - timedelta(hours=2, minutes=30)
    assert list(migrate.depends_on.values_list("name", flat=True)) == ["Backup"]
    assert item.owner_role is not None and item.owner_role.name == "DBA"  # inherited from its checklist
    gate = Item.objects.get(title="Stakeholder approval received").gate
    assert gate is not None and gate.name == "Go/No-Go"
    assert Item.objects.get(title="Nobody's item").owner_role is None
    assert Role.objects.get(name="Technical Lead").primary is None
    event = Event.objects.get(plan=plan)
    assert event.kind == "plan.imported" and plan.revision == 1


@pytest.mark.django_db
def test_t0_in_summer_uses_the_zone() -> None:
    plan = import_plan_text(SMALL, t0="2026-07-01T12:00", tz="Europe/London")
    assert plan.t0 == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_round_trip_small() -> None:
    plan = import_plan_text(SMALL, t0="2026-12-01T12:00", tz="Europe/London")
    exported = export_plan(plan)
    assert normalise(parse_plan_text(exported).doc) == normalise(parse_plan_text(SMALL).doc)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        duration: 30m",
            "        duration: [30]",
            "plan.yaml:23: phases[0].steps[1].duration: expected a duration",
        ),
        (
            "        lead: DBA\n        depends_on",
            "        lead: Nobody\n        depends_on",
            "plan.yaml:24: unknown role 'Nobody'",
        ),
        ("    authority: Technical Lead", "    authority: CTO", "plan.yaml:31: unknown role 'CTO'"),
        ("        step: Backup\n", "        step: Deploy\n", "plan.yaml:39: unknown step 'Deploy'"),
        ("metric: Error rate,", "metric: Latency,", "plan.yaml:59: unknown metric 'Latency'"),
        ("  - name: DBA\n", "  - name: Technical Lead\n", "plan.yaml:9: duplicate role name 'Technical Lead'"),
        ("        at: T-2h30m", "        at: T-2x", "plan.yaml:22: phases[0].steps[1].at: malformed offset 'T-2x'"),
        (
            "        at: T-7d\n        duration: 1h",
            "        at: yesterday\n        duration: 1h",
            "plan.yaml:18: phases[0].steps[0].at: malformed offset",
        ),
        ("    team: Core", "    team: Core\n    colour: blue", "plan.yaml:11: unknown field 'colour' in roles[1]"),
        (
            "name: Small launch",
            "name: Small launch\ntimezone: Mars/Olympus",
            "plan.yaml:3: unknown time zone 'Mars/Olympus'",
        ),
        ("    primary: null", "    primary: ghost", "plan.yaml:8: unknown user 'ghost' for role 'Technical Lead'"),
        (
            "  - {severity: critical, response: 15m}",
            "  - {severity: urgent, response: 15m}",
            "plan.yaml:49: severity_slas[0].severity: Input should be",
        ),
    ],
)
def test_bad_input_names_its_line_and_saves_nothing(old: str, new: str, expected: str) -> None:
    lines = import_errors(replace(SMALL, old, new))
    assert any(line.startswith(expected) for line in lines), lines


@pytest.mark.django_db
def test_dependency_cycle() -> None:
    text = replace(
        SMALL,
        "        duration: 1h\n        lead: DBA",
        "        duration: 1h\n        lead: DBA\n        depends_on: [Migrate]",
    )
    lines = import_errors(text)
    assert lines == ["plan.yaml:26: dependency cycle: Backup -> Migrate -> Backup"]


@pytest.mark.django_db
def test_duplicate_step_and_yaml_key() -> None:
    lines = import_errors(replace(SMALL, "      - name: Migrate", "      - name: Backup"))
    assert "plan.yaml:21: duplicate step name 'Backup'" in lines
    lines = import_errors(replace(SMALL, "summary: A plan", "name: Twice\nsummary: A plan"))
    assert lines[0].startswith("plan.yaml:3: invalid YAML")


@pytest.mark.django_db
def test_several_problems_one_line_each() -> None:
    text = replace(SMALL, "        lead: DBA\n        depends_on", "        lead: Nobody\n        depends_on")
    text = replace(text, "        at: T-2h30m", "        at: T-2x")
    assert import_errors(text) == [
        "plan.yaml:22: phases[0].steps[1].at: malformed offset 'T-2x': expected T-7d, T-6h, T+0, T+2h30m",
        "plan.yaml:24: unknown role 'Nobody'",
    ]  # the references are checked on what the schema accepted, in the same run
    text = replace(SMALL, "    authority: Technical Lead", "    authority: CTO")
    text = replace(text, "metric: Error rate,", "metric: Latency,")
    assert import_errors(text) == ["plan.yaml:31: unknown role 'CTO'", "plan.yaml:59: unknown metric 'Latency'"]


@pytest.mark.django_db
def test_command_line_problems() -> None:
    assert import_errors(SMALL, tz="Mars/Olympus") == ["plan.yaml: --tz: unknown time zone 'Mars/Olympus'"]
    assert import_errors(SMALL, t0="next tuesday") == [
        "plan.yaml: --t0: malformed date and time 'next tuesday': expected 2026-12-01T12:00"
    ]
    assert import_errors(SMALL, coordinator="ghost") == ["plan.yaml: --coordinator: unknown user 'ghost'"]


@pytest.mark.django_db
def test_usernames_assign_people() -> None:
    get_user_model().objects.create_user("alice")
    plan = import_plan_text(replace(SMALL, "    primary: null", "    primary: alice"), t0="2026-12-01T12:00", tz="UTC")
    primary = plan.roles.get(name="Technical Lead").primary
    assert primary is not None and primary.username == "alice"
    assert "primary: alice" in export_plan(plan)


@pytest.mark.django_db
def test_slug_conflict_and_free_slug() -> None:
    first = import_plan_text(SMALL, t0="2026-12-01T12:00", tz="UTC")
    second = import_plan_text(SMALL, t0="2026-12-01T12:00", tz="UTC")
    assert (first.slug, second.slug) == ("small-launch", "small-launch-2")
    assert import_errors(SMALL, slug="small-launch") == ["plan.yaml: a plan with slug 'small-launch' already exists"]
