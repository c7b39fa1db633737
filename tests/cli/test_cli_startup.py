"""The command line starts without the heavy libraries (``logicmap --help`` stays fast)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "pandas", "sklearn", "numpy", "alembic", "networkx", "logicmap.api", "logicmap.store")


def test_help_imports_no_heavy_library():
    probe = (
        "import sys; from typer.testing import CliRunner; from logicmap.cli import app; "
        "result = CliRunner().invoke(app, ['--help']); assert result.exit_code == 0, result.output; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"logicmap --help imports {loaded}"


@pytest.mark.parametrize("group", ["dedupe", "code", "codebook", "model"])
def test_group_help_imports_no_heavy_library(group):
    probe = (
        "import sys; from typer.testing import CliRunner; from logicmap.cli import app; "
        f"result = CliRunner().invoke(app, [{group!r}, '--help']); assert result.exit_code == 0, result.output; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"logicmap {group} --help imports {loaded}"
