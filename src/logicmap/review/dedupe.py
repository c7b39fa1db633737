"""``review.dedupe``: find duplicate clusters, review uncertain pairs, undo merges."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from logicmap.dedupe.engine import DedupeEngine, DedupeSettings
from logicmap.dedupe.pipeline import (
    DedupeSummary,
    Progress,
    ReviewItem,
    DedupeRunInfo,
    canonical_record_ids,
    last_run,
    cluster_assignments,
    decide_pair,
    duplicates_per_source,
    export_clusters,
    pair_effective_decisions,
    review_queue,
    run_dedupe,
    undo_cluster,
)
from logicmap.review.records import RecordsStage
from logicmap.store.database import Store


class DedupeStage:
    """Duplicate clusters of the project's records and the reviewers' pair decisions."""

    def __init__(self, store: Store, *, records: RecordsStage) -> None:
        self._store = store
        self._records = records

    def run(
        self,
        *,
        engine: str | DedupeEngine = "inprocess",
        merge_at: float | None = None,
        review_from: float | None = None,
        settings: DedupeSettings | None = None,
        full: bool = False,
        progress: Progress | None = None,
    ) -> DedupeSummary:
        """Find duplicates (only among new records after a first run, unless ``full``) and store clusters.

        Pairs scoring ``merge_at`` or more merge; those from ``review_from`` wait for
        a reviewer. Both override ``settings`` (default :class:`DedupeSettings`).
        """
        settings = settings or DedupeSettings()
        if merge_at is not None or review_from is not None:
            settings = dataclasses.replace(
                settings,
                merge_at=settings.merge_at if merge_at is None else merge_at,
                review_from=settings.review_from if review_from is None else review_from,
            )
        return run_dedupe(self._store, engine=engine, settings=settings, full=full, progress=progress)

    def queue(self) -> list[ReviewItem]:
        """The uncertain pairs waiting for a reviewer, highest score first."""
        return review_queue(self._store)

    def decide(self, pair_id: int, decision: str, *, reviewer: str) -> None:
        """Record ``duplicate`` or ``distinct`` for a pair (committed at once); clusters follow."""
        decide_pair(self._store, pair_id, decision, reviewer)

    def undo(self, cluster_id: int, *, reviewer: str) -> list[int]:
        """Split a cluster back into its records; returns their ids."""
        return undo_cluster(self._store, cluster_id, reviewer)

    def assignments(self) -> list[tuple[str, str, int, int]]:
        """``(source name, source_id, cluster_id, record id)`` for every record."""
        return cluster_assignments(self._store)

    def export_clusters(self, path: Path | str) -> int:
        """Write ``source,source_id,cluster_id`` CSV; returns the row count."""
        return export_clusters(self._store, path)

    def per_source(self) -> list[tuple[str, str | None, int, int]]:
        """``(file, database, records, duplicates removed)`` per source."""
        return duplicates_per_source(self._store)

    def canonical_ids(self) -> list[int]:
        """One record id per study: each cluster's canonical record and every unclustered record."""
        return canonical_record_ids(self._store)

    def pair_decisions(self) -> dict[tuple[int, int], str]:
        """Every stored pair's current decision (the reviewer's, else the machine's)."""
        return pair_effective_decisions(self._store)

    def last_run(self) -> DedupeRunInfo | None:
        """The latest run's engine, thresholds and duplicates removed (None before the first run)."""
        return last_run(self._store)
