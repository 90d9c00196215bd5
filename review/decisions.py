"""The decision record: every gate decision with its poll, every hold, every change of the launch's state,
each with who and why, read from the activity log (``plans.Event``) and the votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from checklists.models import Gate, Vote
from plans.models import Event, Plan

#: The kinds of event that are decisions (the families match every kind under them).
DECISION_FAMILIES = ("gate.", "hold.", "trigger.", "rollback.")
DECISION_KINDS = ("plan.state", "plan.rebaselined", "review.handoff")


def person(user: object) -> str:
    if user is None or not getattr(user, "pk", None):
        return "system"
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Decision:
    at: datetime
    kind: str
    who: str
    role: str
    what: str
    why: str


@dataclass(frozen=True)
class PollVote:
    role: str
    vote: str
    comment: str
    who: str
    at: datetime


@dataclass(frozen=True)
class ReadinessAt:
    """One audience's training figure when a gate was decided (kept in the decision's event, issue 13)."""

    audience: str
    percent: int | None
    completed: int
    expected: int
    bar: int | None  # the minimum the gate asked of it; None: the gate did not read this track

    @property
    def met(self) -> bool | None:
        if self.bar is None:
            return None
        return self.percent is not None and self.percent >= self.bar

    @property
    def label(self) -> str:
        return "nobody expected" if self.percent is None else f"{self.percent} % ({self.completed}/{self.expected})"


def _readiness(data: dict) -> tuple[ReadinessAt, ...]:
    rows = data.get("readiness")
    if not isinstance(rows, list):
        return ()
    out = []
    for r in rows:
        if not isinstance(r, dict):
            continue
        percent, bar = r.get("percent"), r.get("bar")
        out.append(
            ReadinessAt(
                audience=str(r.get("track") or ""),
                percent=percent if isinstance(percent, int) else None,
                completed=int(r.get("completed") or 0),
                expected=int(r.get("expected") or 0),
                bar=bar if isinstance(bar, int) else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class GateDecision:
    gate: str
    at: datetime
    decision: str  # "go" | "no_go"
    who: str
    reason: str
    round: int
    votes: tuple[PollVote, ...]
    readiness: tuple[ReadinessAt, ...] = ()

    @property
    def label(self) -> str:
        return "GO" if self.decision == "go" else "NO-GO"


def _decision_filter(plan: Plan) -> list[Event]:
    from django.db.models import Q

    q = Q(kind__in=DECISION_KINDS)
    for family in DECISION_FAMILIES:
        q |= Q(kind__startswith=family)
    return list(
        Event.objects.filter(plan=plan)
        .filter(q)
        .exclude(kind="gate.voted")
        .select_related("actor", "role")
        .order_by("at", "pk")
    )


def decision_record(plan: Plan) -> list[Decision]:
    """Every GO/NO-GO, poll, hold, trigger, rollback and state change, oldest first (votes are in each
    gate decision's poll)."""
    rows = []
    for e in _decision_filter(plan):
        data = e.data if isinstance(e.data, dict) else {}
        why = str(data.get("reason") or data.get("comment") or "")
        rows.append(Decision(e.at, e.kind, person(e.actor), e.role.name if e.role else "", e.summary, why))
    return rows


def gate_decisions(plan: Plan) -> list[GateDecision]:
    """Each gate decision (a gate reopened and decided again has each), with the votes of its round."""
    events = list(Event.objects.filter(plan=plan, kind="gate.decided").select_related("actor").order_by("at", "pk"))
    names = dict(Gate.objects.filter(plan=plan).values_list("pk", "name"))
    votes: dict[tuple[int, int], list[PollVote]] = {}
    for v in Vote.objects.filter(gate__plan=plan).select_related("role", "voted_by").order_by("role__order", "pk"):
        votes.setdefault((v.gate_id, v.poll_round), []).append(
            PollVote(v.role.name, "GO" if v.vote == "go" else "NO-GO", v.comment, person(v.voted_by), v.voted_at)
        )
    out = []
    for e in events:
        data = e.data if isinstance(e.data, dict) else {}
        gate_id, rnd = int(data.get("gate") or 0), int(data.get("round") or 0)
        out.append(
            GateDecision(
                gate=names.get(gate_id, "(deleted gate)"),
                at=e.at,
                decision=str(data.get("decision") or ""),
                who=person(e.actor),
                reason=str(data.get("reason") or ""),
                round=rnd,
                votes=tuple(votes.get((gate_id, rnd), ())),
                readiness=_readiness(data),
            )
        )
    return out
