"""The deduplication engine interface and the default in-process engine.

An engine takes records (indexed by their position in the sequence) and
returns scored pair decisions and clusters. The interface is one method so
that another backend (e.g. splink on DuckDB for very large libraries) can be
added behind it without touching callers.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field, replace
from typing import Collection, Literal, Protocol, Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from logicmap.dedupe.blocking import DEFAULT_RULES, BlockingRule, candidate_codes
from logicmap.dedupe.clustering import ScoredPair, cluster_pairs, is_cannot_link
from logicmap.dedupe.keys import DedupeKeys, dedupe_keys
from logicmap.dedupe.scoring import PairComparison, compare
from logicmap.errors import DedupeError
from logicmap.records.record import Record

Decision = Literal["duplicate", "review", "distinct"]


@dataclass(frozen=True)
class DedupeSettings:
    """Thresholds and blocking for one run (deterministic: no seed needed).

    * ``merge_at``: pairs scoring at least this are duplicates (auto-merged);
    * ``review_from``: pairs from here up to ``merge_at`` go to manual review;
    * ``cannot_link_below``: pairs below this (or vetoed by a guard) are
      "clearly different" and stop clusters from chaining (see clustering);
    * ``rules``, ``max_block``, ``window``: blocking (see blocking);
    * ``keep_distinct``: also report distinct pairs in the result (otherwise
      only distinct pairs a guard vetoed are reported; all are counted).
    """

    merge_at: float = 0.9
    review_from: float = 0.5
    cannot_link_below: float = 0.2
    rules: tuple[BlockingRule, ...] = DEFAULT_RULES
    max_block: int = 40
    window: int = 12
    keep_distinct: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.review_from <= self.merge_at <= 1.0:
            raise DedupeError(f"need 0 <= review_from <= merge_at <= 1 (got review_from {self.review_from}, merge_at {self.merge_at})")

    def to_json(self) -> dict:
        """The settings as stored with a run (rules by name)."""
        return {
            "merge_at": self.merge_at,
            "review_from": self.review_from,
            "cannot_link_below": self.cannot_link_below,
            "rules": [getattr(rule, "name", str(rule)) for rule in self.rules],
            "max_block": self.max_block,
            "window": self.window,
        }

    def decide(self, score: float) -> Decision:
        """The decision for a score under these thresholds."""
        if score >= self.merge_at:
            return "duplicate"
        return "review" if score >= self.review_from else "distinct"


@dataclass(frozen=True, slots=True)
class PairDecision:
    """A compared pair of record indexes ``i < j``, its comparison and decision."""

    i: int
    j: int
    comparison: PairComparison
    decision: Decision


@dataclass
class DedupeResult:
    """Pairs (duplicate/review, plus reported distinct ones) and duplicate clusters.

    ``clusters`` holds only groups of two or more records (sorted indexes);
    records in no cluster are unique. ``compared`` counts all scored pairs.
    """

    pairs: list[PairDecision] = field(default_factory=list)
    clusters: list[list[int]] = field(default_factory=list)
    compared: int = 0

    def duplicates_to_remove(self) -> set[int]:
        """Every clustered record except the first of its cluster."""
        return {i for cluster in self.clusters for i in cluster[1:]}


class DedupeEngine(Protocol):
    """What every deduplication backend provides."""

    def find_duplicates(
        self,
        records: Sequence[Record],
        *,
        settings: DedupeSettings,
        new: Collection[int] | None = None,
    ) -> DedupeResult:
        """Find duplicates among ``records``; with ``new``, only pairs touching a new index."""
        ...


class InProcessEngine:
    """Pure-Python engine: keys → blocking → rapidfuzz scoring → guarded union-find."""

    def find_duplicates(
        self,
        records: Sequence[Record],
        *,
        settings: DedupeSettings,
        new: Collection[int] | None = None,
    ) -> DedupeResult:
        """See :class:`DedupeEngine`; deterministic for the same input."""
        return self.find_duplicates_in_keys([dedupe_keys(r) for r in records], settings=settings, new=new)

    def find_duplicates_in_keys(
        self,
        keys: Sequence[DedupeKeys],
        *,
        settings: DedupeSettings,
        new: Collection[int] | None = None,
    ) -> DedupeResult:
        """:meth:`find_duplicates` on the records' keys (a caller can stream records and keep only keys).

        Candidate pairs are held as int64 codes and scored one at a time; only
        pairs worth keeping (duplicate, review, vetoed) stay in memory as objects,
        the cannot-links as codes until the clustering takes the ones it needs.
        """
        if new is not None:
            bad = [i for i in new if not 0 <= i < len(keys)]
            if bad:
                raise IndexError(f"new record indexes out of range: {bad[:5]}")
        codes = candidate_codes(keys, settings.rules, new=new, max_block=settings.max_block, window=settings.window)
        kept: dict[tuple[int, int], PairComparison] = {}
        links: list[ScoredPair] = []
        cannot = array("q")  # cannot-links as codes i * n + j: eight bytes each, however many
        n = len(keys)
        for code in codes.tolist():
            i, j = divmod(code, n)
            comparison = compare(keys[i], keys[j])
            score, veto = comparison.score, comparison.veto
            if veto or score >= settings.review_from or settings.keep_distinct:
                kept[(i, j)] = comparison
            if score >= settings.merge_at and not veto:
                links.append(ScoredPair(i, j, score))
            elif is_cannot_link(score, veto, settings.cannot_link_below):
                cannot.append(code)
        compared = len(codes)
        del codes
        clusters, refused = cluster_pairs(
            links + binding_cannot_links(links, cannot, n),
            merge_at=settings.merge_at,
            cannot_link_below=settings.cannot_link_below,
            compare=_cached_compare(keys, kept),
        )
        del links, cannot
        return decide_pairs(kept, refused, clusters, compared, settings)


def binding_cannot_links(links: list[ScoredPair], cannot: array, n: int) -> list[ScoredPair]:
    """The cannot-links (codes ``i * n + j``) that can stop a merge, as vetoed pairs.

    Clustering merges only along ``links``, so a cannot-link whose two records are
    not connected by links can never be tested; dropping those gives the same
    clusters while a million records' low-scoring pairs need not become objects.
    """
    if not links or not cannot:
        return []
    rows = np.fromiter((p.i for p in links), dtype=np.int64, count=len(links))
    cols = np.fromiter((p.j for p in links), dtype=np.int64, count=len(links))
    graph = coo_matrix((np.ones(len(links), dtype=np.int8), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    codes = np.frombuffer(cannot, dtype=np.int64)
    first, second = np.divmod(codes, n)
    inside = codes[component[first] == component[second]]
    return [ScoredPair(i, j, 0.0, True) for i, j in zip(*(part.tolist() for part in np.divmod(inside, n)))]


CHAIN_NOTE = "chain: the two clusters hold clearly different records"


def decide_pairs(
    kept: dict[tuple[int, int], PairComparison],
    refused: set[tuple[int, int]],
    clusters: list[list[int]],
    compared: int,
    settings: DedupeSettings,
) -> DedupeResult:
    """The result every engine returns: a decision per kept pair, the clusters.

    Vetoed pairs are distinct; a duplicate-scored pair whose merge the chaining
    guard refused goes to review, with a note saying why.
    """
    result = DedupeResult(clusters=clusters, compared=compared)
    for (i, j), comparison in kept.items():
        decision = settings.decide(comparison.score)
        if comparison.veto:
            decision = "distinct"
        elif decision == "duplicate" and (i, j) in refused:
            decision = "review"
            comparison = replace(comparison, guards=(*comparison.guards, CHAIN_NOTE))
        result.pairs.append(PairDecision(i, j, comparison, decision))
    return result


def _cached_compare(keys: list[DedupeKeys], cache: dict[tuple[int, int], PairComparison]):
    """A compare(i, j) for the chaining guard: kept comparisons, else a fresh one."""

    def lookup(i: int, j: int) -> PairComparison:
        found = cache.get((i, j))
        return found if found is not None else compare(keys[i], keys[j])

    return lookup
