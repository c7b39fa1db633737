"""The package's import layering: import-linter's contracts in pyproject.toml, and the store boundary."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"

# Runs import-linter's own entry point on this checkout's pyproject.toml, without its cache.
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
)


def load_code_stats():
    """scripts/code_stats.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("code_stats", REPO / "scripts" / "code_stats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_contracts_are_kept():
    env = dict(os.environ, COLUMNS="200")  # one contract name per line in the report
    # Analyse this checkout's package, whatever logicmap the environment has installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", LINT], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    report = result.stdout + result.stderr
    broken = [line.removesuffix(" BROKEN").strip() for line in report.splitlines() if line.endswith(" BROKEN")]
    assert result.returncode == 0, (
        f"broken import contracts: {broken or '(see the report)'}\n"
        f"run `lint-imports` in the repository for details:\n{report}"
    )


def test_only_the_store_imports_sqlalchemy():
    stats = load_code_stats()
    offenders = stats.orm_importers(SRC / "logicmap")
    assert not offenders, f"modules outside logicmap/store that import sqlalchemy or the ORM tables: {offenders}"
    cores = stats.cores_importing_store(SRC / "logicmap")
    assert not cores, f"stage cores that import the store: {cores}"


def _logicmap_imports(path: Path) -> set[str]:
    """Every ``logicmap...`` module a script imports, at any depth."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("logicmap"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("logicmap"))
    return found


def test_benchmarks_and_scripts_call_only_the_library_api():
    allowed = {"logicmap.api", "logicmap.errors"}
    exceptions = {
        "scripts/cli_reference.py": {"logicmap.cli"},  # renders the CLI reference from the app
        # scores rejected variants of the unseen-codebook ranking by patching its internals (no product path)
        "benchmarks/coding_unseen_variants.py": {"logicmap.coding.semantic_features", "logicmap.coding.semantic_rank"},
    }
    offenders = {}
    for path in sorted([*(REPO / "benchmarks").glob("*.py"), *(REPO / "scripts").glob("*.py")]):
        name = path.relative_to(REPO).as_posix()
        extra = _logicmap_imports(path) - allowed - exceptions.get(name, set())
        if extra:
            offenders[name] = sorted(extra)
    assert not offenders, f"scripts importing logicmap beyond logicmap.api: {offenders}"


def test_no_test_imports_a_conftest_by_name():
    """``from conftest import`` picks whichever conftest module loaded first (tests/web has its own),
    so it passes or fails with collection order; shared helpers are imported from tests.support."""
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("*.py")
        if any(
            line.lstrip().startswith(("from conftest import", "import conftest", "from tests.conftest import"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
