"""Every URL of the app in one table, and the fixture world its kwargs are built from.

The URL guard (``tests/test_url_guard.py``) walks the URLconf and fails for a URL name that has no
entry here; the form fuzz (``tests/test_fuzz_forms.py``) posts generated bodies to every ``write``.
Adding an endpoint means adding a line to :data:`TABLE`: what it is (``public``, ``read`` or ``write``),
how to build its URL kwargs from a :class:`World`, who may write through it, a body that succeeds
(the guard's positive control: it proves the kwargs are right, so a refusal is a refusal and not a
404 of a mistyped URL), and the fields the fuzz suite fills.

Actors (each a signed-in user, except ``anonymous``):

- ``coordinator``: the plan's coordinator;
- ``owner``: primary of role A, the role that owns the item, leads the step, is the gate's authority
  and the issue's owner;
- ``other``: primary of role B, a holder of another role in the same plan;
- ``stranger``: signed in, no role anywhere;
- ``staff``: ``is_staff`` (may open the admin), no role in the plan;
- ``outsider``: coordinator of another plan and holder of a role there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories

if TYPE_CHECKING:
    from tests.fixture_types import ClientResponse

ACTORS = ("anonymous", "stranger", "staff", "outsider", "other", "owner", "coordinator")
COORDINATOR = frozenset({"coordinator"})
ROLE_A = frozenset({"coordinator", "owner"})
ANY_ROLE = frozenset({"coordinator", "owner", "other"})
APP_LABELS = ("plans", "roles", "checklists", "issues", "communications", "api", "review", "statuspage", "readiness")
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


# --- The fixture world -----------------------------------------------------------------------------


@dataclass
class World:
    """A plan with one of everything a URL can name, and a user for each actor."""

    plan: Any
    other_plan: Any
    users: dict[str, Any]
    role_a: Any
    role_b: Any
    item: Any
    step: Any
    gate: Any
    trigger: Any
    issue: Any
    channel: Any
    message: Any
    delivery: Any
    kiosk: Any
    metric: Any
    feed: Any
    feed_token: str
    rollback: Any = None  # a discretionary rollback trigger role A may pull, threshold left blank
    placeholder: Any = None
    procedure_step: Any = None
    api_token: Any = None  # a live API token (api/) of the plan, made by the coordinator
    lesson: Any = None  # a lesson learned in the plan's review (review/)
    component: Any = None  # a status page component (statuspage/)
    incident: Any = None  # a published, open incident on the status page
    draft: Any = None  # a draft incident waiting for the comms role
    subscriber: Any = None  # a confirmed email subscriber of the status page
    track: Any = None  # a training track led by role A, with one expected attendee (readiness/)
    attendee: Any = None
    ritem: Any = None  # a readiness item of role A
    _clients: dict[str, Client] = field(default_factory=dict)
    _sessions: dict[str, str] = field(default_factory=dict)  # actor -> session key, signed in once a module

    def __repr__(self) -> str:
        # Short, and safe: Hypothesis prints the fixtures of a failing example, and a model's __str__
        # may itself be what the fuzz broke.
        return f"<World plan={self.plan.slug!r}>"

    @property
    def coordinator(self) -> Any:
        return self.users["coordinator"]

    def sign_in_everyone(self) -> None:
        """Sign every actor in once, when the module's world is built: a test's client then carries that
        session's cookie instead of signing in again (a sign-in is a dozen queries and the last-login and
        django-axes signals, a fifth of a URL guard test). The sessions are rows of the module's transaction;
        whatever a test does to one (a sign-out, a cycled key) is rolled back with the test's savepoint."""
        for actor, user in self.users.items():
            client = Client()
            client.force_login(user)
            self._sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def client(self, actor: str) -> Client:
        """A client signed in as ``actor`` that answers a crash with a 500 instead of raising it."""
        if actor not in self._clients:
            client = Client(raise_request_exception=False)
            if actor in self._sessions:
                client.cookies[settings.SESSION_COOKIE_NAME] = self._sessions[actor]
            elif actor != "anonymous":
                client.force_login(self.users[actor])
            self._clients[actor] = client
        return self._clients[actor]


