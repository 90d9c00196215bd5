"""The plan page's parts that checklists gives it (registered in ``plans.panels`` by ``checklists.apps``), and
the gate pages the activity log links to (``plans.event_links``), and the gates a role decides or votes in on
its page (``plans.panels.register_role_part``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models.functions import Coalesce

from .cards import plan_cards
from .models import Gate, GateStatus, Vote

if TYPE_CHECKING:
    from datetime import datetime

    from django.db.models import QuerySet

    from plans.models import Plan
    from plans.panels import RoleTask


def plan_gates(plan: Plan) -> list[Gate]:
    """The plan's gates for the plan page, those whose decision is overdue marked (1 query; registered in
    plans.panels by checklists.apps)."""
    from django.utils import timezone

    now = timezone.now()
    return [g.mark_overdue(plan, now) for g in Gate.objects.filter(plan=plan).select_related("authority_role")]


def plan_item_progress(plan: Plan) -> dict[str, int]:
    """How many of the plan's checklist items are done or skipped, and late now (as the board and the home
    page's card count them), for the plan page's live head (1 query, 3 with recurring items; registered in
    plans.panels by checklists.apps)."""
    (counted,) = plan_cards([plan])
    done, total, late = counted.items_done, counted.items_total, counted.items_late  # type: ignore[attr-defined]
    return {"done": done, "total": total, "late": late, "pct": round(100 * done / total) if total else 0}


def gate_links(plan: Plan, ids: set[int]) -> dict[int, str]:
    """The pages of the plan's gates ``ids`` by id, for the activity log (1 query)."""
    from django.urls import reverse

    gates = Gate.objects.filter(plan=plan, pk__in=ids).values_list("pk", "slug")
    return {pk: reverse("checklists:gate", args=[plan.slug, slug]) for pk, slug in gates}


#: A vote's answer as the pages write it ("GO", "NO-GO"): the model's choices.
VOTE_LABELS: dict[str, str] = dict(Vote._meta.get_field("vote").choices or [])  # type: ignore[arg-type]


def gate_tasks(plan: Plan, role: Any, now: datetime) -> list[RoleTask]:
    """The gates ``role`` decides or votes in, with a time and not decided yet, on its page ("Also yours"):
    "Decide the Go/No-Go gate" or "Vote on …" at the moment its decision is due, opening the gate's page, where
    the poll and the decision are. A go/no-go call was on no role's page. While a poll is open, the authority sees
    how many of the polled roles have voted, and a voter whether it has (done, with its answer, who and when: a
    role that had voted still read "Its poll is open: vote on its page"). One query (none for unowned work)."""
    from django.urls import reverse

    from launchcontrol.dates import moment_text
    from plans.panels import RoleTask

    pk = getattr(role, "pk", None)
    if pk is None or plan.clockless or plan.has_ended:
        return []
    undecided = [GateStatus.PENDING, GateStatus.POLLING]
    gates = _with_votes(Gate.of_role(plan, pk).filter(status__in=undecided), pk)
    tasks = []
    for gate in gates.order_by("offset", "id"):
        assert gate.offset is not None
        polling, done, counts = gate.status == GateStatus.POLLING, "", vars(gate)  # (the annotations)
        if gate.authority_role_id == pk:
            title, note = f"Decide the {gate.name} gate", "GO or NO-GO, on its page, with its criteria and the votes."
            if polling:
                note = f"Its poll is open: {counts['votes_in']} of {counts['polled']} polled roles have voted. {note}"
                if counts["self_polled"]:  # the authority votes too (a technical lead deciding and polled)
                    mine_in = VOTE_LABELS.get(counts["my_vote"] or "")
                    unvoted = " This role is polled too and has not voted yet."
                    note += f" This role voted {mine_in}." if mine_in else unvoted
        else:
            title = f"Vote on the {gate.name} gate"
            note = "Its poll is open: vote on its page." if polling else "Its poll opens when its authority opens it."
            if polling and counts["my_vote"]:
                answer = VOTE_LABELS[counts["my_vote"]]
                who = (counts["my_voter_name"] or "").strip() or counts["my_voter"] or "someone"
                done = f"Voted {answer} by {who} at {moment_text(plan.local(counts['my_vote_at']))}; it can be changed "
                done += "on its page until the poll closes."
        url = reverse("checklists:gate", args=[plan.slug, gate.slug])
        tasks.append(RoleTask(title, plan.at(gate.offset), note, url, done=done))
    return tasks


def _with_votes(gates: QuerySet[Gate], role_id: int) -> QuerySet[Gate]:
    """Each gate with its current round's number of votes and of polled roles, whether ``role_id`` is polled, and
    its vote in it (its answer, when and by whom), as subqueries: one query still."""
    from django.db.models import Count, Exists, OuterRef, Subquery, Value
    from django.db.models.functions import Concat

    from roles.models import Role

    round_votes = Vote.objects.filter(gate=OuterRef("pk"), poll_round=OuterRef("poll_round"))
    counted = round_votes.order_by().values("gate").annotate(n=Count("pk")).values("n")
    polled = Role.objects.filter(polled_gates=OuterRef("pk")).order_by().values("plan").annotate(n=Count("pk"))
    own = round_votes.filter(role_id=role_id)
    full = Concat("voted_by__first_name", Value(" "), "voted_by__last_name")
    return gates.annotate(
        votes_in=Coalesce(Subquery(counted[:1]), 0),
        polled=Coalesce(Subquery(polled.values("n")[:1]), 0),
        my_vote=Subquery(own.values("vote")[:1]),
        my_vote_at=Subquery(own.values("voted_at")[:1]),
        my_voter=Subquery(own.values("voted_by__username")[:1]),
        my_voter_name=Subquery(own.annotate(name=full).values("name")[:1]),
        self_polled=Exists(Role.objects.filter(polled_gates=OuterRef("pk"), pk=role_id)),
    )
