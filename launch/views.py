"""Pages that read every app: the home page (my roles with their open work, my training, then every plan)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from checklists.cards import my_role_cards, plan_cards
from issues.selectors import open_counts, open_counts_by_role
from plans.closing import is_ended
from plans.selectors import plans_for
from readiness.selectors import my_trainings

if TYPE_CHECKING:
    from launchcontrol.http import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "My roles": straight to the checklists of the roles a person holds, the trainings they are on the list
    of, then every plan."""
    plans = list(plans_for(request.user))
    theirs = [p for p in plans if p.coordinator_id == request.user.pk]
    # an ended launch (closed, aborted, rolled back) is listed apart: no card of work, no war room to open
    coordinated = plan_cards([p for p in theirs if not is_ended(p.status)])
    issues = open_counts(coordinated) if coordinated else {}
    for plan in coordinated:
        plan.issues_open, plan.issues_urgent = issues.get(plan.pk, (0, 0))  # type: ignore[attr-defined]
    roles = my_role_cards(request.user)
    by_role = open_counts_by_role([r.pk for r in roles]) if roles else {}
    for role in roles:  # the issues raised against each role, beside its items
        role.issues_open, role.issues_urgent = by_role.get(role.pk, (0, 0))  # type: ignore[attr-defined]
    return render(
        request,
        "launch/home.html",
        {
            "roles": roles,
            "trainings": my_trainings(request.user),
            "plans": plans,
            "coordinated": coordinated,
            "coordinated_ended": [p for p in theirs if is_ended(p.status)],
        },
    )
