"""``logicmap dedupe``: find duplicates, review uncertain pairs, undo merges, export."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from logicmap.dedupe.engine import DedupeSettings
from logicmap.dedupe.pipeline import (
    DedupeError,
    ReviewItem,
    decide_pair,
    duplicates_per_source,
    export_clusters,
    review_queue,
    run_dedupe,
    undo_cluster,
)
from logicmap.store import StoreError, open_project

app = typer.Typer(help="Find and remove duplicate records.", invoke_without_command=True)
out = Console(soft_wrap=True)
err = Console(stderr=True)

ProjectOption = Annotated[
    str, typer.Option("--project", "-p", envvar="LOGICMAP_PROJECT", help="Project file or URL.")
]
ReviewerOption = Annotated[
    str, typer.Option("--reviewer", help="Who makes the decision.", default_factory=getpass.getuser)
]


def _open(project: str):
    try:
        return open_project(project)
    except StoreError as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc


@app.callback()
def dedupe(
    ctx: typer.Context,
    project: ProjectOption = None,
    engine: Annotated[str, typer.Option(help="inprocess (default) or splink.")] = "inprocess",
    merge_at: Annotated[float, typer.Option(help="Score from which pairs merge automatically.")] = 0.9,
    review_from: Annotated[float, typer.Option(help="Score from which pairs go to manual review.")] = 0.5,
    full: Annotated[bool, typer.Option("--full", help="Compare all records, not only new ones.")] = False,
    export: Annotated[Optional[Path], typer.Option(help="Write source,source_id,cluster_id CSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON summary line.")] = False,
) -> None:
    """Find duplicate clusters among all records (only new ones after a first run).

    Example: logicmap dedupe -p review.db --export clusters.csv
    """
    if ctx.invoked_subcommand is not None:
        return
    if project is None:
        err.print("[bold red]Error:[/] --project is required")
        raise typer.Exit(1)
    store = _open(project)
    try:
        settings = DedupeSettings(merge_at=merge_at, review_from=review_from)
        with out.status("Comparing records..."):
            summary = run_dedupe(store, engine=engine, settings=settings, full=full)
        if export is not None:
            export_clusters(store, export)
        rows = duplicates_per_source(store)
    except (DedupeError, ValueError) as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    if as_json:
        print(json.dumps(summary.to_json()))
        return
    print_sources(rows)
    out.print(
        f"{summary.records} records ({summary.new_records} new, {summary.mode}): "
        f"{summary.pairs_compared} pairs compared, {summary.clusters} clusters, "
        f"{summary.duplicates_removed} duplicates removed, {summary.review_pairs} pairs to review."
    )


def print_sources(rows) -> None:
    """Records and duplicates removed per source."""
    table = Table(title="Duplicates per source")
    for column in ("file", "database", "records", "duplicates removed"):
        table.add_column(column, justify="right" if column in ("records", "duplicates removed") else "left")
    for name, database, records, removed in rows:
        table.add_row(name, database or "-", str(records), str(removed))
    out.print(table)


def _side_by_side(item: ReviewItem, position: int, total: int) -> Table:
    table = Table(title=f"Pair {position} of {total} (score {item.score:.2f})", show_lines=True)
    table.add_column("field")
    for record_id, _, source in (item.left, item.right):
        table.add_column(f"record {record_id} ({source})")
    left, right = item.left[1], item.right[1]
    for name in ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "abstract"):
        a, b = getattr(left, name), getattr(right, name)
        if isinstance(a, list):
            a, b = "; ".join(a[:6]), "; ".join(b[:6])
        a, b = "" if a is None else str(a), "" if b is None else str(b)
        if name == "abstract":
            a, b = a[:300], b[:300]
        table.add_row(f"{name}\n[dim]{item.agreements.get(name, '')}[/]", a, b)
    if item.guards:
        table.add_row("guards", "; ".join(item.guards), "")
    return table


@app.command()
def review(project: ProjectOption, reviewer: ReviewerOption) -> None:
    """Review uncertain pairs side by side: d = duplicate, n = not, s = skip, q = quit.

    Example: logicmap dedupe review -p review.db
    """
    store = _open(project)
    try:
        queue = review_queue(store)
        if not queue:
            out.print("No pairs waiting for review.")
            return
        decided = 0
        for position, item in enumerate(queue, 1):
            out.print(_side_by_side(item, position, len(queue)))
            answer = typer.prompt("Duplicate? [d]uplicate / [n]ot / [s]kip / [q]uit", default="s").strip().lower()
            if answer.startswith("q"):
                break
            if answer[:1] in ("d", "n"):
                decide_pair(store, item.pair_id, "duplicate" if answer[0] == "d" else "distinct", reviewer)
                decided += 1
        out.print(f"{decided} decision(s) saved; {len(queue) - decided} pair(s) still to review.")
    finally:
        store.close()


@app.command()
def undo(
    cluster: Annotated[int, typer.Argument(help="Cluster id to split.")],
    project: ProjectOption,
    reviewer: ReviewerOption,
) -> None:
    """Undo a merge: split a cluster back into its records (they stay apart in later runs).

    Example: logicmap dedupe undo 12 -p review.db
    """
    store = _open(project)
    try:
        members = undo_cluster(store, cluster, reviewer)
    except DedupeError as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    out.print(f"Cluster {cluster} undone: records {', '.join(map(str, members))} are separate again.")
