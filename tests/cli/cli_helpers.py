"""Running the ``logicmap`` command line as a real subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str, stdin: str | None = None, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
    """``logicmap ARGS`` in a subprocess; with ``check`` a non-zero exit fails with its output."""
    result = subprocess.run(
        [sys.executable, "-m", "logicmap.cli", *args], input=stdin, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result
