"""What moves the status page by itself. The apps below (the core's rollback triggers, issues, the api's
alert receipts) know nothing of it: it listens to their saves, inside the transaction of the write that
caused them, and writes through :mod:`statuspage.services`.

- A rollback trigger raised or cleared: the components that name it (``triggers:``) move to their
  ``on_trigger`` state and back; an alarm also prepares a draft incident for the comms role.
- An alert receipt firing or resolved: the components that name its alertname (``alerts:``) likewise.
- A critical issue opened: a draft incident for the comms role (its internal title and text never reach
  the draft: the draft says only what customers may read).
- Any event of a plan (every service write records one): the public pages' cached revision moves on
  commit (:func:`statuspage.cache.stale`), and so does a status post's.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from plans.models import Event, RollbackTrigger

from .states import ComponentStatus, worst


def _auto_status(component: Any) -> str:
    states = []
    if any(t.raised_at is not None for t in component.triggers.all()):
        states.append(component.on_trigger)
    if component.alerts:
        receipts = apps.get_model("api", "AlertReceipt").objects
        firing = receipts.filter(
            plan_id=component.plan_id, alertname__in=component.alerts, status="firing", resolved_at__isnull=True
        )
        if firing.exists():
            states.append(component.on_alert)
    return worst(*states) if states else ComponentStatus.OPERATIONAL


def _sync(components: Any, reason: str) -> list[Any]:
    from .services import component_sync

    moved = []
    for component in components.prefetch_related("triggers"):
        if component_sync(component, auto_status=_auto_status(component), reason=reason) is not None:
            moved.append(component)
    return moved


def trigger_saved(sender: type, instance: RollbackTrigger, **kwargs: Any) -> None:
    from .drafts import draft_for_alarm
    from .models import Component

    components = Component.objects.filter(triggers=instance)
    _sync(components, "rollback trigger raised" if instance.raised_at else "rollback trigger cleared")
    if instance.raised_at is not None:
        draft_for_alarm(instance, list(components))


def receipt_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    from .models import Component

    if not instance.alertname:
        return
    named = [
        c.pk
        for c in Component.objects.filter(plan_id=instance.plan_id).only("alerts")
        if instance.alertname in c.alerts
    ]
    if not named:
        return
    _sync(Component.objects.filter(pk__in=named), f"alert {'firing' if instance.status == 'firing' else 'resolved'}")


def issue_saved(sender: type, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created and instance.severity == "critical":
        from .drafts import draft_for_issue

        draft_for_issue(instance)


def event_saved(sender: type, instance: Event, created: bool = False, **kwargs: Any) -> None:
    if created:
        from .cache import stale

        slug = instance.plan.slug
        transaction.on_commit(lambda: stale(slug))


def post_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    """A status post (the outbox publishes them without an event)."""
    from plans.signals import plan_nudged

    from .cache import stale

    slug, plan_id = instance.plan.slug, instance.plan_id

    def committed() -> None:
        stale(slug)
        plan_nudged.send(sender=None, plan_id=plan_id)  # open status pages fetch it (no revision moved)

    transaction.on_commit(committed)


def connect() -> None:
    post_save.connect(trigger_saved, sender=RollbackTrigger, dispatch_uid="statuspage.trigger")
    post_save.connect(receipt_saved, sender="api.AlertReceipt", dispatch_uid="statuspage.receipt")
    post_save.connect(issue_saved, sender="issues.Issue", dispatch_uid="statuspage.issue")
    post_save.connect(event_saved, sender=Event, dispatch_uid="statuspage.event")
    post_save.connect(post_saved, sender="communications.StatusPost", dispatch_uid="statuspage.post")
