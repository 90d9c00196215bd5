"""A big launch for the layout tests (the exploratory tester's "big plan", made compact): 15 roles with long
names, 60 chained steps of 20 minutes from T-6h (the forecast misses its gates), 20 gates, 180 items mostly
late, and 30 open issues with long titles (or ``issues``). Imported from plan-format YAML, as a real team would. With
``missed``, each gate's criterion names a step: the steps run from T-6h to T+14h and the gates are due from
T-20h to T-1h, so the forecast flags fifteen deadlines missed (without, no step has a deadline)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import yaml
from django.utils import timezone

from issues.services import issue_open
from launch.services.importer import import_plan_text
from roles.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from plans.models import Plan

AREAS = "Database Administration,Platform Engineering,Quality Assurance,Customer Support,Network Operations,"
AREAS += "Security Operations,Payments Integration,Mobile Release,Data Warehouse,Identity and Access,Observability,"
AREAS += "Frontend Web,Partner Relations,Legal and Compliance,Communications"


def big_plan_doc(username: str, *, missed: bool = False) -> dict[str, Any]:
    roles = [{"name": f"Role {i + 1:02d} {a}", "primary": username} for i, a in enumerate(AREAS.split(","))]
    names = [r["name"] for r in roles]
    steps: list[dict[str, Any]] = []
    for n in range(60):
        step: dict[str, Any] = {"name": f"Step {n + 1:02d} migrate subsystem {n + 1} with a descriptive long name"}
        step |= {"lead": names[n % 15], "duration": "20m"}
        step |= {"at": "T-6h"} if n == 0 else {"after": [steps[-1]["name"]]}
        steps.append(step)
    phases: list[dict[str, Any]] = [
        {"name": f"Phase {p + 1}", "start": f"T-{8 - 2 * p}h", "end": f"T-{6 - 2 * p}h" if p < 3 else "T+2h"}
        for p in range(4)
    ]
    for p, phase in enumerate(phases):
        phase["steps"] = steps[p * 15 : (p + 1) * 15]
    gates = [
        {
            "name": f"Gate {g + 1:02d} readiness check",
            "at": f"T-{20 - g}h",
            "authority": names[g % 15],
            "polled": [names[(g + k) % 15] for k in range(6)],
        }
        for g in range(20)
    ]
    checklists = [
        {
            "name": f"{name} checklist",
            "role": name,
            "items": [
                {
                    "title": f"Item {r}.{j}: verify replication, backups and DNS for {name}",
                    "due": f"T-{j + 1}h",
                    **({"gate": gates[(r + j) % 20]["name"]} if j == 0 else {}),
                    **({"step": steps[r * 4]["name"]} if j == 0 and missed else {}),
                }
                for j in range(12)
            ],
        }
        for r, name in enumerate(names)
    ]
    return {
        "format": 1,
        "name": "Big scale launch",
        "roles": roles,
        "phases": phases,
        "gates": gates,
        "checklists": checklists,
        "severity_slas": [{"severity": "critical", "response": "15m"}],
    }


def big_plan(coordinator: User, *, missed: bool = False, issues: int = 30) -> Plan:
    t0 = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    text = yaml.safe_dump(big_plan_doc(coordinator.get_username(), missed=missed), sort_keys=False)
    plan = import_plan_text(text, t0=t0, tz="Europe/London", slug="big", coordinator=coordinator, by=coordinator)
    roles = list(Role.objects.filter(plan=plan).order_by("name"))
    for i in range(issues):
        title = f"Issue {i + 1}: checkout latency spike in region eu-west-{i % 4} affecting payments"
        severity = ["critical", "high", "medium", "low"][i % 4]
        issue_open(plan, by=coordinator, title=title, severity=severity, owner_role=roles[i % 15])
    return plan
