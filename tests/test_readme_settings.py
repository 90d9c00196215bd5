"""The README's configuration tables against the code: every environment variable the code reads and every
setting it reads with ``getattr(settings, NAME, default)`` is in a table, and every name in a table is read.

The code is scanned, not imported: ``os.environ.get("X")``, ``os.environ["X"]``, ``os.getenv("X")`` and
``getattr(settings, "X", ...)``, and calls with a literal name to a helper that passes its parameter to
one of them (``envint("X", "2")`` in the settings, ``_setting("X", 30)`` in the outbox limits)."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from tests.sources import python_files

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = {"tests", "bench", "migrations", ".venv", ".var", "node_modules", ".git"}
SET_BY_THE_CODE = {"DJANGO_SETTINGS_MODULE"}  # os.environ.setdefault(...) in manage.py, wsgi, asgi, celery


def source_files() -> list[Path]:
    return python_files(ROOT, SKIPPED_DIRS)


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_os_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and _is_name(node.value, "os")


def _env_name(node: ast.AST) -> ast.expr | None:
    """The name argument of an environment read: os.environ.get(N), os.getenv(N), os.environ[N]."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value):
            return node.args[0]
        if isinstance(func, ast.Attribute) and func.attr == "getenv" and _is_name(func.value, "os"):
            return node.args[0]
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value) and isinstance(node.ctx, ast.Load):
        return node.slice
    return None


def _setting_name(node: ast.AST) -> ast.expr | None:
    """The name argument of ``getattr(settings, N, ...)``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and _is_name(node.args[0], "settings")
    ):
        return node.args[1]
    return None


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def names_read(files: list[Path]) -> tuple[set[str], set[str]]:
    """(environment variables, settings read with getattr) named anywhere in ``files``."""
    trees = [ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in files]
    env: set[str] = set()
    settings: set[str] = set()
    env_helpers: set[str] = set()
    setting_helpers: set[str] = set()
    nodes = [list(ast.walk(tree)) for tree in trees]  # walked once: each walk is most of the scan's time
    for fn in (node for walked in nodes for node in walked if isinstance(node, ast.FunctionDef)):
        params = {a.arg for a in fn.args.args}
        for node in ast.walk(fn):
            env_arg, setting_arg = _env_name(node), _setting_name(node)
            if isinstance(env_arg, ast.Name) and env_arg.id in params:
                env_helpers.add(fn.name)
            if isinstance(setting_arg, ast.Name) and setting_arg.id in params:
                setting_helpers.add(fn.name)
    for walked in nodes:
        for node in walked:
            if name := _literal(_env_name(node)):
                env.add(name)
            if name := _literal(_setting_name(node)):
                settings.add(name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
                if node.func.id in env_helpers and (name := _literal(node.args[0])):
                    env.add(name)
                if node.func.id in setting_helpers and (name := _literal(node.args[0])):
                    settings.add(name)
    return env - SET_BY_THE_CODE, settings


def readme_tables() -> dict[str, set[str]]:
    """The names in the first column of each table of the README's "Configuration" section, by the
    table's first header ("Variable", "Setting")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Configuration\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, 'README.md has no "## Configuration" section'
    tables: dict[str, set[str]] = {}
    header: str | None = None
    for line in section.group(1).splitlines():
        if not line.startswith("|"):
            header = None
            continue
        first = line.split("|")[1].strip()
        if header is None:
            header = first
            tables.setdefault(header, set())
        elif not set(first) <= set("-: "):
            tables[header].update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first))
    return tables


def test_the_scanner_finds_each_kind_of_read(tmp_path: Path) -> None:
    code = tmp_path / "sample.py"
    code.write_text(
        "import os\nfrom django.conf import settings\n"
        "A = os.environ.get('A_VAR')\nB = os.environ['B_VAR']\nC = os.getenv('C_VAR', '')\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x')\n"
        "def envint(name, default):\n    return int(os.environ.get(name, default))\n"
        "def _setting(name, default):\n    return getattr(settings, name, default)\n"
        "D = envint('D_VAR', '1')\nE = getattr(settings, 'E_SETTING', 0)\nF = _setting('F_SETTING', 1)\n"
    )
    assert names_read([code]) == ({"A_VAR", "B_VAR", "C_VAR", "D_VAR"}, {"E_SETTING", "F_SETTING"})


@functools.cache
def project_reads() -> tuple[frozenset[str], frozenset[str]]:
    """``names_read`` of the project's source, parsed once for the three tests below."""
    env, settings = names_read(source_files())
    return frozenset(env), frozenset(settings)


def test_every_environment_variable_read_is_in_the_readme() -> None:
    env, _ = project_reads()
    documented = readme_tables().get("Variable", set())
    assert env, "the scan found no environment reads: is the scanner broken?"
    missing = sorted(env - documented)
    assert not missing, f"read from the environment but not in README.md's table: {missing}"


def test_every_getattr_setting_is_in_the_readme() -> None:
    _, settings = project_reads()
    tables = readme_tables()
    documented = tables.get("Variable", set()) | tables.get("Setting", set())
    assert not settings - documented, (
        f"read with getattr(settings, ...) but not in README.md: {sorted(settings - documented)}"
    )


def test_every_name_in_the_readme_is_read() -> None:
    env, settings = project_reads()
    tables = readme_tables()
    assert not tables.get("Variable", set()) - env, "in README.md's table but never read from the environment"
    assert not tables.get("Setting", set()) - settings - env, "in README.md's settings table but never read"
