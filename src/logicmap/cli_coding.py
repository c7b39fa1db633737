"""``logicmap code ...`` and ``logicmap codebook ...``: thin wrappers over the coding library.

Register with::

    from logicmap.cli_coding import code_app, codebook_app
    app.add_typer(code_app, name="code")
    app.add_typer(codebook_app, name="codebook")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from logicmap.codebook import (
    KINDS,
    Code,
    CodebookError,
    add_code,
    load_codebook,
    merge_codes,
    rename_code,
    save_codebook,
    split_code,
)
from logicmap.coding.suggest import suggest as suggest_codes

code_app = typer.Typer(help="Code studies against the codebook.", no_args_is_help=True)
codebook_app = typer.Typer(help="Show, validate and edit a codebook YAML file.", no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

MAX_REPORTED = 20
CodebookOption = Annotated[
    Optional[Path], typer.Option("--codebook", help="Codebook YAML file (default: the embedded recovery codebook).")
]
EditedCodebook = Annotated[Optional[Path], typer.Option("--codebook", help="Codebook YAML file to edit in place.")]
ProjectCodebook = Annotated[
    Optional[str], typer.Option("--project", "-p", help="Use the project's codebook copy instead of a file.")
]


def _fail(lines: list[str]) -> None:
    for line in lines[:MAX_REPORTED]:
        err.print(f"[bold red]Error:[/] {escape(line)}", highlight=False)
    if len(lines) > MAX_REPORTED:
        err.print(f"... and {len(lines) - MAX_REPORTED} more", highlight=False)
    raise typer.Exit(1)


def _load(path: Path | None, project: str | None = None):
    if project is not None:
        from logicmap.coding.project import project_codebook

        with _open_project(project) as store:
            try:
                return project_codebook(store)
            except CodebookError as exc:
                _fail([f"{exc.source}: {p}" for p in exc.problems])
    try:
        return load_codebook(path)
    except CodebookError as exc:
        _fail([f"{exc.source}: {p}" for p in exc.problems])


def _open_project(project: str):
    from logicmap.store import StoreError, open_project

    try:
        return open_project(project)
    except StoreError as exc:
        _fail([str(exc)])


def _one_target(codebook: Path | None, project: str | None) -> None:
    if (codebook is None) == (project is None):
        _fail(["give the codebook to edit: --codebook FILE or --project P"])


class RecordsError(ValueError):
    """A records JSONL file was refused; ``problems`` names every bad line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_records(path: Path) -> list[dict]:
    """Records (``id``, ``title``, ``abstract``) from JSONL; every bad line is reported at once."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordsError([f"{path}: cannot read ({exc})"]) from exc
    records, problems, seen = [], [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}, line {number}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path}, line {number}: expected a JSON object with id, title, abstract")
            continue
        rid = obj.get("id")
        if rid is None or str(rid).strip() == "":
            problems.append(f"{path}, line {number}: missing 'id'")
            continue
        rid = str(rid)
        if rid in seen:
            problems.append(f"{path}, line {number}: id {rid!r} repeats line {seen[rid]}")
            continue
        seen[rid] = number
        title, abstract = obj.get("title") or "", obj.get("abstract") or ""
        if not isinstance(title, str) or not isinstance(abstract, str):
            problems.append(f"{path}, line {number} (id {rid}): title and abstract must be strings")
            continue
        if not (title.strip() or abstract.strip()):
            problems.append(f"{path}, line {number} (id {rid}): empty title and abstract")
            continue
        records.append({"id": rid, "title": title, "abstract": abstract})
    if problems:
        raise RecordsError(problems)
    if not records:
        raise RecordsError([f"{path}: no records"])
    return records


def _project_suggestions(project: str):
    """Suggestions for the project's included studies (learning from its reviewers)."""
    from logicmap.coding.learning import project_suggestions
    from logicmap.screening.decisions import included_records

    with _open_project(project) as store:
        ids = included_records(store)
        if not ids:
            _fail([f"{project}: no included studies yet (screen first)"])
        suggestions, learnt = project_suggestions(store, ids)
    err.print("Suggestions learnt from this project's reviewers." if learnt
              else "Suggestions from the codebook's key terms (not enough reviewer feedback to learn yet).",
              highlight=False)
    return [str(i) for i in ids], suggestions


