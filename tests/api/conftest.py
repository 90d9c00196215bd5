"""What the API tests share: the URL guard's world (tests/endpoints.py), a token of given scopes, a client
that sends it, and a snapshot of everything a refused call must leave alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tests.endpoints import APP_LABELS, World

ALL_SCOPES = ["read", "metrics", "issues", "steps", "rollout", "training"]


@dataclass
class Api:
    world: World
    client: Client

    @property
    def plan(self) -> Any:
        return self.world.plan

    def token(self, scopes: list[str] | None = None, *, plan: Any = None, name: str = "CI") -> str:
        from api.services import token_create

        target = plan or self.world.plan
        by = self.world.coordinator if target == self.world.plan else self.world.users["outsider"]
        _, raw = token_create(target, by=by, name=name, scopes=scopes or ALL_SCOPES)
        return raw

    def url(self, tail: str, plan: str | None = None) -> str:
        return f"/api/v1/plans/{plan or self.world.plan.slug}/{tail}"

    def get(self, tail: str, token: str | None, **headers: str) -> Any:
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(self.url(tail), headers={**auth, **headers})

    def post(self, tail: str, token: str | None, body: Any = None, *, plan: str | None = None) -> Any:
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.post(
            self.url(tail, plan), data=body if body is not None else {}, content_type="application/json", headers=auth
        )


@pytest.fixture
def api(world: World) -> Api:
    return Api(world=world, client=Client(raise_request_exception=False))


def snapshot() -> dict[str, Any]:
    """Every row a call could change (the apps' tables and the API's), the users, the plans' revisions.
    A token's ``last_used_at`` is bookkeeping, not state: left out.

    On PostgreSQL in one query, as the URL guard's (tests/endpoints.py, ``snapshot``): each table's rows as
    the text of their columns in pk order (a query per table, twice per refused call, was most of these
    tests' time). Elsewhere, a query per table."""
    models = [
        m for label in (*APP_LABELS, "api") for m in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    if connection.vendor == "postgresql":
        return _snapshot_in_one_query(list(dict.fromkeys(models)))
    rows: dict[str, Any] = {}
    for model in models:
        values = model._default_manager.order_by("pk").values()
        rows[model._meta.label] = [{k: v for k, v in row.items() if k != "last_used_at"} for row in values]
    rows["users"] = list(get_user_model().objects.order_by("pk").values_list("pk", "username", "is_active"))
    return rows


def _snapshot_in_one_query(models: list[Any]) -> dict[str, Any]:
    qn = connection.ops.quote_name
    User = get_user_model()
    tables = [
        (
            m._meta.label,
            m._meta.db_table,
            m._meta.pk.column,
            [f.column for f in m._meta.concrete_fields if f.name != "last_used_at"],
        )
        for m in models
    ]
    tables.append(("users", User._meta.db_table, "id", ["id", "username", "is_active"]))  # auth_user's columns
    sql = " UNION ALL ".join(
        f"SELECT %s, (SELECT string_agg(ROW({', '.join(f'r.{qn(c)}' for c in columns)})::text, E'\\n' "
        f"ORDER BY r.{qn(pk)}) FROM {qn(table)} AS r)"
        for _, table, pk, columns in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [label for label, *_ in tables])
        return dict(cursor.fetchall())


@pytest.fixture
def unchanged() -> Callable[[], Callable[[], None]]:
    """``check = unchanged()`` before a refused call; ``check()`` after it asserts nothing moved."""

    def start() -> Callable[[], None]:
        before = snapshot()

        def check() -> None:
            after = snapshot()
            changed = [label for label in before if before[label] != after[label]]
            assert not changed, f"a refused call changed {changed}"

        return check

    return start
