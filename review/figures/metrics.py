"""Metrics against their targets over their windows: the pure figures live in the core
(:mod:`plans.criteria`) so the board reads the same verdicts as the review."""

from __future__ import annotations

from plans.criteria import MetricRun, Reading, metric_run, window_span

__all__ = ["MetricRun", "Reading", "metric_run", "window_span"]
