from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .permissions import can_coordinate
from .selectors import my_roles, plan_for, plans_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """ "My roles": straight to the checklists of the roles a person holds, then every plan."""
    roles = list(my_roles(request.user))
    return render(request, "plans/home.html", {"roles": roles, "plans": list(plans_for(request.user))})


@login_required
def plan_detail(request: HttpRequest, plan: str) -> HttpResponse:
    obj = plan_for(request.user, plan)
    roles = list(obj.roles.select_related("primary", "backup"))
    return render(
        request,
        "plans/detail.html",
        {"plan": obj, "roles": roles, "is_coordinator": can_coordinate(request.user, obj)},
    )
