"""``review.codebook``: the project's own copy of its codebook, versioned."""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.codebook.codes import Codebook
from logicmap.store.codebook import current_codebook, save_codebook_version
from logicmap.store.coding import carry_codes, count_standing
from logicmap.store.database import Store


@dataclass(frozen=True)
class CodebookChange:
    """What saving a codebook version did to the existing codings."""

    version: int
    carried: int
    waiting: int
    waiting_codes: tuple[str, ...]


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
        return CodebookChange(version, carried, count_standing(self._store, pending), pending)
