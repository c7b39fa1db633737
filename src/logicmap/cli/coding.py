"""``logicmap code ...``: coding studies, in a project or from a records file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from logicmap.cli.common import ProjectOption, ReviewerOption, check_output_file, err, fail, open_review, out, refusals, split_list

app = typer.Typer(help="Code studies against the codebook.", no_args_is_help=True)


def register(parent: typer.Typer) -> None:
    """Add the ``code`` group to ``parent``."""
    parent.add_typer(app, name="code")


def _two_reviewers(text: str) -> tuple[str, str]:
    names = split_list(text)
    if len(names) != 2:
        fail("give exactly two reviewers: --reviewers ana,ben")
    return names[0], names[1]


@app.command("suggest")
def suggest(
    output: Annotated[Path, typer.Option("--output", help="Suggestions JSONL to write.")],
    input: Annotated[
        Optional[Path], typer.Option("--input", help="Records JSONL: id, title, abstract per line.")
    ] = None,
    project: Annotated[
        Optional[str], typer.Option("--project", "-p", help="Suggest for this project's included studies.")
    ] = None,
    codebook: Annotated[
        Optional[Path], typer.Option("--codebook", help="Codebook YAML file (default: the embedded recovery codebook).")
    ] = None,
) -> None:
    """Suggest codes, each with a score and a verbatim quote, for every record.

    Example: logicmap code suggest --input records.jsonl --output suggestions.jsonl
    """
    if (input is None) == (project is None):
        fail("give either --input records.jsonl or --project P")
    check_output_file(output, "--output")
    if project is not None:
        with open_review(project) as review:
            batch = review.coding.suggest_included()
        source = ("the codebook's definitions and examples (sentence embeddings)" if batch.engine == "embeddings"
                  else "the codebook's key terms")
        err.print(f"Suggestions learnt from this project's reviewers and {source}." if batch.learnt
                  else f"Suggestions from {source} (not enough reviewer feedback to learn yet).", highlight=False)
    else:
        from logicmap.api import suggest_file

        with refusals():
            batch = suggest_file(input, codebook)
    if batch.aligned:
        err.print(f"{batch.aligned} codes restate the recovery codebook's, code for code: their suggestions come "
                  "from its fitted model (see the README on codebooks).", highlight=False)
    with output.open("w", encoding="utf-8") as fh:
        for rid, codes in batch.by_record().items():
            fh.write(json.dumps({"id": rid, "codes": [s.to_dict() for s in codes]}, ensure_ascii=False) + "\n")
    err.print(f"{len(batch.suggestions)} suggestions for {len(batch.record_ids)} records written to {output}",
              highlight=False)


@app.command("next")
def next_study(
    project: ProjectOption,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many studies to list.")] = 5,
) -> None:
    """List the included studies not coded yet, the one the suggestions are least sure about first.

    Coding those first teaches the suggestions most (record order with LOGICMAP_SUGGESTER=terms).

    Example: logicmap code next -p review.db --limit 3
    """
    with open_review(project) as review:
        ranked = review.coding.next_to_code()
    for record_id, uncertainty in ranked[:limit]:
        out.print(json.dumps({"id": record_id, "uncertainty": round(uncertainty, 3)}), highlight=False)
    err.print(f"{len(ranked)} included studies not coded yet", highlight=False)


@app.command("add")
def add(
    record: Annotated[int, typer.Argument(help="Record id.")],
    code: Annotated[str, typer.Argument(help="Code, e.g. T01.")],
    project: ProjectOption,
    quote: Annotated[str, typer.Option(help="Exact sentence or phrase from title, abstract or full text.")],
    reviewer: ReviewerOption,
    direction: Annotated[Optional[str], typer.Option(help="Outcomes: benefit, no_difference, harm, mixed, not_measured; moderators: strengthens, weakens.")] = None,
    target: Annotated[Optional[str], typer.Option(help="Code a link CODE -> TARGET instead.")] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
) -> None:
    """Code a study; the quote must occur verbatim in its text.

    Example: logicmap code add 12 T01 -p review.db --quote "peer workers delivered"
    """
    with open_review(project) as review:
        coding_id = review.coding.add(record, code, reviewer=reviewer, quote=quote, direction=direction,
                                      target_code=target, note=note)
    out.print(f"Saved coding {coding_id}: record {record} {code}{' -> ' + target if target else ''}.")


@app.command("list")
def list_codings(
    project: ProjectOption,
    reviewer: Annotated[Optional[str], typer.Option(help="Only this reviewer's codings.")] = None,
) -> None:
    """List the standing codings with their evidence.

    Example: logicmap code list -p review.db
    """
    with open_review(project) as review:
        rows = review.coding.list(reviewer=reviewer)
    table = Table(title=f"{len(rows)} codings")
    for column in ("id", "record", "code", "reviewer", "kind", "direction", "evidence"):
        table.add_column(column)
    for r in rows:
        code = f"{r.code} -> {r.target_code}" if r.target_code else r.code
        evidence = f"{r.field}[{r.start}:{r.end}] {r.quote[:80]}" if r.quote else ""
        table.add_row(str(r.id), str(r.record_id), code, r.reviewer, r.kind, r.direction or "", escape(evidence))
    out.print(table)


@app.command("agreement")
def agreement(
    project: ProjectOption,
    reviewers: Annotated[str, typer.Option(help="Two coders, comma-separated: ana,ben")],
) -> None:
    """Agreement of two coders per kind and per code (Cohen's kappa, Krippendorff's alpha, %).

    Example: logicmap code agreement -p review.db --reviewers ana,ben
    """
    names = _two_reviewers(reviewers)
    with open_review(project) as review:
        report = review.coding.agreement(*names)
    table = Table(title=f"Agreement of {names[0]} and {names[1]}")
    for column in ("kind / code", "percent", "kappa", "alpha"):
        table.add_column(column)
    rows = list(report.per_kind.items()) + [(c, a) for c, a in report.per_code.items() if a.percent < 1.0]
    for name, a in rows:
        table.add_row(name, f"{a.percent:.2f}", _number(a.kappa), _number(a.alpha))
    out.print(table)


def _number(value) -> str:
    return "-" if value is None or value != value else f"{value:.2f}"


@app.command("reconcile")
def reconcile(
    project: ProjectOption,
    reviewers: Annotated[str, typer.Option(help="Two coders, comma-separated: ana,ben")],
    decided_by: Annotated[str, typer.Option(help="Name stored on the final codes.")] = "consensus",
) -> None:
    """Store the codes both coders agree on as final; list what still needs a decision.

    Example: logicmap code reconcile -p review.db --reviewers ana,ben
    """
    names = _two_reviewers(reviewers)
    with open_review(project) as review:
        summary = review.coding.reconcile(*names, decided_by=decided_by)
    out.print(f"{summary.agreed} agreed, {summary.resolved} resolved, {summary.unresolved} still to decide.")


@app.command("attach")
def attach(
    record: Annotated[int, typer.Argument(help="Record id.")],
    file: Annotated[Path, typer.Argument(help="PDF, HTML or text file of the full text.")],
    project: ProjectOption,
) -> None:
    """Attach a full text to a record (its text becomes codable, with page numbers).

    Example: logicmap code attach 12 paper.pdf -p review.db
    """
    with open_review(project) as review:
        extracted = review.coding.attach(record, file)
    out.print(f"Attached {file.name} to record {record}: {len(extracted.text)} characters, {len(extracted.pages)} page(s).")


@app.command("reject")
def reject(
    record: Annotated[int, typer.Argument(help="Record id.")],
    code: Annotated[str, typer.Argument(help="The suggested code that does not apply.")],
    project: ProjectOption,
    reviewer: ReviewerOption,
) -> None:
    """Reject a suggested code for a study (the suggestions learn from it).

    Example: logicmap code reject 12 M3 -p review.db
    """
    with open_review(project) as review:
        review.coding.feedback(record, code, accepted=False, reviewer=reviewer)
    out.print(f"Noted: {code} does not apply to record {record}.")
