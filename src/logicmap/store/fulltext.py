"""The full-text file repository: the attached file itself, kept to be downloaded again.

Its extracted text and page offsets live beside it in ``fulltexts`` (:mod:`logicmap.store.coding`).
What comes back is a plain :class:`StoredFile`, never an ORM row; every write is its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from logicmap.errors import CodingError
from logicmap.store.database import Store
from logicmap.store.tables import FullTextFile, RecordRow


@dataclass(frozen=True)
class StoredFile:
    """A record's attached full-text file: its name, checked media type and bytes."""

    record_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    data: bytes


def save_file(store: Store, record_id: int, *, filename: str, media_type: str, sha256: str, data: bytes) -> None:
    """Keep the file attached to ``record_id``, replacing an earlier one."""
    with store.session() as session:
        if session.get(RecordRow, record_id) is None:
            raise CodingError(f"no record {record_id}")
        existing = session.get(FullTextFile, record_id)
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.add(FullTextFile(record_id=record_id, filename=filename, media_type=media_type, size=len(data),
                                 sha256=sha256, data=data, attached_at=datetime.now(UTC).replace(tzinfo=None)))


def load_file(store: Store, record_id: int, *, data: bool = True) -> StoredFile | None:
    """The file attached to ``record_id`` (None: none kept, e.g. attached before files were kept);
    without ``data`` its bytes are left in the store (``data`` is then empty)."""
    columns = [FullTextFile.record_id, FullTextFile.filename, FullTextFile.media_type, FullTextFile.size,
               FullTextFile.sha256] + ([FullTextFile.data] if data else [])
    with store.session() as session:
        row = session.execute(select(*columns).where(FullTextFile.record_id == record_id)).first()
        if row is None:
            return None
        return StoredFile(*row[:5], bytes(row[5]) if data else b"")
