"""Regression tests for the ten defects of issue 16, one (or more) per defect, named after it."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logicmap.api import Review, StoreError
from logicmap.safe_text import FORMULA_PREFIXES, from_spreadsheet_cell, spreadsheet_cell, terminal_text
from tests.cli.cli_helpers import invoke

HOSTILE_RIS = (
    "TY  - JOUR\nTI  - =HYPERLINK(\"http://x\",\"y\")\nAU  - +SUM(1+1)\nJO  - @journal\nPY  - 2020\nER  - \n\n"
    "TY  - JOUR\nTI  - Normal \x1b]0;pwned\x07 title \x1b[31mred\nAU  - -Doe, J\nPY  - 2021\nER  - \n"
)


def _ris(path: Path, n: int = 3, prefix: str = "Study") -> Path:
    path.write_text("".join(f"TY  - JOUR\nTI  - {prefix} {i} of peer support\nPY  - 2020\nER  - \n\n"
                            for i in range(n)), encoding="utf-8")
    return path


# 1 -------------------------------------------------------------------------------------------
@given(st.text(max_size=12))
def test_defect1_spreadsheet_guard_round_trips_every_text(text):
    cell = spreadsheet_cell(text)
    assert not str(cell).startswith(FORMULA_PREFIXES)
    assert from_spreadsheet_cell(cell) == text


def test_defect1_csv_export_neutralises_formulas_and_reads_back(tmp_path):
    project = tmp_path / "p.db"
    (tmp_path / "h.ris").write_text(HOSTILE_RIS, encoding="utf-8")
    invoke("init", project)
    invoke("import", "-p", project, tmp_path / "h.ris")
    invoke("export", "-p", project, "--format", "csv", "-o", tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'+SUM(1+1)" in text and "'@journal" in text and "'-Doe, J" in text
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), line
    again = tmp_path / "again.db"
    invoke("init", again)
    invoke("import", "-p", again, tmp_path / "out.csv")
    with Review.open(str(again)) as review:
        titles = sorted(r.title for _, r in review.records.iter())
    assert titles[0].startswith('=HYPERLINK("http://x"')


# 2 -------------------------------------------------------------------------------------------
def test_defect2_same_file_imported_twice_at_once_is_stored_once(project_location, tmp_path):
    big = _ris(tmp_path / "big.ris", n=3000)
    invoke("init", project_location)
    command = [sys.executable, "-m", "logicmap.cli", "import", "-p", project_location, str(big)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [(p.wait(timeout=300), p.stderr.read()) for p in runs]
    assert sorted(code for code, _ in outcomes) == [0, 1], outcomes
    refused = next(err for code, err in outcomes if code == 1)
    assert "already imported" in refused and "Traceback" not in refused
    with Review.open(project_location) as review:
        assert len(review.records.sources()) == 1
        assert review.records.count() == 3000


# 3 -------------------------------------------------------------------------------------------
def test_defect3_postgres_password_never_echoed():
    url = "postgresql://someone:S3cretPw@127.0.0.1:1/nowhere"
    for args in (("init", url), ("import", "-p", url, "x.ris")):
        ran = invoke(*args, check=False)
        assert ran.returncode == 1
        assert "S3cretPw" not in ran.stdout + ran.stderr
        assert "someone:***@" in ran.stderr and "Traceback" not in ran.stderr


# 4 -------------------------------------------------------------------------------------------
def test_defect4_database_locked_is_a_clear_message_and_loses_nothing(tmp_path):
    project = tmp_path / "p.db"
    invoke("init", project)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        connection = sqlite3.connect(project, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(30)
        connection.execute("ROLLBACK")
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        locked.wait(10)
        ran = invoke("import", "-p", project, _ris(tmp_path / "a.ris"), check=False,
                     env={"LOGICMAP_BUSY_TIMEOUT": "0.3"})
    finally:
        release.set()
        holder.join()
    assert ran.returncode == 1
    assert "busy" in ran.stderr and "try again" in ran.stderr and "Traceback" not in ran.stderr
    invoke("import", "-p", project, tmp_path / "a.ris")  # the retry works: nothing half-imported
    with Review.open(str(project)) as review:
        assert review.records.count() == 3


# 5 -------------------------------------------------------------------------------------------
def test_defect5_skipped_report_path_checked_before_the_import_commits(tmp_path):
    project = tmp_path / "p.db"
    invoke("init", project)
    ris = _ris(tmp_path / "a.ris")
    ran = invoke("import", "-p", project, ris, "--skipped-report", "/nonexistent/x.csv", check=False)
    assert ran.returncode == 1 and "/nonexistent" in ran.stderr
    with Review.open(str(project)) as review:
        assert review.records.count() == 0
    invoke("import", "-p", project, ris)  # not "already imported"


def test_defect5_dedupe_export_checked_before_the_run_commits(tmp_path):
    project = tmp_path / "p.db"
    invoke("init", project)
    invoke("import", "-p", project, _ris(tmp_path / "a.ris"))
    ran = invoke("dedupe", "-p", project, "--export", tmp_path, check=False)
    assert ran.returncode == 1 and "is a folder" in ran.stderr
    first = invoke("dedupe", "-p", project, "--json")
    assert '"new_records": 3' in first.stdout  # the refused run stored nothing


# 6 -------------------------------------------------------------------------------------------
def test_defect6_output_that_is_a_folder_or_a_file_is_refused_clearly(tmp_path):
    project = tmp_path / "p.db"
    invoke("init", project)
    (tmp_path / "somefile").write_text("keep me")
    ran = invoke("export", "-p", project, "--format", "ris", "-o", tmp_path, check=False)
    assert ran.returncode == 1 and "is a folder" in ran.stderr
    ran = invoke("report", "-p", project, "--out", tmp_path / "somefile", check=False)
    assert ran.returncode == 1 and "is a file" in ran.stderr
    assert (tmp_path / "somefile").read_text() == "keep me"


# 7 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["a?b.db", "50%.db", "p%41.db"])
def test_defect7_question_mark_and_percent_are_part_of_the_file_name(tmp_path, name):
    invoke("init", tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [name]


def test_defect7_existing_db_with_query_suffix_is_another_file(tmp_path):
    invoke("init", tmp_path / "p.db")
    invoke("init", f"{tmp_path / 'p.db'}?x")
    assert (tmp_path / "p.db?x").is_file()


# 8 -------------------------------------------------------------------------------------------
def test_defect8_newer_schema_is_refused_naming_its_revision(tmp_path):
    project = tmp_path / "p.db"
    invoke("init", project)
    with sqlite3.connect(project) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
    ran = invoke("export", "-p", project, "--format", "ris", "-o", "-", check=False)
    assert ran.returncode == 1 and "newer logicmap" in ran.stderr and "0099" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_defect8_non_project_sqlite_file_is_not_changed(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="not a logicmap project"):
        Review.open(str(other))
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    assert not Path(f"{other}-wal").exists()
    with sqlite3.connect(other) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_defect8_downgrade_never_deletes_records(tmp_path):
    from alembic.command import downgrade

    from logicmap.store.database import _alembic_config, database_url, make_engine
    from logicmap.store.migrations.guard import DowngradeRefused

    project = tmp_path / "p.db"
    invoke("init", project)
    invoke("import", "-p", project, _ris(tmp_path / "a.ris"))
    engine = make_engine(database_url(project))
    with engine.begin() as connection:  # 0002's downgrade once rebuilt `sources`, cascading to every record
        downgrade(_alembic_config(connection), "0001")
    with pytest.raises(DowngradeRefused, match="records"):
        with engine.begin() as connection:
            downgrade(_alembic_config(connection), "base")
    engine.dispose()
    with sqlite3.connect(project) as connection:
        assert connection.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 3
        columns = [row[1] for row in connection.execute("PRAGMA table_info(sources)")]
    assert "skipped_count" not in columns
    with Review.open(str(project)) as review:  # and upgrades again with everything there
        assert review.records.count() == 3


# 9 -------------------------------------------------------------------------------------------
def test_defect9_control_characters_never_reach_the_terminal(tmp_path):
    project = tmp_path / "p.db"
    (tmp_path / "h.ris").write_text(HOSTILE_RIS.split("\n\n")[1], encoding="utf-8")
    invoke("init", project)
    invoke("import", "-p", project, tmp_path / "h.ris")
    ran = invoke("screen", "-p", project, stdin="q\n", check=False)
    shown = ran.stdout + ran.stderr
    assert "Normal" in shown
    assert "\x1b]0;" not in shown and "\x07" not in shown and "\x1b[31mred" not in shown
    assert terminal_text("a\x1b[31mb\tc\n\x9bd") == "a[31mb\tc\nd"


# 10 ------------------------------------------------------------------------------------------
def test_defect10_mixed_utf8_and_latin1_lines_each_decode_right(tmp_path):
    project = tmp_path / "p.db"
    mixed = tmp_path / "mixed.ris"
    mixed.write_bytes(b"TY  - JOUR\nTI  - Caf\xc3\xa9 study in Z\xfcrich\nAU  - M\xfcller, A\nPY  - 2020\nER  - \n")
    invoke("init", project)
    ran = invoke("import", "-p", project, mixed)
    assert "mixes UTF-8 and Windows-1252" in ran.stderr
    with Review.open(str(project)) as review:
        (_, record), = list(review.records.iter())
    assert record.title == "Café study in Zürich"
    assert record.authors[0].startswith("Müller")


def test_defect10_xlsx_formula_without_saved_value_is_a_named_problem(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["title", "abstract", "year"])
    sheet.append(["Good title", "abstract", "2020"])
    sheet.append(['=CONCAT("a","b")', "abstract", "2021"])
    workbook.save(tmp_path / "f.xlsx")
    project = tmp_path / "p.db"
    invoke("init", project)
    ran = invoke("import", "-p", project, tmp_path / "f.xlsx", check=False)
    assert ran.returncode == 1
    assert "row 3" in ran.stderr and "formula with no saved value" in ran.stderr and "'title'" in ran.stderr
    with Review.open(str(project)) as review:
        assert review.records.count() == 0
