"""Shared test fixtures: paths to the real data in ../shared and the MANIFEST counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS_DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"
FORMATS = SHARED / "data" / "formats"


def shared_path(relative: str) -> Path:
    """A path under ../shared/data, skipping the test when ../shared is absent."""
    path = SHARED / "data" / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/data/{relative} (shared data not present in this checkout)")
    return path


def manifest_counts() -> dict[str, int]:
    """Record counts per file from ../shared/data/formats/MANIFEST.md ({} when absent)."""
    manifest = FORMATS / "MANIFEST.md"
    if not manifest.exists():
        return {}
    counts: dict[str, int] = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 8 or not cells[1].startswith(("formats/", "dedup/")):
            continue
        match = re.match(r"(\d[\d,]*)", cells[6])
        if match:
            counts[cells[1]] = int(match.group(1).replace(",", ""))
    return counts
