"""Pages never 500 on a plan whose dates are out of range.

New input cannot put a date out of range (plans.validators bounds T-0 and every offset), but a plan
saved before those bounds may hold one. Its pages answer 409 with what is wrong and, for its
coordinator, the form that moves T-0 back (plans.views.out_of_range_response):

- ``DatesOutOfRange``: the plan's T-0 is outside 2000-2100 (raised by ``plan_for``, the kiosk and the
  public status page before anything is computed);
- ``OverflowError``: an out-of-range offset made a date calculation overflow somewhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .selectors import DatesOutOfRange

log = logging.getLogger(__name__)


class DatesOutOfRangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from .views import out_of_range_response

        if isinstance(exception, DatesOutOfRange):
            return out_of_range_response(request, exception.plan)
        if isinstance(exception, OverflowError):
            log.warning("date out of range on %s: %s", request.path, exception)
            return out_of_range_response(request, None)
        return None
