"""``logicmap demo``: the whole pipeline on the embedded demo corpus."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from logicmap.cli.common import check_output_dir, out
from logicmap.cli.dedupe import print_sources


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command()(demo)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo project and outputs.")] = Path(
        "demo-output"
    ),
) -> None:
    """Run the pipeline on the embedded demo corpus (recovery interventions).

    Example: logicmap demo --out demo-output
    """
    from logicmap.demo import run_demo

    check_output_dir(out_dir, "--out")
    out.print(f"Running the demo pipeline into {out_dir}/ ...")
    result = run_demo(out_dir)
    table = Table(title="Demo corpus imported: records per source")
    for column in ("file", "format", "database", "records", "skipped"):
        table.add_column(column, justify="right" if column in ("records", "skipped") else "left")
    total = 0
    for report in result.imports:
        for f in report.files:
            table.add_row(f.file, f.format, f.database or "-", str(f.records), str(f.skipped))
            total += f.records
    out.print(table)
    print_sources(result.duplicates)
    summary = result.dedupe
    unique = total - summary.duplicates_removed
    out.print(
        f"Dedupe: {summary.duplicates_removed} duplicates removed ({summary.clusters} clusters, "
        f"{summary.review_pairs} pairs left for review), {unique} unique records."
    )
    s = result.screening_summary
    out.print(
        f"Screening (simulated reviewer, active learning): {s['n_relevant']} of {s['n_records']} relevant; "
        f"WSS@95 {_two_places(s['wss@95'])}, recall after 10% {_two_places(s['recall@10%'])}, "
        f"95% recall after {s['records_to_95%']} records. Recall curve: {result.recall_chart}"
    )
    if result.stop is not None:
        out.print(f"Stopped after {result.stop.records_screened} records: {result.stop.words()} "
                  f"({result.stop.reason}).")
    codes = Table(title="Codes per kind (suggestions accepted by a simulated coder)")
    codes.add_column("kind")
    codes.add_column("codes", justify="right")
    for kind, count in sorted(result.code_counts.items()):
        codes.add_row(kind, str(count))
    out.print(codes)
    report = result.report_files.get("index")
    out.print(
        f"Logic model: {result.model_nodes} nodes, {result.model_edges} links from {result.included} included studies. "
        f"Report: {report}"
    )
    out.print(
        f"Demo done: {total} records -> {unique} unique -> {result.included} included -> "
        f"{result.codings} codes -> report in {report.parent if report else out_dir}."
    )
    project = result.project_path
    login = write_login(out_dir / LOGIN_FILE, demo_account(project))
    out.print(f"Serve the demo project to a review team: logicmap serve -p {project}", soft_wrap=True,
              highlight=False)
    out.print(f"Then open http://127.0.0.1:8000/ and sign in as {DEMO_USER} with the password in {login} "
              "(readable by you only; add teammates on the Settings page or with `logicmap user add`).",
              soft_wrap=True, highlight=False)


#: The demo project's owner account, made by ``logicmap demo`` so that ``logicmap serve`` can be tried at once.
DEMO_USER = "demo"
#: Where, in the demo's folder, its owner's password is written (never printed: output is no place for a secret).
LOGIN_FILE = "demo-login.txt"


def write_login(path: Path, password: str) -> Path:
    """Write the demo account's name and password to ``path``, readable and writable by its owner only."""
    path.unlink(missing_ok=True)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
        handle.write(f"user: {DEMO_USER}\npassword: {password}\n")
    return path


def demo_account(project: Path) -> str:
    """Give the fresh demo project an owner account with a new random password; returns the password.

    Not a choice of the analysis (which is seeded): a password must not be guessable from the code.
    """
    import secrets

    from logicmap.api import Review

    password = secrets.token_urlsafe(9)
    with Review.open(project) as review:
        review.accounts.add(DEMO_USER, password, admin=True, by="logicmap demo")
    return password


def _two_places(value: float) -> str:
    """``value`` to two decimals, without the ``-0.00`` that a small negative WSS would print."""
    return f"{round(value, 2) + 0.0:.2f}"
