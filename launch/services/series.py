"""Writing recurring items and on-call rotas from a plan file (issue 16). Sections of
:data:`launch.services.creation.SECTIONS`: recurrences after the checklists, rotas after the roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from checklists.models import Item, Recurrence
from launch.format.checks import all_steps
from roles.models import Rota, Shift
from roles.rota.expand import rota_shifts

if TYPE_CHECKING:
    from launch.format.schema import PlanDoc

    from .creation import Created


def create_recurrences(doc: PlanDoc, made: Created) -> None:
    """Each ``repeat:`` on an item (the item is found by its checklist and place, as it was written)."""
    for cl in doc.checklists:
        order = 0
        for it in cl.items:
            if it.repeat is not None:
                item = Item.objects.get(plan=made.plan, checklist__name=cl.name, order=order, parent__isnull=True)
                rep = it.repeat
                Recurrence.objects.create(
                    plan=made.plan,
                    item=item,
                    every=rep.every,
                    times=list(rep.times),
                    start=rep.start,
                    until=rep.until,
                    grace=rep.grace,
                )
            order += 1 + len(it.items)


def create_step_recurrences(doc: PlanDoc, made: Created) -> None:
    """Each ``repeat:`` on a step (after the steps: the step is found by its name)."""
    for _, s in all_steps(doc):
        if s.repeat is not None:
            rep = s.repeat
            Recurrence.objects.create(
                plan=made.plan,
                step=made.steps[s.name],
                every=rep.every,
                times=list(rep.times),
                start=rep.start,
                until=rep.until,
                grace=rep.grace,
            )


def create_rotas(doc: PlanDoc, made: Created) -> None:
    """A role's ``rota:`` (kept, and written out as shifts) or its explicit ``shifts:``."""
    names = {u for r in doc.roles if r.rota for u in (*r.rota.people, *r.rota.backups)}
    names |= {u for r in doc.roles for s in r.shifts for u in (s.person, s.backup) if u}
    if not names:
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    shifts: list[Shift] = []
    for r in doc.roles:
        role = made.roles[r.name]
        if r.rota is not None:
            rota = r.rota
            Rota.objects.create(
                plan=made.plan,
                role=role,
                start=rota.start,
                until=rota.until,
                length=rota.shift,
                people=list(rota.people),
                backups=list(rota.backups),
            )
            specs = rota_shifts(
                start=rota.start, until=rota.until, length=rota.shift, people=rota.people, backups=rota.backups
            )
            shifts += [
                Shift(
                    plan=made.plan,
                    role=role,
                    start=s.start,
                    end=s.end,
                    person=users.get(s.person),
                    backup=users.get(s.backup or ""),
                )
                for s in specs
            ]
        shifts += [
            Shift(
                plan=made.plan,
                role=role,
                start=s.start,
                end=s.until,
                person=users.get(s.person),
                backup=users.get(s.backup or ""),
            )
            for s in r.shifts
        ]
    Shift.objects.bulk_create(shifts)