def build_world() -> World:
    User = factories.UserFactory
    users = {
        "coordinator": User(username="w-coordinator"),
        "owner": User(username="w-owner"),
        "other": User(username="w-other"),
        "stranger": User(username="w-stranger"),
        "staff": User(username="w-staff", is_staff=True),
        "outsider": User(username="w-outsider"),
    }
    plan = factories.PlanFactory(slug="guarded", coordinator=users["coordinator"], t0=T0)
    other_plan = factories.PlanFactory(slug="elsewhere", coordinator=users["outsider"], t0=T0)
    factories.RoleFactory(plan=other_plan, slug="elsewhere-role", primary=users["outsider"])
    role_a = factories.RoleFactory(plan=plan, name="DBA", slug="dba", primary=users["owner"])
    role_b = factories.RoleFactory(plan=plan, name="QA Lead", slug="qa", primary=users["other"])
    item = factories.ItemFactory(checklist__plan=plan, checklist__role=role_a, title="Backup verified")
    step = factories.StepFactory(plan=plan, lead_role=role_a, name="Cut over DNS")
    gate = factories.GateFactory(plan=plan, slug="go-no-go", name="Go/No-Go", authority_role=role_a)
    gate.polled_roles.set([role_a, role_b])
    trigger = factories.NoGoTriggerFactory(gate=gate, description="Data migration failures")
    issue = factories.IssueFactory(plan=plan, owner_role=role_a, title="Checkout slow")
    channel = factories.ChannelFactory(plan=plan, name="Staff email")
    message = factories.MessageFactory(plan=plan, name="Launching soon", requires_approval=True)
    message.channels.set([channel])
    delivery = factories.DeliveryFactory(plan=plan, channel=channel, source_id=message.pk)
    kiosk = factories.KioskLinkFactory(plan=plan, label="War room TV", created_by=users["coordinator"])
    metric = factories.MetricFactory(plan=plan, name="Error rate")
    from communications.ical import feed_create

    feed, feed_token = feed_create(role_a, by=users["coordinator"])
    from plans.models import Placeholder, Procedure, ProcedureStep, RollbackTrigger

    rollback = RollbackTrigger.objects.create(
        plan=plan, description="Data loss", kind="discretionary", comparator=">", action="Roll back"
    )
    rollback.roles.set([role_a])
    placeholder = Placeholder.objects.create(plan=plan, name="bridge_url", kind="link")
    procedure = Procedure.objects.create(plan=plan, name="Rollback", kind="rollback", lead_role=role_a)
    procedure_step = ProcedureStep.objects.create(procedure=procedure, name="Point DNS back")
    from api.models import AlertRoute
    from api.services import token_create

    api_token, _ = token_create(plan, by=users["coordinator"], name="CI", scopes=["read"])
    AlertRoute.objects.create(plan=plan, alertname="Probe", action="issue", severity="high")  # (test write)
    from review.models import Lesson

    lesson = Lesson.objects.create(plan=plan, text="Rehearse the DNS cut-over")  # (test write)
    from statuspage.models import Component, Incident

    component = Component.objects.create(plan=plan, name="API")  # (test write)
    incident = Incident.objects.create(plan=plan, name="Slow API", published_at=T0)  # (test write)
    draft = Incident.objects.create(plan=plan, name="Problems with API", origin="issue:1")  # (test write)
    from statuspage.models import Subscriber

    subscriber = Subscriber.objects.create(  # (test write)
        plan=plan, email="reader@example.com", address_key="reader@example.com", state="confirmed", confirmed_at=T0
    )
    from readiness.models import Attendee, ReadinessItem, Session, Track

    track = Track.objects.create(plan=plan, name="Support team", slug="support-team", lead_role=role_a)  # (test write)
    Session.objects.create(track=track, plan=plan, title="Intensive", trainer_role=role_a)  # (test write)
    attendee = Attendee.objects.create(track=track, name="Ana Souza", email="ana@example.com")  # (test write)
    ritem = ReadinessItem.objects.create(plan=plan, role=role_a, title="Runbooks read")  # (test write)
    return World(
        plan=plan,
        other_plan=other_plan,
        users=users,
        role_a=role_a,
        role_b=role_b,
        item=item,
        step=step,
        gate=gate,
        trigger=trigger,
        issue=issue,
        channel=channel,
        message=message,
        delivery=delivery,
        kiosk=kiosk,
        metric=metric,
        feed=feed,
        feed_token=feed_token,
        rollback=rollback,
        placeholder=placeholder,
        procedure_step=procedure_step,
        api_token=api_token,
        lesson=lesson,
        component=component,
        incident=incident,
        draft=draft,
        subscriber=subscriber,
        track=track,
        attendee=attendee,
        ritem=ritem,
    )


# --- What changed ------------------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the app's own models (many-to-many tables included), by pk.

    On PostgreSQL in one query (the URL guard takes two snapshots per request it makes, and a query per
    table was most of its time): each table's rows as their full text, every column, in pk order, so any
    change to any row still shows as a difference of that table. The query is prepared on each database
    connection the first time (planning its 67 subqueries cost the server more than running them on the
    world's rows). Elsewhere, a query per table."""
    models = _snapshot_models()
    if connection.vendor != "postgresql":
        return {m._meta.label: list(m._default_manager.order_by("pk").values_list()) for m in models}
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT FROM pg_prepared_statements WHERE name = %s)", [SNAPSHOT])
        if not cursor.fetchone()[0]:
            cursor.execute(f"PREPARE {SNAPSHOT} AS {_snapshot_sql()}")  # kept by the connection, not the transaction
        cursor.execute(f"EXECUTE {SNAPSHOT}")
        return {label: [(rows,)] for label, rows in cursor.fetchall()}


#: The snapshot's prepared statement.
SNAPSHOT = "lc_test_snapshot"


def _snapshot_models() -> list[type[Any]]:
    return [m for label in APP_LABELS for m in apps.get_app_config(label).get_models(include_auto_created=True)]


@cache
def _snapshot_sql() -> str:
    qn = connection.ops.quote_name
    parts = []
    for m in _snapshot_models():
        label, table, pk = m._meta.label, qn(m._meta.db_table), qn(str(m._meta.pk.column))
        assert re.fullmatch(r"[\w.]+", label), label  # a literal of its own in the SQL
        parts.append(
            f"SELECT '{label}'::text, (SELECT string_agg(ROW(r.*)::text, E'\\n' ORDER BY r.{pk}) FROM {table} r)"
        )
    return " UNION ALL ".join(parts)


@dataclass(frozen=True)
class State:
    rows: dict[str, list[tuple[Any, ...]]]
    revision: int
    events: int

    @classmethod
    def now(cls, world: World) -> State:
        from plans.models import Event, Plan

        return cls(
            rows=snapshot(),
            revision=Plan.objects.values_list("revision", flat=True).get(pk=world.plan.pk),
            events=Event.objects.count(),
        )

    def diff(self, other: State) -> list[str]:
        """The tables whose rows differ (empty: nothing changed)."""
        return [label for label in self.rows if self.rows[label] != other.rows.get(label)]


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run a block in a savepoint that is always rolled back: each fuzz example starts from the world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def messages_of(response: HttpResponseBase) -> list[tuple[int, str]]:
    request = getattr(response, "wsgi_request", None)
    if request is None:
        return []
    return [(m.level, str(m)) for m in get_messages(request)]


def post(client: Client, url: str, data: Mapping[str, Any], *, htmx: bool = False) -> ClientResponse:
    """POST a form body, the way a browser (or htmx, with ``HX-Request``) sends it. Leftover flash
    messages of an earlier request are dropped first, so the response's messages are its own."""
    client.cookies.pop("messages", None)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data, headers=headers)


# --- The table -----------------------------------------------------------------------------------------

# ``token``: the JSON API (api/), authenticated by a per-plan bearer token and never by the session.
Kind = Literal["public", "read", "write", "token"]


def _nothing(world: World) -> dict[str, Any]:
    return {}


def _plan(world: World) -> dict[str, Any]:
    return {"plan": world.plan.slug}


