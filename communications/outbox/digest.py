"""One message per person per tick: the reminders that come due for one person in one tick go out as one
email listing each thing with a deep link to its row (not eight OVERDUE emails each linking to the plan).

The first reminder of the group (in due order) carries the combined text; the others are recorded as
skipped, saying which delivery carried them, so the communications page still shows every reminder and
nothing is sent twice (each keeps its own key: a second beat finds them all).
"""

from __future__ import annotations

import re
from collections import defaultdict

from plans.models import Plan

from ..models import ChannelKind, Delivery, DeliveryStatus

#: Reminders to people that may share one message (messages to channels never do).
GROUPED_KINDS = frozenset(
    {
        "item.due",
        "item.overdue",
        "step.due",
        "step.overdue",
        "step.late_start",
        "occurrence.due",
        "occurrence.overdue",
        "step_occurrence.due",
        "step_occurrence.overdue",
        "comms.failure",  # communications.sources.failures: the failures of one tick in one email
    }
)


def _link(body: str) -> str:
    last = body.rstrip().rsplit("\n", 1)[-1].strip()
    return last if last.startswith(("http://", "https://")) else ""


#: A role holder's label (communications.sources.registry.holder_email): "Dana Ray (DBA, backup)".
_HOLDER = re.compile(r" \((?P<role>[^()]+), (?P<which>primary|backup)\)$")


def _as(row: Delivery) -> str:
    """Which role a reminder reaches its person as ("as DBA", "as DBA's backup"), or "" (not a holder's)."""
    found = _HOLDER.search(row.recipient_label)
    if found is None:
        return ""
    return f"as {found['role']}" + ("'s backup" if found["which"] == "backup" else "")


def _line(plan: Plan, row: Delivery, role: str) -> str:
    subject = row.subject.removeprefix(f"[{plan.name}] ")
    link = _link(row.body)
    return f"- {subject}" + (f" ({role})" if role else "") + (f"\n  {link}" if link else "")


def _is_late_notice(row: Delivery) -> bool:
    return row.source_kind.endswith((".overdue", ".late_start"))


def group_rows(plan: Plan, rows: list[Delivery]) -> list[Delivery]:
    """Fold what is due for one person (same recipient and address) in this tick into one delivery."""
    groups: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
    for row in rows:
        if (
            row.source_kind in GROUPED_KINDS
            and row.status == DeliveryStatus.PENDING
            and row.channel_kind == ChannelKind.EMAIL
        ):
            person = ":".join(row.recipient.split(":")[:2])  # user:<pk>, without a rung or occurrence suffix
            groups[(person, row.address)].append(row)
    for members in groups.values():
        if len(members) < 2:
            continue
        # (kind, source, recipient): an occurrence's number is in its recipient (communications.sources.oncall)
        late = {(m.source_kind.split(".")[0], m.source_id, m.recipient) for m in members if _is_late_notice(m)}
        for m in members:  # "due at 10:00" next to "OVERDUE since 10:00" for the same thing says nothing new
            if not _is_late_notice(m) and (m.source_kind.split(".")[0], m.source_id, m.recipient) in late:
                m.status = DeliveryStatus.SKIPPED
                m.note = "Not sent: it is already late; its overdue notice went in its place."
        members = [m for m in members if m.status == DeliveryStatus.PENDING]
        if len(members) < 2:
            continue
        # The one that carries the text is the one that matters longest (an overdue notice never expires).
        members.sort(key=lambda r: (r.expires_at is not None, r.due_at, r.source_kind, r.source_id))
        lead, rest = members[0], members[1:]
        overdue = sum(1 for m in members if _is_late_notice(m))
        need, behind = f"{len(members)} things need you", f", {overdue} overdue" if overdue else ""
        what = need + behind
        # Someone with two roles (DBA, and DevOps's backup) is told which each thing is theirs as; with one
        # role, the heading says it once.
        roles = {_as(m) for m in members}
        one = roles.pop() if len(roles) == 1 else ""
        lines = [_line(plan, m, "" if one else _as(m)) for m in members]
        lead.subject = f"[{plan.name}] {what}"[:300]
        lead.body = need + (f" {one}" if one else "") + behind + ":\n\n" + "\n".join(lines)
        lead.label = f"{what} (one message)"[:300]
        for m in rest:
            m.status = DeliveryStatus.SKIPPED
            m.note = f"Sent in one message with the others due for {lead.recipient_label} at this time."[:300]
    return rows
