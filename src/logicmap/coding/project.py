"""The coding stage on a project: its codebook copy, coded items with verified spans,
full texts, machine suggestions, dual coding and reconciliation.

Every write is its own transaction: a code is saved the moment it is given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select, update

from logicmap.codebook import Codebook, default_codebook_text, dumps_codebook, loads_codebook
from logicmap.codebook.codes import DIRECTIONS
from logicmap.coding.agreement import AgreementReport, agreement, reconcile
from logicmap.coding.spans import CodedItem, CodingError, EvidenceSpan, span_for_quote, validate_span
from logicmap.store.tables import Coding, CodebookVersion, FullText, RecordRow
from logicmap.store.database import Store


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@lru_cache(maxsize=16)
def _parsed(text: str, source: str) -> Codebook:
    # parsing and validating the YAML takes ~0.3 s; a Codebook is immutable, so share it
    return loads_codebook(text, source=source)


def project_codebook(project: Store) -> Codebook:
    """The codebook in force: the project's newest version, else the embedded default."""
    with project.session() as session:
        row = session.scalars(select(CodebookVersion).order_by(CodebookVersion.id.desc())).first()
        text = row.yaml if row else default_codebook_text()
    return _parsed(text, "project codebook" if row else "default codebook")


def save_codebook_version(project: Store, codebook: Codebook, note: str) -> int:
    """Store a new version of the project's codebook; returns its id."""
    with project.session() as session:
        row = CodebookVersion(yaml=dumps_codebook(codebook), note=note[:500], created_at=_now())
        session.add(row)
        session.flush()
        return row.id


def carry_codes(project: Store, mapping: dict[str, str]) -> int:
    """Move existing codings along a rename or merge (old code -> new code); returns rows changed."""
    changed = 0
    with project.session() as session:
        for old, new in mapping.items():
            if old == new:
                continue
            changed += session.execute(update(Coding).where(Coding.code == old).values(code=new)).rowcount
            changed += session.execute(
                update(Coding).where(Coding.target_code == old).values(target_code=new)
            ).rowcount
    return changed


def record_texts(project: Store, record_id: int) -> dict[str, str]:
    """A record's codable texts: ``title``, ``abstract`` and attached ``fulltext``."""
    with project.session() as session:
        row = session.get(RecordRow, record_id)
        if row is None:
            raise CodingError(f"no record {record_id}")
        full = session.get(FullText, record_id)
        texts = {"id": str(record_id), "title": row.title or "", "abstract": row.abstract or ""}
        if full is not None:
            texts["fulltext"] = full.text
    return texts


