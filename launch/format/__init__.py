"""Plans as code: the YAML plan format (docs/plan-format.md), its importer, exporter and built-in templates.

Entry points::

    from launch.format import builtin_templates, template_text, normalise, parse_plan_text
    from launch.services.importer import import_plan_text, import_plan_file
    from launch.format.exporter import export_plan
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import Parsed, PlanFormatError, Problem, parse_plan_text
from .schema import PlanDoc

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "builtin"

__all__ = [
    "BUILTIN_DIR",
    "Parsed",
    "PlanDoc",
    "PlanFormatError",
    "Problem",
    "Template",
    "builtin_templates",
    "normalise",
    "parse_plan_text",
    "template_path",
    "template_text",
]


@dataclass(frozen=True)
class Template:
    key: str  # file stem: "heypeter-academy-lms"
    name: str  # the plan name inside
    summary: str
    timezone: str | None
    path: Path


def builtin_templates() -> list[Template]:
    """The built-in plan templates shipped in ``launch/builtin/``, by key."""
    out = []
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        doc = parse_plan_text(path.read_text(encoding="utf-8"), str(path)).doc
        out.append(Template(key=path.stem, name=doc.name, summary=doc.summary, timezone=doc.timezone, path=path))
    return out


def template_path(key: str) -> Path:
    path = BUILTIN_DIR / f"{key}.yaml"
    if "/" in key or not path.is_file():
        known = ", ".join(p.stem for p in sorted(BUILTIN_DIR.glob("*.yaml")))
        raise KeyError(f"no built-in template {key!r}; known: {known}")
    return path


def template_text(key: str) -> str:
    return template_path(key).read_text(encoding="utf-8")


def normalise(doc: PlanDoc) -> dict[str, Any]:
    """The meaning of a plan file as plain data: defaults filled in, inherited values resolved, the order
    of unordered sets (dependencies, polled roles, escalation roles, channels) made canonical, and the
    import-time settings (slug, timezone) left out. ``normalise(parse(export(import(f)))) ==
    normalise(parse(f))`` is the round-trip promise."""
    from .checks import role_slug

    data = doc.model_dump(mode="json")
    for key in ("format", "slug", "timezone"):
        data.pop(key, None)
    for r_doc, r in zip(doc.roles, data["roles"], strict=True):
        r["slug"] = role_slug(r_doc.name, r_doc.slug)
    for g_doc, g in zip(doc.gates, data["gates"], strict=True):
        g["slug"] = role_slug(g_doc.name, g_doc.slug)
        g["polled"] = sorted(g["polled"])
    for c_doc, c in zip(doc.checklists, data["checklists"], strict=True):
        for it_doc, it in zip(c_doc.items, c["items"], strict=True):
            if "role" not in it_doc.model_fields_set:
                it["role"] = c_doc.role
    for step in [s for p in data["phases"] for s in p["steps"]] + data["steps"]:
        step["depends_on"] = sorted(step["depends_on"])
        step["after"] = sorted(step["after"])
    for e in data["escalation"]:
        e["roles"] = sorted(e["roles"])
    for m in data["messages"]:
        m["channels"] = sorted(m["channels"])
    data["escalation"].sort(key=lambda e: e["level"])
    return data
