"""What the dedupe stage stores and reports: runs, pairs, the review queue (plain values)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

from logicmap.records.record import Record

#: Decision values a reviewer can record.
REVIEW_DECISIONS = ("duplicate", "distinct")
#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DedupeSummary:
    """What one run found."""

    run_id: int
    mode: str
    records: int
    new_records: int
    pairs_compared: int
    duplicate_pairs: int
    review_pairs: int
    clusters: int
    duplicates_removed: int

    def to_json(self) -> dict:
        """The summary as a plain dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DedupeRunInfo:
    """The settings and outcome of a stored dedupe run (for the methods section)."""

    run_id: int
    engine: str
    merge_at: float | None
    review_from: float | None
    duplicates_removed: int


@dataclass(frozen=True)
class StoredPair:
    """A scored pair of record ids ``record_a < record_b`` as the project keeps it."""

    pair_id: int
    record_a: int
    record_b: int
    score: float
    agreements: dict
    guards: tuple[str, ...]
    machine_decision: str
    review_decision: str | None

    @property
    def decision(self) -> str:
        """The reviewer's decision when there is one, else the machine's."""
        return self.review_decision or self.machine_decision


@dataclass(frozen=True)
class ReviewItem:
    """A pair waiting for a decision: both records as ``(record id, Record, source name)`` and the explanation."""

    pair_id: int
    score: float
    agreements: dict
    guards: list
    left: tuple[int, Record, str]
    right: tuple[int, Record, str]


@dataclass(frozen=True)
class ClusterState:
    """A stored cluster: its canonical record and, once undone, when and why."""

    cluster_id: int
    canonical_record_id: int
    undone: bool
    undone_reason: str | None
