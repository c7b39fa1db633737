"""``logicmap code add|list|agreement|reconcile|attach``: coding a project's studies."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from logicmap.cli_coding import code_app
from logicmap.coding.model import CodingError
from logicmap.store import StoreError, open_project

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
ProjectOption = Annotated[str, typer.Option("--project", "-p", envvar="LOGICMAP_PROJECT", help="Project file or URL.")]
ReviewerOption = Annotated[str, typer.Option("--reviewer", default_factory=getpass.getuser, help="Who codes.")]


def _open(project: str):
    try:
        return open_project(project)
    except StoreError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc


def _refuse(exc: Exception) -> None:
    err.print(f"[bold red]Error:[/] {escape(str(exc))}")
    raise typer.Exit(1) from exc


def _two_reviewers(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if len(names) != 2:
        _refuse(ValueError("give exactly two reviewers: --reviewers ana,ben"))
    return names


@code_app.command("add")
def add(
    record: Annotated[int, typer.Argument(help="Record id.")],
    code: Annotated[str, typer.Argument(help="Code, e.g. T01.")],
    project: ProjectOption,
    quote: Annotated[str, typer.Option(help="Exact sentence or phrase from title, abstract or full text.")],
    reviewer: ReviewerOption,
    direction: Annotated[Optional[str], typer.Option(help="benefit, no_difference, harm, mixed, not_measured.")] = None,
    target: Annotated[Optional[str], typer.Option(help="Code a link CODE -> TARGET instead.")] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
) -> None:
    """Code a study; the quote must occur verbatim in its text.

    Example: logicmap code add 12 T01 -p review.db --quote "peer workers delivered"
    """
    from logicmap.coding.project import add_coding

    store = _open(project)
    try:
        coding_id = add_coding(store, record, code, reviewer=reviewer, quote=quote, direction=direction,
                               target_code=target, note=note)
    except CodingError as exc:
        _refuse(exc)
    finally:
        store.close()
    out.print(f"Saved coding {coding_id}: record {record} {code}{' -> ' + target if target else ''}.")


@code_app.command("list")
def list_codings(project: ProjectOption, reviewer: Annotated[Optional[str], typer.Option()] = None) -> None:
    """List the standing codings with their evidence.

    Example: logicmap code list -p review.db
    """
    from logicmap.coding.project import codings

    store = _open(project)
    rows = codings(store, reviewer=reviewer)
    store.close()
    table = Table(title=f"{len(rows)} codings")
    for column in ("id", "record", "code", "reviewer", "kind", "direction", "evidence"):
        table.add_column(column)
    for r in rows:
        code = f"{r.code} -> {r.target_code}" if r.target_code else r.code
        evidence = f"{r.field}[{r.start}:{r.end}] {r.quote[:80]}" if r.quote else ""
        table.add_row(str(r.id), str(r.record_id), code, r.reviewer, r.kind, r.direction or "", escape(evidence))
    out.print(table)


@code_app.command("agreement")
def agreement_command(
    project: ProjectOption,
    reviewers: Annotated[str, typer.Option(help="Two coders, comma-separated: ana,ben")],
) -> None:
    """Agreement of two coders per kind and per code (Cohen's kappa, Krippendorff's alpha, %).

    Example: logicmap code agreement -p review.db --reviewers ana,ben
    """
    from logicmap.coding.project import coding_agreement

    names = _two_reviewers(reviewers)
    store = _open(project)
    try:
        report = coding_agreement(store, *names)
    except CodingError as exc:
        _refuse(exc)
    finally:
        store.close()
    table = Table(title=f"Agreement of {names[0]} and {names[1]}")
    for column in ("kind / code", "percent", "kappa", "alpha"):
        table.add_column(column)
    rows = list(report.per_kind.items()) + [(c, a) for c, a in report.per_code.items() if a.percent < 1.0]
    for name, a in rows:
        table.add_row(name, f"{a.percent:.2f}", _fmt(a.kappa), _fmt(a.alpha))
    out.print(table)


def _fmt(value) -> str:
    return "-" if value is None or value != value else f"{value:.2f}"


@code_app.command("reconcile")
def reconcile_command(
    project: ProjectOption,
    reviewers: Annotated[str, typer.Option(help="Two coders, comma-separated: ana,ben")],
    decided_by: Annotated[str, typer.Option(help="Name stored on the final codes.")] = "consensus",
) -> None:
    """Store the codes both coders agree on as final; list what still needs a decision.

    Example: logicmap code reconcile -p review.db --reviewers ana,ben
    """
    from logicmap.coding.project import reconcile_coders

    names = _two_reviewers(reviewers)
    store = _open(project)
    try:
        summary = reconcile_coders(store, *names, decided_by=decided_by)
    finally:
        store.close()
    out.print(f"{summary.agreed} agreed, {summary.resolved} resolved, {summary.unresolved} still to decide.")


@code_app.command("attach")
def attach(
    record: Annotated[int, typer.Argument(help="Record id.")],
    file: Annotated[Path, typer.Argument(help="PDF, HTML or text file of the full text.")],
    project: ProjectOption,
) -> None:
    """Attach a full text to a record (its text becomes codable, with page numbers).

    Example: logicmap code attach 12 paper.pdf -p review.db
    """
    from logicmap.coding.fulltext import attach_fulltext

    store = _open(project)
    try:
        extracted = attach_fulltext(store, record, file)
    except CodingError as exc:
        _refuse(exc)
    finally:
        store.close()
    out.print(f"Attached {file.name} to record {record}: {len(extracted.text)} characters, {len(extracted.pages)} page(s).")


@code_app.command("reject")
def reject(
    record: Annotated[int, typer.Argument(help="Record id.")],
    code: Annotated[str, typer.Argument(help="The suggested code that does not apply.")],
    project: ProjectOption,
    reviewer: ReviewerOption,
) -> None:
    """Reject a suggested code for a study (the suggestions learn from it).

    Example: logicmap code reject 12 M3 -p review.db
    """
    from logicmap.coding.learning import record_feedback

    store = _open(project)
    try:
        record_feedback(store, record, code, accepted=False, reviewer=reviewer)
    except CodingError as exc:
        _refuse(exc)
    finally:
        store.close()
    out.print(f"Noted: {code} does not apply to record {record}.")
