"""Runbook content a plan carries beyond its timed steps (issue 10): placeholders a template leaves for
the team to fill, procedures that run only when called (rollback, abort), and the rules for pulling a
discretionary rollback trigger. Models live in :mod:`plans.runbook.models` (app label ``plans``), writes
in :mod:`plans.runbook.services`."""
