"""Checks for a plan's staged rollout (``rollout:``, issue 12): the authority and the metrics it names,
stage names, and traffic that rises from stage to stage."""

from __future__ import annotations

from typing import Any

from .schema import PlanDoc

Finding = tuple[tuple[Any, ...], str]


def rollout_checks(doc: PlanDoc, steps: list[tuple[tuple[Any, ...], Any]]) -> list[Finding]:
    rollout = doc.rollout
    if rollout is None:
        return []
    found: list[Finding] = []
    if rollout.authority is not None and rollout.authority not in {r.name for r in doc.roles}:
        found.append((("rollout", "authority"), f"unknown role {rollout.authority!r}"))
    metrics = {m.name: m for m in doc.metrics}
    names: set[str] = set()
    last = 0
    for i, stage in enumerate(rollout.stages):
        loc = ("rollout", "stages", i)
        if stage.name in names:
            found.append((loc + ("name",), f"duplicate stage name {stage.name!r}"))
        names.add(stage.name)
        if stage.percent <= last:
            found.append((loc + ("percent",), f"each stage takes more traffic than the one before ({last} %)"))
        last = max(last, stage.percent)
        for j, name in enumerate(stage.metrics):
            metric = metrics.get(name)
            if metric is None:
                found.append((loc + ("metrics", j), f"unknown metric {name!r}"))
            elif metric.target is None or not metric.comparator:
                found.append((loc + ("metrics", j), f"metric {name!r} has no target to hold"))
            elif stage.metrics.index(name) != j:
                found.append((loc + ("metrics", j), f"metric {name!r} is named twice"))
    return found
