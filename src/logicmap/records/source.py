"""What is known about an imported file: before its records are stored, after, and what it skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class SourceInfo:
    """What is known about an imported file before its records are stored."""

    name: str
    sha256: str
    format: str
    size_bytes: int
    encoding: str | None = None
    database: str | None = None
    search_date: str | None = None
    search_string: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceSummary:
    """An imported file as the project keeps it."""

    id: int
    file: str
    format: str
    database: str | None
    records: int
    skipped: int
    sha256: str
    search_date: str | None
    search_string: str | None
    imported_at: datetime

    def to_json(self) -> dict:
        """The stable JSON shape of ``logicmap sources --json``."""
        return {
            "id": self.id, "file": self.file, "format": self.format, "database": self.database,
            "records": self.records, "skipped": self.skipped, "sha256": self.sha256,
            "search_date": self.search_date, "search_string": self.search_string,
        }


@dataclass(frozen=True)
class SkipEntry:
    """One line of a source's skip report: a record left out of an import, and why."""

    source_id: int
    position: int
    line: int | None
    source_record_id: str | None
    field: str | None
    reason: str


@dataclass(frozen=True)
class RecordOrigin:
    """Where a stored record came from: its source (id and file name) and its own id there.

    ``own_id`` is the record's id in its file, else its 1-based position there.
    """

    record_id: int
    source: int
    file: str
    own_id: str
