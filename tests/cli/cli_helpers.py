"""Running the ``logicmap`` command line in-process (fast) or as a real subprocess (smoke tests)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

from typer.testing import CliRunner

from logicmap.cli import app


@dataclass
class Ran:
    """What a command did: exit code and its two output streams (like ``subprocess.CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, stdin: str | None = None, check: bool = True, env: dict | None = None) -> Ran:
    """``logicmap ARGS`` in this process through Typer's runner; with ``check`` a non-zero exit fails.

    An exception that escapes the command (a traceback a user would see) always fails the test.
    """
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"logicmap {' '.join(map(str, args))} raised {result.exception!r}") from result.exception
    ran = Ran(result.exit_code, result.stdout, result.stderr)
    if check and ran.returncode != 0:
        raise AssertionError(f"exit {ran.returncode}\nstdout:\n{ran.stdout}\nstderr:\n{ran.stderr}")
    return ran


def run_cli(*args: str, stdin: str | None = None, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
    """``logicmap ARGS`` in a subprocess, as a user would run it (keep these few: each costs seconds)."""
    result = subprocess.run(
        [sys.executable, "-m", "logicmap.cli", *args], input=stdin, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result