@dataclass(frozen=True)
class Endpoint:
    name: str
    kind: Kind
    kwargs: Callable[[World], dict[str, Any]] = _nothing
    allowed: frozenset[str] = frozenset()
    data: Callable[[World], dict[str, Any]] = _nothing
    prepare: Callable[[World], None] | None = None
    target: Callable[[World], Any] | None = None
    # Fuzzed form fields: name -> kind ("text", "datetime", "number", "int", "key", "choice:a,b", "pk:attr").
    fields: Mapping[str, str] = field(default_factory=dict)
    htmx: bool = False  # the page posts it with htmx (a row fragment comes back instead of a redirect)
    why: str = ""  # for public endpoints: who may reach it and why
    # Tables a public read may touch for bookkeeping only (a feed's last-used time), never a plan's state.
    bookkeeping: frozenset[str] = frozenset()
    # For ``token`` endpoints: the scope a token needs, and the HTTP method (the body is ``data``, as JSON).
    scope: str = ""
    method: Literal["GET", "POST"] = "POST"
    # For ``read`` endpoints that only send the viewer on to another page (a trimmed URL): the guard follows it.
    follows: bool = False

    @property
    def fuzz_actor(self) -> str:
        """The allowed user the fuzz suite posts as: the role holder where one is allowed, else the
        coordinator."""
        return "owner" if "owner" in self.allowed else "coordinator"

    def __str__(self) -> str:
        return self.name


def _reading(world: World) -> Any:
    """A reading of the world's metric recorded by role A's holder (who may withdraw it), made when first asked
    for inside the test's rolled-back block: the world itself has none (the alert tests count its readings)."""
    from plans.models import MetricReading

    mine = MetricReading.objects.filter(metric=world.metric, recorded_by=world.users["owner"]).first()
    return mine or MetricReading.objects.create(metric=world.metric, value=5, recorded_by=world.users["owner"])


def _by_hand(world: World) -> dict[str, Any]:
    """A send to a named-only channel due a minute ago: a post by hand, the coordinator's to mark posted (the
    world has no communications role). Made when first asked for, inside the test's rolled-back block."""
    from django.utils import timezone

    from communications.models import Channel, ChannelKind, Message

    message = Message.objects.filter(plan=world.plan, name="War-room bridge update").first()
    if message is None:
        ago = int((timezone.now() - world.plan.t0).total_seconds() // 60) - 1
        message = Message.objects.create(
            plan=world.plan, name="War-room bridge update", offset=timedelta(minutes=ago), body="Launch is go."
        )
        message.channels.set([Channel.objects.create(plan=world.plan, name="Bridge", kind=ChannelKind.OTHER)])
    channel = message.channels.get()
    due = world.plan.at(message.offset)
    return {"message": message.pk, "due": due.isoformat(), "recipient": f"channel:{channel.pk}"}


def _make_by_hand(world: World) -> None:
    _by_hand(world)


def _make_reading(world: World) -> None:
    """Made before a test reads the state it compares (the URL is built first in some tests, last in others)."""
    _reading(world)


def _hold(world: World) -> None:
    from plans import services

    services.hold_start(world.plan, by=world.coordinator, reason="Waiting for the vendor")


def _launched(world: World) -> None:
    """The world's plan is live (a handoff is proposed once the launch is live)."""
    from plans.models import Plan, PlanStatus

    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.LAUNCHED)  # (test set-up)
    world.plan.refresh_from_db()


def _handoff_proposed(world: World) -> None:
    """The coordinator proposed the operations handoff to role A (its primary, ``owner``, accepts)."""
    from review.services import handoff_propose

    _launched(world)
    handoff_propose(world.plan, by=world.coordinator, to_role=world.role_a, systems=["API"], runbooks=[], contacts=[])


def _handoff_accepted(world: World) -> None:
    """The handoff was accepted by role A's primary: the launch is closed (the coordinator may reopen it)."""
    from review.services import handoff_accept

    _handoff_proposed(world)
    handoff_accept(world.plan, by=world.users["owner"])


def _start_step(world: World) -> None:
    from checklists import services

    services.step_start(world.step, by=world.users["owner"])


def _ticked_occurrence(world: World) -> None:
    """The world's recurring item with its first occurrence ticked (to take back)."""
    from checklists import services

    _recurring_item(world)
    services.item_occurrence_tick(world.item, index=0, by=world.users["owner"])


def _recurring_step(world: World) -> None:
    """The world's step repeats hourly, its first occurrence due now (checklists.series)."""
    from django.utils import timezone

    from checklists.models import Recurrence
    from plans.models import Step

    start = timezone.now() - world.plan.t0
    Step.objects.filter(pk=world.step.pk).update(recurring=True)  # fixture set-up
    world.step.recurring = True
    Recurrence.objects.update_or_create(  # fixture set-up
        step=world.step,
        defaults={"plan": world.plan, "every": timedelta(hours=1), "start": start, "until": start + timedelta(days=1)},
    )


def _ticked_step_occurrence(world: World) -> None:
    from checklists import services

    _recurring_step(world)
    services.step_occurrence_tick(world.step, index=0, by=world.users["owner"])


def _late_delivery(world: World) -> None:
    """The world's delivery went late (too late to matter, not sent)."""
    from communications.models import Delivery, DeliveryStatus

    Delivery.objects.filter(pk=world.delivery.pk).update(status=DeliveryStatus.LATE)  # fixture set-up


def _recurring_item(world: World) -> None:
    """The world's item repeats hourly, its first occurrence due now (checklists.series)."""
    from django.utils import timezone

    from checklists.models import Recurrence

    start = timezone.now() - world.plan.t0
    Recurrence.objects.update_or_create(  # fixture set-up
        item=world.item,
        defaults={"plan": world.plan, "every": timedelta(hours=1), "start": start, "until": start + timedelta(days=1)},
    )


def _open_poll(world: World) -> None:
    from checklists import services

    services.gate_open_poll(world.gate, by=world.users["owner"])


def _raise_trigger(world: World) -> None:
    from checklists import services

    services.trigger_raise(world.trigger, by=world.users["owner"], reason="Row counts differ")


def _resolve_issue(world: World) -> None:
    from issues import services

    services.issue_resolve(world.issue, by=world.users["owner"], resolution="Scaled the pool")


def _pull_rollback(world: World) -> None:
    from plans.runbook import services

    services.rollback_trigger_raise(world.rollback, by=world.users["owner"], reason="Orders lost")


def _issue_number(world: World) -> dict[str, Any]:
    return {"plan": world.plan.slug, "number": world.issue.number}


def _alerts(version: str) -> dict[str, Any]:
    """A one-alert webhook notification in the senders' shape (tests/api/payloads/ has their documented ones)."""
    alert = {"status": "firing", "labels": {"alertname": "Probe"}, "annotations": {}, "fingerprint": "f1"}
    alert["startsAt"] = "2026-12-01T12:00:00Z"
    return {"version": version, "status": "firing", "receiver": "lc", "groupKey": "{}", "alerts": [alert]}


