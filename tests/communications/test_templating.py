"""Issue 8, findings 1, 2 and 6: message templates in a sandbox, a broken message isolated in the outbox,
and recurring messages capped so no page or tick grows with a huge count."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from communications import outbox, sources
from communications.models import MAX_OCCURRENCES, Channel, ChannelKind, Delivery, DeliveryStatus, Message, MessageKind
from communications.services import delivery_send_now
from communications.sources import message_context, occurrences, register_source, render_message, series_length
from communications.templating import (
    MAX_OUTPUT,
    VARIABLES,
    MessageTemplateError,
    check_template,
)
from communications.templating import render_message as render_text
from launch.format import PlanFormatError
from launch.services.importer import import_plan_text
from plans.models import Event
from tests import factories
from tests.plans.format_samples import SMALL

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from django.contrib.auth.models import User
    from django.test import Client
    from pytest_django import DjangoCaptureOnCommitCallbacks

    from communications.sources import DeliverySpec
    from plans.models import Plan


pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H, M = timedelta(hours=1), timedelta(minutes=1)


def make_message(
    plan: Plan, name: str = "Note", *, offset: timedelta = -H, channels: Iterable[Channel] = (), **kw: Any
) -> Message:
    """A message stored as-is (no clean()): what an old row or a direct database write may hold."""
    msg = Message.objects.create(plan=plan, name=name, offset=offset, **kw)
    msg.channels.set(channels)
    return msg


def email(plan: Plan, name: str = "Staff") -> Channel:
    return Channel.objects.create(plan=plan, name=name, kind=ChannelKind.EMAIL, target="staff@example.com")


# --- Finding 1: no template reads what it should not --------------------------------------------------------

ATTACKS = [
    "{{ plan.coordinator.password }}",
    "{% load log %}{% get_admin_log 5 as L %}{{ L }}",
    "{{ plan.roles.all.query.get_meta.apps }}",
    "{{ message.plan.coordinator.password }}",
    "{{ settings.SECRET_KEY }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ plan.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ plan.items() }}",
    "{{ 'x'.upper() }}",
    "{{ '{0.__class__}'.format(plan) }}",
    "{{ range.__self__ }}",
    "{% include '/etc/passwd' %}",
    "{% import 'x.html' as x %}",
    "{% from 'x.html' import y %}",
    "{% extends 'base.html' %}",
    "{% debug %}",
    "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
    "{% set s %}{% for i in range(9999) %}{{ report }}{% endfor %}{% endset %}{{ s }}",
    "{% filter upper %}{% for i in range(9999) %}{{ report }}{% endfor %}{% endfilter %}",
    "{{ 'x' * 10**9 }}",
    "{{ [1] * 10**9 }}",
    "{{ 9 ** 999999 }}",
    "{% set a = 10 ** 1000 %}{{ a * a * a * a * a * a }}",
    "{{ range(10**9)|length }}",
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
    "{% for i in range(3) recursive %}{{ loop([1, 2, 3]) }}{% endfor %}",
    "{% set a = 'x' * 20000 %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c|length }}",
    "{{ 'x'|replace('', 'yyyyyyyyyyyyyyyy') }}{{ ('x' * 19000)|replace('', 'yy') }}",
    "{{ '%0*d' % (1000000000, 1) }}",
    "{{ 'x'|center(1000000000) }}",
    "{{ 'x'|indent(1000000000) }}",
    "{{ (range(5000)|join(',')) }}",
    "{% for i in range(9999) %}{{ 'abcdefghijklmnopqrstuvwxyz' }}{% endfor %}",
]


@pytest.fixture
def live(plan: Plan, coordinator: User) -> Plan:
    coordinator.set_password("hunter2-secret")
    coordinator.save()
    return plan


@pytest.mark.parametrize("payload", ATTACKS)
def test_attack_payloads_are_refused_or_inert(live: Plan, coordinator: User, payload: str) -> None:
    msg = make_message(live, body=payload, subject=payload[:200])
    leaks = ["<class", "<module", "<function", "<built-in", "<bound method", "<django", "<jinja2", "pbkdf2"]
    secrets = [coordinator.password, settings.SECRET_KEY, "hunter2", os.environ["PATH"], *leaks]
    started = time.monotonic()
    try:
        subject, body = render_message(live, msg, occurrence=1, at=T0 - H)
    except MessageTemplateError as exc:
        text = str(exc)
    else:
        text = subject + body
        assert len(body) <= MAX_OUTPUT
    assert time.monotonic() - started < 3
    for secret in secrets:
        assert secret not in text


def test_password_hash_is_not_readable_and_the_problem_is_named(live: Plan, coordinator: User) -> None:
    msg = make_message(live, body="Coordinator: {{ plan.coordinator.password }}")
    with pytest.raises(MessageTemplateError) as exc:
        render_message(live, msg, occurrence=1, at=T0 - H)
    assert coordinator.password not in str(exc.value)
    assert "body" in str(exc.value) and "line 1" in str(exc.value)
    assert check_template(msg.body) == [
        "line 1: unknown variable plan.coordinator (plan has name, slug, summary, state, state_code, timezone, t0, "
        "url, status_url)"
    ]


def test_load_tag_is_a_syntax_error_with_its_line() -> None:
    assert check_template("Hello\n{% load log %}{% get_admin_log 5 as L %}") == [
        "line 2: Encountered unknown tag 'load'."
    ]
    assert check_template("{{ plan.name }}\n\n{{ nope }}") == ["line 3: unknown variable 'nope'"]
    assert check_template("{{ t0|center(9) }}")[0].startswith("line 1: No filter named 'center'")
    assert "date('H:i')" in check_template("{{ t0|date:'H:i' }}")[0]  # Django syntax gets a hint


def test_a_placeholder_the_plan_does_not_declare_is_named_before_any_send() -> None:
    names = ["bridge_url", "go-live-date"]
    assert check_template("Join {{ placeholders.nope }}", placeholders=names) == [
        "line 1: the plan has no placeholder 'nope' (the plan's placeholders are bridge_url, go-live-date)"
    ]
    assert check_template("{{ placeholders['go-live-date'] }} {{ placeholders.bridge_url }}", placeholders=names) == []
    assert check_template("{{ placeholders.x }}", placeholders=[]) == ["line 1: the plan has no placeholder 'x'"]
    assert check_template("{{ placeholders.x }}") == []  # without the plan's names: not judged


def test_context_is_plain_values_only(live: Plan) -> None:
    msg = make_message(live, every=H, count=3, kind=MessageKind.STATUS_UPDATE)
    ctx = message_context(live, msg, occurrence=1, at=T0 - H, names=set(VARIABLES))

    def plain(value: object) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return isinstance(value, str | int | float | bool) or value is None

    assert plain(ctx)
    assert set(ctx) == set(VARIABLES)


def test_documented_variables_and_filters_render(live: Plan) -> None:
    msg = make_message(live, name="Hourly", offset=-2 * H, every=H, count=3)
    msg.subject = "{{ plan.name|upper }} {{ countdown }}"
    msg.body = (
        "T-0 {{ t0 }} ({{ t0|date('H:i') }}, {{ t0_iso|date('j M') }}), send {{ occurrence }}/{{ count }}, "
        "next {{ next_update_iso|date('H:i') }}, state {{ plan.state }}.\n"
        "{% for p in phases %}{{ loop.index }}. {{ p.name }} {{ p.done }}/{{ p.total }}{% endfor %}\n"
        "{{ progress.percent }}% · {{ gates_passed }}/{{ gates_total }} · {{ issues_open }} · {{ status_url }}"
    )
    msg.save()
    assert check_template(msg.body) == [] and check_template(msg.subject) == []
    subject, body = render_message(live, msg, occurrence=1, at=T0 - 2 * H)
    assert subject == f"{live.name.upper()} T-2h"  # it names the plan: no "[X] X" (issue 11, finding 5)
    assert "T-0 Tue 1 Dec 2026 12:00 GMT (12:00, 1 Dec), send 1/3, next 11:00, state Countdown." in body
    assert f"100% · 0/0 · 0 · http://testserver/status/{live.slug}/" in body


def test_builtin_templates_have_no_template_problems() -> None:
    from launch.format import BUILTIN_DIR, parse_plan_text

    for path in BUILTIN_DIR.glob("*.yaml"):
        doc = parse_plan_text(path.read_text(encoding="utf-8"), str(path)).doc
        for m in doc.messages:
            assert check_template(m.subject) == [] and check_template(m.body) == [], (path.name, m.name)


def test_output_is_capped() -> None:
    with pytest.raises(MessageTemplateError, match="longer than"):
        render_text("{% for i in range(5000) %}{{ x }}{% endfor %}", {"x": "0123456789"})


def test_importer_reports_a_broken_template_with_file_and_line() -> None:
    text = SMALL.replace(
        "  - {name: Hourly update, kind: status_update, channels: [Staff email], at: T+0, every: 1h, count: 4}",
        "  - name: Hourly update\n    channels: [Staff email]\n    at: T+0\n"
        "    subject: '{{ plan.coordinator.password }}'\n    body: |\n      Fine\n      {% load log %}\n",
    )
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="Europe/London")
    lines = exc.value.lines()
    subject_line = text.splitlines().index("    subject: '{{ plan.coordinator.password }}'") + 1
    assert f"plan.yaml:{subject_line}: messages[0].subject: template line 1: unknown variable plan.coordinator" in (
        "\n".join(lines)
    )
    assert f"plan.yaml:{subject_line + 1}: messages[0].body: template line 2: Encountered unknown tag 'load'." in lines


def test_importer_names_a_placeholder_the_file_does_not_declare() -> None:
    text = SMALL.replace(
        "  - {name: Hourly update, kind: status_update, channels: [Staff email], at: T+0, every: 1h, count: 4}",
        "  - name: Hourly update\n    channels: [Staff email]\n    at: T+0\n"
        "    subject: 'Bridge {{ placeholders.nope }}'\n",
    )
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(text, filename="plan.yaml", t0="2026-12-01T12:00", tz="Europe/London")
    assert "messages[0].subject: template line 1: the plan has no placeholder 'nope'" in "\n".join(exc.value.lines())


def test_admin_composes_the_message_once_and_says_what_only_fails_then(admin_client: Client, plan: Plan) -> None:
    """What passes the check but cannot be composed from the plan (a division by zero, the first of no phases)
    is refused when it is saved, not found at its send."""
    url = reverse("admin:communications_message_add")
    data = {"plan": plan.pk, "order": 0, "name": "Odd", "kind": "announcement", "audience": "staff"}
    data |= {"offset": "T-1h", "subject": "Hi", "enabled": "on"}
    for body, says in (
        ("Rate {{ 1/0 }}", "composing it now fails: "),
        ("First phase: {{ phases[0].name }}", "composing it now fails: there is no item 0 in a list of 0"),
        ("{{ placeholders.nope }}", "the plan has no placeholder &#x27;nope&#x27;"),
    ):
        response = admin_client.post(url, {**data, "body": body})
        assert response.status_code == 200 and says in response.content.decode(), body
    assert not Message.objects.filter(name="Odd").exists()
    assert admin_client.post(url, {**data, "body": "T-0 is {{ t0 }}"}).status_code == 302


def test_admin_refuses_a_broken_template_with_its_line(admin_client: Client, plan: Plan) -> None:
    url = reverse("admin:communications_message_add")
    data = {
        "plan": plan.pk,
        "order": 0,
        "name": "Bad",
        "kind": "announcement",
        "audience": "staff",
        "offset": "T-1h",
        "subject": "Hi",
        "body": "Hello\n{{ plan.coordinator.password }}",
        "enabled": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "line 2: unknown variable plan.coordinator" in response.content.decode()
    assert not Message.objects.filter(name="Bad").exists()
    data["body"] = "Hello {{ plan.name }}, T-0 {{ t0|date('H:i') }}"
    assert admin_client.post(url, data).status_code == 302
    assert Message.objects.filter(name="Bad").exists()


def test_preview_of_a_broken_template_shows_the_error_not_a_500(client: Client, plan: Plan, coordinator: User) -> None:
    msg = make_message(plan, body="{% load log %}{% get_admin_log 5 as L %}", channels=[email(plan)])
    other = make_message(plan, name="Typo", body="Hi\n{{ plan.nmae }}")
    client.force_login(coordinator)
    with time_machine.travel(T0 - 3 * H, tick=False):
        response = client.get(reverse("communications:preview", args=[plan.slug, msg.pk]))
        typo = client.get(reverse("communications:preview", args=[plan.slug, other.pk]))
    assert response.status_code == 200
    assert "cannot be composed" in response.content.decode() and "unknown tag" in response.content.decode()
    assert typo.status_code == 200 and "line 2" in typo.content.decode()


# --- Finding 2: one broken message fails only its own deliveries ---------------------------------------------


def test_tick_over_two_plans_isolates_the_broken_message(client: Client, coordinator: User) -> None:
    with time_machine.travel(T0 - 10 * H, tick=False):
        broken_plan = factories.PlanFactory(coordinator=coordinator, t0=T0)
        healthy_plan = factories.PlanFactory(coordinator=coordinator, t0=T0)
    bad = make_message(
        broken_plan, "Bad", body="{% load log %}{% get_admin_log 5 as L %}", channels=[email(broken_plan)]
    )
    undefined = make_message(broken_plan, "Undefined", body="{{ plan.owner }}", channels=[email(broken_plan, "B")])
    good = make_message(broken_plan, "Good", body="Fine {{ plan.name }}", channels=[email(broken_plan, "C")])
    other = make_message(healthy_plan, "Other", body="Fine too", channels=[email(healthy_plan)])

    with time_machine.travel(T0 - H + M, tick=False):
        result = outbox.tick(now=T0 - H + M)

    assert result["created"] == 4
    for msg in (bad, undefined):
        row = Delivery.objects.get(source_kind="message", source_id=msg.pk)
        assert row.status == DeliveryStatus.FAILED and row.error.startswith(outbox.COMPOSE_FAILED)
    assert "unknown tag 'load'" in Delivery.objects.get(source_id=bad.pk).error
    assert "owner" in Delivery.objects.get(source_id=undefined.pk).error
    assert Delivery.objects.get(source_kind="message", source_id=good.pk).status == DeliveryStatus.SENT
    assert Delivery.objects.get(source_kind="message", source_id=other.pk).status == DeliveryStatus.SENT
    assert Event.objects.filter(plan=broken_plan, kind="comms.failed").count() == 2

    # A second tick does not make them again; it tells the coordinator, in one email for both (sources.failures).
    mail.outbox.clear()
    with time_machine.travel(T0 - H + 2 * M, tick=False):
        assert outbox.tick(now=T0 - H + 2 * M)["created"] == 2
        assert outbox.tick(now=T0 - H + 2 * M)["created"] == 0
        client.force_login(coordinator)
        html = client.get(reverse("communications:page", args=[broken_plan.slug])).content.decode()
    assert "Could not compose this message" in html and "unknown tag" in html
    notices = Delivery.objects.filter(plan=broken_plan, source_kind="comms.failure")
    assert sorted(notices.values_list("status", flat=True)) == [DeliveryStatus.SENT, DeliveryStatus.SKIPPED]
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "2 things need you" in mail.outbox[0].subject and "Could not compose Bad" in mail.outbox[0].body
    assert "Could not compose Undefined" in mail.outbox[0].body


def test_a_failing_source_or_plan_does_not_stop_the_others(
    client: Client, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(T0 - 10 * H, tick=False):
        first = factories.PlanFactory(coordinator=coordinator, t0=T0)
        second = factories.PlanFactory(coordinator=coordinator, t0=T0)
    make_message(first, "One", channels=[email(first)])
    make_message(second, "Two", channels=[email(second)])

    def broken_source(plan: Plan, start: datetime, end: datetime) -> Iterable[DeliverySpec]:
        raise RuntimeError("source bug")

    register_source(broken_source)
    real = outbox.materialise_plan

    def explode_for_first(plan_id: int, *, now: datetime) -> int:
        if plan_id == first.pk:
            raise RuntimeError("database hiccup for one plan")
        return real(plan_id, now=now)

    try:
        monkeypatch.setattr(outbox.due, "materialise_plan", explode_for_first)
        with time_machine.travel(T0 - H + M, tick=False):
            outbox.tick(now=T0 - H + M)
            client.force_login(coordinator)
            response = client.get(reverse("communications:page", args=[second.slug]))
    finally:
        sources._SOURCES.remove(broken_source)
    assert not Delivery.objects.filter(plan=first).exists()
    assert Delivery.objects.get(plan=second).status == DeliveryStatus.SENT
    html = response.content.decode()
    assert response.status_code == 200 and "broken source could not be worked out" in html
    assert "source bug" not in html  # the exception's text stays in the log


def test_send_now_composes_a_failed_message_again(
    plan: Plan, coordinator: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    msg = make_message(plan, body="{{ nope }}", channels=[email(plan)])
    with time_machine.travel(T0 - H + M, tick=False):
        outbox.tick(now=T0 - H + M)
        row = Delivery.objects.get(source_id=msg.pk)
        assert row.status == DeliveryStatus.FAILED
        with pytest.raises(ValidationError, match="nope"):
            delivery_send_now(plan, by=coordinator, delivery_id=row.pk)
        Message.objects.filter(pk=msg.pk).update(body="Fixed {{ plan.name }}")
        with django_capture_on_commit_callbacks(execute=True):
            delivery_send_now(plan, by=coordinator, delivery_id=row.pk)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.body == f"Fixed {plan.name}"


# --- Finding 6: a huge count is refused, and never costs more than the window shown ----------------------------


def test_importer_refuses_a_huge_count_and_a_tiny_interval() -> None:
    base = "  - {name: Hourly update, kind: status_update, channels: [Staff email], at: T+0, every: 1h, count: 4}"
    too_many = SMALL.replace(base, base.replace("every: 1h, count: 4", "every: 1h, count: 10000000"))
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(too_many, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    assert "messages[0].count" in str(exc.value) and "10000" in str(exc.value)
    too_often = SMALL.replace(base, base.replace("every: 1h", "every: 1s"))
    with pytest.raises(PlanFormatError) as exc:
        import_plan_text(too_often, filename="plan.yaml", t0="2026-12-01T12:00", tz="UTC")
    assert "plan.yaml:" in str(exc.value) and "at most once a minute" in str(exc.value)


def test_model_clean_refuses_the_cap(plan: Plan) -> None:
    msg = Message(plan=plan, name="Spam", offset=timedelta(0), every=timedelta(seconds=1), count=10_000_000)
    with pytest.raises(ValidationError) as exc:
        msg.full_clean()
    assert set(exc.value.message_dict) == {"every", "count"}
    msg.every, msg.count = M, MAX_OCCURRENCES
    msg.full_clean()


def test_page_and_preview_cost_does_not_grow_with_the_count(
    client: Client, plan: Plan, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row written before the cap (every 1s, ten million sends) is read as capped, and only the sends in the
    window shown are computed."""
    msg = make_message(
        plan, "Spam", offset=-30 * 24 * H, every=timedelta(seconds=1), count=10_000_000, channels=[email(plan)]
    )
    assert series_length(msg) == MAX_OCCURRENCES
    calls = {"n": 0}
    real = sources.occurrence_at

    def counting(*args: Any, **kwargs: Any) -> datetime:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(sources.schedule, "occurrence_at", counting)
    now = T0 - 30 * 24 * H + 2 * H  # the series is under way
    window = list(occurrences(plan, msg, after=now, until=now + H))
    assert len(window) == MAX_OCCURRENCES - 7201  # the series (10,000 sends a second apart) ends inside the hour
    assert calls["n"] <= len(window) + 3

    client.force_login(coordinator)
    with time_machine.travel(now, tick=False):
        calls["n"] = 0
        assert client.get(reverse("communications:page", args=[plan.slug])).status_code == 200
        assert calls["n"] < 1_000
        calls["n"] = 0
        response = client.get(reverse("communications:preview", args=[plan.slug, msg.pk]))
        assert response.status_code == 200 and calls["n"] < 200
        assert "The first 50 of 10000 sends" in response.content.decode()
