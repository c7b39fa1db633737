"""The command line on real files and a real project: in-process, with one subprocess smoke test."""

from __future__ import annotations

from cli_helpers import invoke as run
from cli_helpers import run_cli

import json
import sqlite3

import pytest

RIS = (
    "TY  - JOUR\nID  - r1\nTI  - Peer support and personal recovery\nAU  - Cook, Judith A.\n"
    "PY  - 2012\nDO  - 10.1176/appi.ps.201100125\nER  - \n\n"
    "TY  - JOUR\nID  - r2\nTI  - Recovery colleges: a pilot\nAU  - Perkins, Rachel\nPY  - 2018\nER  - \n"
)


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "review.db"
    run("init", str(path))
    return path


def test_init_import_json_and_sources(project, tmp_path):
    """The smoke test: ``logicmap`` as a user runs it, in a subprocess."""
    export = tmp_path / "pubmed.ris"
    export.write_text(RIS)
    result = run_cli("import", "--project", str(project), str(export), "--database", "PubMed", "--json")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {"files": [{"file": "pubmed.ris", "format": "ris", "records": 2, "skipped": 0}], "records": 2}
    rows = sqlite3.connect(project).execute("SELECT title, year FROM records ORDER BY id").fetchall()
    assert rows == [("Peer support and personal recovery", 2012), ("Recovery colleges: a pilot", 2018)]
    listed = json.loads(run_cli("sources", "-p", str(project), "--json").stdout)
    assert listed[0]["database"] == "PubMed" and listed[0]["records"] == 2


def test_refused_import_exits_non_zero_and_names_the_record(project, tmp_path):
    bad = tmp_path / "bad.ris"
    bad.write_text(RIS.replace("TI  - Recovery colleges: a pilot\n", ""))
    result = run("import", "-p", str(project), str(bad), "--json", check=False)
    assert result.returncode == 1
    assert "bad.ris, line 9, record 2, id r2: record has no title, abstract, DOI or PMID" in result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["records"] == 0
    assert "Traceback" not in result.stderr
    assert sqlite3.connect(project).execute("SELECT count(*) FROM records").fetchone() == (0,)


def test_skip_bad_writes_report(project, tmp_path):
    bad = tmp_path / "bad.ris"
    bad.write_text(RIS.replace("TI  - Recovery colleges: a pilot\n", ""))
    report = tmp_path / "skipped.csv"
    result = run("import", "-p", str(project), str(bad), "--skip-bad", "--skipped-report", str(report))
    assert "Skipped: bad.ris, line 9, record 2" in result.stderr
    assert "Imported 1 records from 1 file(s); 1 skipped." in result.stdout
    lines = report.read_text().splitlines()
    assert lines[0] == "file,record,line,id,field,reason" and lines[1].startswith("bad.ris,2,9,r2,")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.ris", b"", "empty.ris: file is empty"),
        ("paper.ris", b"%PDF-1.4\n1 0 obj\n<<>>\n", "paper.ris, line 1: is a PDF document, not a search export"),
    ],
)
def test_bad_files_give_one_line_errors(project, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("import", "-p", str(project), str(path), check=False)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_database_per_file_pairs_with_the_files_in_order(project, tmp_path):
    first, second, third = (tmp_path / n for n in ("embase.ris", "pubmed.ris", "mine.ris"))
    for i, path in enumerate((first, second, third)):
        path.write_text(RIS.replace("ID  - r", f"ID  - f{i}r"))
    refused = run("import", "-p", str(project), str(first), str(second), "--database", "Embase", check=False)
    assert refused.returncode == 1
    assert "1 database name for 2 files (embase.ris, pubmed.ris)" in refused.stderr
    assert "repeat --database once per file" in refused.stderr
    run("import", "-p", str(project), str(first), str(second), str(third),
        "--database", "Embase", "--database", "PubMed", "--database", "-")
    listed = json.loads(run("sources", "-p", str(project), "--json").stdout)
    assert [(s["file"], s["database"]) for s in listed] == [
        ("embase.ris", "Embase"), ("pubmed.ris", "PubMed"), ("mine.ris", None)]


def test_200_mb_file_is_refused_clearly(project, tmp_path):
    big = tmp_path / "everything.ris"
    with big.open("wb") as fh:
        fh.write(RIS.encode())
        fh.truncate(200 * 2**20)
    result = run("import", "-p", str(project), str(big), check=False)
    assert result.returncode == 1
    assert "everything.ris: file is 200.0 MB, over the 100.0 MB limit" in result.stderr
    assert "--max-size" in result.stderr


def test_reimport_refused_then_allowed_with_again(project, tmp_path):
    export = tmp_path / "a.ris"
    export.write_text(RIS)
    run("import", "-p", str(project), str(export))
    again = run("import", "-p", str(project), str(export), check=False)
    assert again.returncode == 1 and "already imported" in again.stderr
    run("import", "-p", str(project), str(export), "--again")


def test_missing_project_is_explained(tmp_path):
    result = run("import", "-p", str(tmp_path / "none.db"), str(tmp_path / "x.ris"), check=False)
    assert result.returncode == 1
    assert "no project here; create one with `logicmap init" in result.stderr


@pytest.mark.parametrize("fmt", ["ris", "csv", "bibtex"])
def test_export_round_trip(project, tmp_path, fmt):
    export = tmp_path / "in.ris"
    export.write_text(RIS)
    run("import", "-p", str(project), str(export))
    out = tmp_path / f"out.{fmt}"
    run("export", "-p", str(project), "--format", fmt, "--output", str(out))
    second = tmp_path / "second.db"
    run("init", str(second))
    summary = json.loads(run("import", "-p", str(second), str(out), "--json").stdout.splitlines()[-1])
    assert summary["records"] == 2 and summary["files"][0]["format"] == fmt
    query = "SELECT title, year, doi, authors FROM records ORDER BY position"
    assert sqlite3.connect(second).execute(query).fetchall() == sqlite3.connect(project).execute(query).fetchall()


@pytest.mark.postgres
def test_postgresql_project_from_the_command_line(tmp_path):
    """The same commands on a PostgreSQL database given by URL (CI starts a server)."""
    import os

    from tests.support import PG_URL_VAR, fresh_postgres_database

    if not os.environ.get(PG_URL_VAR):
        pytest.skip(f"needs {PG_URL_VAR} (set by .ci/run)")
    url, drop = fresh_postgres_database()
    try:
        run("init", "--db", url)
        export = tmp_path / "pubmed.ris"
        export.write_text(RIS)
        summary = json.loads(run("import", "-p", url, str(export), "--json").stdout.strip().splitlines()[-1])
        assert summary["records"] == 2
        assert json.loads(run("sources", "-p", url, "--json").stdout)[0]["records"] == 2
        out = tmp_path / "out.csv"
        run("export", "-p", url, "--format", "csv", "--output", str(out))
        assert out.read_text().count("\n") == 3
        assert run("init", "--db", url, check=False).returncode == 1
    finally:
        drop()
