"""What the plan says about a role, for the top of its page (issue 16): its summary, responsibilities and
other facts (``attributes``), how to reach it, the plan's contacts attached to it, and the descriptions
of the checklists it owns. Two queries (the contacts, the checklists); none for the page of what the plan
gives to no role, which has no such text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from roles.contacts import ContactCard, contact_card, role_card
from roles.models import Contact, Role

from .models import Checklist

if TYPE_CHECKING:
    from plans.models import Plan


@dataclass
class RoleAbout:
    role: Role
    card: ContactCard
    contacts: list[ContactCard] = field(default_factory=list)
    checklists: list[Checklist] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        r = self.role
        return bool(r.summary or r.responsibilities or r.attributes or r.team or self.card.reachable)

    @property
    def parts(self) -> str:
        """The summary line of the detail: what it holds."""
        out = []
        if self.role.responsibilities:
            n = len(self.role.responsibilities)
            out.append(f"{n} responsibilit{'ies' if n != 1 else 'y'}")
        if self.role.attributes:
            out.append("facts")
        if self.card.reachable or self.contacts:
            out.append("contacts")
        if self.checklists:
            out.append(f"checklist note{'s' if len(self.checklists) != 1 else ''}")
        return " · ".join(out)


def role_about(plan: Plan, role: Role | object) -> RoleAbout | None:
    if not isinstance(role, Role):
        return None
    contacts = [contact_card(c) for c in Contact.objects.filter(plan=plan, role=role).select_related("role")]
    checklists = list(
        Checklist.objects.filter(plan=plan, role=role)
        .exclude(description="")
        .order_by("order", "id")
        .only("name", "description")
    )
    return RoleAbout(role=role, card=role_card(role), contacts=contacts, checklists=checklists)
