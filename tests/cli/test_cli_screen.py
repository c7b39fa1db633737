"""``logicmap screen``: keyboard screening stores each decision at once, with rank and reason."""

from __future__ import annotations

from cli_helpers import invoke, run_cli

import json
import sqlite3

import logicmap.api as api
from logicmap.demo import demo_data_dir


def test_screen_by_keyboard(tmp_path):
    db = tmp_path / "s.db"
    assert invoke("init", str(db)).returncode == 0
    assert invoke("import", "-p", str(db), str(demo_data_dir() / "medline-ovid.ris")).returncode == 0
    result = invoke("screen", "-p", str(db), "--reviewer", "ana", stdin="i\ne\n2\nm\nu\nx\nq\n")
    assert result.returncode == 0, result.stderr
    assert "record" in result.stdout and "stopping rule" in result.stdout
    assert "Type i, e, m, u or q." in result.stdout
    assert "2 decision(s) saved; 2/62 screened, 1 included" in result.stdout
    rows = sqlite3.connect(db).execute(
        "SELECT decision, reason, rank, undone_at IS NOT NULL FROM screening_decisions ORDER BY id"
    ).fetchall()
    assert rows[0][:3] == ("include", None, 1)
    assert rows[1][:3] == ("exclude", "intervention not recovery-oriented", 2)
    assert rows[2] == ("maybe", None, 3, 1)  # undone, kept for the audit trail
    again = invoke("screen", "-p", str(db), "--reviewer", "ana", stdin="q\n")
    assert "0 decision(s) saved; 2/62 screened" in again.stdout  # earlier decisions were kept


def test_screen_smoke_in_a_subprocess(tmp_path):
    """The one real process: the installed entry point screens and quits."""
    db = tmp_path / "s.db"
    assert run_cli("init", str(db)).returncode == 0
    assert run_cli("import", "-p", str(db), str(demo_data_dir() / "medline-ovid.ris")).returncode == 0
    result = run_cli("screen", "-p", str(db), "--reviewer", "ana", "--stage", "title_abstract", stdin="i\nq\n")
    assert "1 decision(s) saved; 1/62 screened, 1 included" in result.stdout


def test_screen_stops_when_the_rule_fires_and_the_report_states_it(tmp_path):
    """'s' is refused until the stopping rule fires; then it stops, and PRISMA counts the rest as automation."""
    from logicmap.api import Review, stopping_rules

    db = tmp_path / "s.db"
    assert invoke("init", str(db)).returncode == 0
    assert invoke("import", "-p", str(db), str(demo_data_dir() / "medline-ovid.ris")).returncode == 0
    keys = "i\ns\n" * 3 + "e\n1\ns\n" * 59  # 's' after every decision: ignored until the rule fires
    result = invoke("screen", "-p", str(db), "--reviewer", "ana", stdin=keys)
    assert result.returncode == 0, result.stderr
    assert "estimated recall " in result.stdout and "keep going" in result.stdout
    assert "Stopped: excluded by automation: " in result.stdout
    with Review.open(db) as review:
        stop = review.screening.stopped()
        counts = review.report.prisma()
        methods = review.report.methods(counts)
    default = stopping_rules.default_rule().name
    assert stop["rule"] == default and 3 < stop["screened"] < 62
    assert counts.records_screened == stop["screened"] and counts.excluded_automatic == 62 - stop["screened"]
    assert counts.records_not_screened == 0
    low, high = stop["interval"]
    assert (f"excluded by automation: {62 - stop['screened']}, stopping rule {default} at estimated recall "
            f"{stop['estimate']:.2f} [{low:.2f}, {high:.2f}]") in methods.stopping_statement


