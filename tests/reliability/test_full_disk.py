"""Issue 16 item 3: a full disk and a read-only store give a clear error and no corruption.

Uses a small tmpfs (mount needs root, as in CI's container; skipped with the reason
otherwise) so the disk really fills and really turns read-only.
"""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from logicmap.api import Review
from tests.cli.cli_helpers import invoke


@pytest.fixture()
def small_disk(tmp_path):
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'})")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _ris(path: Path, n: int, tag: str) -> Path:
    path.write_text("".join(
        f"TY  - JOUR\nTI  - {tag} record {i} on peer support and hope in recovery services\n"
        f"AB  - {'Participants reported greater hope and social inclusion. ' * 12}\nPY  - 2020\nER  - \n\n"
        for i in range(n)), encoding="utf-8")
    return path


def _integrity(project: Path) -> str:
    with sqlite3.connect(f"file:{project}?mode=ro", uri=True) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def test_a_full_disk_is_a_clear_error_and_changes_nothing(small_disk, tmp_path):
    project = small_disk / "p.db"
    invoke("init", project)
    invoke("import", "-p", project, _ris(tmp_path / "small.ris", 20, "small"))
    ran = invoke("import", "-p", project, _ris(tmp_path / "big.ris", 6000, "big"), check=False)
    assert ran.returncode == 1
    assert "disk is full" in ran.stderr and "nothing was changed" in ran.stderr and "Traceback" not in ran.stderr
    assert _integrity(project) == "ok"
    with Review.open(str(project)) as review:
        assert review.records.count() == 20
        assert [s.file for s in review.records.sources()] == ["small.ris"]


def test_a_read_only_store_is_a_clear_error_and_changes_nothing(small_disk, tmp_path):
    project = small_disk / "p.db"
    invoke("init", project)
    invoke("import", "-p", project, _ris(tmp_path / "a.ris", 10, "a"))
    before = project.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    ran = invoke("import", "-p", project, _ris(tmp_path / "b.ris", 10, "b"), check=False)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr
    assert "read-only" in ran.stderr or "readonly" in ran.stderr
    assert project.read_bytes() == before
