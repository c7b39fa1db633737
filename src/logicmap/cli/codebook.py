"""``logicmap codebook ...``: list the shipped codebooks; show, validate and edit a codebook, in a file or
in a project; put another codebook in force in a project (``import``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from logicmap.cli.common import ProjectOption, err, fail, open_review, out, refusals

app = typer.Typer(help="Show, validate and edit a codebook YAML file or a project's codebook.", no_args_is_help=True)

CodebookOption = Annotated[
    Optional[Path], typer.Option("--codebook", help="Codebook YAML file or embedded name (see `logicmap codebook "
                                                    "list`; default: recovery).")
]
EditedCodebook = Annotated[Optional[Path], typer.Option("--codebook", help="Codebook YAML file to edit in place.")]
ProjectCodebook = Annotated[
    Optional[str], typer.Option("--project", "-p", help="Use the project's codebook copy instead of a file.")
]


def register(parent: typer.Typer) -> None:
    """Add the ``codebook`` group to ``parent``."""
    parent.add_typer(app, name="codebook")


def _load(path: Path | None, project: str | None = None):
    if project is not None:
        with open_review(project) as review:
            return review.codebook.current()
    from logicmap.api import load_codebook

    with refusals():
        return load_codebook(path)


def _one_target(codebook: Path | None, project: str | None) -> None:
    if (codebook is None) == (project is None):
        fail("give the codebook to edit: --codebook FILE or --project P")


def _code(**fields):
    from logicmap.api import Code

    return Code(**fields)


@app.command("show")
def show(
    codebook: CodebookOption = None,
    project: ProjectCodebook = None,
    kind: Annotated[Optional[str], typer.Option(help="Only codes of this kind (layer), e.g. outcome.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the codes as JSON lines.")] = False,
) -> None:
    """List the codebook's codes.

    Example: logicmap codebook show --codebook codebook.yaml --kind outcome
    """
    cb = _load(codebook, project)
    kinds = sorted({c.kind for c in cb.codes})
    if kind is not None and kind not in kinds:
        fail(f"unknown kind {kind!r} (known: {', '.join(kinds)})")
    codes = [c for c in cb.codes if kind is None or c.kind == kind]
    if as_json:
        for c in codes:
            out.print(json.dumps(c.to_dict(), ensure_ascii=False), highlight=False, markup=False)
        return
    table = Table(title=f"{cb.name}: {len(codes)} codes, {len(cb.links)} hypothesised links", caption=_layers(cb))
    for column in ("code", "kind", "domain/level", "label", "terms"):
        table.add_column(column)
    for c in codes:
        table.add_row(c.code, c.kind, c.domain or c.level or "", c.label, str(len(c.terms)))
    out.print(table)


@app.command("validate")
def validate(codebook: CodebookOption = None, project: ProjectCodebook = None) -> None:
    """Check a codebook file; every problem is listed with its line and key.

    Example: logicmap codebook validate --codebook codebook.yaml
    """
    cb = _load(codebook, project)
    out.print(f"OK: {cb.name}, {len(cb.codes)} codes, {len(cb.links)} links, {len(cb.descriptors)} descriptor fields; "
              f"{_layers(cb)}", highlight=False)


def _layers(cb) -> str:
    """``layers: Interventions -> ... -> Outcomes; conditions: Moderators``."""
    text = "layers: " + " -> ".join(cb.layer_title(k) for k in cb.chain)
    return text + (f"; conditions: {cb.layer_title(cb.condition_kind)}" if cb.condition_kind else "")


@app.command("list")
def list_() -> None:
    """List the codebooks shipped with logicmap (use a name wherever a codebook file is taken).

    Example: logicmap codebook list
    """
    from logicmap.api import embedded_codebooks, load_codebook

    table = Table(title="Embedded codebooks")
    for column in ("name", "format", "codes", "layers", "title"):
        table.add_column(column)
    for name in embedded_codebooks():
        cb = load_codebook(name)
        table.add_row(name, str(cb.format_version), str(len(cb.codes)), _layers(cb).removeprefix("layers: "), cb.title)
    out.print(table)


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="Codebook YAML file or embedded name.")],
    project: ProjectOption,
    map_: Annotated[Optional[list[str]], typer.Option(
        "--map", help="Move codings of an old code to a new one: OLD=NEW (repeatable).")] = None,
    force: Annotated[bool, typer.Option(
        help="Put the codebook in force even if codings would lose their code (they stay, unused).")] = False,
) -> None:
    """Put a codebook in force in an existing project (a new codebook version).

    Codings keep their codes where the new codebook still has them; --map moves others. Refused,
    naming the codes, when codings would be left without a code, unless --force.
    Example: logicmap codebook import my-codebook.yaml -p review.db --map T05=S1
    """
    from logicmap.api import load_codebook

    mapping = {}
    for spec in map_ or ():
        old, sep, new = spec.partition("=")
        if not sep or not old.strip() or not new.strip():
            fail(f"--map {spec!r}: expected OLD=NEW")
        mapping[old.strip()] = new.strip()
    with refusals():
        cb = load_codebook(source)
    from logicmap.api import CodebookChangeRefused

    with open_review(project) as review:
        lost = review.codebook.orphaned(cb, mapping)
        try:
            change = review.codebook.replace(cb, mapping=mapping, force=force, note=f"import {source}")
        except CodebookChangeRefused as exc:
            fail(f"{exc}" + (" (--map OLD=NEW, or --force)" if exc.codes else ""))
    _report(change)
    if lost:
        err.print(f"{sum(lost.values())} coding(s) kept without a code in force: "
                  f"{', '.join(lost)} (left out of the model).", highlight=False)
    out.print(f"Codebook {cb.name} in force (version {change.version}, {len(cb.codes)} codes; {_layers(cb)})",
              highlight=False)


#: The library's codebook edit of each command, for a codebook file.
_FILE_EDITS = {"add": "add_code", "rename": "rename_code", "merge": "merge_codes", "split": "split_code"}


def _apply(edit: str, *args, path: Path | None, project: str | None, **kwargs) -> None:
    """Apply ``edit`` (add, rename, merge, split) to the project's codebook or to the file; print the mapping."""
    if project is not None:
        with open_review(project) as review:
            change = getattr(review.codebook, edit)(*args, **kwargs)
        _report(change)
        mapping = change.mapping if edit != "add" else None
    else:
        mapping = _edit_file(edit, path, *args, **kwargs)
    if mapping is not None:
        out.print(json.dumps({"mapping": mapping}, ensure_ascii=False), highlight=False, markup=False)


