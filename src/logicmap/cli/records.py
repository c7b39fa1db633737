"""``logicmap init | import | export | sources``: the project and its records."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from logicmap.cli.common import ProjectOption, check_output_file, err, fail, message_of, open_review, out, refusals
from logicmap.cli.progress import import_progress
from logicmap.errors import LogicmapError

#: Largest file accepted by default, in MB (the library's own default, kept here so --help stays fast).
DEFAULT_MAX_MB = 100


def register(app: typer.Typer) -> None:
    """Add the commands of this group to ``app``."""
    app.command()(init)
    app.command("exclusion-reasons")(exclusion_reasons)
    app.command("import")(import_)
    app.command()(export)
    app.command()(sources)


def init(
    path: Annotated[Optional[str], typer.Argument(help="SQLite file to create (e.g. review.db).")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help="PostgreSQL URL instead of a file.")] = None,
    name: Annotated[Optional[str], typer.Option(help="Project name.")] = None,
    codebook: Annotated[Optional[str], typer.Option(
        help="The project's codebook: a YAML file or an embedded name (see `logicmap codebook list`; "
             "default: recovery).")] = None,
    reasons_file: Annotated[Optional[Path], typer.Option(
        "--exclusion-reasons", help="Text file of exclusion reasons, one a line (default: the recovery list, "
                                    "or a field-neutral list with another codebook).")] = None,
) -> None:
    """Create a new review project.

    Example: logicmap init review.db --codebook realist-cmo --exclusion-reasons reasons.txt
    """
    from logicmap.api import Review

    location = db or path
    if not location:
        fail("give a file path (logicmap init review.db) or --db postgresql://...")
    reasons = read_reasons(reasons_file) if reasons_file is not None else None
    with refusals():
        review = Review.create(location, name=name, codebook=codebook, exclusion_reasons=reasons)
        cb = review.codebook.current()
    review.close()
    out.print(f"Created project {review.location} with codebook {cb.name} "
              f"({' -> '.join(cb.layer_title(k) for k in cb.chain)})")


def read_reasons(path: Path) -> list[str]:
    """Exclusion reasons from a text file: one a line; blank lines and lines starting with # are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read the exclusion reasons: {getattr(exc, 'strerror', None) or exc}")
    reasons = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not reasons:
        fail(f"{path}: no exclusion reasons (one a line)")
    return reasons


def exclusion_reasons(
    project: ProjectOption,
    set_file: Annotated[Optional[Path], typer.Option(
        "--set", help="Replace the list with this text file's reasons, one a line.")] = None,
    add: Annotated[Optional[list[str]], typer.Option("--add", help="Append a reason (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """Show or change the project's exclusion reasons (what `screen` offers on an exclusion).

    A reason that a standing exclusion gives cannot be left out.
    Example: logicmap exclusion-reasons -p review.db --add "wrong language"
    """
    with open_review(project) as review:
        if set_file is not None or add:
            base = read_reasons(set_file) if set_file is not None else review.screening.exclusion_reasons()
            review.screening.set_exclusion_reasons(base + list(add or ()))
        reasons = review.screening.exclusion_reasons()
    if as_json:
        print(json.dumps(reasons, ensure_ascii=False))
        return
    for number, reason in enumerate(reasons, 1):
        out.print(f"{number:>2}. {reason}", highlight=False, markup=False)


def import_(
    files: Annotated[list[Path], typer.Argument(help="Export files to import.")],
    project: ProjectOption,
    database: Annotated[Optional[list[str]], typer.Option(
        help="Database/platform each file came from, e.g. PubMed: once per file, paired with the files in order "
             "('-' takes that file's own database tags). Without it each file's tags tell (RIS DB/DP, PubMed "
             "formats); a file with neither is listed under 'Other sources', not as a database.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="Force a reader instead of detecting.")] = None,
    search_date: Annotated[Optional[str], typer.Option(help="Date the search was run.")] = None,
    search_string: Annotated[Optional[str], typer.Option(help="The search string used.")] = None,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Import good records, report bad ones.")] = False,
    again: Annotated[bool, typer.Option("--again", help="Allow re-importing a file imported before.")] = False,
    max_size: Annotated[int, typer.Option(help="Largest file accepted, in MB.")] = DEFAULT_MAX_MB,
    skipped_report: Annotated[
        Optional[Path], typer.Option(help="Write skipped records (with reasons) to this CSV.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON summary line.")] = False,
) -> None:
    """Import search exports (RIS, MEDLINE, PubMed XML, BibTeX, EndNote XML, CSV/TSV/XLSX, tagged).

    Example: logicmap import -p review.db embase.ris pubmed.nbib --database Embase --database PubMed
    """
    check_output_file(skipped_report, "--skipped-report")
    with open_review(project) as review:
        try:
            with import_progress(err, enabled=not as_json or sys.stderr.isatty()) as progress:
                report = review.records.import_files(
                    files, fmt=fmt, database=_database_names(database), search_date=search_date, search_string=search_string,
                    skip_bad=skip_bad, again=again, max_bytes=max_size * 2**20, progress=progress,
                )
        except LogicmapError as exc:
            message, problems = message_of(exc)
            if as_json:
                print(json.dumps({"files": [], "records": 0, "error": message, "problems": problems}))
            fail(message, problems=problems)
    for result in report.files:
        for warning in result.warnings:
            err.print(f"[yellow]Warning:[/] {warning}", highlight=False)
        for problem in result.skipped_problems:
            err.print(f"Skipped: {problem.describe(result.file)}", highlight=False, soft_wrap=True)
    if skipped_report is not None:
        report.write_skipped_csv(skipped_report)
    if as_json:
        print(json.dumps(report.to_json()))
        return
    _print_import_table(report)


def _database_names(given: list[str] | None) -> list[str | None] | None:
    """``--database`` values as the library takes them: one per file, '-' for "the file's own tags"."""
    if not given:
        return None
    return [None if name.strip() == "-" else name for name in given]


def _print_import_table(report) -> None:
    table = Table(title="Imported")
    for column in ("file", "format", "database", "records", "skipped"):
        table.add_column(column, justify="right" if column in ("records", "skipped") else "left")
    for f in report.files:
        table.add_row(f.file, f.format, f.database or "-", str(f.records), str(f.skipped))
    out.print(table)
    skipped = sum(f.skipped for f in report.files)
    out.print(f"Imported {report.records} records from {len(report.files)} file(s); {skipped} skipped.")


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
    check_output_file(output, "--output")
    with open_review(project) as review:
        count = review.dedupe.export(fmt, output) if deduplicated else review.records.export(fmt, output)
    err.print(f"Exported {count} records to {output} ({fmt}).")


def sources(
    project: ProjectOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the imported sources (files) with their record counts.

    Example: logicmap sources -p review.db
    """
    with open_review(project) as review:
        rows = review.records.sources()
    if as_json:
        print(json.dumps([s.to_json() for s in rows]))
        return
    table = Table(title="Sources")
    for column in ("id", "file", "format", "database", "records", "skipped", "imported"):
        table.add_column(column)
    for s in rows:
        table.add_row(
            str(s.id), s.file, s.format, s.database or "-", str(s.records),
            str(s.skipped), f"{s.imported_at:%Y-%m-%d %H:%M}",
        )
    out.print(table)
