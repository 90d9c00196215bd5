"""Types of the shared fixtures that are not a model or a pytest/pytest-django class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from playwright.sync_api import Page


class LoginPage(Protocol):
    """The ``login_page`` fixture: ``login_page(page, user)`` signs the page in and returns it."""

    def __call__(self, pg: Page, user: User) -> Page: ...


class NewPage(Protocol):
    """A fixture that opens a fresh Playwright page (its own context) on each call."""

    def __call__(self) -> Page: ...


if TYPE_CHECKING:
    # What django.test.Client's get/post return (a stub-only class): an HttpResponse with .json(),
    # .context, .templates, .redirect_chain, .wsgi_request.
    from django.test.client import _MonkeyPatchedWSGIResponse as ClientResponse

    __all__ = ["ClientResponse", "LoginPage", "NewPage"]
