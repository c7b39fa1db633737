"""Issue 16 item 1: seeded SIGKILLs during import, dedupe, screening and coding lose nothing acknowledged.

200 kills on SQLite and 40 on PostgreSQL per run (see tests/reliability/crash.py).
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.reliability.crash import KillReport, check_store, run_harness, seed_project

MODES = ("import", "screen", "code", "dedupe")


def test_200_sigkills_lose_no_acknowledged_work_sqlite(tmp_path):
    location = str(tmp_path / "p.db")
    seed_project(location, tmp_path)
    result = run_harness(location, tmp_path, modes=MODES, kills=200, seed=16)
    assert result["kills"] == 200
    assert result["problem_list"] == []
    assert result["acknowledged"] == result["found_after_recovery"]
    # the kills landed in the middle of real work, not only at start-up
    assert result["by_kind"].get("decision", 0) > 50 and result["by_kind"].get("coding", 0) > 50
    assert result["by_kind"].get("import", 0) > 5


@pytest.mark.postgres
def test_40_sigkills_lose_no_acknowledged_work_postgres(project_location, tmp_path):
    if "://" not in project_location:
        pytest.skip("the SQLite variant runs 200 kills above")
    seed_project(project_location, tmp_path)
    result = run_harness(project_location, tmp_path, modes=MODES, kills=40, seed=17)
    assert result["problem_list"] == [] and result["kills"] == 40
    assert result["acknowledged"] == result["found_after_recovery"] > 0


def test_the_checker_notices_a_lost_decision_and_a_half_import(tmp_path):
    location = str(tmp_path / "p.db")
    seed_project(location, tmp_path)
    with sqlite3.connect(location) as connection:
        decision = connection.execute("SELECT MAX(id) FROM screening_decisions").fetchone()[0]
        connection.execute("DELETE FROM screening_decisions WHERE id = ?", (decision,))
        connection.execute("DELETE FROM records WHERE id = (SELECT MAX(id) FROM records)")
    report = KillReport(acknowledged={"decision": {str(decision)}})
    problems = check_store(location, report)
    assert any("acknowledged decision(s) lost" in p for p in problems)
    assert any("half-visible import" in p for p in problems)
