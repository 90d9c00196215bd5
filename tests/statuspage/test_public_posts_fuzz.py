"""Fuzzed bodies for the public endpoints that take a POST (tests/endpoints.py: the ``public`` entries with
``fields``, and the signed-link pages with forged tokens), posted with no sign-in: never a 500; a 4xx says
why in words; nothing but a *pending* subscriber may come of it (no confirmed one, no plan event, no
revision change, no mail but through the outbox)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from statuspage.models import Subscriber
from tests.conftest import clear_cache, fuzz_examples
from tests.endpoints import PUBLIC, World, post, rolled_back
from tests.strategies import form_bodies, text_values

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZED = [e for e in PUBLIC if e.fields]


def _check(world: World, url: str, body: dict[str, Any]) -> None:
    from plans.models import Event, Plan

    client = world.client("anonymous")
    clear_cache()  # the rate limits count in the cache
    with rolled_back():
        before = (Plan.objects.values_list("revision", flat=True).get(pk=world.plan.pk), Event.objects.count())
        confirmed = Subscriber.objects.filter(state="confirmed").count()
        response = post(client, url, body)
        assert response.status_code < 500, (url, body, response.status_code)
        after = (Plan.objects.values_list("revision", flat=True).get(pk=world.plan.pk), Event.objects.count())
        assert after == before, (url, body)
        assert Subscriber.objects.filter(state="confirmed").count() == confirmed
        assert not mail.outbox  # nothing sent directly
        if response.status_code >= 400:
            assert "<h1>" in response.content.decode(errors="replace")


def test_there_is_a_public_form_to_fuzz() -> None:
    assert {e.name for e in FUZZED} >= {"statuspage:subscribe"}


@pytest.mark.parametrize("entry", FUZZED, ids=lambda e: e.name)
@settings(max_examples=fuzz_examples(25), deadline=None)
@given(body=st.data())
def test_fuzzed_public_form_bodies(entry: Any, world: World, body: st.DataObject) -> None:
    drawn = body.draw(form_bodies(dict(entry.fields)))
    _check(world, reverse(entry.name, kwargs=entry.kwargs(world)), drawn)


@pytest.mark.parametrize("name", ["statuspage:confirm", "statuspage:unsubscribe"])
@settings(max_examples=fuzz_examples(15), deadline=None)
@given(token=text_values(), extra=st.dictionaries(st.sampled_from(["List-Unsubscribe", "x"]), text_values()))
def test_forged_links_change_nothing(name: str, world: World, token: str, extra: dict[str, str]) -> None:
    token = token.replace("/", "").replace("\x00", "") or "x"
    try:
        url = reverse(name, kwargs={"plan": world.plan.slug, "token": token})
    except Exception:  # not a URL at all: nothing to post to
        return
    _check(world, url, extra)
