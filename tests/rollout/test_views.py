"""The rollout page and its two actions: the authority (and the coordinator) see the controls, others see it
read-only and get 403 for a post with nothing changed; a refused advance says every reason; a double click
advances once. The board shows the stage, its soak timer, its health and a breach's proposal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from plans.models import Event, Plan, Rollout
from plans.rollout.services import rollout_advance
from warroom import views as warroom_views

from .world import T0, RolloutWorld, minutes, rollout_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> Iterator[RolloutWorld]:
    with time_machine.travel(T0, tick=False):
        yield rollout_world()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _messages(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def test_the_authority_sees_the_controls_others_read_only(w: RolloutWorld) -> None:
    url = reverse("plans:rollout", args=[w.plan.slug])
    page = _client(w.authority).get(url).content.decode()
    assert 'id="rollout-advance"' in page and "Advance to 10 % (Canary)" in page
    page = _client(w.sre).get(url).content.decode()
    assert 'id="rollout-advance"' not in page and "You see it read-only" in page
    assert "Only Release manager (primary or backup) or the coordinator moves the rollout." in page


def test_a_post_by_someone_else_is_a_403_and_changes_nothing(w: RolloutWorld) -> None:
    before = (Event.objects.count(), Rollout.objects.get(plan=w.plan).current, Plan.objects.get(pk=w.plan.pk).status)
    for name in ("rollout_advance", "rollout_rollback"):
        url = reverse(f"plans:{name}", args=[w.plan.slug])
        response = _client(w.sre).post(url, {"expected": "0", "to": "launch", "reason": "No"})
        assert response.status_code == 403
    assert (
        Event.objects.count(),
        Rollout.objects.get(plan=w.plan).current,
        Plan.objects.get(pk=w.plan.pk).status,
    ) == before


def test_advance_refused_says_why_and_a_double_click_advances_once(w: RolloutWorld) -> None:
    client = _client(w.authority)
    url = reverse("plans:rollout_advance", args=[w.plan.slug])
    with time_machine.travel(T0 + minutes(1), tick=False):
        client.post(url, {"expected": "0"})
        client.post(url, {"expected": "0"})  # the same button again
        assert Rollout.objects.get(plan=w.plan).current == 1
        assert Event.objects.filter(kind="rollout.advanced").count() == 1
        response = client.post(url, {"expected": "1"}, follow=True)
        said = " ".join(_messages(response))
        assert "Not advanced: The 10 % stage soaks until 11:31 (30m left)." in said
        assert "Latency has no reading since the 10 % stage started" in said
        assert Rollout.objects.get(plan=w.plan).current == 1
        page = response.content.decode()
        assert "Cannot advance to 25 % yet:" in page


def test_the_board_shows_the_stage_soak_health_and_a_proposal(w: RolloutWorld) -> None:
    with time_machine.travel(T0 + minutes(1), tick=False):
        rollout_advance(w.plan, by=w.authority)
        w.read(errors="0.3", latency="420")
        html = warroom_views.render_board(w.fresh())
    assert 'id="wr-rollout"' in html and '<span class="wr-ro-pct">10 %</span>' in html
    assert "stage 1/4 · Canary" in html
    assert 'class="val" data-since="' in html and "/ 30m" in html  # the soak timer from the stage's start
    assert '<span class="h h-on">✓ Error rate</span>' in html and '<span class="h h-off">✗ Latency</span>' in html
    assert "READY" not in html and "wr-rollout-proposal" not in html
    with time_machine.travel(T0 + minutes(40), tick=False):
        w.read(latency="200", errors="6")
        assert "READY → 25 %" not in warroom_views.render_board(w.fresh())  # the trigger is crossing
        w.read(errors="0.5")
        assert "READY → 25 %" in warroom_views.render_board(w.fresh())
        w.read(errors="7")
    with time_machine.travel(T0 + minutes(51), tick=False):
        w.read(errors="7")
        html = warroom_views.render_board(w.fresh())
    assert 'id="wr-rollout-proposal"' in html and "ROLLBACK PROPOSED at 10 %: roll back the launch" in html
    assert "Release manager decides" in html


def test_a_plan_without_stages_has_no_panel(w: RolloutWorld) -> None:
    Rollout.objects.filter(plan=w.plan).delete()  # (test set-up)
    assert 'id="wr-rollout"' not in warroom_views.render_board(w.fresh())
    page = _client(w.coordinator).get(reverse("plans:rollout", args=[w.plan.slug])).content.decode()
    assert "This plan has no rollout stages." in page


def test_the_board_shows_a_rollout_not_started_only_once_it_can_start() -> None:
    """Before the launch the first stage cannot go: a "not started" panel only took the issues' room on the big
    screen. Once launched it shows (the authority can start it), and a stage under way always does."""
    from plans.models import PlanStatus
    from warroom import selectors

    with time_machine.travel(T0 - minutes(60), tick=False):
        w = rollout_world(launched=False)
        assert selectors.board(w.fresh()).rollout is None
        html = _client(w.coordinator).get(reverse("warroom:board", args=[w.plan.slug])).content.decode()
        assert 'id="wr-rollout"' not in html
    with time_machine.travel(T0, tick=False):
        Plan.objects.filter(pk=w.plan.pk).update(status=PlanStatus.LAUNCHED)
        shown = selectors.board(w.fresh()).rollout
        assert shown is not None and shown.stage is None
        rollout_advance(w.fresh(), by=w.authority)
        Plan.objects.filter(pk=w.plan.pk).update(status=PlanStatus.ROLLED_BACK)
        ended = selectors.board(w.fresh()).rollout
        assert ended is not None and ended.stage is not None and ended.stage.percent == 10  # where it stood
