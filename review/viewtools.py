"""What the review's and the post-launch week's form views share: a refused form in one line, and a write
through a service whose refusal (``ValidationError``) becomes the page's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from launchcontrol.http import error_text
from launchcontrol.kept import refuse

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest, HttpResponse


def refused(form: forms.Form) -> str:
    """The form's errors in one line, each after its field's label (a form-wide error as it is)."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}: " if field is not None and field.label else ""
        parts += [f"{label}{e}" for e in errors]
    return " ".join(parts)


def written(request: HttpRequest, write: Callable[[], object], done: str, page: str, slug: str) -> HttpResponse:
    """Run ``write`` (a service call); its refusal is the page's error message, else ``done``; back to ``page``.
    A ``PermissionDenied`` is not caught: it is the 403 it should be."""
    try:
        write()
    except ValidationError as exc:
        refuse(request, error_text(exc))
    else:
        messages.success(request, done)
    return redirect(page, slug)
