"""`make run`'s own database: the pages, the API and the outbox's sources work on SQLite, not only on the
PostgreSQL the rest of the suite runs on. The board, the rollout page and the API's state were a 500 there
(PostgreSQL's ARRAY_AGG and DISTINCT ON), and a raised rollback trigger never made its alarm.

One Django process of its own (no DATABASE_URL, no REDIS_URL: the embedded default), in a fresh var dir:
migrate, load the demo, open every page the demo's people use and run one outbox tick."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.contrib.auth.models import User
call_command("migrate", interactive=False, verbosity=0)
call_command("load_demo", stdout=open(os.devnull, "w"))
from plans.models import Plan, RollbackTrigger
from plans.runbook.services import rollback_trigger_raise
from communications import outbox
from communications.selectors import communications_page
from api.services import token_create

plan = Plan.objects.get(slug="demo-heypeter")
coordinator = User.objects.get(username="coordinator")
trigger = RollbackTrigger.objects.filter(plan=plan, kind="discretionary").first()
rollback_trigger_raise(trigger, by=coordinator, reason="Tried on SQLite")
outbox.tick(dispatch=lambda ids, token: None)
assert communications_page(plan)["source_errors"] == [], communications_page(plan)["source_errors"]
client = Client()
client.force_login(coordinator)
base = f"/plans/{plan.slug}/"
pages = ["/", base, base + "roles/dba/", base + "warroom/", base + "rollout/",
         base + "metrics/", base + "timeline/", base + "issues/", base + "communications/", base + "review/",
         base + "post-launch/", base + "activity/", base + "gates/go-no-go/", "/status/" + plan.slug + "/"]
bad = [(p, client.get(p).status_code) for p in pages]
bad = [b for b in bad if b[1] != 200]
_, secret = token_create(plan, by=coordinator, name="smoke", scopes=["read"])
api = client.get(f"/api/v1/plans/{plan.slug}/", HTTP_AUTHORIZATION=f"Bearer {secret}")
if api.status_code != 200:
    bad.append(("api", api.status_code))
assert not bad, bad
from plans.models import Event
from plans.selectors import event_kinds
assert event_kinds(plan) == sorted(set(Event.objects.filter(plan=plan).values_list("kind", flat=True)))
print("ok")
"""


def test_the_pages_api_and_outbox_work_on_sqlite(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER"}}
    env.update(LC_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="launchcontrol.settings", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", "import os\n" + SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
