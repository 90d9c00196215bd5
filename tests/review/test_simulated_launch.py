"""A built-in plan run through a simulated launch (tests/review/launch_story.py tells the story) and every
figure of its review checked against what was recorded there, by hand-written expectations."""

from __future__ import annotations

import pytest

from review.selectors import plan_review
from tests.review.launch_story import at, simulate

pytestmark = pytest.mark.django_db


def test_smoke() -> None:
    launch = simulate()
    review = plan_review(launch.plan, now=at(13))
    print(launch.refused_go)
    for s in review.steps:
        if s.actual_start:
            print(s.name, s.planned_start, s.planned_end, s.actual_start, s.actual_finish, s.outcome)
    print(review.totals, [s.name for s in review.path])
    print(review.holds, review.decisions, review.issue_totals)
    for m in review.metrics:
        print(m.name, m.verdict, len(m.readings))
    print(review.comms)
    assert 0
