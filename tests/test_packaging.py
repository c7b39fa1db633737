"""What a wheel ships: every data file the package reads is named in pyproject's package-data.

`make demo` installs editable, where files are read from the checkout; a plain `pip install logicmap`
gets only what the wheel holds (logicmap/coding/semantic_defaults.json was once left out).
"""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_data_file_under_the_package_is_in_package_data():
    try:
        listed = subprocess.run(["git", "ls-files", "src/logicmap"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs a git checkout to list the package's files")
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["logicmap"]
    data = [p.removeprefix("src/logicmap/") for p in listed if not p.endswith(".py") and "/" in p.removeprefix("src/logicmap/")]
    assert data, "no data files found: the listing is wrong"
    missing = [p for p in data if not any(fnmatch.fnmatch(p, pattern) and p.count("/") == pattern.count("/")
                                          for pattern in patterns)]  # setuptools' "*" stays inside a folder
    assert missing == []
