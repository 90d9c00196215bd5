"""Statuspage's vocabulary: component states, incident and maintenance stages, impacts and the page
indicator, with the words a customer reads and the order of how bad each is."""

from __future__ import annotations

from django.db import models


class ComponentStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    UNDER_MAINTENANCE = "under_maintenance", "Under maintenance"
    DEGRADED = "degraded_performance", "Degraded performance"
    PARTIAL = "partial_outage", "Partial outage"
    MAJOR = "major_outage", "Major outage"


#: How bad each state is (the worst wins when two things say different states).
SEVERITY: dict[str, int] = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 1,
    ComponentStatus.DEGRADED: 2,
    ComponentStatus.PARTIAL: 3,
    ComponentStatus.MAJOR: 4,
}


def worst(*states: str) -> str:
    return max(states, key=lambda s: SEVERITY.get(s, 0)) if states else ComponentStatus.OPERATIONAL


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"
    POSTMORTEM = "postmortem", "Postmortem"


class MaintenanceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    VERIFYING = "verifying", "Verifying"
    COMPLETED = "completed", "Completed"


UNRESOLVED = frozenset({IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING})
FINISHED = frozenset({IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM, MaintenanceStatus.COMPLETED})


class Impact(models.TextChoices):
    NONE = "none", "None"
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


IMPACT_RANK: dict[str, int] = {Impact.NONE: 0, Impact.MINOR: 1, Impact.MAJOR: 2, Impact.CRITICAL: 3}

#: A component state as the page indicator (Statuspage: degraded is minor, partial major, major critical).
COMPONENT_INDICATOR: dict[str, Impact] = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Impact.NONE,
    ComponentStatus.DEGRADED: Impact.MINOR,
    ComponentStatus.PARTIAL: Impact.MAJOR,
    ComponentStatus.MAJOR: Impact.CRITICAL,
}

#: Statuspage's descriptions of the page indicator.
INDICATOR_DESCRIPTION: dict[str, str] = {
    Impact.NONE: "All Systems Operational",
    Impact.MINOR: "Minor Service Outage",
    Impact.MAJOR: "Partial System Outage",
    Impact.CRITICAL: "Major Service Outage",
}
MAINTENANCE_DESCRIPTION = "Service Under Maintenance"


#: The maintenance's three moments, as the public page shows them (``selectors.maintenance_status``): the
#: window opens (in progress), it closes while the launch is not done yet (verifying), the launch is done
#: (completed): (status, the subject's words, the automatic update's text; Statuspage's own for the first
#: and the last).
MOMENTS = {
    0: (MaintenanceStatus.IN_PROGRESS, "Scheduled maintenance in progress", "Scheduled maintenance is currently "
        "in progress. We will provide updates as necessary."),
    1: (MaintenanceStatus.VERIFYING, "Scheduled maintenance verifying", "The maintenance window has ended. We "
        "are verifying the results and will post again when it is complete."),
    2: (MaintenanceStatus.COMPLETED, "Scheduled maintenance completed", "The scheduled maintenance has been "
        "completed."),
}  # fmt: skip
