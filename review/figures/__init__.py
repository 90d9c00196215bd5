"""The review's figures: pure functions over plain values (no database, no clock), so every figure can be
checked against what was recorded. :mod:`review.selectors` reads the plan and calls them."""
