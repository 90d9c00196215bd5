"""The layers in [tool.importlinter] (pyproject.toml) hold on the tree, and `lint-imports` (run by
`make lint` and CI) fails when a module imports upward or sideways."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "launchcontrol",
    "launch",
    "api",
    "live",
    "warroom",
    "review",
    "statuspage",
    "communications",
    "checklists",
    "issues",
    "readiness",
    "plans",
    "roles",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the code and pyproject.toml, to inject a wrong import into."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_the_contracts() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_copy_keeps_them_too(tree: Path) -> None:
    # The copy is a faithful stand-in: what breaks in the tests below is the injected import alone.
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "source", "complaint"),
    [
        ("plans/upward.py", "from launch.format import builtin_templates\n", "plans is not allowed to import launch"),
        ("roles/upward.py", "import checklists.models\n", "roles is not allowed to import checklists"),
        (
            "checklists/upward.py",
            "def f():\n    from warroom import views\n",
            "checklists is not allowed to import warroom",
        ),
        ("warroom/upward.py", "import launch.services.sample\n", "warroom is not allowed to import launch"),
        (
            "checklists/upward.py",
            "import communications.models\n",
            "checklists is not allowed to import communications",
        ),
    ],
)
def test_an_upward_import_fails_the_layers(tree: Path, module: str, source: str, complaint: str) -> None:
    (tree / module).write_text(f"from __future__ import annotations\n\n{source}")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "Layers: launch > api | live > warroom" in result.stdout
    assert complaint in result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout


def test_a_sideways_import_between_features_fails(tree: Path) -> None:
    (tree / "issues" / "sideways.py").write_text("from __future__ import annotations\n\nimport checklists.selectors\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "Features: checklists and issues are independent BROKEN" in result.stdout
    assert "issues.sideways -> checklists.selectors" in result.stdout


SERVICE_MODULES = ["plans", "roles", "checklists", "issues", "communications", "review"]
SERVICE_ENTITIES = {
    "plan",
    "lesson",
    "followup",
    "hold",
    "event",
    "reading",
    "triggers",
    "trigger",
    "kiosk",
    "link",
    "item",
    "step",
    "gate",
    "vote",
    "checklist",
    "delivery",
    "message",
    "status",
    "issue",
    "issues",
    "role",
    "handoff",
}


def test_service_functions_are_named_entity_action() -> None:
    """docs/architecture.md: services are ``entity_action`` (``item_tick``, ``plan_rebaseline``); permission
    questions are ``can_*`` and refusals ``require_*``. A new ``approve_thing`` fails here."""
    wrong = []
    for app in SERVICE_MODULES:
        module = ROOT / app / "services.py"
        paths = [module] if module.exists() else sorted((ROOT / app / "services").glob("*.py"))
        assert paths, f"{app} has no services module"
        for path in paths:
            tree = ast.parse(path.read_text())
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                    head = node.name.split("_", 1)[0]
                    if head not in SERVICE_ENTITIES | {"can", "require"}:
                        wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name}")
    assert wrong == [], "\n".join(wrong)
