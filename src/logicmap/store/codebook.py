"""The codebook repository: the project's own copy of its codebook, one row per version.

Returns :class:`~logicmap.codebook.codes.Codebook` values, never rows. A project
that never saved a version uses the embedded default codebook.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select

from logicmap.codebook import Codebook, default_codebook_text, dumps_codebook, loads_codebook
from logicmap.store.database import Store
from logicmap.store.tables import CodebookVersion


@lru_cache(maxsize=16)
def _parsed(text: str, source: str) -> Codebook:
    # parsing and validating the YAML takes ~0.3 s; a Codebook is immutable, so share it
    return loads_codebook(text, source=source)


def current_codebook(store: Store) -> Codebook:
    """The codebook in force: the project's newest version, else the embedded default."""
    with store.session() as session:
        text = session.scalars(select(CodebookVersion.yaml).order_by(CodebookVersion.id.desc())).first()
    if text is None:
        return _parsed(default_codebook_text(), "default codebook")
    return _parsed(text, "project codebook")


def save_codebook_version(store: Store, codebook: Codebook, note: str) -> int:
    """Store a new version of the project's codebook; returns its id."""
    with store.session() as session:
        row = CodebookVersion(yaml=dumps_codebook(codebook), note=note[:500],
                              created_at=datetime.now(UTC).replace(tzinfo=None))
        session.add(row)
        session.flush()
        return row.id
