"""The benchmarks' shared embedding cache: a project store at ``benchmarks/.embedding-cache.db``.

Sentence embeddings of the shared screening datasets take minutes per dataset
on a CPU; the benchmarks that reuse them across runs keep them here (git-ignored,
rebuilt on demand, keyed by model and text hash like any project's cache).
"""

from __future__ import annotations

import sys
from pathlib import Path

from logicmap.store import create_store, open_store
from logicmap.store.embeddings import ProjectEmbeddingCache

CACHE_DB = Path(__file__).resolve().parent / ".embedding-cache.db"


def open_cache(path: Path = CACHE_DB) -> ProjectEmbeddingCache:
    """The cache, created on first use."""
    project = open_store(path) if path.exists() else create_store(path, name="embedding cache")
    return ProjectEmbeddingCache(project)


def stderr_progress(label: str):
    """A ``progress(done, total)`` printing a line to stderr every 1,000 texts."""
    def report(done: int, total: int) -> None:
        if done == total or done % 1000 < 256:
            print(f"{label}: embedded {done}/{total}", file=sys.stderr, flush=True)
    return report
