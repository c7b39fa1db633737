"""``review.dedupe``: find duplicate clusters, review uncertain pairs, undo merges, export.

Records come from the records stage; the engine (:mod:`logicmap.dedupe.engine`)
compares them, :mod:`logicmap.dedupe.clustering` turns every stored decision
into clusters and :mod:`logicmap.dedupe.merge` builds each cluster's record;
:mod:`logicmap.store.dedupe` keeps the result. Decisions are committed the
moment they are made, and each change to clusters in the same transaction.
"""

from __future__ import annotations

from logicmap.safe_text import SafeCsvWriter
import dataclasses
from pathlib import Path
from typing import Callable, Iterator

from logicmap.dedupe.backends import engine_name, make_engine
from logicmap.dedupe.clustering import plan_rebuild
from logicmap.dedupe.engine import DedupeEngine, DedupeResult, DedupeSettings
from logicmap.dedupe.merge import merge_cluster
from logicmap.dedupe.results import (
    REVIEW_DECISIONS,
    DedupeRunInfo,
    DedupeSummary,
    Progress,
    ReviewItem,
    StoredPair,
)
from logicmap.errors import DedupeError
from logicmap.records.export import write_records
from logicmap.records.record import Record
from logicmap.review.records import RecordsStage
from logicmap.store import dedupe as repository
from logicmap.store.database import Store
from logicmap.store.dedupe import DedupeWriter, dedupe_transaction

#: records(ids) -> the Records, in the order given
RecordLoader = Callable[[list[int]], list[Record]]


#: Compare-and-store attempts when other runs keep finishing first.
_ATTEMPTS = 3


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
        Reviewers' decisions always stand.
        """
        settings = _thresholds(settings or DedupeSettings(), merge_at, review_from)
        backend = make_engine(engine) if isinstance(engine, str) else engine
        for _ in range(_ATTEMPTS):
            seen_run = repository.latest_run_id(self._store)
            _report(progress, "load", 0, 1)
            ids, records = self._all_records()
            new = None if full else self._new_indexes(ids)
            _report(progress, "compare", 0, len(records))
            result = backend.find_duplicates(records, settings=settings, new=new)
            _report(progress, "store", 0, 1)
            by_id = dict(zip(ids, records))
            with dedupe_transaction(self._store) as writer:
                # compared without the lock (reviewers keep working); stored only if no other
                # run finished meanwhile, else compared again against what that run stored
                if writer.claim() == seen_run:
                    return _store_run(writer, engine_name(backend), settings, ids, new, result,
                                      lambda wanted: [by_id[i] for i in wanted])
        raise DedupeError(f"other dedupe runs finished first {_ATTEMPTS} times in a row; run dedupe again")

    def _new_indexes(self, ids: list[int]) -> list[int] | None:
        """Indexes of the records imported since the last run (None before the first run)."""
        last = repository.last_compared_record_id(self._store)
        return None if last is None else [i for i, record_id in enumerate(ids) if record_id > last]

    def _all_records(self) -> tuple[list[int], list[Record]]:
        pairs = list(self._records.iter())
        return [record_id for record_id, _ in pairs], [record for _, record in pairs]

    def queue(self) -> list[ReviewItem]:
        """The uncertain pairs waiting for a reviewer, highest score first, with both records loaded."""
        pairs = repository.queued_pairs(self._store)
        if not pairs:
            return []
        files = {origin.record_id: origin.file for origin in self._records.origins()}
        return [self._review_item(pair, files) for pair in pairs]

    def _review_item(self, pair: StoredPair, files: dict[int, str]) -> ReviewItem:
        left, right = self._records.get_many([pair.record_a, pair.record_b])
        return ReviewItem(
            pair.pair_id, pair.score, dict(pair.agreements), list(pair.guards),
            (pair.record_a, left, files[pair.record_a]), (pair.record_b, right, files[pair.record_b]),
        )

    def decide(self, pair_id: int, decision: str, *, reviewer: str) -> None:
        """Record ``duplicate`` or ``distinct`` for a pair (committed at once); clusters follow."""
        if decision not in REVIEW_DECISIONS:
            raise DedupeError(f"decision must be one of {', '.join(REVIEW_DECISIONS)}, not {decision!r}")
        with dedupe_transaction(self._store) as writer:
            writer.decide(pair_id, decision, reviewer)
            _rebuild(writer, None, self._merge_at(), self._records.get_many)

    def _merge_at(self) -> float:
        """The merge threshold clusters are rebuilt with after a reviewer's decision: the latest run's
        (1.0 before any run). With a fixed 1.0, every machine-merged pair scoring under 1.0 fell apart
        at the first decision on any pair."""
        run = repository.last_run(self._store)
        return run.merge_at if run is not None else 1.0

    def undo(self, cluster_id: int, *, reviewer: str) -> list[int]:
        """Split an active cluster back into its records; returns their ids.

        Every pair of its members is recorded as distinct, so later runs do not
        merge them again.
        """
        with dedupe_transaction(self._store) as writer:
            cluster = writer.cluster(cluster_id)
            if cluster is None:
                raise DedupeError(f"no cluster {cluster_id}")
            if cluster.undone:
                raise DedupeError(f"cluster {cluster_id} was already undone ({cluster.undone_reason})")
            members = writer.active_clusters()[cluster_id]
            writer.retire_cluster(cluster_id, f"undone by {reviewer}")
            writer.mark_distinct(members, reviewer)
            _rebuild(writer, None, self._merge_at(), self._records.get_many)
            return members

    def merges(self) -> list[tuple[int, int, list[int]]]:
        """Every active cluster as ``(cluster id, canonical record id, member record ids)``, by cluster id."""
        return [(cluster_id, head, list(members))
                for cluster_id, (head, members) in sorted(repository.active_clusters(self._store).items())]

    def assignments(self) -> list[tuple[str, str, int, int]]:
        """``(source name, source_id, cluster_id, record id)`` for every record.

        ``source_id`` is the record's own id in its file, else its 1-based position;
        ``cluster_id`` is the id of the canonical record of the record's cluster (a
        record in no cluster is its own canonical record).
        """
        canonical = self._canonical_of_members()
        return [
            (o.file, o.own_id, canonical.get(o.record_id, o.record_id), o.record_id)
            for o in self._records.origins()
        ]

    def _canonical_of_members(self) -> dict[int, int]:
        """Record id -> its cluster's canonical record id, for every clustered record."""
        return {
            member: head
            for head, members in repository.active_clusters(self._store).values()
            for member in members
        }

    def export_clusters(self, path: Path | str) -> int:
        """Write ``source,source_id,cluster_id`` CSV (one row per record); returns the row count."""
        rows = self.assignments()
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            writer = SafeCsvWriter(fh)
            writer.writerow(["source", "source_id", "cluster_id"])
            writer.writerows(row[:3] for row in rows)
        return len(rows)

    def per_source(self) -> list[tuple[str, str | None, int, int]]:
        """``(file, database, records, duplicates removed)`` per source, for PRISMA and the demo."""
        canonical = self._canonical_of_members()
        removed: dict[int, int] = {}
        for origin in self._records.origins():
            if canonical.get(origin.record_id, origin.record_id) != origin.record_id:
                removed[origin.source] = removed.get(origin.source, 0) + 1
        return [(s.file, s.database, s.records, removed.get(s.id, 0)) for s in self._records.sources()]

    def canonical_ids(self) -> list[int]:
        """One record id per study: each cluster's canonical record and every unclustered record."""
        return repository.canonical_record_ids(self._store)

    def merged_records(self) -> Iterator[Record]:
        """One record per study: canonical records with their merged-in fields, and unclustered ones."""
        keep = set(self.canonical_ids())
        fills = repository.merged_fields(self._store)
        for record_id, record in self._records.iter():
            if record_id in keep:
                for name, value in fills.get(record_id, {}).items():
                    setattr(record, name, value)
                yield record

    def merged(self, record_ids: list[int]) -> dict[int, Record]:
        """Record id -> the record with the fields its cluster filled in (as :meth:`merged_records`), for ``record_ids``."""
        fills = repository.merged_fields(self._store)
        out = {}
        for record_id, record in zip(record_ids, self._records.get_many(record_ids)):
            for name, value in fills.get(record_id, {}).items():
                setattr(record, name, value)
            out[record_id] = record
        return out

    def export(self, fmt: str, output: Path | str) -> int:
        """Write one merged record per study as ``fmt`` (ris, csv, bibtex) to ``output`` ('-' = stdout); returns the count."""
        return write_records(self.merged_records(), fmt, output)

    def pair_decisions(self) -> dict[tuple[int, int], str]:
        """Every stored pair's current decision (the reviewer's, else the machine's)."""
        return repository.effective_decisions(self._store)

    def last_run(self) -> DedupeRunInfo | None:
        """The latest run's engine, thresholds and duplicates removed (None before the first run)."""
        return repository.last_run(self._store)


