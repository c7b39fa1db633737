"""The ``logicmap`` command line: thin wrappers over the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from logicmap.records.importer import DEFAULT_MAX_BYTES, ImportRefused, import_files
from logicmap.records.model import ImportFormatError
from logicmap.store import StoreError, create_project, open_project

app = typer.Typer(
    help="Turn a literature search into an evidence-linked logic model.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True)


def _register_subcommands() -> None:
    import logicmap.cli_code_project  # noqa: F401  (adds project commands to `code`)
    from logicmap.cli_coding import code_app, codebook_app
    from logicmap.cli_dedupe import app as dedupe_app

    app.add_typer(dedupe_app, name="dedupe")
    app.add_typer(code_app, name="code")
    app.add_typer(codebook_app, name="codebook")
    from logicmap.cli_model import model_app, report

    app.add_typer(model_app, name="model")
    app.command("report")(report)
    from logicmap.cli_screen import screen
    from logicmap.cli_screening import simulate_command

    app.command("screen")(screen)
    app.command("simulate")(simulate_command)


_register_subcommands()

ProjectOption = Annotated[
    str,
    typer.Option(
        "--project",
        "-p",
        envvar="LOGICMAP_PROJECT",
        help="Project: an SQLite file path or a postgresql:// URL.",
    ),
]


def fail(message: str, code: int = 1) -> None:
    """Print an error on stderr and exit with ``code``."""
    err.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def init(
    path: Annotated[Optional[str], typer.Argument(help="SQLite file to create (e.g. review.db).")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help="PostgreSQL URL instead of a file.")] = None,
    name: Annotated[Optional[str], typer.Option(help="Project name.")] = None,
) -> None:
    """Create a new review project.

    Example: logicmap init review.db
    """
    location = db or path
    if not location:
        fail("give a file path (logicmap init review.db) or --db postgresql://...")
    try:
        project = create_project(location, name=name)
    except StoreError as exc:
        fail(str(exc))
    project.close()
    out.print(f"Created project {location}")


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Export files to import.")],
    project: ProjectOption,
    database: Annotated[Optional[str], typer.Option(help="Database/platform searched, e.g. PubMed.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="Force a reader instead of detecting.")] = None,
    search_date: Annotated[Optional[str], typer.Option(help="Date the search was run.")] = None,
    search_string: Annotated[Optional[str], typer.Option(help="The search string used.")] = None,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Import good records, report bad ones.")] = False,
    again: Annotated[bool, typer.Option("--again", help="Allow re-importing a file imported before.")] = False,
    max_size: Annotated[int, typer.Option(help="Largest file accepted, in MB.")] = DEFAULT_MAX_BYTES // 2**20,
    skipped_report: Annotated[
        Optional[Path], typer.Option(help="Write skipped records (with reasons) to this CSV.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON summary line.")] = False,
) -> None:
    """Import search exports (RIS, MEDLINE, PubMed XML, BibTeX, EndNote XML, CSV/TSV/XLSX, tagged).

    Example: logicmap import -p review.db pubmed.nbib embase.ris --database Embase
    """
    from logicmap.cli_progress import import_progress

    try:
        store = open_project(project)
    except StoreError as exc:
        fail(str(exc))
    try:
        with import_progress(err, enabled=not as_json or sys.stderr.isatty()) as progress:
            report = import_files(
                store,
                files,
                fmt=fmt,
                database=database,
                search_date=search_date,
                search_string=search_string,
                skip_bad=skip_bad,
                again=again,
                max_bytes=max_size * 2**20,
                progress=progress,
            )
    except ImportFormatError as exc:
        _refused(str(exc), [], as_json)
    except ImportRefused as exc:
        _refused(str(exc), exc.problems, as_json)
    finally:
        store.close()
    for result in report.files:
        for warning in result.warnings:
            err.print(f"[yellow]Warning:[/] {warning}", highlight=False)
        for problem in result.skipped_problems:
            err.print(f"Skipped: {problem.describe(result.file)}", highlight=False, soft_wrap=True)
    if skipped_report is not None:
        _write_skipped_report(skipped_report, report)
    if as_json:
        print(json.dumps(report.to_json()))
        return
    _print_import_table(report)


def _refused(message: str, problems: list[str], as_json: bool) -> None:
    for line in problems[:50]:
        err.print(f"  {line}", highlight=False, soft_wrap=True)
    if len(problems) > 50:
        err.print(f"  ... and {len(problems) - 50} more", highlight=False)
    if as_json:
        print(json.dumps({"files": [], "records": 0, "error": message, "problems": problems}))
    fail(message)


def _write_skipped_report(path: Path, report) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "record", "line", "id", "field", "reason"])
        for result in report.files:
            for p in result.skipped_problems:
                writer.writerow([result.file, p.position, p.line, p.source_id, p.field, p.message])


def _print_import_table(report) -> None:
    table = Table(title="Imported")
    for column in ("file", "format", "database", "records", "skipped"):
        table.add_column(column, justify="right" if column in ("records", "skipped") else "left")
    for f in report.files:
        table.add_row(f.file, f.format, f.database or "-", str(f.records), str(f.skipped))
    out.print(table)
    skipped = sum(f.skipped for f in report.files)
    out.print(f"Imported {report.records} records from {len(report.files)} file(s); {skipped} skipped.")


@app.command()
def export(
    project: ProjectOption,
    fmt: Annotated[str, typer.Option("--format", help="ris, csv or bibtex.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' for stdout).")],
    deduplicated: Annotated[
        bool, typer.Option("--deduplicated", help="One merged record per duplicate cluster.")
    ] = False,
) -> None:
    """Export the project's records as RIS, CSV (ASReview-compatible) or BibTeX.

    Example: logicmap export -p review.db --format ris --output records.ris
    """
    from logicmap.records.export import export_records

    try:
        store = open_project(project)
    except StoreError as exc:
        fail(str(exc))
    try:
        count = export_records(store, fmt, output, deduplicated=deduplicated)
    except ValueError as exc:
        fail(str(exc))
    finally:
        store.close()
    err.print(f"Exported {count} records to {output} ({fmt}).")


@app.command()
def sources(
    project: ProjectOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the imported sources (files) with their record counts.

    Example: logicmap sources -p review.db
    """
    from logicmap.store.records import list_sources

    try:
        store = open_project(project)
    except StoreError as exc:
        fail(str(exc))
    rows = list_sources(store)
    store.close()
    if as_json:
        print(json.dumps([_source_dict(s) for s in rows]))
        return
    table = Table(title="Sources")
    for column in ("id", "file", "format", "database", "records", "skipped", "imported"):
        table.add_column(column)
    for s in rows:
        table.add_row(
            str(s.id), s.name, s.format, s.database or "-", str(s.record_count),
            str(s.skipped_count), f"{s.imported_at:%Y-%m-%d %H:%M}",
        )
    out.print(table)


def _source_dict(source) -> dict:
    return {
        "id": source.id,
        "file": source.name,
        "format": source.format,
        "database": source.database,
        "records": source.record_count,
        "skipped": source.skipped_count,
        "sha256": source.sha256,
        "search_date": source.search_date,
        "search_string": source.search_string,
    }


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo project and outputs.")] = Path(
        "demo-output"
    ),
) -> None:
    """Run the pipeline on the embedded demo corpus (recovery interventions).

    Example: logicmap demo --out demo-output
    """
    from logicmap.demo import run_demo

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
    from logicmap.cli_dedupe import print_sources

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
        f"WSS@95 {s['wss@95']:.2f}, recall after 10% {s['recall@10%']:.2f}, "
        f"95% recall after {s['records_to_95%']} records. Recall curve: {result.recall_chart}"
    )
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
