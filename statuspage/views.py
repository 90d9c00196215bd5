"""The public status page and its machine-readable forms (no sign-in, served from the cache: see
:mod:`statuspage.cache`), and the comms role's page to manage it (sign-in)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from communications.selectors import public_plan
from plans.models import Plan

from . import api_v2
from .cache import Rendered, serve
from .feeds import history_feed
from .models import Incident
from .selectors import PublicState, public_incident, public_state

HTML = "text/html; charset=utf-8"


def _url(request: HttpRequest, slug: str) -> str:
    return request.build_absolute_uri(reverse("statuspage:page", args=[slug]))


def _html(template: str, request: HttpRequest, slug: str) -> Callable[[Plan], Rendered]:
    def render(plan: Plan) -> Rendered:  # a cache miss only: a hit reverses no URL
        state = public_state(plan)
        ctx = {"s": state, "plan": plan, "page_url": _url(request, slug), "components": state.components}
        body = render_to_string(template, ctx)
        return body.encode(), HTML, state.valid_until

    return render


@require_safe
def page(request: HttpRequest, plan: str) -> HttpResponse:
    """The public status page: components, incidents, the launch window. No sign-in, no names."""
    return serve(request, plan, "page", public_plan, _html("statuspage/page.html", request, plan))


@require_safe
def live(request: HttpRequest, plan: str) -> HttpResponse:
    """The page's live part alone, for the page's script to swap in (progressive: the page works without)."""
    return serve(request, plan, "live", public_plan, _html("statuspage/_live.html", request, plan))


@require_safe
def history(request: HttpRequest, plan: str) -> HttpResponse:
    """Every published incident and the launch window with all their updates."""
    return serve(request, plan, "history", public_plan, _html("statuspage/history.html", request, plan))


@require_safe
def incident(request: HttpRequest, plan: str, code: str) -> HttpResponse:
    """One incident (or the launch window's maintenance) with all its updates, newest first."""

    def render(obj: Plan) -> Rendered:
        state = public_state(obj)
        found = next((i for i in [*state.incidents, *state.maintenances] if i.id == code), None)
        if found is None:  # older than the page's last INCIDENT_LIMIT
            row = Incident.objects.filter(plan=obj, code=code, published_at__isnull=False, kind="incident").first()
            if row is None:
                raise Http404("No such incident.")
            found = public_incident(row)
        ctx = {"s": state, "plan": obj, "page_url": _url(request, plan), "i": found, "components": state.components}
        return render_to_string("statuspage/incident.html", ctx).encode(), HTML, state.valid_until

    return serve(request, plan, f"incident:{code}", public_plan, render)


@require_safe
def api(request: HttpRequest, plan: str, document: str) -> HttpResponse:
    """Statuspage's public v2 documents (api_v2.DOCUMENTS)."""
    if document not in api_v2.DOCUMENTS:
        raise Http404("No such document.")
    url = _url(request, plan)

    def render(obj: Plan) -> Rendered:
        state = public_state(obj)
        doc = api_v2.documents(state, url)[document]
        return json.dumps(doc, ensure_ascii=False).encode(), "application/json", state.valid_until

    response = serve(request, plan, f"api:{document}", public_plan, render)
    response["Access-Control-Allow-Origin"] = "*"  # read by widgets and aggregators from other sites
    return response


def _feed(request: HttpRequest, plan: str, *, atom: bool) -> HttpResponse:
    url = _url(request, plan)

    def render(obj: Plan) -> Rendered:
        state = public_state(obj)
        kind = "application/atom+xml" if atom else "application/rss+xml"
        return history_feed(state, url, atom=atom), f"{kind}; charset=utf-8", state.valid_until

    return serve(request, plan, "atom" if atom else "rss", public_plan, render)


@require_safe
def atom(request: HttpRequest, plan: str) -> HttpResponse:
    return _feed(request, plan, atom=True)


@require_safe
def rss(request: HttpRequest, plan: str) -> HttpResponse:
    return _feed(request, plan, atom=False)


BADGE_COLOURS = {
    "none": "#1a7f37",
    "maintenance": "#0969da",
    "minor": "#9a6700",
    "major": "#bc4c00",
    "critical": "#cf222e",
}


@require_safe
def badge(request: HttpRequest, plan: str) -> HttpResponse:
    """An SVG badge of the page's status, for a README or an intranet page."""

    def render(obj: Plan) -> Rendered:
        state: PublicState = public_state(obj)
        text = state.description
        ctx = {
            "label": "status",
            "text": text,
            "colour": BADGE_COLOURS[state.banner],
            "label_width": 50,
            "text_width": 12 + 7 * len(text),
        }
        ctx["width"] = ctx["label_width"] + ctx["text_width"]  # type: ignore[operator]
        return render_to_string("statuspage/badge.svg", ctx).encode(), "image/svg+xml", state.valid_until

    return serve(request, plan, "badge", public_plan, render)


@require_safe
@xframe_options_exempt
def widget(request: HttpRequest, plan: str) -> HttpResponse:
    """A small page to embed in an iframe on another site: the status line and a link to the page."""
    response = serve(request, plan, "widget", public_plan, _html("statuspage/widget.html", request, plan))
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'"
    )
    return response
