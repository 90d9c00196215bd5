"""The risk register (issue 12): a plan's risks on a probability × impact grid, and as a table with owner
role, mitigation, rollback plan, status and the issues that realised each. Lives in issues because a risk's
status comes from its issues (plans, the core, does not know issues)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render

from plans.models import Level, Plan, Risk
from plans.viewtools import member_plan

from .models import UNRESOLVED, Issue

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest

LEVELS = [Level.LOW, Level.MEDIUM, Level.HIGH]
SCORE = {Level.LOW: 1, Level.MEDIUM: 2, Level.HIGH: 3}


def exposure(probability: str, impact: str) -> tuple[str, str]:
    """A cell's exposure as (css class, word): probability × impact on 1–3 each. The word is printed in the
    cell, so the grid reads the same in grayscale."""
    score = SCORE.get(Level(probability), 0) * SCORE.get(Level(impact), 0) if probability and impact else 0
    if score >= 6:
        return "exp-severe", "Severe"
    if score >= 3:
        return "exp-significant", "Significant"
    return "exp-minor", "Minor"


@dataclass
class RiskRow:
    risk: Risk
    code: str  # "R1", "R2"… in the plan's order: how the grid names it
    issues: list[Issue]

    @property
    def status(self) -> tuple[str, str]:
        """(css class, word): Realised (an unresolved issue), Realised, dealt with (its issues are resolved or
        closed) or Watching (no issue yet)."""
        if any(i.status in UNRESOLVED for i in self.issues):
            return "state-overdue", "Realised"
        if self.issues:
            return "state-done", "Realised, dealt with"
        return "state-pending", "Watching"

    @property
    def exposure(self) -> tuple[str, str]:
        return exposure(self.risk.probability, self.risk.impact)


@dataclass
class Cell:
    probability: str
    impact: str
    css: str
    word: str
    rows: list[RiskRow] = field(default_factory=list)


def risk_register(plan: Plan) -> tuple[list[RiskRow], list[list[Cell]], list[RiskRow]]:
    """The rows in the plan's order, the grid (probability high → low, impact low → high) and the risks
    not rated on both axes. Two queries: the risks with their owner roles, and their issues."""
    issues = Issue.objects.filter(plan=plan).order_by("number").only("pk", "number", "title", "status", "risk_id")
    risks = (
        Risk.objects.filter(plan=plan)
        .select_related("owner_role")
        .prefetch_related(Prefetch("issues", queryset=issues))
        .order_by("order", "id")
    )
    rows = [RiskRow(r, f"R{n}", list(r.issues.all())) for n, r in enumerate(risks, start=1)]
    grid = [[Cell(p, i, *exposure(p, i)) for i in LEVELS] for p in reversed(LEVELS)]
    unrated = []
    for row in rows:
        if row.risk.probability in LEVELS and row.risk.impact in LEVELS:
            grid[2 - LEVELS.index(Level(row.risk.probability))][LEVELS.index(Level(row.risk.impact))].rows.append(row)
        else:
            unrated.append(row)
    return rows, grid, unrated


@login_required
@member_plan
def risk_list(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    rows, grid, unrated = risk_register(plan)
    return render(
        request,
        "issues/risks.html",
        {"plan": plan, "rows": rows, "grid": grid, "unrated": unrated, "levels": LEVELS, "nav": "risks"},
    )
