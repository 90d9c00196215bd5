"""Every write goes through a service: a scan of the source (ast) for direct model writes outside the
modules allowed to make them. A new `.save()`, `.delete()`, `Model.objects.create(...)`, `qs.update(...)`
etc. elsewhere fails here with its file:line; move it into a service function (or, with a reason, into
ALLOWED below)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["launch", "warroom", "review", "communications", "checklists", "issues", "plans", "roles", "launchcontrol"]

# Methods that write whatever they are called on (a model instance or a queryset).
WRITE_METHODS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# Methods that write when called on a manager or a queryset (`Model.objects.create`, `qs.update(...)`);
# `dict.update`/`set.update` are told apart by what they are called on (see `_is_queryset_write`).
QUERYSET_WRITES = {"create", "update"}

# Modules allowed to write, beyond */services.py, */services/, migrations and tests; each with its reason.
ALLOWED: dict[str, str] = {
    "communications/outbox/": "the outbox claims, sends and marks deliveries (its own write path)",
    "communications/tasks.py": "Celery entry points into the outbox",
    "communications/channels.py": "the status-page channel's idempotent post, inside the outbox's send",
    "communications/ical.py": "calendar-feed tokens: feed_create is a service (permission, atomic, event) kept "
    "beside the token code (feed_revoke is plans.services.link_revoke); feed_for stamps last use",
    "plans/screens.py": "a screen grant per signed-in session (a token row, not launch state)",
    "plans/timing.py": "the offset registry's bulk move, called only from plans.services (hold, rebaseline)",
}


def _allowed(rel: str) -> bool:
    parts = rel.split("/")
    return (
        rel in ALLOWED
        or any(rel.startswith(package) for package in ALLOWED if package.endswith("/"))
        or parts[-1] == "services.py"
        or "services" in parts[:-1]
        or "migrations" in parts
        or parts[0] == "tests"
    )


def _is_queryset_write(call: ast.Call) -> bool:
    func = call.func
    assert isinstance(func, ast.Attribute)
    target = func.value
    # Model.objects.create(...), Model.objects.filter(...).update(...), qs.filter(...).update(...),
    # Model._default_manager..., self.model.objects...
    text = ast.unparse(target)
    if ".objects" in text or "_default_manager" in text or text.endswith("objects"):
        return True
    if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute):
        return target.func.attr in {"filter", "exclude", "all", "select_for_update", "order_by", "select_related"}
    return False


def _not_a_write(call: ast.Call) -> bool:
    """`form.save(commit=False)` builds objects without saving; `cache.delete(key)` is the cache."""
    assert isinstance(call.func, ast.Attribute)
    no_commit = any(
        k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords
    )
    return no_commit or ast.unparse(call.func.value).split(".")[-1] == "cache"


def direct_writes(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(), filename=rel)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if _not_a_write(node):
            continue
        if name in WRITE_METHODS or (name in QUERYSET_WRITES and _is_queryset_write(node)):
            found.append(f"{rel}:{node.lineno}: {ast.unparse(node.func)}(...)")
    return found


def source_files() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app).rglob("*.py") if not _allowed(p.relative_to(ROOT).as_posix()))


def test_no_direct_write_outside_services() -> None:
    writes = [w for path in source_files() for w in direct_writes(path)]
    assert not writes, "Direct writes outside a service (move them into one):\n" + "\n".join(writes)


def test_the_scan_finds_each_kind_of_write(tmp_path: Path) -> None:
    sample = ROOT / "plans" / "_write_paths_probe.py"
    sample.write_text(
        "def f(plan, qs, d):\n"
        "    plan.save()\n"
        "    plan.delete()\n"
        "    Plan.objects.create(name='x')\n"
        "    Plan.objects.filter(pk=1).update(name='y')\n"
        "    Plan.objects.bulk_create([])\n"
        "    Plan.objects.get_or_create(slug='z')\n"
        "    Plan.objects.update_or_create(slug='z')\n"
        "    Plan.objects.bulk_update([], ['name'])\n"
        "    d.update({'a': 1})\n"
        "    formset.save(commit=False)\n"
        "    cache.delete('k')\n"
    )
    try:
        found = direct_writes(sample)
    finally:
        sample.unlink()
    assert [w.split(": ")[0] for w in found] == [f"plans/_write_paths_probe.py:{n}" for n in range(2, 10)]


def test_the_allowed_modules_are_the_services_and_the_list() -> None:
    assert _allowed("plans/services.py") and _allowed("launch/services/importer.py")
    assert _allowed("plans/migrations/0001_initial.py") and _allowed("communications/outbox/sending.py")
    assert _allowed("checklists/services/items.py")
    assert not _allowed("plans/views.py") and not _allowed("plans/admin/scope.py")
    assert not _allowed("checklists/admin.py")
