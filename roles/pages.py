"""Where a form posted from a role's page goes back to: the page's slug, checked to be one of the plan's roles
(or the page of unowned work) before it is trusted. Anything else (a forged value, markup, a NUL character the
database would refuse) is no page: the caller sends the user somewhere safe instead."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .models import UNOWNED_SLUG, Role

if TYPE_CHECKING:
    from plans.models import Plan

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")  # a SlugField of 80


def role_page_slug(plan: Plan, text: str | None) -> str | None:
    """``text`` if it names a role page of ``plan`` (one query), else None."""
    if not text or not _SLUG.fullmatch(text):
        return None
    if text == UNOWNED_SLUG or Role.objects.filter(plan=plan, slug=text).exists():
        return text
    return None
