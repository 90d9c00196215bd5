"""The checks of the format's later sections, each in its own module, in the order they run: alert routes,
notification routes, the rollout, the status page's components and readiness (training, items, bars)."""

from __future__ import annotations

from .alert_checks import alert_route_checks
from .component_checks import component_checks
from .readiness_checks import readiness_checks
from .rollout_checks import rollout_checks
from .route_checks import route_checks

LATER_SECTION_CHECKS = (alert_route_checks, route_checks, rollout_checks, component_checks, readiness_checks)
