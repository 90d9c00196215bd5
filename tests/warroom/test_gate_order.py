"""The gates panel's order (warroom.gates): NO-GO, polling, pending by time (no time last), passed last, the
latest decision first; the plan's order breaks ties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from checklists.models import Gate, GateStatus
from warroom.gates import by_relevance, passed


def _gate(name: str, status: str, hours: float | None = None, decided: int | None = None) -> Gate:
    return Gate(
        name=name,
        status=status,
        offset=None if hours is None else timedelta(hours=hours),
        decided_at=None if decided is None else datetime(2026, 1, 1, decided, tzinfo=UTC),
    )


def test_the_gates_that_matter_come_first() -> None:
    gates = [
        _gate("passed early", GateStatus.PASSED, -20, decided=1),
        _gate("pending untimed", GateStatus.PENDING),
        _gate("pending later", GateStatus.PENDING, -2),
        _gate("passed late", GateStatus.PASSED, -19, decided=5),
        _gate("polling", GateStatus.POLLING, -1),
        _gate("pending overdue", GateStatus.PENDING, -10),
        _gate("no-go", GateStatus.NO_GO, -3),
        _gate("pending later too", GateStatus.PENDING, -2),
    ]
    assert [g.name for g in by_relevance(gates)] == [
        "no-go",
        "polling",
        "pending overdue",
        "pending later",
        "pending later too",
        "pending untimed",
        "passed late",
        "passed early",
    ]
    assert passed(gates) == 2
