"""The URL guard: every URL in the URLconf is in the table of ``tests/endpoints.py``, and every write
refuses an anonymous client, a signed-in stranger (and a staff user, and another plan's coordinator)
and a holder of another role, changing nothing; the allowed users get through (so the refusals are
refusals of a real URL, not 404s of a mistyped one).

A new URL without an entry fails ``test_every_url_is_in_the_table`` with what to add."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants as message_levels
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from tests.endpoints import (
    ACTORS,
    PUBLIC,
    READS,
    TABLE,
    TOKEN,
    WRITES,
    Endpoint,
    Route,
    State,
    World,
    accepted_methods,
    messages_of,
    post,
    rolled_back,
    walk,
)

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

pytestmark = pytest.mark.django_db

ROUTES = walk()
GARBAGE = {"to": "aborted", "reason": "r", "status": "done", "value": "1", "title": "t", "label": "l", "delivery": "1"}


def _ids(value: Any) -> str:
    return str(value)


def row_of(obj: Model | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).values().first()


def url_of(entry: Endpoint, world: World) -> str:
    return reverse(entry.name, kwargs=entry.kwargs(world))


def is_login_redirect(response: HttpResponseBase) -> bool:
    """A redirect to the sign-in page; for htmx, the header that makes the page load it (signedout.py)."""
    login = reverse(django_settings.LOGIN_URL)
    if response.status_code == 204 and response.get("HX-Redirect", "").startswith(login):
        return True
    return response.status_code == 302 and response["Location"].startswith(login)


# --- Every URL is known ------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=_ids)
def test_every_url_is_in_the_table(route: Route) -> None:
    assert route.named, (
        f"URL {route.route!r} has no name: give it one (path(..., name=...)) and add it to TABLE in tests/endpoints.py"
    )
    assert route.name in TABLE, (
        f"URL {route.name!r} ({route.route}) is not in the URL guard's table. Add an Endpoint to ENTRIES in "
        "tests/endpoints.py: kind 'public' (say why), 'read', or 'write' with its kwargs, who is allowed, "
        "a body that succeeds, and its form fields for the fuzz suite."
    )
    entry = TABLE[route.name]
    methods = accepted_methods(route.callback)
    if methods is not None and "POST" in methods and not methods & {"GET", "HEAD"}:
        assert entry.kind in {"write", "public"}, f"{route.name} accepts only POST: it is a write, not a {entry.kind}"
    if methods is not None and "POST" not in methods:
        assert entry.kind != "write", f"{route.name} refuses POST ({sorted(methods)}): it is not a write"
    if entry.kind == "write":
        assert entry.allowed, f"{route.name}: say who may write through it"
        assert entry.target is not None, f"{route.name}: say which row it changes (target=)"


def test_the_table_has_no_stale_entries() -> None:
    names = {r.name for r in ROUTES}
    assert set(TABLE) <= names, f"entries for URLs that no longer exist: {sorted(set(TABLE) - names)}"


def test_the_walk_finds_every_app() -> None:
    namespaces = {r.name.split(":")[0] for r in ROUTES if ":" in r.name}
    assert namespaces == {
        "launch",
        "plans",
        "checklists",
        "issues",
        "communications",
        "warroom",
        "api",
        "api_tokens",
        "review",
        "statuspage",
        "live",
        "readiness",
    }
    assert len(WRITES) >= 22


# --- Writes refuse everyone else ----------------------------------------------------------------------


def _refusal(entry: Endpoint, actor: str, world: World) -> str | None:
    """What is wrong when ``actor`` posts to ``entry`` (None: refused, nothing changed)."""
    url = url_of(entry, world)
    if entry.prepare:
        entry.prepare(world)
    assert entry.target is not None
    before, target = State.now(world), row_of(entry.target(world))
    response = post(world.client(actor), url, entry.data(world), htmx=entry.htmx)
    code = response.status_code
    if actor == "anonymous" and not (is_login_redirect(response) or code == 403):
        return f"anonymous got {code}, not a redirect to the login or a 403"
    if actor == "other" and code != 403:
        return f"the holder of another role got {code}, not 403"
    if actor not in ("anonymous", "other") and code not in (403, 404):
        return f"{actor} got {code}, not 403/404"
    after = State.now(world)
    if after.revision != before.revision or after.events != before.events:
        return f"{actor} was refused but the revision or the activity log moved"
    if row_of(entry.target(world)) != target or before.diff(after):
        return f"{actor} was refused but {before.diff(after) or 'the target row'} changed"
    return None


@pytest.mark.parametrize("entry", WRITES, ids=_ids)
def test_write_refuses_everyone_not_allowed(entry: Endpoint, world: World) -> None:
    refused = [a for a in ACTORS if a not in entry.allowed]
    assert {"anonymous", "stranger", "staff", "outsider"} <= set(refused)
    problems = []
    for actor in refused:
        with rolled_back():
            problem = _refusal(entry, actor, world)
        if problem:
            problems.append(problem)
    assert not problems, f"{entry.name}: " + "; ".join(problems)


@pytest.mark.parametrize("entry", WRITES, ids=_ids)
def test_write_works_for_those_allowed(entry: Endpoint, world: World) -> None:
    for actor in sorted(entry.allowed):
        with rolled_back():
            url = url_of(entry, world)
            if entry.prepare:
                entry.prepare(world)
            before = State.now(world)
            response = post(world.client(actor), url, entry.data(world), htmx=entry.htmx)
            assert response.status_code in (200, 302), (entry.name, actor, response.status_code)
            errors = [text for level, text in messages_of(response) if level >= message_levels.ERROR]
            assert not errors, (entry.name, actor, errors)
            after = State.now(world)
            assert after.revision > before.revision and after.events > before.events, (entry.name, actor)
            assert before.diff(after)


@pytest.mark.parametrize("entry", WRITES, ids=_ids)
def test_write_is_not_done_by_a_get(entry: Endpoint, world: World) -> None:
    if entry.prepare:
        entry.prepare(world)
    before = State.now(world)
    response = world.client("coordinator").get(url_of(entry, world), entry.data(world))
    assert response.status_code in (200, 405), (entry.name, response.status_code)
    assert not before.diff(State.now(world))


# --- Reads need a sign-in and ignore posts ------------------------------------------------------------


@pytest.mark.parametrize("entry", READS, ids=_ids)
def test_read_needs_a_sign_in_and_ignores_posts(entry: Endpoint, world: World) -> None:
    url = url_of(entry, world)
    response = world.client("anonymous").get(url)
    assert is_login_redirect(response) or response.status_code in (403, 404), (entry.name, response.status_code)
    response = world.client("coordinator").get(url, follow=entry.follows)
    assert response.status_code == 200, (entry.name, "the coordinator", response.status_code)
    body = response.content.decode(errors="replace") if "html" in response.get("Content-Type", "") else ""
    if "<body" in body and 'id="nav-state"' in body:  # a plan's page: its nav's state is pushed, not polled
        assert f'data-live-stream="/live/plans/{world.plan.slug}/stream/"' in body, entry.name
    before = State.now(world)
    for actor in ("anonymous", "stranger", "coordinator"):
        response = post(world.client(actor), url, GARBAGE)
        assert response.status_code < 500, (entry.name, actor, response.status_code)
        assert not before.diff(State.now(world)), (entry.name, actor)


# --- Public endpoints ------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", PUBLIC, ids=_ids)
def test_public_endpoint_is_public_and_changes_nothing(entry: Endpoint, world: World) -> None:
    assert entry.why, f"{entry.name}: say why it is public"
    client = world.client("anonymous")
    url = url_of(entry, world)
    before = State.now(world)
    response = client.get(url)
    assert response.status_code in (200, 403, 404, 405), (entry.name, response.status_code)
    response = post(client, url, GARBAGE)
    assert response.status_code < 500, (entry.name, response.status_code)
    after = State.now(world)
    assert not set(before.diff(after)) - entry.bookkeeping, entry.name
    assert before.revision == after.revision and before.events == after.events, entry.name


# --- The admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["anonymous", "stranger", "owner", "coordinator"])
def test_admin_is_for_staff_only(actor: str, world: World) -> None:
    """Django's admin is excluded from the walk (it has its own checks), but nobody without is_staff
    reaches it: not the index, not a plan's change form, and a post to it changes nothing."""
    client = world.client(actor)
    admin_login = reverse("admin:login")
    for url in (reverse("admin:index"), reverse("admin:plans_plan_change", args=[world.plan.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(admin_login), (actor, url)
    before = State.now(world)
    response = post(
        client, reverse("admin:plans_plan_change", args=[world.plan.pk]), {"name": "Hijacked", "slug": "hijacked"}
    )
    assert response.status_code == 302 and response["Location"].startswith(admin_login)
    assert not before.diff(State.now(world))


# --- The JSON API: a token of the plan, never a session ---------------------------------------------------


def _api_call(client: Client, entry: Endpoint, world: World, token: str | None) -> HttpResponseBase:
    url = url_of(entry, world)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if entry.method == "GET":
        return client.get(url, headers=headers)
    return client.post(url, data=entry.data(world), content_type="application/json", headers=headers)


@pytest.mark.parametrize("entry", TOKEN, ids=_ids)
def test_api_refuses_every_session_and_works_with_a_token(entry: Endpoint, world: World) -> None:
    """Signed in or not, a session gets 401 (the API reads only its bearer token) and changes nothing; a
    token of the plan with the scope gets through, from a client that enforces CSRF (the API is exempt: a
    bearer token is not sent by a browser on its own)."""
    from api.services import token_create

    assert entry.scope, f"{entry.name}: say which scope it needs"
    if entry.prepare:
        entry.prepare(world)
    _, raw = token_create(world.plan, by=world.coordinator, name="guard", scopes=[entry.scope])
    before = State.now(world)
    for actor in ACTORS:
        response = _api_call(world.client(actor), entry, world, None)
        assert response.status_code == 401, (entry.name, actor, response.status_code)
    assert not before.diff(State.now(world)), entry.name
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    strict.force_login(world.coordinator)
    response = _api_call(strict, entry, world, raw)
    assert response.status_code in (200, 201), (
        entry.name,
        response.status_code,
        getattr(response, "content", b"")[:300],
    )
    if entry.method == "POST":
        after = State.now(world)
        assert after.revision > before.revision and after.events > before.events, entry.name


def test_the_snapshot_sees_a_change_to_any_column_of_any_row(world: World) -> None:
    """The refusal checks compare snapshots (on PostgreSQL, each table's rows as text in one query): a
    change to one column of one row, a row added and a row removed each show as that table alone."""
    from checklists.models import Item
    from plans.models import Event

    before = State.now(world)
    Item.objects.filter(pk=world.item.pk).update(title="Backup verified twice")
    assert before.diff(State.now(world)) == ["checklists.Item"]
    before = State.now(world)
    Event.objects.create(plan=world.plan, kind="test.probe")
    assert before.diff(State.now(world)) == ["plans.Event"]
    before = State.now(world)
    world.message.channels.clear()
    assert before.diff(State.now(world)) == ["communications.Message_channels"]
