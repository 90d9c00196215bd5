"""An activity-log kind in words: ``metric.reading`` reads "Metric reading" on the page. The dotted kind
stays the key (filters, the API, exports); people see the label."""

from __future__ import annotations

from django import template

register = template.Library()

KIND_LABELS = {
    "admin.changed": "Changed in the admin",
    "admin.deleted": "Deleted in the admin",
    "calendar.created": "Calendar feed made",
    "calendar.revoked": "Calendar feed revoked",
    "comms.approved": "Message approved",
    "comms.failed": "Message failed",
    "comms.posted_by_hand": "Posted by hand",
    "comms.send_now": "Message sent by hand",
    "comms.skipped": "Message skipped",
    "comms.status_post": "Status page update",
    "comms.unposted_by_hand": "Posted by hand: mark undone",
    "gate.decided": "Gate decided",
    "gate.overridden": "Gate overridden",
    "gate.poll_opened": "Gate poll opened",
    "gate.voted": "Gate vote",
    "hold.ended": "Hold ended",
    "hold.started": "Hold started",
    "issue.acknowledged": "Issue acknowledged",
    "issue.escalated": "Issue escalated",
    "issue.escalation": "Issue escalation",
    "issue.opened": "Issue raised",
    "issue.resolved": "Issue resolved",
    "issue.triaged": "Issue changed (severity, role, step or risk)",
    "item.due": "Item due",
    "item.noted": "Item note",
    "item.occurrence_ticked": "Occurrence ticked",
    "item.occurrence_unticked": "Occurrence tick taken back",
    "item.overdue": "Item overdue",
    "item.ticked": "Item ticked",
    "kiosk.created": "Kiosk link made",
    "kiosk.revoked": "Kiosk link revoked",
    "metric.reading": "Metric reading",
    "metric.run_ended": "Metric back to normal (alert resolved)",
    "metric.reading_withdrawn": "Metric reading withdrawn",
    "plan.coordinator_changed": "Coordinator changed",
    "plan.imported": "Plan imported",
    "plan.launched_late": "Launched late: T-0 slipped to the launch",
    "plan.rebaselined": "Plan re-baselined",
    "plan.state": "Launch state changed",
    "rollback.breach": "Rollback trigger breached",
    "rollback.cleared": "Rollback trigger cleared",
    "rollout.advanced": "Rollout advanced",
    "rollout.launch_rolled_back": "Rollout: launch rolled back",
    "rollout.stage_rolled_back": "Rollout: back a stage",
    "step.due": "Step due",
    "step.finished": "Step finished",
    "step.occurrence_ticked": "Occurrence ticked",
    "step.occurrence_unticked": "Occurrence tick taken back",
    "step.overdue": "Step overdue",
    "step.started": "Step started",
    "trigger.cleared": "No-go trigger cleared",
    "trigger.raised": "No-go trigger raised",
}
FAMILY_LABELS = {
    "admin": "Admin",
    "calendar": "Calendar feeds",
    "comms": "Communications",
    "gate": "Gates",
    "hold": "Holds",
    "issue": "Issues",
    "item": "Checklist items",
    "kiosk": "Kiosk links",
    "metric": "Metrics",
    "plan": "The plan",
    "rollback": "Rollback triggers",
    "rollout": "Rollout stages",
    "step": "Steps",
    "trigger": "No-go triggers",
}


@register.filter
def kind_label(kind: str) -> str:
    """``item.ticked`` -> "Item ticked"; an unknown kind is spelled out from its parts."""
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    words = kind.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@register.filter
def family_label(family: str) -> str:
    """``item`` -> "Checklist items (all)"."""
    return f"{FAMILY_LABELS.get(family) or kind_label(family)} (all)"