def add_coding(
    project: Store,
    record_id: int,
    code: str,
    *,
    reviewer: str,
    quote: str | None = None,
    span: EvidenceSpan | None = None,
    direction: str | None = None,
    note: str = "",
    target_code: str | None = None,
    source: str = "manual",
    kind: str = "independent",
) -> int:
    """Store one coded item after checking the code, the direction and the span.

    Give ``span`` (an exact character range) or ``quote`` (its first occurrence
    in title, abstract or full text is used). The store refuses a span that does
    not match the study's text.
    """
    codebook = project_codebook(project)
    for name in (code, target_code):
        if name is not None and name not in codebook:
            raise CodingError(f"code {name!r} is not in the project's codebook")
    if direction is not None and direction not in DIRECTIONS:
        raise CodingError(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    texts = record_texts(project, record_id)
    if span is None and quote is not None:
        span = span_for_quote(texts, quote)
    if span is not None:
        validate_span(str(record_id), span, texts)
    with project.session() as session:
        row = Coding(
            record_id=record_id, code=code, target_code=target_code, reviewer=reviewer, kind=kind,
            field=span.field if span else None, start=span.start if span else None,
            end=span.end if span else None, quote=span.quote if span else None,
            direction=direction, note=note, source=source, created_at=_now(),
        )
        session.add(row)
        session.flush()
        return row.id


def undo_coding(project: Store, coding_id: int) -> None:
    """Withdraw a coded item (its row stays, marked undone)."""
    with project.session() as session:
        row = session.get(Coding, coding_id)
        if row is None or row.undone_at is not None:
            raise CodingError(f"no standing coding {coding_id}")
        row.undone_at = _now()


def _item(row: Coding) -> CodedItem:
    span = EvidenceSpan(row.field, row.start, row.end, row.quote) if row.field else None
    return CodedItem(str(row.record_id), row.code, row.reviewer, span, row.direction, row.note or "")


def codings(project: Store, *, reviewer: str | None = None, kind: str | None = None) -> list[Coding]:
    """Standing coding rows (not undone), optionally of one reviewer or kind."""
    query = select(Coding).where(Coding.undone_at.is_(None)).order_by(Coding.id)
    if reviewer is not None:
        query = query.where(Coding.reviewer == reviewer)
    if kind is not None:
        query = query.where(Coding.kind == kind)
    with project.session() as session:
        return list(session.scalars(query))


def coded_items(project: Store, *, reviewer: str | None = None, kind: str | None = None) -> list[CodedItem]:
    """Standing code assignments (links excluded) as :class:`CodedItem` objects."""
    return [_item(r) for r in codings(project, reviewer=reviewer, kind=kind) if r.target_code is None]


def final_codings(project: Store) -> list[Coding]:
    """The codes that count: a study's reconciled codes when it has any, else its independent ones."""
    rows = codings(project)
    reconciled = {r.record_id for r in rows if r.kind == "reconciled"}
    return [r for r in rows if (r.kind == "reconciled") == (r.record_id in reconciled)]


def coding_agreement(project: Store, reviewer_a: str, reviewer_b: str) -> AgreementReport:
    """Agreement of two coders per code and per kind on the studies both coded."""
    a, b = coded_items(project, reviewer=reviewer_a), coded_items(project, reviewer=reviewer_b)
    both = {i.study_id for i in a} & {i.study_id for i in b}
    if not both:
        raise CodingError(f"{reviewer_a} and {reviewer_b} have coded no study in common")
    return agreement(a, b, project_codebook(project), studies=both)


@dataclass
class ReconcileSummary:
    """Counts of a reconciliation run."""

    agreed: int
    resolved: int
    unresolved: int


def reconcile_coders(
    project: Store, reviewer_a: str, reviewer_b: str, *, decisions=None, decided_by: str = "consensus"
) -> ReconcileSummary:
    """Store final codes from two coders (both originals are kept); unresolved ones wait."""
    outcome = reconcile(
        coded_items(project, reviewer=reviewer_a), coded_items(project, reviewer=reviewer_b),
        decisions, reviewer=decided_by,
    )
    for item in outcome:
        if item.final is not None:
            add_coding(
                project, int(item.study_id), item.final.code, reviewer=decided_by, span=item.final.span,
                direction=item.final.direction, note=item.final.note, kind="reconciled", source="reconcile",
            )
    counts = Counter(item.status for item in outcome)
    return ReconcileSummary(counts["agreed"], counts["resolved"], counts["unresolved"])


def code_counts_by_kind(project: Store) -> dict[str, int]:
    """Final code assignments per node kind (for summaries)."""
    codebook = project_codebook(project)
    counts: Counter[str] = Counter()
    for row in final_codings(project):
        if row.target_code is None and row.code in codebook:
            counts[codebook[row.code].kind] += 1
    return dict(counts)


def set_descriptor(project: Store, record_id: int, field: str, value: object, *, reviewer: str) -> None:
    """Record a study descriptor, checked against the codebook's controlled vocabulary."""
    from logicmap.store.tables import Descriptor

    codebook = project_codebook(project)
    spec = next((d for d in codebook.descriptors if d.field == field), None)
    if spec is None:
        known = ", ".join(d.field for d in codebook.descriptors)
        raise CodingError(f"descriptor {field!r} is not in the codebook (known: {known})")
    values = value if isinstance(value, list) else [value]
    if spec.type == "integer":
        if not all(isinstance(v, int) and (spec.minimum is None or v >= spec.minimum) for v in values):
            raise CodingError(f"descriptor {field}: {value!r} is not an integer >= {spec.minimum}")
    elif spec.values and not spec.open:
        bad = [v for v in values if v not in spec.values]
        if bad:
            raise CodingError(f"descriptor {field}: {bad[0]!r} is not one of {', '.join(spec.values)}")
    with project.session() as session:
        if session.get(RecordRow, record_id) is None:
            raise CodingError(f"no record {record_id}")
        session.merge(Descriptor(record_id=record_id, reviewer=reviewer, field=field, value=value, created_at=_now()))


def descriptors_of(project: Store, record_ids: list[int]) -> dict[int, dict[str, object]]:
    """Record -> descriptor field -> value (the latest value per field)."""
    from logicmap.store.tables import Descriptor

    found: dict[int, dict[str, object]] = {}
    with project.session() as session:
        rows = session.scalars(
            select(Descriptor).where(Descriptor.record_id.in_(record_ids)).order_by(Descriptor.created_at)
        )
        for row in rows:
            found.setdefault(row.record_id, {})[row.field] = row.value
    return found
