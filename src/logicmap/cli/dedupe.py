"""``logicmap dedupe``: find duplicates, review uncertain pairs, undo merges, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from logicmap.cli.common import OptionalProjectOption, ProjectOption, ReviewerOption, check_output_file, open_review, out

app = typer.Typer(help="Find and remove duplicate records.", invoke_without_command=True)


def register(parent: typer.Typer) -> None:
    """Add the ``dedupe`` group to ``parent``."""
    parent.add_typer(app, name="dedupe")


@app.callback()
def dedupe(
    ctx: typer.Context,
    project: OptionalProjectOption = None,
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
    check_output_file(export, "--export")
    with open_review(project) as review:
        with out.status("Comparing records..."):
            summary = review.dedupe.run(engine=engine, merge_at=merge_at, review_from=review_from, full=full)
        if export is not None:
            review.dedupe.export_clusters(export)
        rows = review.dedupe.per_source()
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


def _side_by_side(item, position: int, total: int) -> Table:
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
    with open_review(project) as review:
        queue = review.dedupe.queue()
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
                review.dedupe.decide(item.pair_id, "duplicate" if answer[0] == "d" else "distinct", reviewer=reviewer)
                decided += 1
        out.print(f"{decided} decision(s) saved; {len(queue) - decided} pair(s) still to review.")


@app.command()
def undo(
    cluster: Annotated[int, typer.Argument(help="Cluster id to split.")],
    project: ProjectOption,
    reviewer: ReviewerOption,
) -> None:
    """Undo a merge: split a cluster back into its records (they stay apart in later runs).

    Example: logicmap dedupe undo 12 -p review.db
    """
    with open_review(project) as review:
        members = review.dedupe.undo(cluster, reviewer=reviewer)
    out.print(f"Cluster {cluster} undone: records {', '.join(map(str, members))} are separate again.")
