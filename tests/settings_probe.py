"""The settings module as a new process reads it under a given environment (tests/test_deploy.py,
tests/test_parallel.py): one Python process for every environment, each time with only that environment and
the project's modules imported afresh (a ``manage.py shell`` per environment started Django each time,
about 3 s; the values asked for depend on the settings module alone)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import importlib, json, os, sys
exprs, envs = json.load(sys.stdin)
out = []
for env in envs:
    os.environ.clear()
    os.environ.update(env)
    for name in [m for m in sys.modules if m == "launchcontrol" or m.startswith("launchcontrol.")]:
        del sys.modules[name]
    s = importlib.import_module("launchcontrol.settings")
    out.append([eval(expr, {"s": s}) for expr in exprs])
print(json.dumps(out))
"""


def settings_under(envs: list[dict[str, str]], exprs: list[str]) -> list[list[Any]]:
    """For each environment, the value of each expression (Python, the settings module as ``s``), as JSON
    gives them back (a tuple reads as a list)."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        input=json.dumps([exprs, envs]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))
