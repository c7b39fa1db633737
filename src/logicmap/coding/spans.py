"""Coded items: which code a reviewer gave a study, with the exact evidence span.

Pure dataclasses (no database). A span must match its record's text exactly;
:func:`validate_span` raises :class:`SpanError` naming the study and the span.
"""

from __future__ import annotations

from logicmap.errors import CodingError, SpanError

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from logicmap.codebook.codes import DIRECTIONS, MODERATOR_DIRECTIONS

FIELDS: tuple[str, ...] = ("title", "abstract", "fulltext")


@dataclass(frozen=True)
class EvidenceSpan:
    """``quote == record[field][start:end]``, exactly."""

    field: str
    start: int
    end: int
    quote: str

    def __post_init__(self) -> None:
        if self.field not in FIELDS:
            raise CodingError(f"span field {self.field!r} is not one of {', '.join(FIELDS)}")
        if not (0 <= self.start < self.end):
            raise CodingError(f"span [{self.start}:{self.end}] is empty or negative")
        if len(self.quote) != self.end - self.start:
            raise CodingError(f"span [{self.start}:{self.end}] is {self.end - self.start} characters, quote is {len(self.quote)}")

    def describe(self) -> str:
        return f"{self.field}[{self.start}:{self.end}]"


@dataclass(frozen=True)
class CodedItem:
    """One code given to one study by one reviewer, with its evidence."""

    study_id: str
    code: str
    reviewer: str
    span: EvidenceSpan | None = None
    direction: str | None = None  # outcomes: benefit | no_difference | harm | mixed | not_measured; moderators: strengthens | weakens
    note: str = ""

    def __post_init__(self) -> None:
        if self.direction is not None and self.direction not in DIRECTIONS + MODERATOR_DIRECTIONS:
            known = ", ".join(DIRECTIONS + MODERATOR_DIRECTIONS)
            raise CodingError(f"study {self.study_id}, code {self.code}: direction {self.direction!r} is not one of {known}")


def span_for_quote(record: Mapping, quote: str, fields: Iterable[str] = FIELDS) -> EvidenceSpan:
    """The span of the first exact occurrence of ``quote`` in the record's fields (in ``fields`` order)."""
    for name in fields:
        text = record.get(name) or ""
        at = text.find(quote) if quote else -1
        if at >= 0:
            return EvidenceSpan(name, at, at + len(quote), quote)
    raise SpanError(f"study {record.get('id', '?')}: quote {quote[:60]!r} is not in {', '.join(fields)}")


def validate_span(study_id: str, span: EvidenceSpan, record: Mapping) -> None:
    """Raise :class:`SpanError` unless ``span.quote == record[span.field][span.start:span.end]``."""
    text = record.get(span.field)
    if text is None:
        raise SpanError(f"study {study_id}, span {span.describe()}: the study has no {span.field}")
    found = text[span.start : span.end]
    if span.end > len(text):
        raise SpanError(f"study {study_id}, span {span.describe()}: past the end of the {span.field} ({len(text)} characters)")
    if found != span.quote:
        hint = text.find(span.quote)
        where = f"; the quote occurs at [{hint}:{hint + len(span.quote)}]" if hint >= 0 else ""
        raise SpanError(f"study {study_id}, span {span.describe()}: text is {found[:60]!r}, quote is {span.quote[:60]!r}{where}")


def validate_items(items: Iterable[CodedItem], records: Mapping[str, Mapping]) -> list[str]:
    """Check every item's span against ``records`` (id -> record); return all problems found."""
    problems = []
    for item in items:
        if item.study_id not in records:
            problems.append(f"study {item.study_id}: no such study")
        elif item.span is not None:
            try:
                validate_span(item.study_id, item.span, records[item.study_id])
            except SpanError as exc:
                problems.append(str(exc))
    return problems
