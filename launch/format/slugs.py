"""The address (slug) of what a plan file names: a role's, a gate's, a training track's page."""

from __future__ import annotations

import re

from django.utils.text import slugify

#: What separates words in a name without a space ("Go/No-Go", "QA|Release"): a hyphen in its slug, as a space
#: is ("go-no-go"; slugify alone drops the character and joins the words: "gono-go").
_SEPARATORS = re.compile(r"[/\\|]")


def role_slug(name: str, slug: str | None, what: str = "role", number: int = 1) -> str:
    """The address of a role's (a gate's, a track's) page: its ``slug``, else one made from its name, else, for
    a name with no Latin letters or digits (``日本語チーム``, ``🔥``), ``role-3`` by its place in the file (the
    URL patterns take ASCII slugs only)."""
    return slug or slugify(_SEPARATORS.sub(" ", name))[:80] or f"{what}-{number}"
