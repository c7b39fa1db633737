"""``logicmap model`` and ``logicmap report``: the logic model and the review report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from logicmap.store import StoreError, open_project

model_app = typer.Typer(help="Build, filter, snapshot and compare the logic model.", invoke_without_command=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
ProjectOption = Annotated[
    Optional[str], typer.Option("--project", "-p", envvar="LOGICMAP_PROJECT", help="Project file or URL.")
]


def _open(project: str | None):
    if project is None:
        err.print("[bold red]Error:[/] --project is required")
        raise typer.Exit(1)
    try:
        return open_project(project)
    except StoreError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@model_app.callback()
def model(
    ctx: typer.Context,
    project: ProjectOption = None,
    typology: Annotated[Optional[str], typer.Option(help="Only studies of these typologies: T01,T07")] = None,
    domain: Annotated[Optional[str], typer.Option(help="Outcome domains: functional,existential,social")] = None,
    design: Annotated[Optional[str], typer.Option(help="Designs: RCT,qualitative")] = None,
    from_year: Annotated[Optional[int], typer.Option(help="First publication year.")] = None,
    to_year: Annotated[Optional[int], typer.Option(help="Last publication year.")] = None,
    country: Annotated[Optional[str], typer.Option(help="Countries: UK,USA")] = None,
    snapshot: Annotated[Optional[str], typer.Option(help="Save the model under this name (for diff).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the model snapshot as JSON.")] = False,
) -> None:
    """Build the evidence-linked logic model from the coded included studies.

    Example: logicmap model -p review.db --typology T01 --snapshot 2024-update
    """
    if ctx.invoked_subcommand is not None:
        return
    from logicmap.report.project import project_model, save_snapshot
    from logicmap.synthesis import ModelFilter
    from logicmap.synthesis import snapshot as make_snapshot

    store = _open(project)
    years = (from_year, to_year) if from_year or to_year else None
    filters = ModelFilter(_split(typology), _split(domain), _split(design), years, _split(country))
    with store:
        built = project_model(store, filters)
        if snapshot:
            save_snapshot(store, snapshot, built)
    if as_json:
        print(json.dumps(make_snapshot(built)))
        return
    for problem in built.problems:
        err.print(f"[yellow]Note:[/] {escape(problem)}")
    table = Table(title="Strongest links")
    for column in ("link", "studies", "direction", "grade", "sign test p"):
        table.add_column(column)
    edges = sorted(built.edges(), key=lambda e: (-e[2]["n_studies"], e[0], e[1]))
    for src, dst, d in edges[:15]:
        p = d["p_value"]
        table.add_row(f"{src} -> {dst}", str(d["n_studies"]), d["direction"] or "-", d["grade"],
                      "-" if p is None else f"{p:.3f}")
    out.print(table)
    graph = built.graph
    out.print(
        f"Logic model: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} links from "
        f"{len(built.studies)} studies{f'; saved as snapshot {snapshot!r}' if snapshot else ''}."
    )


@model_app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="Older snapshot name.")],
    new: Annotated[str, typer.Argument(help="Newer snapshot name, or 'current' for the live model.")],
    project: ProjectOption = None,
) -> None:
    """List links and strengths that changed between two snapshots (living reviews).

    Example: logicmap model diff 2023 current -p review.db
    """
    from logicmap.report.project import load_snapshot, project_model
    from logicmap.synthesis import diff

    store = _open(project)
    with store:
        try:
            a = load_snapshot(store, old)
            b = project_model(store) if new == "current" else load_snapshot(store, new)
        except KeyError as exc:
            err.print(f"[bold red]Error:[/] {escape(exc.args[0])}")
            raise typer.Exit(1) from exc
    changes = diff(a, b)
    for line in changes.lines():
        out.print(escape(line))
    out.print(f"{len(changes.lines())} change(s) from {old} to {new}.")


def report(
    project: ProjectOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report files.")] = Path("report"),
) -> None:
    """Write the review report: logic model (SVG + interactive HTML), PRISMA, gap map, tables, exports.

    Example: logicmap report -p review.db --out report/
    """
    from logicmap.report.project import report_project

    store = _open(project)
    with store:
        files = report_project(store, out_dir)
    for key, path in sorted(files.items()):
        out.print(f"{key:>18}  {path}")
    out.print(f"Report written: {files['index']} ({len(files)} files).")
