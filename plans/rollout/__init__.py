"""Rollout stages (issue 12): a plan may send its traffic in stages (10 %, 25 %, 50 %, 100 %), each with a
minimum soak and the success metrics that must hold before the named authority advances it; a rollback
trigger in breach during a stage proposes going back a stage or rolling back the launch. Models in
:mod:`plans.rollout.models` (app label ``plans``), the state in :mod:`plans.rollout.selectors`, writes in
:mod:`plans.rollout.services`, the page in :mod:`plans.rollout.views`."""
