"""A send to a named-only channel is a task for the communications role (tests/issue11/test_by_hand.py); the
role marks it posted by hand on its page ("Mark posted", from half an hour before it is due): who and when show
there and on the communications page, the activity log records it, and the reminder to post it is not sent if it
is already posted. Nobody else may mark it; a second mark (a double click, two people) says who marked it. A mark
made by mistake is undone on the same page ("Undo"): the task is open again and its reminder goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from communications import outbox
from communications.models import Audience, Channel, ChannelKind, Delivery, HandPost, Message
from communications.services import message_mark_posted, message_unmark_posted
from plans.models import Event, Plan, PlanStatus
from roles.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
H, D, M = timedelta(hours=1), timedelta(days=1), timedelta(minutes=1)
DUE = T0 - 2 * D


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def _plan(coordinator: User) -> tuple[Plan, Message, Role]:
    with time_machine.travel(T0 - 10 * D, tick=False):
        plan = factories.PlanFactory(coordinator=coordinator, t0=T0, timezone="UTC", status=PlanStatus.SCHEDULED)
    social = Channel.objects.create(plan=plan, name="Social media", kind=ChannelKind.OTHER)
    message = Message.objects.create(
        plan=plan, name="Social media announcement", offset=-2 * D, audience=Audience.PUBLIC, body="Coming soon!"
    )
    message.channels.set([social])
    comms = factories.RoleFactory(plan=plan, name="Communications Lead", slug="comms")
    return plan, message, comms


def _recipient(message: Message) -> str:
    return f"channel:{message.channels.get().pk}"


def _tasks(client: Client, plan: Plan, slug: str = "comms") -> str:
    html = client.get(reverse("checklists:role", args=[plan.slug, slug])).content.decode()
    return html.split('id="tasks"', 1)[1].split("</section>", 1)[0]


def test_the_role_marks_it_posted_on_its_page_and_it_shows_who_and_when(coordinator: User, client: Client) -> None:
    plan, message, comms = _plan(coordinator)
    assert comms.primary is not None
    client.force_login(comms.primary)
    with time_machine.travel(DUE - 2 * H, tick=False):
        assert "Mark posted" not in _tasks(client, plan)  # not due for two hours: nothing to mark yet
    with time_machine.travel(DUE - 20 * M, tick=False):
        tasks = _tasks(client, plan)
        assert "Mark posted" in tasks and f'name="recipient" value="{_recipient(message)}"' in tasks
        response = client.post(
            reverse("communications:hand_post", args=[plan.slug]),
            {"message": message.pk, "due": DUE.isoformat(), "recipient": _recipient(message), "back": "comms"},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("checklists:role", args=[plan.slug, "comms"]) + "#tasks"
        tasks = _tasks(client, plan)
    assert "Mark posted" not in tasks and f"Posted by {comms.primary.get_full_name()} at Sun 29 Nov 11:40 UTC" in tasks
    post = HandPost.objects.get()
    assert (post.message, post.due_at, post.posted_by) == (message, DUE, comms.primary)
    event = Event.objects.get(plan=plan, kind="comms.posted_by_hand")
    assert event.summary == "Posted by hand on Social media: Social media announcement" and event.actor == comms.primary
    client.force_login(coordinator)
    with time_machine.travel(DUE - 10 * M, tick=False):
        page = client.get(reverse("communications:page", args=[plan.slug])).content.decode()
    by_hand = page.split('id="by-hand"', 1)[1].split("</section>", 1)[0]
    assert f"✓ by {comms.primary.get_full_name()}" in by_hand
    log = client.get(reverse("plans:activity", args=[plan.slug])).content.decode()
    assert ">Posted by hand</td>" in log and "Posted by hand on Social media: Social media announcement" in log
    assert event.role == comms  # the log's Role column: the communications role's work

    # When it is due, nobody is reminded to post what is already posted.
    with time_machine.travel(DUE, tick=False):
        outbox.tick(now=DUE)
    assert not [m for m in mail.outbox if "Post by hand" in m.subject]
    assert set(Delivery.objects.filter(source_kind="message.by_hand").values_list("status", flat=True)) <= {"skipped"}


def test_a_second_mark_says_who_marked_it_and_changes_nothing(coordinator: User) -> None:
    plan, message, comms = _plan(coordinator)
    assert comms.primary is not None
    with time_machine.travel(DUE + 5 * M, tick=False):
        message_mark_posted(plan, by=comms.primary, message_id=message.pk, due_at=DUE, recipient=_recipient(message))
        with pytest.raises(
            ValidationError, match=f"Already marked posted, by {comms.primary.get_full_name()} at 12:05"
        ):
            message_mark_posted(plan, by=coordinator, message_id=message.pk, due_at=DUE, recipient=_recipient(message))
    assert HandPost.objects.count() == 1 and Event.objects.filter(kind="comms.posted_by_hand").count() == 1


def test_only_the_communications_role_or_the_coordinator_marks_it(coordinator: User, client: Client) -> None:
    plan, message, _ = _plan(coordinator)
    other = factories.UserFactory()
    factories.RoleFactory(plan=plan, name="SRE", slug="sre", primary=other)
    with time_machine.travel(DUE, tick=False):
        with pytest.raises(PermissionDenied):
            message_mark_posted(plan, by=other, message_id=message.pk, due_at=DUE, recipient=_recipient(message))
        client.force_login(other)
        response = client.post(
            reverse("communications:hand_post", args=[plan.slug]),
            {"message": message.pk, "due": DUE.isoformat(), "recipient": _recipient(message), "back": "comms"},
        )
        assert response.status_code == 403
        assert "Mark posted" not in _tasks(client, plan)  # the role's page, read by someone else: no button
        message_mark_posted(plan, by=coordinator, message_id=message.pk, due_at=DUE, recipient=_recipient(message))
    assert HandPost.objects.get().posted_by == coordinator


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"due_at": DUE + H}, "not due yet"),  # in an hour: too early to say it is posted
        ({"due_at": DUE - H}, "no longer scheduled"),  # no send at that moment
        ({"recipient": "channel:999999"}, "no longer scheduled"),  # no such channel of the message
        ({"message_id": 999999}, "no longer scheduled"),
    ],
)
def test_what_is_not_a_send_to_post_by_hand_is_refused(
    coordinator: User, change: dict[str, object], error: str
) -> None:
    plan, message, _ = _plan(coordinator)
    fields: dict[str, object] = {"message_id": message.pk, "due_at": DUE, "recipient": _recipient(message)}
    with time_machine.travel(DUE - 5 * M, tick=False), pytest.raises(ValidationError, match=error):
        message_mark_posted(plan, by=coordinator, **(fields | change))  # type: ignore[arg-type]
    assert not HandPost.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"message": "x", "due": DUE.isoformat(), "recipient": "r"},
        {"message": "1", "due": "not a date", "recipient": "r"},
        {"message": "1", "due": DUE.isoformat(), "recipient": "r" * 500},
        {"message": "1", "due": "{{ settings.SECRET_KEY }}", "recipient": "<script>"},
        {},
    ],
)
def test_a_garbled_post_is_refused_with_a_message(coordinator: User, client: Client, data: dict[str, str]) -> None:
    plan, _, _ = _plan(coordinator)
    client.force_login(coordinator)
    with time_machine.travel(DUE, tick=False):
        response = client.post(reverse("communications:hand_post", args=[plan.slug]), data | {"back": "/evil"})
    assert response["Location"] == reverse("communications:page", args=[plan.slug]) + "#by-hand"
    assert not HandPost.objects.exists()


def test_a_mark_by_the_backup_comes_with_the_primarys_next_poll(coordinator: User, client: Client) -> None:
    """The role's "Also yours" is live with its rows: the primary's open page learns, at its next poll, that the
    backup posted it (and would learn of a status page draft prepared by an alarm the same way)."""
    plan, message, comms = _plan(coordinator)
    backup = factories.UserFactory(first_name="Sam", last_name="Support")
    comms.backup = backup
    comms.save(update_fields=["backup"])
    assert comms.primary is not None
    client.force_login(comms.primary)
    rows = reverse("checklists:role_rows", args=[plan.slug, "comms"])
    with time_machine.travel(DUE + 2 * M, tick=False):
        first = client.get(rows)
        assert "Mark posted" in first.content.decode()
        message_mark_posted(plan, by=backup, message_id=message.pk, due_at=DUE, recipient=_recipient(message))
        again = client.get(rows, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    html = again.content.decode()
    assert 'id="role-tasks" hx-swap-oob="true"' in html and "Posted by Sam Support" in html
    assert "Mark posted" not in html


def test_a_mark_made_by_mistake_is_undone_and_the_reminder_goes(coordinator: User, client: Client) -> None:
    plan, message, comms = _plan(coordinator)
    assert comms.primary is not None
    client.force_login(comms.primary)
    url = reverse("communications:hand_post", args=[plan.slug])
    fields = {"message": message.pk, "due": DUE.isoformat(), "recipient": _recipient(message), "back": "comms"}
    with time_machine.travel(DUE - 20 * M, tick=False):
        client.post(url, fields)
        tasks = _tasks(client, plan)
        assert 'data-action="task-undo"' in tasks and 'name="undo" value="1"' in tasks
        response = client.post(url, fields | {"undo": "1"})  # what the "Undo" button sends
        assert response["Location"] == reverse("checklists:role", args=[plan.slug, "comms"]) + "#tasks"
        tasks = _tasks(client, plan)
    assert not HandPost.objects.exists()
    name = comms.primary.get_full_name()
    assert "Mark posted" in tasks and f"Posted by {name}" not in tasks and "task-undo" not in tasks
    event = Event.objects.get(plan=plan, kind="comms.unposted_by_hand")
    what = "Social media: Social media announcement"
    assert event.summary == f"Not posted by hand after all on {what} (marked by {name})"
    assert (event.actor, event.role) == (comms.primary, comms)
    log = client.get(reverse("plans:activity", args=[plan.slug])).content.decode()
    assert ">Posted by hand: mark undone</td>" in log and ">Posted by hand</td>" in log  # both stay on record

    # Not posted after all: the reminder to post it goes when it is due.
    with time_machine.travel(DUE, tick=False):
        outbox.tick(now=DUE)
    assert [m.to for m in mail.outbox if "Post by hand on Social media" in m.subject] == [[comms.primary.email]]


def test_an_undo_twice_or_by_someone_else_changes_nothing(coordinator: User, client: Client) -> None:
    plan, message, comms = _plan(coordinator)
    other = factories.UserFactory()
    factories.RoleFactory(plan=plan, name="SRE", slug="sre", primary=other)
    send = {"message_id": message.pk, "due_at": DUE, "recipient": _recipient(message)}
    with time_machine.travel(DUE, tick=False):
        message_mark_posted(plan, by=coordinator, **send)  # type: ignore[arg-type]
        with pytest.raises(PermissionDenied):
            message_unmark_posted(plan, by=other, **send)  # type: ignore[arg-type]
        client.force_login(other)
        fields = {"message": message.pk, "due": DUE.isoformat(), "recipient": _recipient(message), "undo": "1"}
        assert client.post(reverse("communications:hand_post", args=[plan.slug]), fields).status_code == 403
        assert "task-undo" not in _tasks(client, plan)  # read by someone else: no button
        assert HandPost.objects.count() == 1
        message_unmark_posted(plan, by=coordinator, **send)  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="not marked posted"):  # a double click: the first undid it
            message_unmark_posted(plan, by=coordinator, **send)  # type: ignore[arg-type]
    assert Event.objects.filter(kind="comms.unposted_by_hand").count() == 1


def test_a_post_due_and_not_posted_stays_on_the_communications_page(coordinator: User, client: Client) -> None:
    """Once due, a post not marked posted dropped off the communications page's "To post by hand" (it listed
    what is ahead only): the coordinator watching that page lost it the moment it mattered. It stays two hours,
    in red ("not posted, due 20 minutes ago"); a post marked posted stays with who marked it."""
    plan, message, comms = _plan(coordinator)
    assert comms.primary is not None
    client.force_login(coordinator)
    page = reverse("communications:page", args=[plan.slug])

    def by_hand() -> str:
        return client.get(page).content.decode().split('id="by-hand"', 1)[1].split("</section>", 1)[0]

    with time_machine.travel(DUE - 5 * M, tick=False):
        ahead = by_hand()
    assert "Social media announcement" in ahead and "Mark posted</button>" in ahead and "by-hand-late" not in ahead
    with time_machine.travel(DUE + 20 * M, tick=False):
        late = by_hand()
    assert "Social media announcement" in late and "by-hand-late" in late
    assert "not posted, due 20\xa0minutes ago" in late
    with time_machine.travel(DUE + 30 * M, tick=False):
        message_mark_posted(plan, by=comms.primary, message_id=message.pk, due_at=DUE, recipient=_recipient(message))
        marked = by_hand()
    assert f"✓ by {comms.primary.get_full_name()}" in marked and "by-hand-late" not in marked
    with time_machine.travel(DUE + 2 * H + M, tick=False):
        assert 'id="by-hand"' not in client.get(page).content.decode()  # two hours on: off the page


def test_the_coordinator_marks_it_and_undoes_it_on_the_communications_page(coordinator: User, client: Client) -> None:
    """Who may mark a post by hand (the communications role's holders, the coordinator) has "Mark posted" on the
    communications page too, from half an hour before it is due, and "Undo" once marked; back to that page.
    Another role's holder reads where to mark it."""
    plan, message, _ = _plan(coordinator)
    other = factories.UserFactory()
    factories.RoleFactory(plan=plan, name="SRE", slug="sre", primary=other)
    page = reverse("communications:page", args=[plan.slug])

    def by_hand() -> str:
        return client.get(page).content.decode().split('id="by-hand"', 1)[1].split("</section>", 1)[0]

    client.force_login(coordinator)
    with time_machine.travel(DUE - H, tick=False):
        assert "Mark posted</button>" not in by_hand()  # an hour ahead: not yet
    with time_machine.travel(DUE + 10 * M, tick=False):
        listed = by_hand()
        assert "Mark posted</button>" in listed and f'name="message" value="{message.pk}"' in listed
        fields = {"message": message.pk, "due": DUE.isoformat(), "recipient": _recipient(message)}
        response = client.post(reverse("communications:hand_post", args=[plan.slug]), fields)
        assert response["Location"] == page + "#by-hand"
        marked = by_hand()
        assert "✓ by" in marked and "Undo</button>" in marked and "Mark posted</button>" not in marked
        client.force_login(other)
        read = by_hand()
        assert "Undo</button>" not in read and "Mark posted</button>" not in read
        client.force_login(coordinator)
        client.post(reverse("communications:hand_post", args=[plan.slug]), fields | {"undo": "1"})
        assert "Mark posted</button>" in by_hand()
    assert not HandPost.objects.exists()
    assert Event.objects.filter(kind__in=["comms.posted_by_hand", "comms.unposted_by_hand"]).count() == 2
