"""A small, complete plan file used by the format tests; its line numbers are asserted, so edit with care."""

from __future__ import annotations

SMALL = """\
format: 1
name: Small launch
summary: A plan with one of everything.
extra: {owner: ops}
roles:
  - name: Technical Lead
    responsibilities: [Go/No-Go decision authority]
    primary: null
  - name: DBA
    team: Core
    phone: "+44 20 0000 0000"
phases:
  - name: Prep
    start: T-7d
    end: T-1d
    steps:
      - name: Backup
        at: T-7d
        duration: 1h
        lead: DBA
      - name: Migrate
        at: T-2h30m
        duration: 30m
        lead: DBA
        depends_on: [Backup]
        verify: Row counts match
        rollback: Restore the backup
gates:
  - name: Go/No-Go
    at: T-1d
    authority: Technical Lead
    polled: [Technical Lead, DBA]
    triggers: [Data migration failures]
checklists:
  - name: DBA prep
    role: DBA
    items:
      - title: Backup verified
        step: Backup
        due: T-7d
      - title: Stakeholder approval received
        gate: Go/No-Go
        role: Technical Lead
        due: T-1d
      - title: Nobody's item
        role: null
        required: false
severity_slas:
  - {severity: critical, response: 15m}
escalation:
  - {level: 1, name: Technical team, after: 0, until: 15m, roles: [DBA]}
contacts:
  - {label: Stripe Support, kind: vendor}
risks:
  - {title: Database Migration, probability: low, impact: high, mitigation: [Tested on staging], owner: DBA}
metrics:
  - {name: Error rate, category: Technical, comparator: "<", target: 0.1, unit: "%"}
rollback_triggers:
  - {description: Error rate >1% for >10 minutes, metric: Error rate, comparator: ">", threshold: 1, sustained_for: 10m}
channels:
  - {name: Staff email, kind: email, target: staff@example.com}
messages:
  - {name: Hourly update, kind: status_update, channels: [Staff email], at: T+0, every: 1h, count: 4}
"""
