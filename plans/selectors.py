"""Reads for pages. Each returns what a page needs in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Plan
from .permissions import can_view


def plan_for(user, slug: str) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("coordinator"), slug=slug)
    if not can_view(user, plan):
        raise Http404("No such plan.")
    return plan


def plans_for(user) -> QuerySet[Plan]:
    """Every plan a signed-in person may see, theirs first."""
    return Plan.objects.select_related("coordinator").order_by("-t0")


def my_roles(user):
    from roles.models import Role

    return (
        Role.objects.filter(Q(primary=user) | Q(backup=user))
        .select_related("plan", "primary", "backup")
        .order_by("plan__t0", "order")
    )
