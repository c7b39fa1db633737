"""The coding repository: codings, attached full texts, verdicts on suggestions and descriptors.

Every query of the coding stage lives here. What comes back is a plain value or a
core dataclass (:class:`~logicmap.coding.codings.StoredCoding`,
:class:`~logicmap.coding.feedback.Feedback`), never an ORM row. Every write is its
own transaction: a code is saved the moment it is given. Writes about a record the
project does not hold raise :class:`~logicmap.errors.CodingError` (``no record N``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from logicmap.coding.codings import StoredCoding
from logicmap.coding.feedback import Feedback
from logicmap.coding.fulltext import AttachedText
from logicmap.coding.spans import EvidenceSpan
from logicmap.errors import CodingError
from logicmap.store.database import Store, id_chunks
from logicmap.store.tables import Coding, Descriptor, FullText, RecordRow, SuggestionFeedback


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _require_record(session: Session, record_id: int) -> RecordRow:
    row = session.get(RecordRow, record_id)
    if row is None:
        raise CodingError(f"no record {record_id}")
    return row


#: The columns :func:`_stored` reads (selected alone, not as ORM rows, where many codings are read).
_CODING_COLUMNS = tuple(getattr(Coding, name) for name in (
    "id", "record_id", "code", "target_code", "reviewer", "kind", "field", "start", "end", "quote", "direction",
    "note", "source"))


def _stored(row) -> StoredCoding:
    """A coding from its ORM row or a row of :data:`_CODING_COLUMNS`."""
    return StoredCoding(
        id=row.id, record_id=row.record_id, code=row.code, target_code=row.target_code, reviewer=row.reviewer,
        kind=row.kind, field=row.field, start=row.start, end=row.end, quote=row.quote,
        direction=row.direction, note=row.note or "", source=row.source,
    )


# -- texts -------------------------------------------------------------------------------


def study_texts(store: Store, record_id: int) -> dict[str, str]:
    """A record's codable texts: ``id``, ``title``, ``abstract`` and any attached ``fulltext``."""
    return studies_texts(store, [record_id])[0]


def studies_texts(store: Store, record_ids: Sequence[int]) -> list[dict[str, str]]:
    """:func:`study_texts` of each record, in the order given (two queries per :func:`id_chunks` slice,
    not two per record)."""
    ids = [int(i) for i in record_ids]
    if not ids:
        return []
    rows, full = {}, {}
    with store.session() as session:
        for chunk in id_chunks(ids):
            rows.update((r.id, (r.title, r.abstract)) for r in session.execute(
                select(RecordRow.id, RecordRow.title, RecordRow.abstract).where(RecordRow.id.in_(chunk))))
            full.update(session.execute(
                select(FullText.record_id, FullText.text).where(FullText.record_id.in_(chunk))).all())
    out = []
    for record_id in ids:
        if record_id not in rows:
            raise CodingError(f"no record {record_id}")
        title, abstract = rows[record_id]
        texts = {"id": str(record_id), "title": title or "", "abstract": abstract or ""}
        if record_id in full:
            texts["fulltext"] = full[record_id]
        out.append(texts)
    return out


