"""Codebook edits: add, rename, merge and split codes.

Every edit returns a *new* :class:`Codebook` (the input is unchanged) and, where stored
codings must follow, a mapping old code -> new code(s) so a store can carry them along.
Hypothesised links follow the codes they join. Example::

    cb, mapping = merge_codes(cb, ["OE1", "P5"], into="OE1")   # {"P5": "OE1"}
"""

from __future__ import annotations

from dataclasses import replace

from logicmap.codebook.loader import dumps_codebook, loads_codebook
from logicmap.codebook.codes import Code, Codebook, CodebookError, Link, Problem


def _refuse(key: str, message: str) -> CodebookError:
    return CodebookError([Problem(0, key, message)], "codebook edit")


def _need(cb: Codebook, code: str, key: str) -> Code:
    if code not in cb:
        raise _refuse(key, f"no code {code!r} in the codebook")
    return cb[code]


def _checked(cb: Codebook) -> Codebook:
    """Re-validate an edited codebook with the same rules as a file (round trip through YAML)."""
    return loads_codebook(dumps_codebook(cb), "edited codebook")


def _relink(links, mapping: dict[str, list[str]]) -> tuple[Link, ...]:
    """Rewrite link ends through ``mapping``; drop self-loops and duplicates, keep order."""
    out: list[Link] = []
    seen: set = set()
    for link in links:
        for src in mapping.get(link.source, [link.source]):
            for dst in mapping.get(link.target, [link.target]):
                if src == dst or (src, dst) in seen:
                    continue
                seen.add((src, dst))
                out.append(replace(link, source=src, target=dst))
    return tuple(out)


def add_code(cb: Codebook, code: Code, *, after: str | None = None) -> Codebook:
    """Add ``code`` (at the end of its kind's block, or right after ``after``)."""
    if code.code in cb:
        raise _refuse("codes.code", f"duplicate code {code.code!r}")
    codes = list(cb.codes)
    if after is not None:
        _need(cb, after, "after")
        pos = next(i for i, c in enumerate(codes) if c.code == after) + 1
    else:
        same = [i for i, c in enumerate(codes) if c.kind == code.kind]
        pos = same[-1] + 1 if same else len(codes)
    codes.insert(pos, code)
    return _checked(replace(cb, codes=tuple(codes)))


def add_link(cb: Codebook, source: str, target: str, *, status: str = "hypothesised", note: str = "") -> Codebook:
    """Add a link the theory expects between two existing codes."""
    _need(cb, source, "links.from")
    _need(cb, target, "links.to")
    return _checked(replace(cb, links=cb.links + (Link(source, target, status, note),)))


def rename_code(cb: Codebook, old: str, new: str, *, label: str | None = None) -> tuple[Codebook, dict[str, str]]:
    """Give code ``old`` the id ``new`` (and optionally a new label); return ``{old: new}``."""
    current = _need(cb, old, "code")
    if new != old and new in cb:
        raise _refuse("code", f"cannot rename {old!r} to {new!r}: {new!r} already exists")
    renamed = replace(current, code=new, label=label or current.label)
    codes = tuple(renamed if c.code == old else c for c in cb.codes)
    links = _relink(cb.links, {old: [new]})
    return _checked(replace(cb, codes=codes, links=links)), {old: new}


def _union(*groups) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        out.extend(x for x in group if x not in out)
    return tuple(out)


def merge_codes(
    cb: Codebook, sources: list[str], into: str, *, label: str | None = None
) -> tuple[Codebook, dict[str, str]]:
    """Merge ``sources`` into ``into`` (an existing code, or a new id given with ``label``).

    The codes must share kind (and domain/level); their terms, examples and links are
    united. Returns ``{source: into}`` for every source that disappeared.
    """
    if not sources:
        raise _refuse("sources", "nothing to merge")
    parts = [_need(cb, s, "sources") for s in sources]
    target = cb[into] if into in cb else None
    if target is None and not label:
        raise _refuse("into", f"{into!r} is a new code: give it a label")
    everyone = parts + ([target] if target else [])
    if len({(c.kind, c.domain, c.level) for c in everyone}) > 1:
        found = ", ".join(f"{c.code}={c.kind}/{c.domain or c.level or '-'}" for c in everyone)
        raise _refuse("sources", f"can only merge codes of one kind and domain/level ({found})")
    base = target or parts[0]
    merged = replace(
        base,
        code=into,
        label=label or base.label,
        examples=_union(*(c.examples for c in everyone)),
        terms=_union(*(c.terms for c in everyone)),
    )
    gone = {s for s in sources if s != into}
    codes, placed = [], False
    for c in cb.codes:
        if c.code == into or (c.code in gone and target is None):
            if not placed:
                codes.append(merged)
                placed = True
        elif c.code not in gone:
            codes.append(c)
    mapping = {s: into for s in sources if s != into}
    links = _relink(cb.links, {s: [into] for s in mapping})
    return _checked(replace(cb, codes=tuple(codes), links=links)), mapping


def split_code(cb: Codebook, old: str, parts: list[Code]) -> tuple[Codebook, dict[str, list[str]]]:
    """Replace ``old`` by ``parts`` (each inherits kind/domain/level when left empty).

    Links of ``old`` are copied to every part. Returns ``{old: [part ids]}``: codings stored
    under ``old`` must be re-assigned to one of the parts by a reviewer.
    """
    current = _need(cb, old, "code")
    if len(parts) < 2:
        raise _refuse("parts", "a split needs at least two parts")
    filled = []
    for p in parts:
        if p.code != old and p.code in cb:
            raise _refuse("parts", f"part {p.code!r} already exists")
        filled.append(replace(p, kind=p.kind or current.kind, domain=p.domain or current.domain, level=p.level or current.level))
    codes: list[Code] = []
    for c in cb.codes:
        codes.extend(filled if c.code == old else [c])
    ids = [p.code for p in filled]
    links = _relink(cb.links, {old: ids})
    return _checked(replace(cb, codes=tuple(codes), links=links)), {old: ids}
