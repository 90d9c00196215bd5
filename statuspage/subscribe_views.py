"""The public subscription pages: ask (the form on the status page posts here), confirm, unsubscribe.

No sign-in and no CSRF token: the status page is one cached rendering shared by every viewer, so its form
cannot carry a per-visitor token, and the signed link is what authorises a confirm or an unsubscribe
(RFC 8058: a mail provider's one-click POST carries no cookie). A GET never changes anything (a mail
scanner that follows links confirms and unsubscribes nobody): it shows a button that posts. Answers are
never cached and never tell whether an address is known."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from communications.selectors import public_plan
from launchcontrol.clientip import client_address
from launchcontrol.http import error_text
from plans.models import Plan

from . import throttle, tokens
from .models import Component, Subscriber, SubscriberState
from .services import subscribers


class SubscribeForm(forms.Form):
    email = forms.CharField(max_length=254)
    url = forms.CharField(max_length=2000, required=False)
    website = forms.CharField(max_length=200, required=False)  # a trap for bots: hidden from people


def _page(request: HttpRequest, plan: Plan, template: str, status: int = 200, **ctx: object) -> HttpResponse:
    ctx.update(plan=plan, page_url=request.build_absolute_uri(reverse("statuspage:page", args=[plan.slug])))
    if template == "subscribe.html":  # the form lists the components (the confirm and unsubscribe pages do not)
        ctx["components"] = list(Component.objects.filter(plan=plan).order_by("order", "id"))
    response = render(request, f"statuspage/{template}", ctx, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the links carry tokens
    return response


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest, plan: str) -> HttpResponse:
    """The subscribe form (GET), and asking for updates (POST): always the same answer once the input is
    valid, so nobody learns whether an address is subscribed."""
    obj = public_plan(plan)
    if request.method != "POST":
        return _page(request, obj, "subscribe.html", form=SubscribeForm())
    if not throttle.client_allowed(obj.slug, client_address(request)):
        return _page(request, obj, "subscribe.html", 429, form=SubscribeForm(), limited=True)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _page(request, obj, "subscribe.html", 400, form=form, error="Enter a valid email address.")
    data = form.cleaned_data
    chosen = request.POST.getlist("component")[:201]
    if data["website"]:  # a bot filled the hidden field: answer as if done, do nothing
        return _page(request, obj, "subscribe.html", sent=True)
    try:
        subscribers.subscriber_request(
            obj, email=data["email"], url=data["url"], client=client_address(request), components=chosen
        )
    except ValidationError as exc:
        return _page(request, obj, "subscribe.html", 400, form=form, error=error_text(exc), chosen=chosen)
    return _page(request, obj, "subscribe.html", sent=True, webhook=bool(data["url"]))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, plan: str, token: str) -> HttpResponse:
    """A confirmation link: GET asks to press Confirm, POST starts the subscription."""
    obj = public_plan(plan)
    found = tokens.read_confirm(token)
    if found is None:
        return _page(request, obj, "confirm.html", 404, invalid=True)
    if request.method != "POST":  # what is being confirmed: the components chosen, if any
        pending = Subscriber.objects.filter(plan=obj, code=found.code, nonce=found.nonce).first()
        if pending is None or pending.state not in (SubscriberState.PENDING, SubscriberState.CONFIRMED):
            return _page(request, obj, "confirm.html", 404, invalid=True)  # another page's link, or gone
        if pending.state == SubscriberState.CONFIRMED:  # the link opened again: nothing to press
            return _subscribed(request, obj, pending)
        return _page(request, obj, "confirm.html", token=token, about=list(pending.components.all()))
    sub = subscribers.subscriber_confirm(obj, token)
    if sub is None:
        return _page(request, obj, "confirm.html", 404, invalid=True)
    return _subscribed(request, obj, sub)


def _subscribed(request: HttpRequest, plan: Plan, sub: Subscriber) -> HttpResponse:
    """The confirmation page of an active subscription, with its unsubscribe link."""
    return _page(request, plan, "confirm.html", done=True, sub=sub, unsubscribe=tokens.unsubscribe_token(sub.code))


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, plan: str, token: str) -> HttpResponse:
    """RFC 8058's one-click link: a POST (``List-Unsubscribe=One-Click`` from a mail provider, or the
    button) unsubscribes with no sign-in and no CSRF token; a GET shows the button."""
    obj = public_plan(plan)
    code = tokens.read_unsubscribe(token)
    if code is None:
        return _page(request, obj, "unsubscribe.html", 404, invalid=True)
    if request.method != "POST":
        known = Subscriber.objects.filter(plan=obj, code=code).values_list("state", flat=True).first()
        return _page(request, obj, "unsubscribe.html", token=token, already=known == "unsubscribed")
    if subscribers.subscriber_unsubscribe(obj, token) is None:
        return _page(request, obj, "unsubscribe.html", 404, invalid=True)
    return _page(request, obj, "unsubscribe.html", done=True)