def _kiosk_token(world: World) -> dict[str, Any]:
    from plans.kiosk import kiosk_token

    return {"token": kiosk_token(world.kiosk)}


def _feed_token(world: World) -> dict[str, Any]:
    return {"plan": world.plan.slug, "token": world.feed_token}


def _role(world: World) -> dict[str, Any]:
    return {"plan": world.plan.slug, "role": world.role_a.slug}


def _decide_gate(world: World) -> None:
    from checklists.models import Gate, GateStatus

    Gate.objects.filter(pk=world.gate.pk).update(status=GateStatus.NO_GO, decision="no_go")  # fixture set-up


def _gate(world: World) -> dict[str, Any]:
    return {"plan": world.plan.slug, "gate": world.gate.slug}


ENTRIES = [
    # Public: no sign-in; each refuses writes by its nature (GET only, a token, or Django's auth views).
    Endpoint("login", "public", why="the sign-in form"),
    Endpoint("logout", "public", why="signing out changes only the session"),
    Endpoint("healthz", "public", why="the load balancer's probe"),
    Endpoint("favicon", "public", why="the browser's tab icon (static/favicon.svg)"),
    Endpoint("statuspage:page", "public", _plan, why="the public status page"),
    Endpoint("statuspage:live", "public", _plan, why="the public status page's live part (its script polls it)"),
    Endpoint("statuspage:history", "public", _plan, why="the public incident history"),
    Endpoint("statuspage:atom", "public", _plan, why="the public incident history as Atom"),
    Endpoint("statuspage:rss", "public", _plan, why="the public incident history as RSS"),
    Endpoint("statuspage:badge", "public", _plan, why="the public status as an SVG badge"),
    Endpoint("statuspage:widget", "public", _plan, why="the public status as a page to embed"),
    Endpoint(
        "statuspage:incident",
        "public",
        lambda w: {"plan": w.plan.slug, "code": w.incident.code},
        why="one published incident and its updates",
    ),
    Endpoint(
        "statuspage:subscribe",
        "public",
        _plan,
        why="anyone may ask for updates: nothing is sent but a confirmation link (double opt-in), rate-limited",
        fields={"email": "text", "url": "text", "website": "text", "component": "text"},
    ),
    Endpoint(
        "statuspage:confirm",
        "public",
        lambda w: {"plan": w.plan.slug, "token": "not-a-signed-token"},
        why="a confirmation link, by signed token (a GET only shows the button)",
    ),
    Endpoint(
        "statuspage:unsubscribe",
        "public",
        lambda w: {"plan": w.plan.slug, "token": "not-a-signed-token"},
        why="RFC 8058 one-click unsubscribe, by signed token (no sign-in, no CSRF token by design)",
    ),
    Endpoint(
        "statuspage:api",
        "public",
        lambda w: {"plan": w.plan.slug, "document": "summary.json"},
        why="the public status as Statuspage's v2 JSON",
    ),
    Endpoint(
        "communications:ical",
        "public",
        _feed_token,
        why="a role's calendar feed, by a random revocable token",
        bookkeeping=frozenset({"communications.CalendarFeed"}),
    ),
    Endpoint("warroom:kiosk", "public", _kiosk_token, why="a TV's board, by revocable signed token"),
    Endpoint("warroom:kiosk_fragment", "public", _kiosk_token, why="a TV's board poll, by kiosk token"),
    Endpoint("warroom:fragment", "public", _plan, why="the board poll: the screen token in ?s= decides"),
    Endpoint("live:kiosk_stream", "public", _kiosk_token, why="a TV's push stream, by kiosk token"),
    Endpoint("live:status_stream", "public", _plan, why="the public status page's push stream (no session)"),
    Endpoint("api:api-root", "public", why="django-ninja's /api/v1/ root: a 404, the base its URLs reverse from"),
    Endpoint("api:openapi-json", "public", why="the API's OpenAPI schema: its shape, no data"),
    Endpoint("api:openapi-view", "public", why="the API's browsable docs (Swagger UI from static/ninja/)"),
    # Reads: signed in.
    Endpoint("launch:home", "read"),
    Endpoint("plans:detail", "read", _plan),
    Endpoint("plans:detail_live", "read", _plan),
    Endpoint("plans:nav_state", "read", _plan),
    Endpoint("plans:timeline", "read", _plan),
    Endpoint("live:stream", "read", _plan),
    Endpoint("plans:activity", "read", _plan),
    Endpoint("plans:step", "read", lambda w: {"plan": w.plan.slug, "pk": w.step.pk}),
    Endpoint("issues:detail", "read", _issue_number),
    Endpoint("issues:risks", "read", _plan),
    Endpoint("checklists:roles", "read", _plan, follows=True),
    Endpoint("checklists:role", "read", _role),
    Endpoint("checklists:role_rows", "read", _role),
    Endpoint("checklists:role_readiness", "read", _role),
    Endpoint("checklists:gate", "read", _gate),
    Endpoint("checklists:gate_poll", "read", _gate),
    Endpoint("communications:page", "read", _plan),
    Endpoint("review:page", "read", _plan),
    Endpoint("readiness:summary", "read", _plan),
    Endpoint("readiness:summary_live", "read", _plan),
    Endpoint("readiness:track", "read", lambda w: {"plan": w.plan.slug, "track": w.track.slug}),
    Endpoint("readiness:track_live", "read", lambda w: {"plan": w.plan.slug, "track": w.track.slug}),
    Endpoint("review:post_launch", "read", _plan),
    Endpoint("review:compare", "read"),
    Endpoint("review:markdown", "read", _plan),
    Endpoint("review:pdf", "read", _plan),
    Endpoint("review:csv", "read", _plan),
    Endpoint("review:decisions", "read", _plan),
    Endpoint(
        "communications:preview",
        "read",
        lambda w: {"plan": w.plan.slug, "pk": w.message.pk},
        target=lambda w: w.message,
    ),
    Endpoint("warroom:board", "read", _plan),
    Endpoint("warroom:kiosks", "read", _plan),
    Endpoint("warroom:metrics", "read", _plan),
    Endpoint("warroom:metric_readings", "read", lambda w: {"plan": w.plan.slug, "pk": w.metric.pk}),
    Endpoint("api_tokens:list", "read", _plan),
    Endpoint("statuspage:manage", "read", _plan),
    Endpoint("statuspage:subscribers", "read", _plan),
    # Writes.
    Endpoint(
        "plans:transition",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"to": "launched", "reason": "All gates passed"},
        target=lambda w: w.plan,
        fields={
            "to": "choice:draft,scheduled,countdown,hold,launched,stabilizing,completed,rolled_back,aborted",
            "reason": "text",
            "move_t0": "text",  # a launch early or late: move or slip T-0 to now when "1"
            "override": "text",
        },
    ),
    Endpoint(
        "plans:hold_start",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"reason": "Waiting for the vendor"},
        target=lambda w: w.plan,
        fields={"reason": "text"},
    ),
    Endpoint("plans:hold_end", "write", _plan, COORDINATOR, prepare=_hold, target=lambda w: w.plan),
    Endpoint(
        "plans:rebaseline",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"new_t0": "2026-12-02T12:00", "reason": "Vendor slipped a day"},
        target=lambda w: w.plan,
        fields={"new_t0": "datetime", "reason": "text"},
    ),
    Endpoint(
        "checklists:item_set",
        "write",
        lambda w: {**_role(w), "pk": w.item.pk},
        ROLE_A,
        data=lambda w: {"status": "done", "version": w.item.version, "note": "Checked the restore"},
        target=lambda w: w.item,
        fields={"status": "choice:open,done,skipped", "version": "int", "note": "text"},
        htmx=True,
    ),
    Endpoint(
        "checklists:occurrence_tick",
        "write",
        lambda w: {**_role(w), "pk": w.item.pk, "index": 0},
        ROLE_A,
        data=lambda w: {"note": "All green"},
        prepare=_recurring_item,
        target=lambda w: w.item,
        fields={"note": "text"},
        htmx=True,
    ),
    Endpoint(
        "checklists:occurrence_untick",
        "write",
        lambda w: {**_role(w), "pk": w.item.pk, "index": 0},
        ROLE_A,
        data=lambda w: {"reason": "Ticked the wrong one"},
        prepare=_ticked_occurrence,
        target=lambda w: w.item,
        fields={"reason": "text"},
        htmx=True,
    ),
    Endpoint(
        "checklists:step_occurrence_tick",
        "write",
        lambda w: {**_role(w), "pk": w.step.pk, "index": 0},
        ROLE_A,
        data=lambda w: {"note": "All green"},
        prepare=_recurring_step,
        target=lambda w: w.step,
        fields={"note": "text"},
        htmx=True,
    ),
    Endpoint(
        "checklists:step_occurrence_untick",
        "write",
        lambda w: {**_role(w), "pk": w.step.pk, "index": 0},
        ROLE_A,
        data=lambda w: {"reason": "Ticked the wrong one"},
        prepare=_ticked_step_occurrence,
        target=lambda w: w.step,
        fields={"reason": "text"},
        htmx=True,
    ),
    Endpoint(
        "checklists:step_start",
        "write",
        lambda w: {**_role(w), "pk": w.step.pk},
        ROLE_A,
        target=lambda w: w.step,
        htmx=True,
    ),
    Endpoint(
        "checklists:step_finish",
        "write",
        lambda w: {**_role(w), "pk": w.step.pk},
        ROLE_A,
        data=lambda w: {"note": "TTL was 60 s"},
        prepare=_start_step,
        target=lambda w: w.step,
        fields={"note": "text"},
        htmx=True,
    ),
    Endpoint("checklists:gate_open_poll", "write", _gate, ROLE_A, target=lambda w: w.gate),
    Endpoint(
        "checklists:vote_cast",
        "write",
        _gate,
        ROLE_A,
        data=lambda w: {"role": w.role_a.pk, "vote": "go", "comment": "Backups verified"},
        prepare=_open_poll,
        target=lambda w: w.gate,
        fields={"role": "pk:role_a", "vote": "choice:go,no_go", "comment": "text"},
    ),
    Endpoint(
        "checklists:gate_decide",
        "write",
        _gate,
        ROLE_A,
        data=lambda w: {"decision": "no_go", "reason": "Migration failed on staging"},
        target=lambda w: w.gate,
        fields={"decision": "choice:go,no_go", "reason": "text"},
    ),
    Endpoint(
        "checklists:gate_reopen",
        "write",
        _gate,
        COORDINATOR,
        data=lambda w: {"reason": "The backup check was wrong"},
        prepare=_decide_gate,
        target=lambda w: w.gate,
        fields={"reason": "text"},
    ),
    Endpoint(
        "checklists:trigger_raise",
        "write",
        lambda w: {**_gate(w), "pk": w.trigger.pk},
        ANY_ROLE,
        data=lambda w: {"reason": "Row counts differ"},
        target=lambda w: w.trigger,
        fields={"reason": "text"},
    ),
    Endpoint(
        "checklists:trigger_clear",
        "write",
        lambda w: {**_gate(w), "pk": w.trigger.pk},
        ANY_ROLE,
        data=lambda w: {"reason": "Counts match after re-run"},
        prepare=_raise_trigger,
        target=lambda w: w.trigger,
        fields={"reason": "text"},
    ),
    Endpoint(
        "plans:rollback_raise",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.rollback.pk},
        ROLE_A,
        data=lambda w: {"reason": "Orders lost", "back": "board"},
        target=lambda w: w.rollback,
        fields={"reason": "text", "back": "choice:board,metrics,plan"},
    ),
    Endpoint(
        "plans:rollback_clear",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.rollback.pk},
        ROLE_A,
        data=lambda w: {"reason": "False alarm", "back": "metrics"},
        prepare=_pull_rollback,
        target=lambda w: w.rollback,
        fields={"reason": "text", "back": "choice:board,metrics,plan"},
    ),
    Endpoint(
        "plans:rollback_threshold",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.rollback.pk},
        COORDINATOR,
        data=lambda w: {"threshold": "2.5"},
        target=lambda w: w.rollback,
        fields={"threshold": "text"},
    ),
    Endpoint(
        "readiness:attendance",
        "write",
        lambda w: {"plan": w.plan.slug, "track": w.track.slug, "pk": w.attendee.pk},
        ROLE_A,
        data=lambda w: {"completed": "1", "note": "Certificate issued"},
        target=lambda w: w.attendee,
        fields={"completed": "choice:0,1", "note": "text", "session": "text"},
    ),
    Endpoint(
        "readiness:sheet",
        "write",
        lambda w: {"plan": w.plan.slug, "track": w.track.slug},
        ROLE_A,
        data=lambda w: {"text": "email,completed\nana@example.com,yes\n"},
        target=lambda w: w.attendee,
        fields={"text": "text"},
    ),
    Endpoint(
        "readiness:attendees",
        "write",
        lambda w: {"plan": w.plan.slug, "track": w.track.slug},
        ROLE_A,
        data=lambda w: {"text": "name,email\nBen Okafor,ben@example.com\n"},
        target=lambda w: w.attendee,
        fields={"text": "text"},
    ),
    Endpoint(
        "readiness:item_set",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.ritem.pk},
        ROLE_A,
        data=lambda w: {"done": "1", "note": "All three read"},
        target=lambda w: w.ritem,
        fields={"done": "choice:0,1", "note": "text"},
    ),
    Endpoint(
        "checklists:readiness_set",
        "write",
        lambda w: {**_role(w), "pk": w.ritem.pk},
        ROLE_A,
        data=lambda w: {"done": "1"},
        target=lambda w: w.ritem,
        fields={"done": "choice:0,1"},
        htmx=True,
    ),
    Endpoint(
        "review:lesson_add",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"kind": "improve", "text": "Staff the support rota a day earlier"},
        target=lambda w: w.plan,
        fields={"kind": "choice:went_well,improve", "text": "text"},
    ),
    Endpoint(
        "review:lesson_delete",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.lesson.pk},
        COORDINATOR,
        target=lambda w: w.lesson,
    ),
    Endpoint(
        "review:handoff_propose",
        "write",
        _plan,
        COORDINATOR,
        prepare=_launched,
        data=lambda w: {"to_role": w.role_a.pk, "systems": "API\nDatabase", "runbooks": "Rollback", "contacts": ""},
        target=lambda w: w.plan,
        fields={"to_role": "pk:role_a", "systems": "text", "runbooks": "text", "contacts": "text", "note": "text"},
    ),
    Endpoint(
        "review:handoff_accept",
        "write",
        _plan,
        frozenset({"owner"}),  # the receiving role's primary or backup: not the coordinator in their stead
        prepare=_handoff_proposed,
        data=lambda w: {"note": "Taken over"},
        target=lambda w: w.plan,
        fields={"note": "text"},
    ),
    Endpoint(
        "review:plan_reopen",
        "write",
        _plan,
        COORDINATOR,
        prepare=_handoff_accepted,
        data=lambda w: {"reason": "Sev-1 the day after", "confirm": "on"},
        target=lambda w: w.plan,
        fields={"reason": "text", "confirm": "choice:on"},
    ),
    Endpoint(
        "review:followup_add",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"title": "Automate the DNS check", "owner_role": w.role_a.pk, "due_date": "2026-12-15"},
        target=lambda w: w.plan,
        fields={"title": "text", "owner_role": "pk:role_a", "due_date": "text"},
    ),
    Endpoint(
        "plans:placeholder_fill",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.placeholder.pk},
        COORDINATOR,
        data=lambda w: {"value": "https://meet.example.com/war-room"},
        target=lambda w: w.placeholder,
        fields={"value": "text"},
    ),
    Endpoint(
        "plans:procedure_step",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.procedure_step.pk},
        ROLE_A,
        data=lambda w: {"done": "1", "back": "plan"},
        target=lambda w: w.procedure_step,
        fields={"done": "choice:0,1", "back": "choice:board,metrics,plan"},
    ),
    Endpoint(
        "issues:list",
        "write",
        _plan,
        ANY_ROLE,
        data=lambda w: {"title": "Login page 502", "severity": "high", "owner_role": w.role_a.pk, "description": ""},
        target=lambda w: w.plan,
        fields={
            "title": "text",
            "severity": "choice:critical,high,medium,low",
            "owner_role": "pk:role_a",
            "description": "text",
        },
    ),
    Endpoint(
        "issues:acknowledge",
        "write",
        _issue_number,
        ROLE_A,
        target=lambda w: w.issue,
    ),
    Endpoint(
        "issues:resolve",
        "write",
        _issue_number,
        ROLE_A,
        data=lambda w: {"resolution": "Scaled the pool", "root_cause": ""},
        target=lambda w: w.issue,
        fields={"resolution": "text", "root_cause": "text", "back": "choice:detail,list"},
    ),
    Endpoint(
        "issues:raise",
        "write",
        _plan,
        ANY_ROLE,
        data=lambda w: {
            "title": "Login page 502",
            "severity": "critical",
            "owner_role": w.role_a.pk,
            "step": w.step.pk,
        },
        target=lambda w: w.plan,
        fields={
            "title": "text",
            "severity": "choice:critical,high,medium,low",
            "owner_role": "pk:role_a",
            "step": "pk:step",
        },
    ),
    Endpoint(
        "issues:mitigate",
        "write",
        _issue_number,
        ROLE_A,
        data=lambda w: {"note": "Failing over"},
        target=lambda w: w.issue,
        fields={"note": "text"},
    ),
    Endpoint(
        "issues:close",
        "write",
        _issue_number,
        ROLE_A,
        data=lambda w: {"root_cause": "Pool too small", "resolution": ""},
        prepare=_resolve_issue,
        target=lambda w: w.issue,
        fields={"root_cause": "text", "resolution": "text"},
    ),
    Endpoint(
        "issues:reopen",
        "write",
        _issue_number,
        ANY_ROLE,
        data=lambda w: {"reason": "502s are back"},
        prepare=_resolve_issue,
        target=lambda w: w.issue,
        fields={"reason": "text"},
    ),
    Endpoint(
        "issues:triage",
        "write",
        _issue_number,
        ROLE_A,
        data=lambda w: {"severity": "critical", "owner_role": w.role_a.pk, "step": w.step.pk},
        target=lambda w: w.issue,
        fields={"severity": "choice:critical,high,medium,low", "owner_role": "pk:role_a", "step": "pk:step"},
    ),
    Endpoint(
        "issues:comment",
        "write",
        _issue_number,
        ANY_ROLE,
        data=lambda w: {"body": "Seeing it from Paris too"},
        target=lambda w: w.issue,
        fields={"body": "text"},
    ),
    Endpoint(
        "issues:rollback",
        "write",
        _issue_number,
        ROLE_A,
        data=lambda w: {"trigger": w.rollback.pk, "reason": "Orders lost"},
        target=lambda w: w.issue,
        fields={"trigger": "pk:rollback", "reason": "text"},
    ),
    Endpoint(
        "communications:send_now",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"delivery": w.delivery.pk},
        target=lambda w: w.delivery,
        fields={"delivery": "pk:delivery", "key": "key"},
    ),
    Endpoint(
        "communications:skip",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"delivery": w.delivery.pk},
        target=lambda w: w.delivery,
        fields={"delivery": "pk:delivery", "key": "key"},
    ),
    Endpoint(
        "communications:dismiss",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"delivery": w.delivery.pk},
        prepare=_late_delivery,
        target=lambda w: w.delivery,
        fields={"delivery": "pk:delivery"},
    ),
    Endpoint(
        "communications:approve",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.message.pk},
        COORDINATOR,
        target=lambda w: w.message,
    ),
    Endpoint(
        "communications:hand_post",
        "write",
        _plan,
        COORDINATOR,  # the communications role's holders, and the coordinator (the world has no such role)
        data=_by_hand,
        prepare=_make_by_hand,
        target=lambda w: w.plan,
        fields={"message": "int", "due": "datetime", "recipient": "text", "back": "text", "undo": "text"},
    ),
    Endpoint(
        "communications:post_status",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"title": "Maintenance window confirmed", "body": "All set."},
        target=lambda w: w.plan,
        fields={"title": "text", "body": "text"},
    ),
    Endpoint(
        "statuspage:component",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.component.pk},
        COORDINATOR,
        data=lambda w: {"status": "major_outage"},
        target=lambda w: w.component,
        fields={"status": "choice:operational,degraded_performance,partial_outage,major_outage,under_maintenance"},
    ),
    Endpoint(
        "statuspage:incident_new",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"name": "Slow checkout", "status": "investigating", "impact": "minor", "body": "Looking."},
        target=lambda w: w.plan,
        fields={"name": "text", "status": "choice:investigating,identified,monitoring,resolved", "body": "text"},
    ),
    Endpoint(
        "statuspage:incident_update",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.incident.pk},
        COORDINATOR,
        data=lambda w: {"status": "identified", "body": "Found it."},
        target=lambda w: w.incident,
        fields={"status": "choice:investigating,identified,monitoring,resolved", "body": "text"},
    ),
    Endpoint(
        "statuspage:incident_publish",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.draft.pk},
        COORDINATOR,
        data=lambda w: {"name": "Problems with API", "status": "investigating", "impact": "minor", "body": "Looking."},
        target=lambda w: w.draft,
        fields={"name": "text", "impact": "choice:none,minor,major,critical", "body": "text"},
    ),
    Endpoint(
        "statuspage:subscriber_remove",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.subscriber.pk},
        COORDINATOR,
        target=lambda w: w.subscriber,
    ),
    Endpoint(
        "statuspage:incident_discard",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.draft.pk},
        COORDINATOR,
        target=lambda w: w.draft,
    ),
    Endpoint(
        "communications:calendar_create",
        "write",
        _plan,
        ROLE_A,
        data=lambda w: {"role": w.role_a.pk, "days": "30"},
        target=lambda w: w.role_a,
        fields={"role": "pk:role_a", "days": "number"},
    ),
    Endpoint(
        "communications:calendar_revoke",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.feed.pk},
        ROLE_A,
        target=lambda w: w.feed,
    ),
    Endpoint(
        "warroom:kiosk_create",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"label": "War room TV 2"},
        target=lambda w: w.plan,
        fields={"label": "text"},
    ),
    Endpoint(
        "warroom:kiosk_revoke",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.kiosk.pk},
        COORDINATOR,
        target=lambda w: w.kiosk,
    ),
    Endpoint(
        "warroom:metric_record",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.metric.pk},
        ANY_ROLE,
        data=lambda w: {"value": "0.05"},
        target=lambda w: w.metric,
        fields={"value": "number"},
    ),
    Endpoint(
        "warroom:reading_withdraw",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": _reading(w).pk},
        frozenset({"coordinator", "owner"}),  # the coordinator, and whoever recorded it
        data=lambda w: {"reason": "typo: meant 0.05"},
        prepare=_make_reading,
        target=_reading,
        fields={"reason": "text"},
    ),
]
ENTRIES += [
    Endpoint(
        "api_tokens:create",
        "write",
        _plan,
        COORDINATOR,
        data=lambda w: {"name": "CI deploy", "scopes": "steps", "days": "30"},
        target=lambda w: w.plan,
        fields={"name": "text", "scopes": "choice:read,metrics,issues,steps,rollout", "days": "number"},
    ),
    Endpoint(
        "api_tokens:revoke",
        "write",
        lambda w: {"plan": w.plan.slug, "pk": w.api_token.pk},
        COORDINATOR,
        target=lambda w: w.api_token,
    ),
    # The JSON API: a bearer token of the plan with the scope, never a session (tests/test_url_guard.py).
    Endpoint("api:plan_state", "token", _plan, scope="read", method="GET"),
    Endpoint("api:readiness", "token", _plan, scope="read", method="GET"),
    Endpoint("api:handoff", "token", _plan, scope="read", method="GET"),
    Endpoint(
        "api:attendance_record",
        "token",
        lambda w: {"plan": w.plan.slug, "track": w.track.slug},
        scope="training",
        data=lambda w: {"email": "ana@example.com", "session": "Intensive"},
    ),
    Endpoint(
        "api:metric_readings",
        "token",
        lambda w: {"plan": w.plan.slug, "metric": str(w.metric.pk)},
        scope="metrics",
        data=lambda w: {"value": 0.05},
    ),
    Endpoint(
        "api:reading_withdraw",
        "token",
        lambda w: {"plan": w.plan.slug, "reading": _reading(w).pk},
        scope="metrics",
        data=lambda w: {"reason": "The exporter sent milliseconds as seconds"},
        prepare=_make_reading,
    ),
    Endpoint(
        "api:issue_raise", "token", _plan, scope="issues", data=lambda w: {"title": "Login 502", "severity": "high"}
    ),
    Endpoint(
        "api:issue_acknowledge", "token", lambda w: {"plan": w.plan.slug, "number": w.issue.number}, scope="issues"
    ),
    Endpoint(
        "api:issue_resolve",
        "token",
        lambda w: {"plan": w.plan.slug, "number": w.issue.number},
        scope="issues",
        data=lambda w: {"resolution": "Scaled the pool"},
    ),
    Endpoint(
        "api:issue_mitigate",
        "token",
        lambda w: {"plan": w.plan.slug, "number": w.issue.number},
        scope="issues",
        data=lambda w: {"note": "Failing over"},
    ),
    Endpoint(
        "api:issue_close",
        "token",
        lambda w: {"plan": w.plan.slug, "number": w.issue.number},
        scope="issues",
        data=lambda w: {"root_cause": "Pool too small"},
        prepare=_resolve_issue,
    ),
    Endpoint(
        "api:issue_reopen",
        "token",
        lambda w: {"plan": w.plan.slug, "number": w.issue.number},
        scope="issues",
        data=lambda w: {"reason": "502s are back"},
        prepare=_resolve_issue,
    ),
    Endpoint(
        "api:issue_triage",
        "token",
        lambda w: {"plan": w.plan.slug, "number": w.issue.number},
        scope="issues",
        data=lambda w: {"severity": "critical"},
    ),
    Endpoint(
        "api:issue_comment",
        "token",
        lambda w: {"plan": w.plan.slug, "number": w.issue.number},
        scope="issues",
        data=lambda w: {"body": "Seeing it too"},
    ),
    Endpoint(
        "api:trigger_raise",
        "token",
        lambda w: {"plan": w.plan.slug, "trigger": str(w.rollback.pk)},
        scope="issues",
        data=lambda w: {"reason": "Orders lost"},
    ),
    Endpoint(
        "api:trigger_clear",
        "token",
        lambda w: {"plan": w.plan.slug, "trigger": str(w.rollback.pk)},
        scope="issues",
        data=lambda w: {"reason": "False alarm"},
        prepare=_pull_rollback,
    ),
    Endpoint("api:step_start", "token", lambda w: {"plan": w.plan.slug, "step": str(w.step.pk)}, scope="steps"),
    Endpoint(
        "api:step_finish",
        "token",
        lambda w: {"plan": w.plan.slug, "step": str(w.step.pk)},
        scope="steps",
        data=lambda w: {"note": "deployed"},
        prepare=_start_step,
    ),
    Endpoint("api:alerts_alertmanager", "token", _plan, scope="issues", data=lambda w: _alerts("4")),
    Endpoint("api:alerts_grafana", "token", _plan, scope="issues", data=lambda w: _alerts("1")),
]


