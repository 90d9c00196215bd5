"""The plan's API tokens page (coordinator only): create a token (shown once), revoke one, and see the
receiver URLs and the plan's alert routes. Session-authenticated and CSRF-protected, like every page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from launchcontrol.http import AuthenticatedHttpRequest, error_text
from launchcontrol.kept import refuse
from plans.models import Plan, link_days_default, link_days_max
from plans.permissions import require_coordinator
from plans.viewtools import member_plan

from .models import AlertRoute, ApiToken, Scope
from .services import token_create, token_revoke
from .throttle import rate_limit


def _page(
    request: AuthenticatedHttpRequest, plan: Plan, *, created: tuple[ApiToken, str] | None = None
) -> HttpResponse:
    api_root = request.build_absolute_uri("/api/v1/")
    context: dict[str, Any] = {
        "plan": plan,
        "tokens": ApiToken.objects.filter(plan=plan).select_related("created_by").order_by("-created_at"),
        "routes": AlertRoute.objects.filter(plan=plan).select_related("metric", "trigger", "owner_role"),
        "scopes": Scope.choices,
        "now": timezone.now(),
        "default_days": link_days_default(),
        "max_days": link_days_max(),
        "rate_limit": rate_limit(),
        "api_root": api_root,
        "plan_url": f"{api_root}plans/{plan.slug}/",
        "docs_url": reverse("api:openapi-view"),
        "created": created,
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_GET
@member_plan
def tokens(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    require_coordinator(request.user, plan)
    return _page(request, plan)


@login_required
@require_POST
@member_plan
def token_new(request: AuthenticatedHttpRequest, plan: Plan) -> HttpResponse:
    try:
        created = token_create(
            plan,
            by=request.user,
            name=request.POST.get("name", ""),
            scopes=request.POST.getlist("scopes"),
            days=request.POST.get("days"),
        )
    except ValidationError as exc:
        refuse(request, error_text(exc))
        return redirect("api_tokens:list", plan.slug)
    response = _page(request, plan, created=created)
    response["Cache-Control"] = "no-store"  # the page shows the token: never cached
    return response


@login_required
@require_POST
@member_plan
def token_end(request: AuthenticatedHttpRequest, plan: Plan, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("plan"), pk=pk, plan=plan)
    token_revoke(token, by=request.user)
    messages.success(request, f"API token “{token.name}” revoked: its next call gets 401.")
    return redirect("api_tokens:list", plan.slug)
