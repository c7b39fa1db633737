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
import time
from pathlib import Path
from typing import Iterator

from logicmap.dedupe.backends import engine_name, make_engine
from logicmap.dedupe.clustering import BatchSize, ClusterPlan, plan_rebuild, seed_batches, touched_groups
from logicmap.dedupe.engine import DedupeEngine, DedupeResult, DedupeSettings, InProcessEngine
from logicmap.dedupe.keys import dedupe_keys
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
from logicmap.records.intake import existing_objects_frozen, fewer_collections
from logicmap.records.record import Record
from logicmap.review.records import RecordsStage
from logicmap.store import dedupe as repository
from logicmap.store.database import Store
from logicmap.store.dedupe import DedupeWriter, dedupe_transaction



#: Compare-and-store attempts when other runs keep finishing first.
_ATTEMPTS = 3
#: Pairs stored per transaction, and at most this many records whose clusters are rebuilt per
#: transaction; fewer when a rebuild holds the write lock over CLUSTER_LOCK_BUDGET seconds (its
#: cost per record grows with the library: at a million records 800 took 2.2 s).
PAIR_BATCH = 1000
CLUSTER_BATCH = 800
CLUSTER_LOCK_BUDGET = 0.5


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
        Reviewers' decisions always stand. Records are compared without the write
        lock; the pairs and clusters are then stored in short transactions (about a
        thousand rows each), so reviewers keep working during a long run. A run
        that is interrupted leaves what it stored so far, and the next run
        compares its records again and completes it.
        """
        settings = _thresholds(settings or DedupeSettings(), merge_at, review_from)
        backend = make_engine(engine) if isinstance(engine, str) else engine
        for _ in range(_ATTEMPTS):
            seen_run = repository.latest_run_id(self._store)
            _report(progress, "load", 0, 1)
            with fewer_collections():
                ids, result, new = self._compare(backend, settings, full, progress)
            _report(progress, "store", 0, 1)
            mode = "full" if new is None else "incremental"
            new_records = len(ids) if new is None else len(new)
            with dedupe_transaction(self._store) as writer:
                # compared without the lock; stored only if no other run started meanwhile,
                # else compared again against what that run stored
                if writer.claim() != seen_run:
                    continue
                run_id = writer.start_run(
                    engine=engine_name(backend), settings=settings.to_json(), mode=mode, records=len(ids),
                    new_records=new_records, max_record_id=0, pairs_compared=result.compared)
            with existing_objects_frozen():  # a full collection walking the scored pairs held the lock 2 s at 1M
                touched, duplicate_pairs = self._store_pairs(run_id, ids, result, progress)
            compared = result.compared
            del result  # the scored pairs (millions of objects at a million records)
            # frozen too: under load a full collection walking what is left took 1.4 s of a 1.6 s write at 1M
            with fewer_collections(), existing_objects_frozen():
                self._store_clusters(run_id, settings, touched, progress)
            return self._finish_run(run_id, ids, mode, new_records, compared, duplicate_pairs)
        raise DedupeError(f"other dedupe runs finished first {_ATTEMPTS} times in a row; run dedupe again")

    def _compare(self, backend: DedupeEngine, settings: DedupeSettings, full: bool,
                 progress: Progress | None) -> tuple[list[int], DedupeResult, list[int] | None]:
        """Record ids, the engine's result and the new records' indexes (None: all compared).

        An engine that compares keys (the in-process one) gets them streamed from
        the store, one record at a time, so the records themselves are never all
        in memory at once.
        """
        last = repository.last_compared_record_id(self._store)
        ids: list[int] = []
        if isinstance(backend, InProcessEngine):
            keys = []
            for record_id, record in self._records.iter_fields():
                ids.append(record_id)
                keys.append(dedupe_keys(record))
            new = None if full or last is None else [i for i, rid in enumerate(ids) if rid > last]
            _report(progress, "compare", 0, len(ids))
            return ids, backend.find_duplicates_in_keys(keys, settings=settings, new=new), new
        records = []
        for record_id, record in self._records.iter():
            ids.append(record_id)
            records.append(record)
        new = None if full or last is None else [i for i, rid in enumerate(ids) if rid > last]
        _report(progress, "compare", 0, len(ids))
        return ids, backend.find_duplicates(records, settings=settings, new=new), new

    def _store_pairs(self, run_id: int, ids: list[int], result: DedupeResult,
                     progress: Progress | None) -> tuple[list[list[int]], int]:
        """Store a started run's pairs in batches; returns the groups of records they connect
        and how many pairs are duplicates."""
        pairs = result.pairs
        for start in range(0, len(pairs), PAIR_BATCH):
            with dedupe_transaction(self._store) as writer:
                writer.claim()
                writer.save_pairs(run_id, ids, pairs[start : start + PAIR_BATCH])
            _report(progress, "store", min(start + PAIR_BATCH, len(pairs)), len(pairs))
        touched = touched_groups([(ids[p.i], ids[p.j]) for p in pairs])
        return touched, sum(p.decision == "duplicate" for p in pairs)

    def _store_clusters(self, run_id: int, settings: DedupeSettings, touched: list[list[int]],
                        progress: Progress | None = None) -> None:
        """Bring the clusters of the ``touched`` records in line with the stored pairs, batch by batch."""
        size = BatchSize(CLUSTER_BATCH, CLUSTER_LOCK_BUDGET, first=CLUSTER_BATCH // 4, smallest=CLUSTER_BATCH // 32)
        for number, batch in enumerate(seed_batches(touched, size)):
            size.took(self._rebuild_batch(batch, run_id, settings.merge_at))
            _report(progress, "clusters", number + 1, 0)

    def _finish_run(self, run_id: int, ids: list[int], mode: str, new_records: int, compared: int,
                    duplicate_pairs: int) -> DedupeSummary:
        """Store the run's outcome (from now on its records count as compared); its summary."""
        with dedupe_transaction(self._store) as reader:  # counted without the lock
            (clusters, removed), queued = reader.cluster_counts(), reader.queue_size()
        with dedupe_transaction(self._store) as writer:
            writer.claim()
            writer.finish_run(run_id, clusters=clusters, duplicates_removed=removed, max_record_id=max(ids, default=0))
        return DedupeSummary(
            run_id=run_id, mode=mode, records=len(ids), new_records=new_records, pairs_compared=compared,
            duplicate_pairs=duplicate_pairs, review_pairs=queued, clusters=clusters, duplicates_removed=removed,
        )

    def _rebuild_batch(self, seeds: set[int], run_id: int, merge_at: float) -> float:
        """:func:`_rebuild` around ``seeds``, with the records to merge read without the write lock;
        returns the seconds the write lock was held (claim to commit).

        The plan is made twice: first without the lock, to read and merge the
        records it needs, then under the lock (indexed reads of a few thousand
        rows), where a record a reviewer's decision brought in meanwhile is read
        too; the lock is held for that plan and the writes only.
        """
        with dedupe_transaction(self._store) as reader:
            records = reader.record_fields(_members(_plan(reader, seeds, merge_at)))
        with dedupe_transaction(self._store) as writer:
            writer.claim()
            claimed = time.perf_counter()
            plan = _plan(writer, seeds, merge_at)
            missing = [m for m in _members(plan) if m not in records]
            if missing:
                records.update(writer.record_fields(missing))
            _apply(writer, plan, records, run_id)
        return time.perf_counter() - claimed

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
            pair = writer.decide(pair_id, decision, reviewer)
            _rebuild(writer, set(pair), None, self._merge_at())

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
            _rebuild(writer, set(members), None, self._merge_at())
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
        fills = repository.merged_fields(self._store, record_ids)
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