def _report(change) -> None:
    """Say what a new project codebook version did to the codings."""
    if change.mapping:
        err.print(f"{change.carried} coding(s) carried to the new codes.", highlight=False)
    if change.waiting:
        err.print(f"{change.waiting} coding(s) still under {', '.join(change.waiting_codes)}: "
                  "reassign them to the new parts.", highlight=False)


def _edit_file(edit: str, path: Path | None, *args, **kwargs) -> dict | None:
    """Apply the library's codebook edit to the file at ``path`` and write it back; returns the mapping, if any."""
    import logicmap.api

    with refusals():
        edited = getattr(logicmap.api, _FILE_EDITS[edit])(logicmap.api.load_codebook(path), *args, **kwargs)
        codebook, mapping = edited if isinstance(edited, tuple) else (edited, None)
        logicmap.api.save_codebook(codebook, path)
    return mapping


@app.command("add")
def add(
    code: Annotated[str, typer.Option(help="New code id, e.g. T14.")],
    kind: Annotated[str, typer.Option(help="Its kind: a layer of the codebook, e.g. typology or outcome.")],
    label: Annotated[str, typer.Option(help="Short label.")],
    domain: Annotated[Optional[str], typer.Option(help="Domain (for a layer that declares domains).")] = None,
    level: Annotated[Optional[str], typer.Option(help="Level (for the condition layer).")] = None,
    definition: Annotated[str, typer.Option(help="Definition.")] = "",
    term: Annotated[Optional[list[str]], typer.Option("--term", help="Key term (repeatable).")] = None,
    codebook: EditedCodebook = None,
    project: ProjectCodebook = None,
) -> None:
    """Add a code.

    Example: logicmap codebook add --codebook cb.yaml --code T14 --kind typology --label "Spiritual care"
    """
    _one_target(codebook, project)
    new = _code(code=code, kind=kind, label=label, domain=domain, level=level, definition=definition, terms=tuple(term or ()))
    _apply("add", new, path=codebook, project=project)
    out.print(f"Added {code}")


@app.command("rename")
def rename(
    old: Annotated[str, typer.Argument(help="Current code.")],
    new: Annotated[str, typer.Argument(help="New code.")],
    label: Annotated[Optional[str], typer.Option(help="New label.")] = None,
    codebook: EditedCodebook = None,
    project: ProjectCodebook = None,
) -> None:
    """Rename a code; prints the old -> new mapping as JSON.

    Example: logicmap codebook rename --codebook cb.yaml T99 T14
    """
    _one_target(codebook, project)
    _apply("rename", old, new, label=label, path=codebook, project=project)


@app.command("merge")
def merge(
    sources: Annotated[list[str], typer.Argument(help="Codes to merge.")],
    into: Annotated[str, typer.Option(help="Code to merge into (existing, or new with --label).")],
    label: Annotated[Optional[str], typer.Option(help="Label of a new target code.")] = None,
    codebook: EditedCodebook = None,
    project: ProjectCodebook = None,
) -> None:
    """Merge codes; prints the old -> new mapping as JSON.

    Example: logicmap codebook merge --codebook cb.yaml OE1 --into OE4
    """
    _one_target(codebook, project)
    _apply("merge", sources, into, label=label, path=codebook, project=project)


@app.command("split")
def split(
    old: Annotated[str, typer.Argument(help="Code to split.")],
    part: Annotated[list[str], typer.Option("--part", help="New part as CODE=Label (repeat, at least two).")],
    codebook: EditedCodebook = None,
    project: ProjectCodebook = None,
) -> None:
    """Split a code into parts; prints the old -> parts mapping as JSON.

    Example: logicmap codebook split --codebook cb.yaml T11 --part T11a=Arts --part T11b=Sport
    """
    parts = []
    for spec in part:
        code, sep, lab = spec.partition("=")
        if not sep or not code.strip() or not lab.strip():
            fail(f"--part {spec!r}: expected CODE=Label")
        parts.append(_code(code=code.strip(), kind="", label=lab.strip()))
    _one_target(codebook, project)
    _apply("split", old, parts, path=codebook, project=project)
