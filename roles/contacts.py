"""Who to call, read from the plan (issue 16): the plan's contacts (vendor support, emergency, press…) and
the roles with their people and their phone, e-mail and chat, as cards the board's contact panel, the
issues page's escalation rungs and the role page show. Reads only; a fixed number of queries whatever
the plan's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from .models import Contact, ContactKind, EscalationLevel, Role
from .people import deactivated

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

# The order a war room reads them in: the team first, then who to escalate to, then outside help.
KIND_ORDER = {
    "role": 0,
    ContactKind.PRIMARY: 1,
    ContactKind.ESCALATION: 2,
    ContactKind.EMERGENCY: 3,
    ContactKind.VENDOR: 4,
    ContactKind.MEDIA: 5,
    ContactKind.OTHER: 6,
}


def person_name(user: User | None) -> str:
    """A role holder's name on a card, marked when the account is deactivated (not to be called on)."""
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()) + (" (inactive)" if deactivated(user) else "")


@dataclass(frozen=True)
class ContactCard:
    """One line of a contacts panel. ``kind`` is a contact kind or ``"role"``; ``people`` the role's primary
    and backup by name (a role card), or the contact's name."""

    label: str
    kind: str
    kind_label: str
    people: tuple[str, ...] = ()
    organisation: str = ""
    role: str = ""
    phone: str = ""
    email: str = ""
    chat: str = ""
    notes: str = ""
    role_id: int | None = field(default=None, compare=False)

    @property
    def tel(self) -> str:
        """The phone number as a ``tel:`` URI body: digits and a leading +, nothing else (an empty string
        if the text holds no number, e.g. a placeholder such as ``[PHONE]``)."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        if len(digits) < 3:
            return ""
        return ("+" if self.phone.strip().startswith("+") else "") + digits

    @property
    def reachable(self) -> bool:
        return bool(self.phone or self.email or self.chat)


def role_card(role: Role) -> ContactCard:
    """The role's holders by name, those who can be called first: a deactivated primary comes after the backup
    (the board's "Who to call" showed "Dana Base (inactive)" as the one to call)."""
    holders = sorted((u for u in (role.primary, role.backup) if u is not None), key=deactivated)
    people = tuple(p for p in map(person_name, holders) if p)
    return ContactCard(
        label=role.name,
        kind="role",
        kind_label="Role",
        people=people,
        role=role.name,
        phone=role.phone,
        email=role.email,
        chat=role.chat,
        role_id=role.pk,
    )


def contact_card(contact: Contact) -> ContactCard:
    return ContactCard(
        label=contact.label,
        kind=contact.kind,
        kind_label=contact.get_kind_display(),
        people=(contact.name,) if contact.name else (),
        organisation=contact.organisation,
        role=contact.role.name if contact.role is not None else "",
        phone=contact.phone,
        email=contact.email,
        notes=contact.notes,
        role_id=contact.role_id,
    )


def plan_contacts(plan: Plan | int) -> list[ContactCard]:
    """Every contact of the plan, the team first: the roles that have a person or a way to reach them,
    then the plan's contacts by kind (in file order within a kind). Two queries."""
    pk = plan if isinstance(plan, int) else plan.pk
    roles = Role.objects.filter(plan_id=pk).select_related("primary", "backup").order_by("order", "name")
    cards = [role_card(r) for r in roles]
    cards = [c for c in cards if c.people or c.reachable]
    contacts = Contact.objects.filter(plan_id=pk).select_related("role").order_by("order", "id")
    cards += sorted((contact_card(c) for c in contacts), key=lambda c: KIND_ORDER.get(c.kind, 9))
    return cards


@dataclass
class Rung:
    level: EscalationLevel
    cards: list[ContactCard]


def escalation_ladder(plan: Plan | int) -> list[Rung]:
    """Every escalation rung (the out-of-band ones too), lowest first, each with who to call: its roles'
    cards and the plan's contacts attached to those roles. Three queries."""
    pk = plan if isinstance(plan, int) else plan.pk
    people = Role.objects.select_related("primary", "backup").order_by("order", "name")
    levels = (
        EscalationLevel.objects.filter(plan_id=pk)
        .prefetch_related(Prefetch("roles", queryset=people))
        .order_by("level")
    )
    contacts = [contact_card(c) for c in Contact.objects.filter(plan_id=pk, role__isnull=False).select_related("role")]
    ladder = []
    for level in levels:
        roles = list(level.roles.all())
        ids = {r.pk for r in roles}
        cards = [role_card(r) for r in roles] + [c for c in contacts if c.role_id in ids]
        ladder.append(Rung(level, cards))
    return ladder
