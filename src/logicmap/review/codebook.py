"""``review.codebook``: the project's own copy of its codebook, versioned.

A project starts with the codebook given to :meth:`logicmap.api.Review.create` (default: the
embedded recovery codebook). :meth:`CodebookStage.replace` puts another codebook in force:
codings of codes the new codebook still has stay with them, ``mapping`` moves codings to a new
code, and a codebook that would leave codings without their code is refused unless ``force``
(those codings then stay in the project, left out of the model until a codebook with their
code is imported again).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collections import Counter

from logicmap.codebook.codes import Code, Codebook
from logicmap.codebook.edits import add_code, merge_codes, rename_code, split_code
from logicmap.codebook.loader import load_codebook
from logicmap.errors import CodebookChangeRefused
from logicmap.store.codebook import current_codebook, save_codebook_version
from logicmap.store.coding import carry_codes, count_standing, standing_codings
from logicmap.store.database import Store


@dataclass(frozen=True)
class CodebookChange:
    """What saving a codebook version did to the existing codings."""

    version: int
    carried: int
    waiting: int
    waiting_codes: tuple[str, ...]
    #: What the edit mapped: old code -> new code, or -> list of parts for a split (empty for an addition).
    mapping: dict = field(default_factory=dict)


class CodebookStage:
    """The codebook in force in the project and its versions."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def current(self) -> Codebook:
        """The codebook in force: the newest saved version, else the embedded default."""
        return current_codebook(self._store)

    def save(self, codebook: Codebook, *, note: str = "", mapping: dict | None = None) -> CodebookChange:
        """Store a new version; codings of renamed or merged codes move with them.

        ``mapping`` is what an edit returned (old code -> new code, or -> list of
        parts for a split); codings of a split code wait for a reviewer.
        """
        version = save_codebook_version(self._store, codebook, note)
        mapping = mapping or {}
        moves = {old: new for old, new in mapping.items() if isinstance(new, str)}
        carried = carry_codes(self._store, moves) if moves else 0
        pending = tuple(old for old, new in mapping.items() if isinstance(new, list))
        return CodebookChange(version, carried, count_standing(self._store, pending), pending, dict(mapping))

    def replace(self, codebook: Codebook | str, *, mapping: dict[str, str] | None = None, force: bool = False,
                note: str = "") -> CodebookChange:
        """Put ``codebook`` (a Codebook, a file path or an embedded name) in force as a new version.

        Codings move along ``mapping`` (old code -> new code, each new code in ``codebook``);
        codings of codes ``codebook`` still has stay. Refused (:class:`CodebookChangeRefused`,
        nothing changed) when codings would be left without a code, unless ``force``.
        """
        if not isinstance(codebook, Codebook):
            codebook = load_codebook(codebook)
        mapping = dict(mapping or {})
        wrong = sorted(f"{old} -> {new}" for old, new in mapping.items() if new not in codebook)
        if wrong:
            raise CodebookChangeRefused(f"mapping to codes that {codebook.name!r} does not have: {', '.join(wrong)}",
                                        {})
        orphaned = self.orphaned(codebook, mapping)
        if orphaned and not force:
            listed = ", ".join(f"{code} ({n})" for code, n in orphaned.items())
            raise CodebookChangeRefused(
                f"codebook {codebook.name!r} lacks codes that standing codings use (code (codings)): {listed}; "
                "map them to new codes (OLD=NEW) or force the change (those codings then stay unused)", orphaned)
        return self.save(codebook, note=note or f"import {codebook.name}", mapping=mapping)

    def orphaned(self, codebook: Codebook, mapping: dict[str, str] | None = None) -> dict[str, int]:
        """Codes of standing codings (and coded link targets) that ``codebook`` lacks after
        ``mapping``, with their number of codings, in code order."""
        mapping = mapping or {}
        used: Counter = Counter()
        for c in standing_codings(self._store):
            for code in (c.code, c.target_code):
                if code is not None and mapping.get(code, code) not in codebook:
                    used[code] += 1
        return dict(sorted(used.items()))

    def add(self, code: Code, *, after: str | None = None) -> CodebookChange:
        """Add ``code`` to the codebook in force and save the new version."""
        return self.save(add_code(self.current(), code, after=after), note=f"add {code.code}")

    def rename(self, old: str, new: str, *, label: str | None = None) -> CodebookChange:
        """Rename a code; its codings move with it."""
        codebook, mapping = rename_code(self.current(), old, new, label=label)
        return self.save(codebook, note=f"rename {old} -> {new}", mapping=mapping)

    def merge(self, sources: list[str], into: str, *, label: str | None = None) -> CodebookChange:
        """Merge codes into ``into`` (existing, or new with ``label``); their codings move with them."""
        codebook, mapping = merge_codes(self.current(), sources, into, label=label)
        return self.save(codebook, note=f"merge {', '.join(sources)} -> {into}", mapping=mapping)

    def split(self, old: str, parts: list[Code]) -> CodebookChange:
        """Split a code into parts; its codings wait for a reviewer to reassign them."""
        codebook, mapping = split_code(self.current(), old, parts)
        return self.save(codebook, note=f"split {old}", mapping=mapping)
