"""Issue 16 item 6: `logicmap backup` / `restore` round-trip a whole project between SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import zipfile

import pytest

from logicmap.api import Review, StoreError
from tests.cli.cli_helpers import invoke

RIS = "".join(
    f"TY  - JOUR\nTI  - Peer support study {i % 12} on hope and recovery\nAU  - Smith, J\nAB  - Participants in "
    f"peer support group {i % 12} reported greater hope. Zürich “quotes” =SUM(1)\nPY  - {2000 + i % 12}\n"
    f"DO  - 10.1000/x{i % 12}\nER  - \n\n" for i in range(30))


@pytest.fixture()
def project(tmp_path):
    """A small project with every stage's rows: sources and originals, clusters, decisions, codings, a snapshot."""
    location = str(tmp_path / "source.db")
    (tmp_path / "a.ris").write_text(RIS, encoding="utf-8")
    with Review.create(location) as review:
        review.records.import_files([tmp_path / "a.ris"], database="Embase")
        review.dedupe.run()
        for number, rid in enumerate(review.screening.candidates()):
            review.screening.decide(rid, "include" if number % 2 else "exclude", reviewer="ana",
                                    reason=None if number % 2 else "other")
        for rid in review.screening.included()[:3]:
            review.coding.add(rid, "T01", reviewer="ana", quote="peer support", direction="benefit")
        review.model.save_snapshot("first")
    return location


def _pg_database(name: str) -> str:
    import psycopg

    url = os.environ["LOGICMAP_TEST_PG_URL"]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + f"/{name}"


def test_backup_restore_sqlite_round_trip_is_byte_identical(project, tmp_path):
    invoke("backup", "-p", project, tmp_path / "one.zip")
    invoke("restore", tmp_path / "one.zip", tmp_path / "restored.db")
    with Review.open(project) as original, Review.open(str(tmp_path / "restored.db")) as restored:
        assert restored.canonical_dump() == original.canonical_dump()
        assert restored.records.count() == 30 and len(restored.coding.list()) == 3
    with zipfile.ZipFile(tmp_path / "one.zip") as archive:
        names = set(archive.namelist())
    assert {"manifest.json", "tables/records.jsonl", "tables/source_files.jsonl", "tables/screening_decisions.jsonl",
            "tables/codings.jsonl", "tables/codebook_versions.jsonl", "tables/project_settings.jsonl",
            "tables/cluster_members.jsonl", "tables/model_snapshots.jsonl"} <= names


@pytest.mark.postgres
def test_backup_restore_between_sqlite_and_postgres_both_ways(project, tmp_path):
    if not os.environ.get("LOGICMAP_TEST_PG_URL"):
        pytest.skip("needs LOGICMAP_TEST_PG_URL (set by .ci/run)")
    target = _pg_database("logicmap_restore_test")
    with Review.open(project) as original:
        original.backup(tmp_path / "from-sqlite.zip")
        expected = original.canonical_dump()
    with Review.restore(tmp_path / "from-sqlite.zip", target) as on_postgres:
        assert on_postgres.canonical_dump() == expected
        on_postgres.backup(tmp_path / "from-postgres.zip")
        # ids continue after the restored rows
        new_id = on_postgres.screening.decide(on_postgres.screening.candidates()[0], "maybe", reviewer="bo")
        with sqlite3.connect(project) as connection:
            assert new_id == connection.execute("SELECT MAX(id) FROM screening_decisions").fetchone()[0] + 1
    with Review.restore(tmp_path / "from-postgres.zip", str(tmp_path / "back.db")) as back:
        assert back.canonical_dump() == expected


def test_restore_refuses_a_damaged_archive_and_leaves_nothing(project, tmp_path):
    with Review.open(project) as review:
        review.backup(tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as src, zipfile.ZipFile(tmp_path / "bad.zip", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/records.jsonl":
                data = data.replace(b"hope", b"HOPE", 1)
            dst.writestr(item, data)
    ran = invoke("restore", tmp_path / "bad.zip", tmp_path / "r.db", check=False)
    assert ran.returncode == 1 and "checksum" in ran.stderr and "Traceback" not in ran.stderr
    assert not (tmp_path / "r.db").exists()
    with pytest.raises(StoreError, match="already exists"):
        Review.restore(tmp_path / "a.zip", project)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    ran = invoke("restore", tmp_path / "junk.zip", tmp_path / "r2.db", check=False)
    assert ran.returncode == 1 and "not a readable backup" in ran.stderr
