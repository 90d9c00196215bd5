"""Signing a browser context in without the login form: a session made the way ``Client.force_login`` makes
one, its cookie added to the context. The form itself is driven in a browser where it is the subject
(tests/browser/test_walkthrough.py signs its first actor in through it, tests/browser/test_csp.py loads it
under the policy; tests/test_login_throttle.py and the view tests cover the form's rules); everywhere else a
sign-in is only the way in, and through the form it costs three page loads (the login page, the POST, the
home page it redirects to): about 0.8 s of Chromium's CPU and a home-page render on the server per context,
a fifth of the browser tests' CPU."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.test import Client

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import BrowserContext


def sign_in(context: BrowserContext, base_url: str, user: User) -> None:
    """Give ``context`` a signed-in session of ``user`` on the server at ``base_url``."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])