def test_a_random_sample_rule_asks_for_its_sample_then_stop_records_the_stop(tmp_path):
    """--stopping-rule qbcb: the sample's records come first, labelled; --stop is refused until the rule
    fires (changing nothing), then records the stop, and the methods section states it."""
    from logicmap.api import Review

    db = tmp_path / "s.db"
    assert invoke("init", str(db)).returncode == 0
    assert invoke("import", "-p", str(db), str(demo_data_dir() / "medline-ovid.ris")).returncode == 0
    bad = invoke("screen", "-p", str(db), "--reviewer", "ana", "--stopping-rule", "oracle", stdin="q\n", check=False)
    assert bad.returncode == 1 and "unknown stopping rule 'oracle'" in bad.stdout + bad.stderr
    # the sample (10% of 62: 7 records): 2 relevant, 5 not; then ranked screening, quitting after 6 decisions
    keys = "i\n" * 2 + "e\n1\n" * 5 + "i\n" * 3 + "e\n1\n" * 3 + "q\n"
    result = invoke("screen", "-p", str(db), "--reviewer", "ana", "--stopping-rule", "qbcb",
                    "--recall-target", "0.6", "--confidence", "0.6", stdin=keys)
    assert result.returncode == 0, result.stderr
    assert "record" in result.stdout and "random sample for the stopping rule (1 of 7)" in result.stdout
    assert "random sample for the stopping rule (7 of 7)" in result.stdout
    assert "random sample for the stopping rule (8 of" not in result.stdout
    assert "random sample for the stopping rule: 0 of 7 records screened" in result.stdout  # the reason
    assert "13 decision(s) saved; 13/62 screened, 5 included" in result.stdout
    assert "random sample for the stopping rule: 7 of 7 screened" in result.stdout
    with Review.open(db) as review:
        assert review.screening.stopping_rule().name == "qbcb_60_60"  # the project keeps its choice
    refused = invoke("screen", "-p", str(db), "--reviewer", "ana", "--stop", check=False)
    if "safe to stop" not in result.stdout.splitlines()[-1]:
        assert refused.returncode == 1 and "has not fired" in refused.stdout + refused.stderr
        with Review.open(db) as review:
            assert review.screening.stopped() is None
        more = invoke("screen", "-p", str(db), "--reviewer", "ana", stdin="e\n1\n" * 40 + "q\n")
        assert "safe to stop" in more.stdout
    stopped = invoke("screen", "-p", str(db), "--reviewer", "ana", "--stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "Stopped: excluded by automation: " in stopped.stdout and "stopping rule qbcb_60_60" in stopped.stdout
    with Review.open(db) as review:
        stop = review.screening.stopped()
        counts = review.report.prisma()
        methods = review.report.methods(counts)
    assert stop["rule"] == "qbcb_60_60" and stop["screened"] < 62 and stop["left"] == 62 - stop["screened"]
    low, high = stop["interval"]
    assert low <= stop["estimate"] <= high
    assert counts.excluded_automatic == stop["left"]
    assert (f"excluded by automation: {stop['left']}, stopping rule qbcb_60_60 at estimated recall "
            f"{stop['estimate']:.2f} [{low:.2f}, {high:.2f}]") in methods.stopping_statement
    assert "quantile binomial certification" in methods.stopping_statement


def test_screen_starts_on_tfidf_while_the_vectors_are_made(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "INTERIM_ABOVE", 0)  # the demo file's 62 texts are then "many"
    db = tmp_path / "s.db"
    assert invoke("init", str(db)).returncode == 0
    assert invoke("import", "-p", str(db), str(demo_data_dir() / "medline-ovid.ris")).returncode == 0
    result = invoke("screen", "-p", str(db), "--reviewer", "ana", stdin="i\ne\n2\nq\n")
    assert "Records are ranked by TF-IDF alone for now: " in result.stdout  # at the first record
    assert "2 decision(s) saved; 2/62 screened" in result.stdout
    switch = json.loads(setting(db, "screening.engine_switch"))
    assert switch["from"] == "TF-IDF over word 1-2 grams, class-weighted linear SVM with ASReview LAB's ELAS u4 settings (logicmap)"
    assert switch["to"].endswith("(logicmap svm-asreview-agree)")
    plain = tmp_path / "plain.db"
    assert invoke("init", str(plain)).returncode == 0
    assert invoke("import", "-p", str(plain), str(demo_data_dir() / "medline-ovid.ris")).returncode == 0
    result = invoke("screen", "-p", str(plain), "--reviewer", "ana", "--no-interim", stdin="i\nq\n")
    assert "ranked by TF-IDF alone" not in result.stdout and setting(plain, "screening.engine_switch") is None


def setting(db, key: str) -> str | None:
    row = sqlite3.connect(db).execute("SELECT value FROM project_settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None
