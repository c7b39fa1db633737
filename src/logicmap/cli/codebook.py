"""``logicmap codebook ...``: show, validate and edit a codebook, in a file or in a project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from logicmap.cli.common import err, fail, open_review, out, refusals

app = typer.Typer(help="Show, validate and edit a codebook YAML file or a project's codebook.", no_args_is_help=True)

CodebookOption = Annotated[
    Optional[Path], typer.Option("--codebook", help="Codebook YAML file (default: the embedded recovery codebook).")
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
    kind: Annotated[Optional[str], typer.Option(help="Only codes of this kind, e.g. outcome.")] = None,
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
    table = Table(title=f"{cb.name}: {len(codes)} codes, {len(cb.links)} hypothesised links")
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
    out.print(f"OK: {cb.name}, {len(cb.codes)} codes, {len(cb.links)} links, {len(cb.descriptors)} descriptor fields")


def _save(cb, path: Path | None, mapping: dict | None = None, *, project: str | None = None, note: str = "") -> None:
    from logicmap.api import save_codebook

    if project is not None:
        with open_review(project) as review:
            change = review.codebook.save(cb, note=note, mapping=mapping)
        if mapping:
            err.print(f"{change.carried} coding(s) carried to the new codes.", highlight=False)
        if change.waiting:
            err.print(f"{change.waiting} coding(s) still under {', '.join(change.waiting_codes)}: "
                      "reassign them to the new parts.", highlight=False)
    else:
        with refusals():
            save_codebook(cb, path)
    if mapping is not None:
        out.print(json.dumps({"mapping": mapping}, ensure_ascii=False), highlight=False, markup=False)


def _edit(name: str, *args, **kwargs):
    """Apply the library's codebook edit ``name`` (add_code, rename_code, ...)."""
    import logicmap.api

    with refusals():
        return getattr(logicmap.api, name)(*args, **kwargs)


@app.command("add")
def add(
    code: Annotated[str, typer.Option(help="New code id, e.g. T14.")],
    kind: Annotated[str, typer.Option(help="Its kind, e.g. typology or outcome.")],
    label: Annotated[str, typer.Option(help="Short label.")],
    domain: Annotated[Optional[str], typer.Option(help="Outcome domain.")] = None,
    level: Annotated[Optional[str], typer.Option(help="Moderator level.")] = None,
    definition: Annotated[str, typer.Option(help="Definition.")] = "",
    term: Annotated[Optional[list[str]], typer.Option("--term", help="Key term (repeatable).")] = None,
    codebook: EditedCodebook = None,
    project: ProjectCodebook = None,
) -> None:
    """Add a code.

    Example: logicmap codebook add --codebook cb.yaml --code T14 --kind typology --label "Spiritual care"
    """
    _one_target(codebook, project)
    cb = _load(codebook, project)
    new = _code(code=code, kind=kind, label=label, domain=domain, level=level, definition=definition, terms=tuple(term or ()))
    _save(_edit("add_code", cb, new), codebook, project=project, note=f"add {code}")
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
    cb, mapping = _edit("rename_code", _load(codebook, project), old, new, label=label)
    _save(cb, codebook, mapping, project=project, note=f"rename {old} -> {new}")


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
    cb, mapping = _edit("merge_codes", _load(codebook, project), sources, into, label=label)
    _save(cb, codebook, mapping, project=project, note=f"merge {', '.join(sources)} -> {into}")


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
    cb, mapping = _edit("split_code", _load(codebook, project), old, parts)
    _save(cb, codebook, mapping, project=project, note=f"split {old}")
