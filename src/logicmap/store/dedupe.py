"""Every query of the dedupe stage: runs, scored pairs, reviewer decisions, clusters, merged fields.

Writes go through one :class:`DedupeWriter` per transaction (committed when the
block succeeds, rolled back on any error); reads take the store. Everything
returned is a plain value or a dataclass of :mod:`logicmap.dedupe.results`.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Iterator

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from logicmap.dedupe.engine import PairDecision
from logicmap.dedupe.merge import MergedRecord
from logicmap.dedupe.results import ClusterState, DedupeRunInfo, StoredPair
from logicmap.errors import DedupeError
from logicmap.store.database import Store, claim_write_lock

#: PostgreSQL advisory-lock key that serialises dedupe runs.
DEDUPE_LOCK = 0x6C6D_0002
from logicmap.store.tables import Cluster, ClusterMember, DedupePair, DedupeRun, MergedField, RecordRow


def now() -> datetime:
    """Current UTC time without tzinfo (stored naive, as UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _stored_pair(row: DedupePair) -> StoredPair:
    return StoredPair(
        pair_id=row.id, record_a=row.record_a, record_b=row.record_b, score=row.score,
        agreements=dict(row.agreements or {}), guards=tuple(row.guards or ()),
        machine_decision=row.machine_decision, review_decision=row.review_decision,
    )


def _queue_query():
    return (
        select(DedupePair)
        .where(DedupePair.review_decision.is_(None), DedupePair.machine_decision == "review")
        .order_by(DedupePair.score.desc(), DedupePair.id)
    )


def _active_members(session: Session) -> dict[int, list[int]]:
    rows = session.execute(
        select(ClusterMember.cluster_id, ClusterMember.record_id)
        .join(Cluster, Cluster.id == ClusterMember.cluster_id)
        .where(Cluster.undone_at.is_(None))
        .order_by(ClusterMember.cluster_id, ClusterMember.record_id)
    )
    members: dict[int, list[int]] = {}
    for cluster_id, record_id in rows:
        members.setdefault(cluster_id, []).append(record_id)
    return members


class DedupeWriter:
    """The dedupe tables inside one open transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self) -> int | None:
        """Take the dedupe lock now; returns the latest run's id as seen under the lock (None: no run yet)."""
        claim_write_lock(self._session, DEDUPE_LOCK)
        return self._session.scalar(select(func.max(DedupeRun.id)))

    def start_run(self, *, engine: str, settings: dict, mode: str, records: int, new_records: int,
                  max_record_id: int, pairs_compared: int) -> int:
        """Store a run's row (its outcome comes with :meth:`finish_run`); returns its id."""
        run = DedupeRun(
            started_at=now(), engine=engine, settings=settings, mode=mode, records_total=records,
            records_new=new_records, max_record_id=max_record_id, pairs_compared=pairs_compared,
            clusters=0, duplicates_removed=0,
        )
        self._session.add(run)
        self._session.flush()
        return run.id

    def finish_run(self, run_id: int, *, clusters: int, duplicates_removed: int) -> None:
        """Store a run's outcome."""
        self._session.execute(
            update(DedupeRun).where(DedupeRun.id == run_id)
            .values(clusters=clusters, duplicates_removed=duplicates_removed)
        )

    def save_pairs(self, run_id: int, ids: list[int], pairs: list[PairDecision]) -> None:
        """Insert or update scored pairs (``ids`` maps the engine's indexes); reviewers' decisions stay."""
        session = self._session
        existing = {(row.record_a, row.record_b): row for row in session.scalars(select(DedupePair))}
        new_rows = []
        for pair in pairs:
            a, b = sorted((ids[pair.i], ids[pair.j]))
            values = _pair_values(run_id, pair)
            row = existing.get((a, b))
            if row is None:
                new_rows.append({"record_a": a, "record_b": b, "review_decision": None, **values})
            else:
                for key, value in values.items():
                    setattr(row, key, value)
        if new_rows:
            session.execute(DedupePair.__table__.insert(), new_rows)
        session.flush()

    def pairs(self) -> list[StoredPair]:
        """Every stored pair."""
        return [_stored_pair(row) for row in self._session.scalars(select(DedupePair))]

    def queue_size(self) -> int:
        """Number of pairs waiting for a reviewer."""
        return len(self._session.scalars(_queue_query()).all())

    def decide(self, pair_id: int, decision: str, reviewer: str) -> None:
        """Record a reviewer's decision on a pair; :class:`DedupeError` for an unknown pair."""
        pair = self._session.get(DedupePair, pair_id)
        if pair is None:
            raise DedupeError(f"no dedupe pair {pair_id}")
        pair.review_decision, pair.reviewer, pair.reviewed_at = decision, reviewer, now()
        self._session.flush()

    def mark_distinct(self, member_ids: list[int], reviewer: str) -> int:
        """Record 'distinct' for every pair of the given records (creating pairs as needed)."""
        existing = self._pairs_among(member_ids)
        count = 0
        for index, a in enumerate(member_ids):
            for b in member_ids[index + 1 :]:
                key = (min(a, b), max(a, b))
                pair = existing.get(key) or self._new_distinct_pair(*key)
                pair.review_decision, pair.reviewer, pair.reviewed_at = "distinct", reviewer, now()
                count += 1
        self._session.flush()
        return count

    def _pairs_among(self, member_ids: list[int]) -> dict[tuple[int, int], DedupePair]:
        query = select(DedupePair).where(DedupePair.record_a.in_(member_ids), DedupePair.record_b.in_(member_ids))
        return {(p.record_a, p.record_b): p for p in self._session.scalars(query)}

    def _new_distinct_pair(self, a: int, b: int) -> DedupePair:
        pair = DedupePair(record_a=a, record_b=b, score=0.0, agreements={}, guards=[], machine_decision="duplicate")
        self._session.add(pair)
        return pair

    def active_clusters(self) -> dict[int, list[int]]:
        """Active cluster id -> its member record ids."""
        return _active_members(self._session)

    def cluster(self, cluster_id: int) -> ClusterState | None:
        """A stored cluster (active or undone), or None."""
        row = self._session.get(Cluster, cluster_id)
        if row is None:
            return None
        return ClusterState(row.id, row.canonical_record_id, row.undone_at is not None, row.undone_reason)

    def create_cluster(self, member_ids: list[int], run_id: int | None, merged: MergedRecord) -> int:
        """Store a cluster, its canonical record and the fields filled from other members; returns its id."""
        cluster = Cluster(run_id=run_id, canonical_record_id=member_ids[merged.canonical], created_at=now())
        self._session.add(cluster)
        self._session.flush()
        self._session.add_all(ClusterMember(cluster_id=cluster.id, record_id=r) for r in member_ids)
        self._session.add_all(
            MergedField(cluster_id=cluster.id, field=name, value=getattr(merged, name),
                        from_record_id=member_ids[donor])
            for name, donor in merged.filled_from.items()
        )
        self._session.flush()
        return cluster.id

    def retire_cluster(self, cluster_id: int, reason: str) -> None:
        """Mark a cluster as no longer active (its rows stay for the audit trail)."""
        self._session.execute(
            update(Cluster).where(Cluster.id == cluster_id).values(undone_at=now(), undone_reason=reason)
        )
        self._session.flush()


def _pair_values(run_id: int, pair: PairDecision) -> dict:
    return {
        "run_id": run_id,
        "score": round(pair.comparison.score, 4),
        "agreements": pair.comparison.agreements,
        "guards": list(pair.comparison.guards),
        "machine_decision": pair.decision,
    }


def latest_run_id(project: Store) -> int | None:
    """The id of the latest run (None before the first)."""
    with project.session() as session:
        return session.scalar(select(func.max(DedupeRun.id)))


@contextmanager
def dedupe_transaction(project: Store) -> Iterator[DedupeWriter]:
    """A :class:`DedupeWriter` whose writes are committed together, or not at all."""
    with project.session() as session:
        yield DedupeWriter(session)


def last_compared_record_id(project: Store) -> int | None:
    """The highest record id any run compared (None before the first run)."""
    with project.session() as session:
        return session.scalar(select(func.max(DedupeRun.max_record_id)))


def queued_pairs(project: Store) -> list[StoredPair]:
    """The pairs waiting for a reviewer, highest score first."""
    with project.session() as session:
        return [_stored_pair(row) for row in session.scalars(_queue_query())]


def effective_decisions(project: Store) -> dict[tuple[int, int], str]:
    """Every stored pair's current decision (reviewer's, else machine's)."""
    with project.session() as session:
        return {(p.record_a, p.record_b): p.review_decision or p.machine_decision
                for p in session.scalars(select(DedupePair))}


def active_clusters(project: Store) -> dict[int, tuple[int, list[int]]]:
    """Active cluster id -> (canonical record id, member record ids)."""
    with project.session() as session:
        query = select(Cluster.id, Cluster.canonical_record_id).where(Cluster.undone_at.is_(None))
        heads = {cluster_id: head for cluster_id, head in session.execute(query)}
        return {cluster_id: (heads[cluster_id], members) for cluster_id, members in _active_members(session).items()}


def canonical_record_ids(project: Store) -> list[int]:
    """The records that stand for a study after dedupe: one per active cluster plus every unclustered record."""
    with project.session() as session:
        heads = set(session.scalars(select(Cluster.canonical_record_id).where(Cluster.undone_at.is_(None))))
        clustered = {member for members in _active_members(session).values() for member in members}
        ids = session.scalars(select(RecordRow.id).order_by(RecordRow.id)).all()
    return [i for i in ids if i not in clustered or i in heads]


def merged_fields(project: Store) -> dict[int, dict[str, object]]:
    """Canonical record id -> the fields its active cluster filled in from other members."""
    with project.session() as session:
        rows = session.execute(
            select(Cluster.canonical_record_id, MergedField.field, MergedField.value)
            .join(MergedField, MergedField.cluster_id == Cluster.id)
            .where(Cluster.undone_at.is_(None))
        )
        fills: dict[int, dict[str, object]] = {}
        for record_id, name, value in rows:
            fills.setdefault(record_id, {})[name] = value
        return fills


def last_run(project: Store) -> DedupeRunInfo | None:
    """The latest dedupe run, or None before the first."""
    with project.session() as session:
        run = session.scalars(select(DedupeRun).order_by(DedupeRun.id.desc())).first()
        if run is None:
            return None
        return DedupeRunInfo(run.id, run.engine, run.settings.get("merge_at"), run.settings.get("review_from"),
                             run.duplicates_removed)
