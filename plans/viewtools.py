"""What the views of one plan share: the URL's ``plan`` slug resolved into the Plan, with the check that
the signed-in person may see it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.http import HttpRequest, HttpResponse

from .selectors import plan_for

View = Callable[..., HttpResponse]


@overload
def member_plan(view: View, /) -> View: ...


@overload
def member_plan(*, allow_out_of_range: bool = False) -> Callable[[View], View]: ...


def member_plan(view: View | None = None, /, *, allow_out_of_range: bool = False) -> View | Callable[[View], View]:
    """Call the view with the Plan its URL names (the ``plan`` slug) instead of the slug, as
    :func:`plans.selectors.plan_for` finds it for ``request.user``: 404 for no such plan or one they may not
    see; ``DatesOutOfRange`` (the 409 page, plans.middleware) for a plan whose dates cannot be computed,
    unless ``allow_out_of_range``. ``@member_plan`` or ``@member_plan(allow_out_of_range=True)``, below
    ``login_required`` and ``require_POST`` so that they answer first."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, plan: str, **kwargs: Any) -> HttpResponse:
            found = plan_for(request.user, plan, allow_out_of_range=allow_out_of_range)
            return view(request, *args, plan=found, **kwargs)

        return wrapper

    return decorate if view is None else decorate(view)
