"""Deduplication core: pure functions, no database and no CLI.

Pipeline: :mod:`~logicmap.dedupe.keys` (comparison keys per record) →
:mod:`~logicmap.dedupe.blocking` (candidate pairs from named rules) →
:mod:`~logicmap.dedupe.scoring` (score + explanation + guards) →
:mod:`~logicmap.dedupe.clustering` (guarded union-find) →
:mod:`~logicmap.dedupe.merge` (one record per cluster). The
:class:`~logicmap.dedupe.engine.DedupeEngine` protocol wraps the first four
so another backend can replace the in-process one.

Example::

    from logicmap.dedupe import DedupeSettings, InProcessEngine, merge_cluster
    result = InProcessEngine().find_duplicates(records, settings=DedupeSettings())
    for cluster in result.clusters:
        merged = merge_cluster([records[i] for i in cluster])
"""

from logicmap.dedupe.engine import (
    DedupeEngine,
    DedupeResult,
    DedupeSettings,
    InProcessEngine,
    PairDecision,
)
from logicmap.dedupe.merge import MergedRecord, merge_cluster
from logicmap.dedupe.scoring import PairComparison

__all__ = [
    "DedupeEngine",
    "DedupeResult",
    "DedupeSettings",
    "InProcessEngine",
    "MergedRecord",
    "PairComparison",
    "PairDecision",
    "merge_cluster",
]