def _thresholds(settings: DedupeSettings, merge_at: float | None, review_from: float | None) -> DedupeSettings:
    """``settings`` with the thresholds given (None keeps the setting's own)."""
    if merge_at is None and review_from is None:
        return settings
    return dataclasses.replace(
        settings,
        merge_at=settings.merge_at if merge_at is None else merge_at,
        review_from=settings.review_from if review_from is None else review_from,
    )


def _rebuild(writer: DedupeWriter, run_id: int | None, merge_at: float, load: RecordLoader) -> None:
    """Bring the stored clusters in line with every stored decision: retire changed ones, create new ones."""
    plan = plan_rebuild(writer.pairs(), writer.active_clusters(), merge_at=merge_at)
    for cluster_id in plan.retire:
        writer.retire_cluster(cluster_id, "membership changed by a later decision")
    for members in plan.create:
        writer.create_cluster(list(members), run_id, merge_cluster(load(list(members))))


def _store_run(
    writer: DedupeWriter, engine: str, settings: DedupeSettings, ids: list[int], new: list[int] | None,
    result: DedupeResult, load: RecordLoader,
) -> DedupeSummary:
    """Store a run, its pairs and the clusters they make; returns what it found."""
    mode = "full" if new is None else "incremental"
    new_records = len(ids) if new is None else len(new)
    run_id = writer.start_run(
        engine=engine, settings=settings.to_json(), mode=mode, records=len(ids), new_records=new_records,
        max_record_id=max(ids, default=0), pairs_compared=result.compared,
    )
    writer.save_pairs(run_id, ids, result.pairs)
    _rebuild(writer, run_id, settings.merge_at, load)
    clusters = list(writer.active_clusters().values())
    removed = sum(len(members) - 1 for members in clusters)
    writer.finish_run(run_id, clusters=len(clusters), duplicates_removed=removed)
    return DedupeSummary(
        run_id=run_id, mode=mode, records=len(ids), new_records=new_records, pairs_compared=result.compared,
        duplicate_pairs=sum(p.decision == "duplicate" for p in result.pairs), review_pairs=writer.queue_size(),
        clusters=len(clusters), duplicates_removed=removed,
    )


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress:
        progress(stage, done, total)