def _rollout(world: World, *, current: int = 0) -> None:
    """The plan launched, with a rollout of two stages (no soak, no metrics) that role A decides."""
    from django.utils import timezone

    from plans.models import Plan, PlanStatus, Rollout, RolloutStage

    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.LAUNCHED)  # fixture set-up
    rollout, made = Rollout.objects.update_or_create(  # fixture set-up
        plan=world.plan,
        defaults={"authority_role": world.role_a, "current": current, "stage_started_at": timezone.now()},
    )
    if made:
        RolloutStage.objects.create(rollout=rollout, order=0, name="Canary", percent=10)  # fixture set-up
        RolloutStage.objects.create(rollout=rollout, order=1, name="Everyone", percent=100)  # fixture set-up


def _rollout_target(world: World) -> Any:
    from plans.models import Rollout

    return Rollout.objects.get(plan=world.plan)


ENTRIES += [
    # Rollout stages (plans.rollout): the page for everyone, the moves for the authority (role A) and the coordinator.
    Endpoint("plans:rollout", "read", _plan),
    Endpoint(
        "plans:rollout_advance",
        "write",
        _plan,
        ROLE_A,
        data=lambda w: {"expected": "0"},
        prepare=_rollout,
        target=_rollout_target,
        fields={"expected": "int"},
    ),
    Endpoint(
        "plans:rollout_rollback",
        "write",
        _plan,
        ROLE_A,
        data=lambda w: {"to": "stage", "reason": "Errors at full traffic", "expected": "2"},
        prepare=lambda w: _rollout(w, current=2),
        target=_rollout_target,
        fields={"to": "choice:stage,launch", "reason": "text", "expected": "int"},
    ),
    Endpoint("api:rollout_advance", "token", _plan, scope="rollout", data=lambda w: {}, prepare=_rollout),
    Endpoint(
        "api:rollout_rollback",
        "token",
        _plan,
        scope="rollout",
        data=lambda w: {"to": "stage", "reason": "Errors at full traffic"},
        prepare=lambda w: _rollout(w, current=2),
    ),
]
TABLE: dict[str, Endpoint] = {e.name: e for e in ENTRIES}
WRITES = [e for e in ENTRIES if e.kind == "write"]
READS = [e for e in ENTRIES if e.kind == "read"]
PUBLIC = [e for e in ENTRIES if e.kind == "public"]
TOKEN = [e for e in ENTRIES if e.kind == "token"]


