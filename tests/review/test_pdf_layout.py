"""The go-live report's PDF keeps every word on the page: one long step name (a 200-character URL) pushed every
other column of "Steps: planned against actual" off the page, Outcome with them, and the plan's summary ran off
its right edge. Measured in WeasyPrint's own layout: every line of text ends inside the page's margins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from review.report.pdf import review_html
from review.selectors import plan_review
from tests import factories
from tests.browser.longtext import URL200, long_plan

pytestmark = pytest.mark.django_db


def _lines(html: str) -> list[list[tuple[str, float, float]]]:
    """Per page: each text box's text, its right edge and the right edge of the page's content."""
    from weasyprint import HTML

    pages = []
    for page in HTML(string=html, base_url=None).render().pages:
        box: Any = page._page_box
        right = box.margin_width() - box.margin_right
        pages.append(
            [(b.text, b.position_x + b.width, right) for b in box.descendants() if getattr(b, "text", "").strip()]
        )
    return pages


def test_a_long_step_name_leaves_every_column_on_the_page(coordinator: User) -> None:
    for username in ("dba", "qa"):
        factories.UserFactory(username=username)
    plan = long_plan(coordinator, t0=timezone.now() + timedelta(hours=2))
    pages = _lines(review_html(plan_review(plan, now=timezone.now())))

    outside = [
        (text[:40], round(end), round(right)) for page in pages for text, end, right in page if end > right + 0.5
    ]
    assert outside == []
    # The steps table is whole: its header's last column and the long step's outcome are on the step's page.
    steps = next(page for page in pages if any(text.startswith(URL200[:19]) for text, _, _ in page))
    texts = [text for text, _, _ in steps]
    assert "Outcome" in texts and "finished" in " ".join(texts)
