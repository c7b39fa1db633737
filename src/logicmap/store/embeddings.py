"""Sentence embeddings kept in the project store, so each text is embedded once.

:class:`ProjectEmbeddingCache` implements the screening engine's
:class:`~logicmap.screening.embeddings.EmbeddingCache` on the ``text_embeddings``
table: vectors as little-endian float32 bytes, by model and text hash.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from logicmap.store.tables import TextEmbedding
from logicmap.store.database import Store, dialect_insert

_KEYS_PER_QUERY = 500  # well under every backend's limit on bound parameters
_VECTOR = np.dtype("<f4")


class ProjectEmbeddingCache:
    """Embeddings cached in one project's database (each save is its own commit)."""

    def __init__(self, project: Store) -> None:
        self.project = project

    def load(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors among ``keys``."""
        with self.project.session() as session:
            rows = _rows_among(session, (TextEmbedding.text_key, TextEmbedding.vector), model, list(keys))
            return {key: np.frombuffer(blob, dtype=_VECTOR).astype(np.float32) for key, blob in rows}

    def save(self, model: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Store ``vectors``; keys already stored keep their vector, also when another process or
        thread stores the same texts at the same moment (a server warming up while a page embeds)."""
        rows = [{"model": model, "text_key": key, "vector": np.asarray(vector, dtype=_VECTOR).tobytes()}
                for key, vector in vectors.items()]
        with self.project.session() as session:
            insert = dialect_insert(session)(TextEmbedding.__table__).on_conflict_do_nothing(
                index_elements=["model", "text_key"])
            for start in range(0, len(rows), _KEYS_PER_QUERY):
                session.execute(insert, rows[start : start + _KEYS_PER_QUERY])

    def stored(self, model: str, keys: Sequence[str]) -> set[str]:
        """The keys among ``keys`` with a stored vector (the vectors are not read)."""
        with self.project.session() as session:
            return {key for (key,) in _rows_among(session, (TextEmbedding.text_key,), model, list(keys))}

    def count(self, model: str | None = None) -> int:
        """Number of cached vectors (of one model, or all)."""
        query = select(func.count()).select_from(TextEmbedding)
        if model is not None:
            query = query.where(TextEmbedding.model == model)
        with self.project.session() as session:
            return int(session.scalar(query))


def _rows_among(session: Session, columns: tuple, model: str, keys: list[str]) -> Iterator:
    """Rows of ``columns`` for ``model`` whose text key is among ``keys`` (queried in chunks)."""
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        yield from session.execute(select(*columns).where(
            TextEmbedding.model == model,
            TextEmbedding.text_key.in_(keys[start : start + _KEYS_PER_QUERY]),
        ))