def _rebuild(writer: DedupeWriter, seeds: set[int], run_id: int | None, merge_at: float) -> None:
    """Bring the stored clusters around ``seeds`` in line with every stored decision among them.

    Only the records a change to ``seeds`` can affect are read (see
    :meth:`DedupeWriter.component`), so a reviewer's decision costs the same in
    a project of a thousand records or a million: changed clusters are retired,
    new ones created with their merged record.
    """
    plan = _plan(writer, seeds, merge_at)
    _apply(writer, plan, writer.record_fields(_members(plan)), run_id)


def _plan(writer: DedupeWriter, seeds: set[int], merge_at: float) -> ClusterPlan:
    """How the clusters of the records linked to ``seeds`` must change (see :func:`plan_rebuild`)."""
    component = writer.component(seeds)
    return plan_rebuild(writer.pairs_among(component), writer.active_clusters_among(component), merge_at=merge_at)


def _members(plan: ClusterPlan) -> list[int]:
    return sorted({member for members in plan.create for member in members})


def _apply(writer: DedupeWriter, plan: ClusterPlan, records: dict[int, Record], run_id: int | None) -> None:
    """Retire and create the clusters of ``plan`` (``records``: every member of a cluster to create)."""
    writer.retire_clusters(list(plan.retire), "membership changed by a later decision")
    writer.create_clusters(
        [(list(members), merge_cluster([records[m] for m in members])) for members in plan.create], run_id)


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress:
        progress(stage, done, total)