@code_app.command("suggest")
def suggest(
    output: Annotated[Path, typer.Option("--output", help="Suggestions JSONL to write.")],
    input: Annotated[
        Optional[Path], typer.Option("--input", help="Records JSONL: id, title, abstract per line.")
    ] = None,
    project: Annotated[
        Optional[str], typer.Option("--project", "-p", help="Suggest for this project's included studies.")
    ] = None,
    codebook: CodebookOption = None,
) -> None:
    """Suggest codes, each with a score and a verbatim quote, for every record.

    Example: logicmap code suggest --input records.jsonl --output suggestions.jsonl
    """
    if (input is None) == (project is None):
        _fail(["give either --input records.jsonl or --project P"])
    if project is not None:
        ids, suggestions = _project_suggestions(project)
    else:
        cb = _load(codebook)
        try:
            records = read_records(input)
        except RecordsError as exc:
            _fail(exc.problems)
        ids, suggestions = [r["id"] for r in records], suggest_codes(records, cb)
    by_id: dict[str, list[dict]] = {rid: [] for rid in ids}
    for s in suggestions:
        by_id[s.record_id].append(s.to_dict())
    with output.open("w", encoding="utf-8") as fh:
        for rid, codes in by_id.items():
            fh.write(json.dumps({"id": rid, "codes": codes}, ensure_ascii=False) + "\n")
    total = sum(map(len, by_id.values()))
    err.print(f"{total} suggestions for {len(by_id)} records written to {output}", highlight=False)


@codebook_app.command("show")
def show(
    codebook: CodebookOption = None,
    project: ProjectCodebook = None,
    kind: Annotated[Optional[str], typer.Option(help=f"Only one kind: {', '.join(KINDS)}.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the codes as JSON lines.")] = False,
) -> None:
    """List the codebook's codes.

    Example: logicmap codebook show --codebook codebook.yaml --kind outcome
    """
    cb = _load(codebook, project)
    if kind is not None and kind not in KINDS:
        _fail([f"unknown kind {kind!r} (known: {', '.join(KINDS)})"])
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


@codebook_app.command("validate")
def validate(codebook: CodebookOption = None, project: ProjectCodebook = None) -> None:
    """Check a codebook file; every problem is listed with its line and key.

    Example: logicmap codebook validate --codebook codebook.yaml
    """
    cb = _load(codebook, project)
    out.print(f"OK: {cb.name}, {len(cb.codes)} codes, {len(cb.links)} links, {len(cb.descriptors)} descriptor fields")


def _save(cb, path: Path | None, mapping: dict | None = None, *, project: str | None = None, note: str = "") -> None:
    if project is not None:
        _save_to_project(cb, project, mapping, note)
    else:
        try:
            save_codebook(cb, path)
        except CodebookError as exc:
            _fail([str(p) for p in exc.problems])
    if mapping is not None:
        out.print(json.dumps({"mapping": mapping}, ensure_ascii=False), highlight=False, markup=False)


def _save_to_project(cb, project: str, mapping: dict | None, note: str) -> None:
    """A new codebook version; renamed/merged codes carry the existing codings along."""
    from logicmap.coding.project import carry_codes, codings, save_codebook_version

    with _open_project(project) as store:
        save_codebook_version(store, cb, note)
        if not mapping:
            return
        moves = {old: new for old, new in mapping.items() if isinstance(new, str)}
        moved = carry_codes(store, moves)
        pending = [old for old, new in mapping.items() if isinstance(new, list)]
        waiting = sum(1 for row in codings(store) if row.code in pending)
    err.print(f"{moved} coding(s) carried to the new codes.", highlight=False)
    if waiting:
        err.print(f"{waiting} coding(s) still under {', '.join(pending)}: reassign them to the new parts.", highlight=False)


def _edit(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except CodebookError as exc:
        _fail([str(p) for p in exc.problems])


@codebook_app.command("add")
def add(
    code: Annotated[str, typer.Option(help="New code id, e.g. T14.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(KINDS)}.")],
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
    new = Code(code=code, kind=kind, label=label, domain=domain, level=level, definition=definition, terms=tuple(term or ()))
    _save(_edit(add_code, cb, new), codebook, project=project, note=f"add {code}")
    out.print(f"Added {code}")


@codebook_app.command("rename")
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
    cb, mapping = _edit(rename_code, _load(codebook, project), old, new, label=label)
    _save(cb, codebook, mapping, project=project, note=f"rename {old} -> {new}")


@codebook_app.command("merge")
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
    cb, mapping = _edit(merge_codes, _load(codebook, project), sources, into, label=label)
    _save(cb, codebook, mapping, project=project, note=f"merge {', '.join(sources)} -> {into}")


@codebook_app.command("split")
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
            _fail([f"--part {spec!r}: expected CODE=Label"])
        parts.append(Code(code=code.strip(), kind="", label=lab.strip()))
    _one_target(codebook, project)
    cb, mapping = _edit(split_code, _load(codebook, project), old, parts)
    _save(cb, codebook, mapping, project=project, note=f"split {old}")
