"""The benchmarks' shared embedding cache: a project store at ``benchmarks/.embedding-cache.db``.

Sentence embeddings of the shared screening datasets take minutes per dataset
on a CPU; the benchmarks that reuse them across runs keep them here (git-ignored,
rebuilt on demand, keyed by model and text hash like any project's cache).
"""

from __future__ import annotations

import sys
from pathlib import Path

from logicmap.api import EmbeddingCache, Review

CACHE_DB = Path(__file__).resolve().parent / ".embedding-cache.db"


def open_cache(path: Path = CACHE_DB) -> EmbeddingCache:
    """The cache, created on first use (open for the rest of the process)."""
    review = Review.open(path) if path.exists() else Review.create(path, name="embedding cache")
    return review.screening.embedding_cache()


def stderr_progress(label: str):
    """A ``progress(done, total)`` printing a line to stderr every 1,000 texts."""
    def report(done: int, total: int) -> None:
        if done == total or done % 1000 < 256:
            print(f"{label}: embedded {done}/{total}", file=sys.stderr, flush=True)
    return report
