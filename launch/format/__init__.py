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


_builtin_cache: tuple[tuple[tuple[str, int, int], ...], tuple[Template, ...]] | None = None


def builtin_templates() -> list[Template]:
    """The built-in plan templates shipped in ``launch/builtin/``, by key. Parsing them all takes a second or
    more, so they are parsed once per process and kept while the files stay as they are (same names, sizes
    and modification times: an edited or added template is read again)."""
    global _builtin_cache
    paths = sorted(BUILTIN_DIR.glob("*.yaml"))
    stats = [p.stat() for p in paths]
    key = tuple((p.name, s.st_mtime_ns, s.st_size) for p, s in zip(paths, stats, strict=True))
    if _builtin_cache is None or _builtin_cache[0] != key:
        out = []
        for path in paths:
            doc = parse_plan_text(path.read_text(encoding="utf-8"), str(path)).doc
            out.append(Template(key=path.stem, name=doc.name, summary=doc.summary, timezone=doc.timezone, path=path))
        _builtin_cache = (key, tuple(out))
    return list(_builtin_cache[1])


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
    for i, (r_doc, r) in enumerate(zip(doc.roles, data["roles"], strict=True), start=1):
        r["slug"] = role_slug(r_doc.name, r_doc.slug, "role", i)
    for i, (g_doc, g) in enumerate(zip(doc.gates, data["gates"], strict=True), start=1):
        g["slug"] = role_slug(g_doc.name, g_doc.slug, "gate", i)
        g["polled"] = sorted(g["polled"])
    for c_doc, c in zip(doc.checklists, data["checklists"], strict=True):
        for it_doc, it in zip(c_doc.items, c["items"], strict=True):
            if "role" not in it_doc.model_fields_set:
                it["role"] = c_doc.role
            for sub_doc, sub in zip(it_doc.items, it["items"], strict=True):
                if "role" not in sub_doc.model_fields_set:
                    sub["role"] = c_doc.role
    for t in data["rollback_triggers"]:
        t["kind"] = t["kind"] or ("automatic" if t["metric"] else "discretionary")
        t["roles"] = sorted(t["roles"])
    for p in data["placeholders"]:
        p["gates"] = sorted(p["gates"])
    for stage in (data.get("rollout") or {}).get("stages", []):
        stage["metrics"] = sorted(stage["metrics"])  # a set: exported in the plan's metric order
    for phase in data["phases"]:
        phase["after"] = sorted(phase["after"])
    for step in [s for p in data["phases"] for s in p["steps"]] + data["steps"]:
        step["depends_on"] = sorted(step["depends_on"])
        step["after"] = sorted(step["after"])
    for e in data["escalation"]:
        e["roles"] = sorted(e["roles"])
    for m in data["messages"]:
        m["channels"] = sorted(m["channels"])
    data["escalation"].sort(key=lambda e: e["level"])
    return data