def texts_version(store: Store, record_ids: Sequence[int]) -> str:
    """A digest that changes whenever :func:`studies_texts` of ``record_ids`` would: their ids,
    titles and abstracts, and each attached full text's file hash, extractor and time (not the
    text itself: a kept model's key is read on every coding page, full texts only to build it)."""
    ids = sorted(int(i) for i in record_ids)
    digest = hashlib.sha256(repr(ids).encode())
    with store.session() as session:
        for chunk in id_chunks(ids):
            for row in session.execute(select(RecordRow.id, RecordRow.title, RecordRow.abstract)
                                       .where(RecordRow.id.in_(chunk)).order_by(RecordRow.id)):
                digest.update(repr(tuple(row)).encode("utf-8"))
            for row in session.execute(select(FullText.record_id, FullText.sha256, FullText.extractor,
                                              FullText.attached_at)
                                       .where(FullText.record_id.in_(chunk)).order_by(FullText.record_id)):
                digest.update(repr(tuple(row)).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class FullTextInfo:
    """A record's attached full text: the file it came from, its pages and its extracted text."""

    record_id: int
    filename: str
    media_type: str
    pages: int
    text: str
    attached_at: datetime


def fulltext_info(store: Store, record_id: int) -> FullTextInfo | None:
    """The full text attached to a record, or None."""
    with store.session() as session:
        _require_record(session, record_id)
        row = session.get(FullText, record_id)
        if row is None:
            return None
        return FullTextInfo(record_id, row.filename, row.media_type, len(row.pages or []) or 1, row.text,
                            row.attached_at)


def save_fulltext(store: Store, attached: AttachedText) -> None:
    """Attach a full text to its record, replacing an earlier one."""
    extracted = attached.extracted
    with store.session() as session:
        _require_record(session, attached.record_id)
        existing = session.get(FullText, attached.record_id)
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.add(FullText(
            record_id=attached.record_id, filename=attached.filename, media_type=extracted.media_type,
            extractor=extracted.extractor, text=extracted.text, pages=extracted.pages,
            sha256=attached.sha256, attached_at=_now(),
        ))


# -- codings -----------------------------------------------------------------------------


#: ``Coding.kind`` of a reconciliation decision to drop a code only one coder gave (not a code itself).
DROPPED = "dropped"


def insert_coding(
    store: Store, record_id: int, code: str, *, reviewer: str, kind: str, source: str,
    span: EvidenceSpan | None = None, direction: str | None = None, note: str = "", target_code: str | None = None,
) -> int:
    """Store one coding as given (the caller has checked it); returns its id."""
    with store.session() as session:
        row = Coding(
            record_id=record_id, code=code, target_code=target_code, reviewer=reviewer, kind=kind,
            field=span.field if span else None, start=span.start if span else None,
            end=span.end if span else None, quote=span.quote if span else None,
            direction=direction, note=note, source=source, created_at=_now(),
        )
        session.add(row)
        session.flush()
        return row.id


def undo_coding(store: Store, coding_id: int) -> None:
    """Mark a standing coding undone (the row stays)."""
    with store.session() as session:
        row = session.get(Coding, coding_id)
        if row is None or row.undone_at is not None:
            raise CodingError(f"no standing coding {coding_id}")
        row.undone_at = _now()


def standing_codings(store: Store, *, reviewer: str | None = None, kind: str | None = None,
                     record_id: int | None = None) -> list[StoredCoding]:
    """Standing codings (not undone) in the order given, optionally of one reviewer, kind or record.

    The ``"dropped"`` markers of reconciliation (a code the reconciler decided against) are not
    codes: they come back only when asked for with ``kind="dropped"``.
    """
    query = select(*_CODING_COLUMNS).where(Coding.undone_at.is_(None)).order_by(Coding.id)
    if reviewer is not None:
        query = query.where(Coding.reviewer == reviewer)
    if record_id is not None:
        query = query.where(Coding.record_id == record_id)
    query = query.where(Coding.kind == kind) if kind is not None else query.where(Coding.kind != DROPPED)
    with store.session() as session:  # columns, not ORM rows: a large map has 100,000 codings
        return [_stored(row) for row in session.execute(query)]


def count_standing(store: Store, codes: Collection[str]) -> int:
    """Number of standing codings under any of ``codes``."""
    if not codes:
        return 0
    query = select(func.count(Coding.id)).where(Coding.undone_at.is_(None), Coding.code.in_(list(codes)))
    with store.session() as session:
        return session.scalar(query) or 0


def carry_codes(store: Store, moves: dict[str, str]) -> int:
    """Move codings (and link targets) from old codes to new ones; returns rows changed."""
    changed = 0
    with store.session() as session:
        for old, new in moves.items():
            if old == new:
                continue
            changed += session.execute(update(Coding).where(Coding.code == old).values(code=new)).rowcount
            changed += session.execute(
                update(Coding).where(Coding.target_code == old).values(target_code=new)
            ).rowcount
    return changed


# -- verdicts on suggestions ---------------------------------------------------------------


def save_verdict(store: Store, record_id: int, code: str, *, accepted: bool, reviewer: str) -> None:
    """Store a reviewer's verdict on a suggested code."""
    with store.session() as session:
        _require_record(session, record_id)
        session.add(SuggestionFeedback(record_id=record_id, code=code, accepted=accepted, reviewer=reviewer,
                                       created_at=_now()))


def verdicts(store: Store) -> list[Feedback]:
    """Every verdict on a suggestion, oldest first."""
    with store.session() as session:
        rows = session.scalars(select(SuggestionFeedback).order_by(SuggestionFeedback.id))
        return [Feedback(str(row.record_id), row.code, row.accepted) for row in rows]


# -- descriptors ---------------------------------------------------------------------------


def save_descriptor(store: Store, record_id: int, field: str, value: object, *, reviewer: str) -> None:
    """Store a reviewer's value of a study descriptor (replacing their earlier one)."""
    with store.session() as session:
        _require_record(session, record_id)
        session.merge(Descriptor(record_id=record_id, reviewer=reviewer, field=field, value=value, created_at=_now()))


def descriptors_of(store: Store, record_ids: Collection[int]) -> dict[int, dict[str, object]]:
    """Record -> descriptor field -> value (the latest value per field)."""
    ids = list(record_ids)
    found: dict[int, dict[str, object]] = {}
    with store.session() as session:
        for chunk in id_chunks(ids):
            query = (select(Descriptor.record_id, Descriptor.field, Descriptor.value)
                     .where(Descriptor.record_id.in_(chunk)).order_by(Descriptor.created_at))
            for record_id, field, value in session.execute(query):
                found.setdefault(record_id, {})[field] = value
    return found
