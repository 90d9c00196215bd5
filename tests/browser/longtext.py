"""A plan written to break layouts: unbroken URLs of 200 to 300 characters in its names, notes, summary,
triggers and status texts, a 1,999-character note with no space, a long plan name; and the issues,
comments, incident and status posts that carry such text onto the other pages (tests/browser/test_long_text.py)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from communications.services import status_post
from issues.models import Issue
from issues.services import issue_comment, issue_open
from launch.services.importer import import_plan_text
from plans.models import Plan, PlanStatus
from plans.services import plan_transition
from statuspage.models import Component
from statuspage.services import incident_create, incident_update_post

PLAN_NAME = "HeyPeter Academy LMS — Production Go-Live, Phase 2 (EU region)"
URL = ("https://example.com/very/long/path?" + "x=1&" * 80)[:300]
URL200 = ("https://example.com/" + "a" * 200)[:200]
URL120 = URL200[:120]  # a role's, contact's, channel's or component's name
NOTE = "n" * 1999


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def plan_text() -> str:
    """The plan file: every free text a page shows carries a word far wider than a phone."""
    u, w, n = _q(URL), _q(URL200), _q(URL120)
    return f"""format: 1
name: {_q(PLAN_NAME)}
summary: {_q("Summary " + URL)}
roles:
  - name: Database Administrator
    slug: dba
    primary: dba
    phone: "+44 20 7946 0000"
    responsibilities:
      - {u}
  - name: {n}
    slug: long-role
    primary: qa
phases:
  - name: {w}
    start: T-7d
    end: T+1d
    description: {u}
    steps:
      - name: {w}
        at: T-1h
        duration: 1h
        lead: Database Administrator
        description: {u}
        verify: {u}
        rollback: {u}
gates:
  - name: {w}
    slug: gate
    at: T-30m
    authority: Database Administrator
    triggers:
      - {u}
checklists:
  - name: {w}
    role: Database Administrator
    items:
      - title: {w}
        due: T-30m
        notes: {u}
      - title: A note with no space
        due: T-20m
        notes: {_q(NOTE)}
contacts:
  - label: {n}
    kind: vendor
    phone: +1 555 0100
    notes: {u}
risks:
  - title: {w}
    probability: low
    impact: high
    mitigation:
      - {u}
channels:
  - name: {n}
    kind: email
    target: staff@example.com
messages:
  - name: {w}
    kind: status_update
    audience: public
    channels:
      - {n}
    at: T-1h
    subject: {w}
    body: {u}
components:
  - name: {n}
    description: {u}
"""


def long_plan(coordinator: User, *, t0: datetime) -> Plan:
    """The plan in its countdown, with a long-titled issue and comment, an incident and a status post."""
    plan = import_plan_text(plan_text(), t0=t0, tz="Europe/London", coordinator=coordinator, slug="long")
    for state in (PlanStatus.SCHEDULED, PlanStatus.COUNTDOWN):
        plan_transition(plan, to=state, by=coordinator)
    issue = issue_open(plan, by=coordinator, title=URL200, severity="high", description=URL)
    issue_comment(issue, by=coordinator, body=URL)
    component = Component.objects.filter(plan=plan).first()
    states = {component.pk: "major_outage"} if component else {}
    incident = incident_create(plan, by=coordinator, name=URL200, body=URL, component_states=states)
    incident_update_post(incident, by=coordinator, body="Update " + URL, status="identified")
    status_post(plan, by=coordinator, title=URL200, body=URL)
    return plan


def first_issue(plan: Plan) -> Issue:
    return Issue.objects.filter(plan=plan).order_by("pk").first()  # type: ignore[return-value]
