"""Stored codings as plain values, which of them count, and the checks a new coding must pass.

Pure: no database. The store returns :class:`StoredCoding` values; the rules here pick
the codes that count (:func:`final_codings`), turn codings into :class:`CodedItem`\\ s
for agreement and reconciliation, and refuse unknown codes, directions and descriptor values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from logicmap.codebook.codes import DIRECTIONS, MODERATOR_DIRECTIONS, Codebook, Descriptor
from logicmap.coding.spans import CodedItem, EvidenceSpan
from logicmap.errors import CodingError


@dataclass(frozen=True)
class StoredCoding:
    """One standing coding of a project: a code (or a link ``code -> target_code``) given to a record."""

    id: int
    record_id: int
    code: str
    target_code: str | None
    reviewer: str
    kind: str
    field: str | None
    start: int | None
    end: int | None
    quote: str | None
    direction: str | None
    note: str
    source: str

    @property
    def span(self) -> EvidenceSpan | None:
        """The evidence span, when the coding has one."""
        return EvidenceSpan(self.field, self.start, self.end, self.quote) if self.field else None

    def item(self) -> CodedItem:
        """The coding as a :class:`CodedItem` (what agreement and reconciliation compare)."""
        return CodedItem(str(self.record_id), self.code, self.reviewer, self.span, self.direction, self.note)


def coded_items(codings: Iterable[StoredCoding]) -> list[CodedItem]:
    """Code assignments (links left out) as coded items."""
    return [c.item() for c in codings if c.target_code is None]


def final_codings(codings: Sequence[StoredCoding]) -> list[StoredCoding]:
    """The codes that count: a study's reconciled codes when it has been reconciled (a final code or
    a ``"dropped"`` decision), else its independent ones. Dropped markers are never returned."""
    reconciled = {c.record_id for c in codings if c.kind in ("reconciled", "dropped")}
    return [c for c in codings if c.kind != "dropped" and (c.kind == "reconciled") == (c.record_id in reconciled)]


def counts_by_kind(codings: Iterable[StoredCoding], codebook: Codebook) -> dict[str, int]:
    """Code assignments per node kind (links and codes no longer in the codebook left out)."""
    counts = Counter(codebook[c.code].kind for c in codings if c.target_code is None and c.code in codebook)
    return dict(counts)


def check_codes(codebook: Codebook, *codes: str | None) -> None:
    """Raise :class:`CodingError` for a code that is not in the project's codebook (None is skipped)."""
    for name in codes:
        if name is not None and name not in codebook:
            raise CodingError(f"code {name!r} is not in the project's codebook")


def check_direction(direction: str | None, kind: str | None = None) -> None:
    """Raise :class:`CodingError` unless ``direction`` is None or fits a code of ``kind``: a moderator
    (or a link from one) strengthens or weakens (:data:`MODERATOR_DIRECTIONS`), any other code
    takes one of :data:`DIRECTIONS`."""
    allowed = MODERATOR_DIRECTIONS if kind == "moderator" else DIRECTIONS
    if direction is not None and direction not in allowed:
        what = "a moderator's direction" if kind == "moderator" else "direction"
        raise CodingError(f"{what} {direction!r} is not one of {', '.join(allowed)}")


def check_descriptor(codebook: Codebook, field: str, value: object) -> None:
    """Raise :class:`CodingError` unless ``value`` fits the codebook's descriptor ``field``."""
    spec = codebook.descriptor(field)
    if spec is None:
        known = ", ".join(d.field for d in codebook.descriptors)
        raise CodingError(f"descriptor {field!r} is not in the codebook (known: {known})")
    values = value if isinstance(value, list) else [value]
    if spec.type == "integer":
        _check_integers(spec, value, values)
    elif spec.values and not spec.open:
        _check_vocabulary(spec, values)


def _check_integers(spec: Descriptor, value: object, values: list) -> None:
    if not all(isinstance(v, int) and (spec.minimum is None or v >= spec.minimum) for v in values):
        raise CodingError(f"descriptor {spec.field}: {value!r} is not an integer >= {spec.minimum}")


def _check_vocabulary(spec: Descriptor, values: list) -> None:
    bad = [v for v in values if v not in spec.values]
    if bad:
        raise CodingError(f"descriptor {spec.field}: {bad[0]!r} is not one of {', '.join(spec.values)}")
