"""SQLAlchemy 2 models of the project store.

One database holds one review project. Later stages (dedupe clusters, screening
decisions per reviewer and stage, codes) add their own tables that reference
``records.id``; the tables here are not reshaped for them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every store table."""


class ProjectSetting(Base):
    """Key/value facts about the project (name, format version, creation time)."""

    __tablename__ = "project_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Source(Base):
    """One imported file: where records came from, for provenance and PRISMA."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(40))
    database: Mapped[str | None] = mapped_column(String(200))
    search_date: Mapped[str | None] = mapped_column(String(40))
    search_string: Mapped[str | None] = mapped_column(Text)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    encoding: Mapped[str | None] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)  # a streamed import may exceed 2 GB
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(DateTime)

    records: Mapped[list[RecordRow]] = relationship(back_populates="source")


class SourceFile(Base):
    """The imported file's bytes as one zlib stream, cut into parts (joined in ``part`` order).

    Parts keep a large original from ever being one value in memory.
    """

    __tablename__ = "source_files"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    compressed: Mapped[bytes] = mapped_column(LargeBinary)


class RecordRow(Base):
    """A bibliographic record as imported, with normalised fields.

    Per-field provenance lives in ``provenance``: the tag and line of the record's
    source file each value came from, and the original text where normalisation
    changed it. (One JSON value per record rather than a row per field: an import
    of 100,000 records would otherwise write well over a million rows.)
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("source_id", "position", name="uq_records_source_position"),
        Index("ix_records_doi", "doi"),
        Index("ix_records_pmid", "pmid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[int | None] = mapped_column(Integer)
    source_record_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer)
    journal: Mapped[str | None] = mapped_column(Text)
    volume: Mapped[str | None] = mapped_column(String(100))
    issue: Mapped[str | None] = mapped_column(String(100))
    pages: Mapped[str | None] = mapped_column(String(100))
    doi: Mapped[str | None] = mapped_column(String(300))
    pmid: Mapped[str | None] = mapped_column(String(20))
    isbn: Mapped[str | None] = mapped_column(Text)
    issn: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(100))
    type: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    label: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    #: field -> [tag, line, original value or None when equal to the stored value]
    provenance: Mapped[dict] = mapped_column(JSON, default=dict)

    source: Mapped[Source] = relationship(back_populates="records")


class SkippedRecord(Base):
    """A record left out by ``import --skip-bad``, with the reason."""

    __tablename__ = "skipped_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    line: Mapped[int | None] = mapped_column(Integer)
    source_record_id: Mapped[str | None] = mapped_column(String(200))
    field: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)


class DedupeRun(Base):
    """One run of ``logicmap dedupe``: engine, settings and what it found."""

    __tablename__ = "dedupe_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    engine: Mapped[str] = mapped_column(String(40))
    settings: Mapped[dict] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(20))
    records_total: Mapped[int] = mapped_column(Integer)
    records_new: Mapped[int] = mapped_column(Integer)
    max_record_id: Mapped[int] = mapped_column(Integer)
    pairs_compared: Mapped[int] = mapped_column(Integer)
    clusters: Mapped[int] = mapped_column(Integer)
    duplicates_removed: Mapped[int] = mapped_column(Integer)


class DedupePair(Base):
    """A scored candidate pair: the machine's decision and a reviewer's, if any."""

    __tablename__ = "dedupe_pairs"
    __table_args__ = (UniqueConstraint("record_a", "record_b", name="uq_dedupe_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("dedupe_runs.id", ondelete="SET NULL"))
    record_a: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    record_b: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    score: Mapped[float]
    agreements: Mapped[dict] = mapped_column(JSON, default=dict)
    guards: Mapped[list] = mapped_column(JSON, default=list)
    machine_decision: Mapped[str] = mapped_column(String(20))
    review_decision: Mapped[str | None] = mapped_column(String(20))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)


class Cluster(Base):
    """A group of duplicate records merged into one canonical record."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("dedupe_runs.id", ondelete="SET NULL"))
    canonical_record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_reason: Mapped[str | None] = mapped_column(String(200))


class ClusterMember(Base):
    """A record belonging to a cluster."""

    __tablename__ = "cluster_members"

    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[int] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MergedField(Base):
    """A field of a cluster's canonical record filled in from another member."""

    __tablename__ = "merged_fields"

    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("clusters.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    from_record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))


class ScreeningDecision(Base):
    """One reviewer's decision on a record at a stage, stored the moment it is made.

    ``kind`` is ``"independent"`` for a reviewer's own (blind) decision and
    ``"reconciliation"`` for the agreed final decision after a conflict. An undone
    decision keeps its row with ``undone_at`` set.
    """

    __tablename__ = "screening_decisions"
    __table_args__ = (Index("ix_screening_stage_record", "stage", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    reviewer: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20), default="independent")
    reason: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class CodebookVersion(Base):
    """A version of the project's codebook (YAML text); the newest one is in force."""

    __tablename__ = "codebook_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    yaml: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FullText(Base):
    """Text extracted from a full-text file attached to a record, with page offsets."""

    __tablename__ = "fulltexts"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    extractor: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    #: [[character offset where a page starts, page number], ...]
    pages: Mapped[list] = mapped_column(JSON, default=list)
    sha256: Mapped[str] = mapped_column(String(64))
    attached_at: Mapped[datetime] = mapped_column(DateTime)


class FullTextFile(Base):
    """The full-text file itself (PDF, HTML or text) as attached, to download again."""

    __tablename__ = "fulltext_files"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    attached_at: Mapped[datetime] = mapped_column(DateTime)


class Coding(Base):
    """A code given to a study by a reviewer, anchored to an exact span of its text.

    ``target_code`` is set for an explicitly coded link (``code -> target_code``).
    ``kind`` is ``"independent"``, ``"reconciled"`` (the agreed final code) or ``"dropped"`` (the
    reconciler's decision against a code only one coder gave, kept so it is not asked again).
    """

    __tablename__ = "codings"
    __table_args__ = (Index("ix_codings_record", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    target_code: Mapped[str | None] = mapped_column(String(40))
    reviewer: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="independent")
    field: Mapped[str | None] = mapped_column(String(20))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="manual")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class Descriptor(Base):
    """A study descriptor (design, country, n, ...) recorded by a reviewer."""

    __tablename__ = "descriptors"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(200), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ModelSnapshot(Base):
    """A saved state of the logic model (JSON), for diffs between review updates."""

    __tablename__ = "model_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class SuggestionFeedback(Base):
    """A reviewer's verdict on a machine-suggested code (for learning over codes)."""

    __tablename__ = "suggestion_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    accepted: Mapped[bool]
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TextEmbedding(Base):
    """A cached sentence embedding, by model and SHA-256 of the embedded text.

    Keyed by text rather than record, so records sharing a text share a vector
    and an edited title or abstract is embedded afresh."""

    __tablename__ = "text_embeddings"

    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class User(Base):
    """A person who signs in to the web app; ``role`` is their role in this project (None: no role)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    is_admin: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WebSession(Base):
    """A signed-in browser: the SHA-256 of its cookie token, its CSRF token and expiry."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who did what and when (sign-ins, accounts, password changes)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(Text)
