"""Readiness stays live (issue 13): the role page's "Readiness" section and the readiness summary are live
parts (static/js/live.js): their fragments answer 304 with the ETag while the plan is unchanged, without
rendering, and 200 with the new state after a tick or an attendance recorded elsewhere (every readiness
write bumps the plan's revision through plans.services.event_record)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan
from readiness import services
from readiness.models import Attendee, ReadinessItem

from .world import RWorld, build

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def w() -> RWorld:
    return build()


@pytest.fixture(autouse=True)
def _one_minute() -> object:
    with time_machine.travel(timezone.now().replace(second=5), tick=False):  # one time slot (plans.buckets)
        yield


def _section_url(w: RWorld) -> str:
    return reverse("checklists:role_readiness", args=[w.plan.slug, "support-lead"])


def _summary_url(w: RWorld) -> str:
    return reverse("readiness:summary_live", args=[w.plan.slug])


def _revision(w: RWorld) -> int:
    return Plan.objects.values_list("revision", flat=True).get(pk=w.plan.pk)


def test_the_pages_name_their_live_parts(w: RWorld, client: Client) -> None:
    client.force_login(w.people["Support Lead"])
    html = client.get(reverse("checklists:role", args=[w.plan.slug, "support-lead"])).content.decode()
    assert f'hx-get="{_section_url(w)}" hx-trigger="wr:poll"' in html and 'data-live-etag="&quot;' in html
    html = client.get(reverse("readiness:summary", args=[w.plan.slug])).content.decode()
    assert f'hx-get="{_summary_url(w)}" hx-trigger="wr:poll"' in html and "data-live-stream=" in html


def test_the_role_section_is_304_while_unchanged_and_200_after_a_tick(w: RWorld, client: Client) -> None:
    client.force_login(w.people["Launch Lead"])  # another role's holder reads it; the tick is the Support Lead's
    url = _section_url(w)
    first = client.get(url, headers=HX)
    assert first.status_code == 200 and "0 of 1 done" in first.content.decode()
    assert 'data-action="readiness-tick"' not in first.content.decode()  # not theirs to tick
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url, headers={**HX, "If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    assert len(ctx.captured_queries) <= 4  # the session, the user, the plan: no rendering
    item = ReadinessItem.objects.get(title="Support rota staffed")
    services.readiness_item_set(item, by=w.people["Support Lead"], done=True)
    after = client.get(url, headers={**HX, "If-None-Match": first["ETag"]})
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    html = after.content.decode()
    assert 'id="readiness"' in html and "1 of 1 done" in html and "Done by" in html
    assert "<html" not in html  # the section alone


def test_the_summary_is_304_while_unchanged_and_200_after_a_tick_or_an_attendance(w: RWorld, client: Client) -> None:
    client.force_login(w.people["stranger"])  # every signed-in person may read a plan
    url = _summary_url(w)
    first = client.get(url, headers=HX)
    assert first.status_code == 200 and "readiness items done: <strong>0/2</strong>" in first.content.decode()
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url, headers={**HX, "If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and len(ctx.captured_queries) <= 4
    before = _revision(w)
    services.readiness_item_set(ReadinessItem.objects.get(title="Runbooks read"), by=w.people["Launch Lead"], done=True)
    assert _revision(w) == before + 1
    second = client.get(url, headers={**HX, "If-None-Match": first["ETag"]})
    assert second.status_code == 200 and "readiness items done: <strong>1/2</strong>" in second.content.decode()
    services.attendance_record(
        Attendee.objects.get(email="ana@example.com"), by=w.people["Support Lead"], completed=True
    )
    assert _revision(w) == before + 2
    third = client.get(url, headers={**HX, "If-None-Match": second["ETag"]})
    html = third.content.decode()
    assert third.status_code == 200 and 'id="readiness-live"' in html and "50 % (1/2)" in html
    assert "<html" not in html


def test_a_refused_tick_changes_nothing_and_the_parts_stay_304(w: RWorld, client: Client) -> None:
    """A stranger (no role in the plan) may read the parts but not tick: 403, no event, no new revision."""
    client.force_login(w.people["stranger"])
    etags = {url: client.get(url, headers=HX)["ETag"] for url in (_section_url(w), _summary_url(w))}
    item = ReadinessItem.objects.get(title="Support rota staffed")
    before = _revision(w)
    refused = client.post(
        reverse("checklists:readiness_set", args=[w.plan.slug, "support-lead", item.pk]), {"done": "1"}, headers=HX
    )
    assert refused.status_code == 403 and _revision(w) == before
    for url, etag in etags.items():
        assert client.get(url, headers={**HX, "If-None-Match": etag}).status_code == 304


def test_the_parts_need_a_sign_in_and_the_unowned_page_has_no_section(w: RWorld, client: Client) -> None:
    for url in (_section_url(w), _summary_url(w)):
        response = client.get(url, headers=HX)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(w.people["Support Lead"])
    unowned = reverse("checklists:role_readiness", args=[w.plan.slug, "_unowned"])
    assert client.get(unowned, headers=HX).status_code == 404


def _track_url(w: RWorld) -> str:
    return reverse("readiness:track_live", args=[w.plan.slug, "support-team"])


def test_the_track_page_is_live_and_its_part_304_until_an_attendance(w: RWorld, client: Client) -> None:
    """The track's figure, sessions and attendees (no typed input: a row's form is a button) are a live part;
    the upload forms stay outside it, so a swap never loses a pasted sheet."""
    client.force_login(w.people["Support Lead"])
    page = client.get(reverse("readiness:track", args=[w.plan.slug, "support-team"])).content.decode()
    assert f'hx-get="{_track_url(w)}" hx-trigger="wr:poll"' in page and "data-live-stream=" in page
    live_part = page[page.index('id="track-live"') : page.index('id="sheet"')]
    assert "<textarea" not in live_part and 'type="file"' not in live_part
    first = client.get(_track_url(w), headers=HX)
    assert first.status_code == 200 and "0 % (0/2)" in first.content.decode()
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(_track_url(w), headers={**HX, "If-None-Match": first["ETag"]})
    assert again.status_code == 304 and len(ctx.captured_queries) <= 4
    attendee = Attendee.objects.get(email="ana@example.com")
    services.attendance_record(attendee, by=w.people["coordinator"], completed=True)
    after = client.get(_track_url(w), headers={**HX, "If-None-Match": first["ETag"]})
    html = after.content.decode()
    assert after.status_code == 200 and "<html" not in html and 'id="track-live"' in html
    assert "50 % (1/2)" in html and f'id="attendee-{attendee.pk}" class="is-done"' in html
    assert f'aria-label="Undo {attendee.name}"' in html  # the recorder's buttons come with it


def test_the_track_part_needs_a_sign_in_and_a_known_track(w: RWorld, client: Client) -> None:
    response = client.get(_track_url(w), headers=HX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(w.people["stranger"])
    assert client.get(_track_url(w), headers=HX).status_code == 200  # every signed-in person reads a plan
    gone = reverse("readiness:track_live", args=[w.plan.slug, "no-such-track"])
    assert client.get(gone, headers=HX).status_code == 404