# --- The URLconf -------------------------------------------------------------------------------------

EXCLUDED_NAMESPACES = frozenset({"admin"})  # Django's admin has its own checks; see test_url_guard


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when it has no name
    route: str
    callback: Callable[..., Any]
    named: bool

    def __str__(self) -> str:
        return self.name


def walk(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URL pattern, recursively through includes (admin excluded), with its full name."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    out: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            ns = ":".join(p for p in (namespace, entry.namespace or "") if p)
            out.extend(walk(entry.url_patterns, prefix + str(entry.pattern), ns))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = (f"{namespace}:{entry.name}" if namespace else entry.name) if entry.name else route
            out.append(Route(name=name, route=route, callback=entry.callback, named=bool(entry.name)))
    return out


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def accepted_methods(callback: Callable[..., Any]) -> frozenset[str] | None:
    """The HTTP methods a view accepts, from ``require_http_methods`` (``require_POST``, ``require_GET``)
    or a class-based view's handlers; ``None`` when the view accepts any method."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return frozenset(m.upper() for m in view_class.http_method_names if m != "options" and hasattr(view_class, m))
    fn: Any = callback
    while fn is not None:
        for cell in getattr(fn, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, list) and value and all(isinstance(v, str) and v in HTTP_METHODS for v in value):
                return frozenset(value)
        fn = getattr(fn, "__wrapped__", None)
    return None
