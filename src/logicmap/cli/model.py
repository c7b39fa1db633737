"""``logicmap model`` and ``logicmap report``: the logic model and the review report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from logicmap.cli.common import (
    OptionalProjectOption, ReviewerOption, check_output_dir, check_output_file, err, fail, open_review, out, split_list,
)

app = typer.Typer(help="Build, filter, snapshot and compare the logic model.", invoke_without_command=True)


def register(parent: typer.Typer) -> None:
    """Add the ``model`` group and the ``report`` command to ``parent``."""
    parent.add_typer(app, name="model")
    parent.command("report")(report)


@app.callback()
def model(
    ctx: typer.Context,
    project: OptionalProjectOption = None,
    typology: Annotated[Optional[str], typer.Option(
        help="Only studies of these intervention codes (typologies): T01,T07")] = None,
    domain: Annotated[Optional[str], typer.Option(
        help="Only these outcome domains of the codebook, e.g. functional,social")] = None,
    design: Annotated[Optional[str], typer.Option(help="Designs: RCT,qualitative")] = None,
    from_year: Annotated[Optional[int], typer.Option(help="First publication year.")] = None,
    to_year: Annotated[Optional[int], typer.Option(help="Last publication year.")] = None,
    country: Annotated[Optional[str], typer.Option(help="Countries: UK,USA")] = None,
    snapshot: Annotated[Optional[str], typer.Option(help="Save the model under this name (for diff).")] = None,
    context: Annotated[Optional[str], typer.Option(
        help="Moderators present in your service (DE1,DS1): print the links reported weakened or "
             "strengthened there and save them as the project's context profile (for the report).")] = None,
    cooccurrence: Annotated[bool, typer.Option(
        "--cooccurrence", help="Also build co-occurrence links of non-adjacent layers (not pathways).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the model snapshot as JSON.")] = False,
    svg: Annotated[Optional[Path], typer.Option(help="Write a view of the model as a static SVG figure here.")] = None,
    svg_size: Annotated[Optional[str], typer.Option(
        help="Paper for --svg: a4, a3 or poster (A0); says how large its smallest text prints. A view whose text "
             "would print under 11 px on one page is written as pages FILE-1.svg, FILE-2.svg ... (one per pair "
             "of columns). Default: screen pixels.")] = None,
    view: Annotated[str, typer.Option(help="View for --svg: summary, summary-all, summary-domains, "
                                           "mechanism-domains, pathway:T01, pathway:OE1 ...")] = "summary",
) -> None:
    """Build the evidence-linked logic model from the coded included studies.

    Example: logicmap model -p review.db --typology T01 --snapshot 2024-update --context DE1,DS1
    Example: logicmap model -p review.db --svg figure.svg --svg-size poster --view pathway:T01
    """
    if ctx.invoked_subcommand is not None:
        return
    from logicmap.api import ModelFilter, model_snapshot

    if svg_size is not None and svg_size not in ("a4", "a3", "poster"):
        fail(f"--svg-size must be a4, a3 or poster, not {svg_size!r}")
    check_output_file(svg, "--svg")

    years = (from_year, to_year) if from_year or to_year else None
    filters = ModelFilter(split_list(typology), split_list(domain), split_list(design), years, split_list(country),
                          include_cooccurrence=cooccurrence)
    profile, figure = None, ""
    with open_review(project) as review:
        built = review.model.build(filters)
        if svg is not None:  # first: a bad view or an unwritable file leaves the project unchanged
            figure = _write_svg(built, svg, svg_size, view)
        if snapshot:
            review.model.save_snapshot(snapshot, built)
        if context is not None:
            profile = review.model.context(review.model.save_context(split_list(context)), built)
    if as_json:
        data = model_snapshot(built)
        if profile is not None:
            data["context"] = profile.to_dict()
        print(json.dumps(data))
        if figure:
            err.print(figure, highlight=False)
        return
    for problem in built.problems:
        err.print(f"[yellow]Note:[/] {escape(problem)}")
    table = Table(title="Strongest links")
    for column in ("link", "basis", "studies", "direction", "grade", "sign test p", "moderators"):
        table.add_column(column)
    edges = sorted(built.edges(), key=lambda e: (-e[2]["n_studies"], e[0], e[1]))
    for src, dst, d in edges[:15]:
        p = d["p_value"]
        moderators = ", ".join(sorted({f"{c.code} {c.effect}" for c in d["moderators"]})) or "-"
        table.add_row(f"{src} -> {dst}", d["basis"], str(d["n_studies"]), d["direction"] or "-", d["grade"],
                      "-" if p is None else f"{p:.3f}", moderators)
    out.print(table)
    if profile is not None:
        _print_context(profile)
    graph = built.graph
    out.print(
        f"Logic model: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} links from "
        f"{len(built.studies)} studies{f'; saved as snapshot {snapshot!r}' if snapshot else ''}."
    )
    if figure:
        out.print(figure, highlight=False)


def _write_svg(built, path: Path, size: str | None, view: str) -> str:
    """Write one view of the model as a static SVG (on paper: as many pages as 11 px text needs);
    returns a sentence saying how large its text prints."""
    from logicmap.api import logic_model_pages, logic_model_svg, svg_print_fit

    if size is None:
        _write_files({path: logic_model_svg(built, view=view)})
        return f"Figure written: {path} (view {view}, screen pixels)."
    pages = logic_model_pages(built, size=size, view=view)
    paper = size.upper() if size != "poster" else "A0 poster"
    smallest = min(svg_print_fit(page).smallest_text_px for page in pages)
    verdict = "legible" if smallest >= 11 else "under 11 px: choose a larger paper (a3, poster)"
    if len(pages) == 1:
        _write_files({path: pages[0]})
        return (f"Figure written: {path} (view {view}, {paper} {svg_print_fit(pages[0]).orientation}; "
                f"smallest text prints at {smallest:.1f} px, {verdict}).")
    names = [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(1, len(pages) + 1)]
    _write_files(dict(zip(names, pages)))
    one = svg_print_fit(logic_model_svg(built, size=size, view=view)).smallest_text_px
    return (f"Figure written on {len(pages)} {paper} pages, one per pair of columns: {names[0]} ... {names[-1]} "
            f"(view {view}; on one page its smallest text would print at {one:.1f} px; on these pages it prints "
            f"at {smallest:.1f} px, {verdict}).")


def _write_files(documents: dict[Path, str]) -> None:
    """Write every document, or (when one cannot be written) none: those already written are removed."""
    done: list[Path] = []
    for target, document in documents.items():
        try:
            target.write_text(document, encoding="utf-8")
        except OSError as exc:
            for written in done:
                written.unlink(missing_ok=True)
            fail(f"{target}: cannot write the figure ({exc.strerror or exc})")
        done.append(target)


def _print_context(profile) -> None:
    """The context profile: each link with the conditions reported to act on it."""
    names = ", ".join(f"{c} {profile.labels[c]}" for c in profile.codes) or "no conditions"
    for line in profile.lines():
        out.print(escape(line))
    out.print(f"Your context ({escape(names)}): {len(profile.weakened())} link(s) reported weakened, "
              f"{len(profile.strengthened())} strengthened; saved for the report.")


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="Older snapshot name.")],
    new: Annotated[str, typer.Argument(help="Newer snapshot name, or 'current' for the live model.")],
    project: OptionalProjectOption = None,
) -> None:
    """List links and strengths that changed between two snapshots (living reviews).

    Example: logicmap model diff 2023 current -p review.db
    """
    with open_review(project) as review:
        changes = review.model.diff(old, new)
    for line in changes.lines():
        out.print(escape(line))
    out.print(f"{len(changes.lines())} change(s) from {old} to {new}.")


@app.command("suggestions")
def suggestions(
    project: OptionalProjectOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON lines.")] = False,
) -> None:
    """List the machine's link suggestions to review: id, link, guessed direction and the finding sentence.

    Example: logicmap model suggestions -p review.db
    """
    with open_review(project) as review:
        found = review.model.suggestions()
        labels = {c.code: c.label for c in review.codebook.current().codes}
    if as_json:
        for sid, s in found.items():
            print(json.dumps({"id": sid, "record": s.record_id, **s.to_dict()}, ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} link suggestion{'' if len(found) == 1 else 's'} to review")
    for column in ("id", "link", "direction", "sentence"):
        table.add_column(column)
    for sid, s in found.items():
        link = f"{s.source} {labels.get(s.source, '')} -> {s.target} {labels.get(s.target, '')}"
        table.add_row(sid, escape(link), s.direction or "-", escape(s.quote))
    out.print(table)
    if found:
        out.print("Accept with: logicmap model accept ID ...; reject with: logicmap model reject ID ...")


@app.command("accept")
def accept(
    ids: Annotated[list[str], typer.Argument(help="Suggestion ids (record:source:target), from 'model suggestions'.")],
    reviewer: ReviewerOption,
    project: OptionalProjectOption = None,
) -> None:
    """Accept link suggestions: each becomes an explicit link coding with its sentence as the span.

    Example: logicmap model accept 12:T01:OE1 -p review.db
    """
    with open_review(project) as review:
        coding_ids = review.model.accept(ids, reviewer=reviewer)
    out.print(f"Accepted {len(coding_ids)} link suggestion{'' if len(coding_ids) == 1 else 's'} as coded links "
              f"(codings {', '.join(map(str, coding_ids))}).")


@app.command("reject")
def reject(
    ids: Annotated[list[str], typer.Argument(help="Suggestion ids (record:source:target), from 'model suggestions'.")],
    project: OptionalProjectOption = None,
) -> None:
    """Reject link suggestions: they are not suggested again.

    Example: logicmap model reject 12:T01:OE1 -p review.db
    """
    with open_review(project) as review:
        rejected = review.model.reject(ids)
    out.print(f"Rejected {len(rejected)} link suggestion{'' if len(rejected) == 1 else 's'}: {', '.join(rejected)}.")


def report(
    project: OptionalProjectOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the report files.")] = Path("report"),
) -> None:
    """Write the review report: logic model (SVG + interactive HTML), PRISMA, gap map, tables, exports.

    Example: logicmap report -p review.db --out report/
    """
    check_output_dir(out_dir, "--out")
    with open_review(project) as review:
        files = review.report.write(out_dir)
    for key, path in sorted(files.items()):
        out.print(f"{key:>18}  {path}")
    out.print(f"Report written: {files['index']} ({len(files)} files).")
