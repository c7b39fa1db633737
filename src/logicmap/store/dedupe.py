"""Every query of the dedupe stage: runs, scored pairs, reviewer decisions, clusters, merged fields.

Writes go through one :class:`DedupeWriter` per transaction (committed when the
block succeeds, rolled back on any error); reads take the store. Everything
returned is a plain value or a dataclass of :mod:`logicmap.dedupe.results`.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Iterator

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from logicmap.dedupe.engine import PairDecision
from logicmap.dedupe.merge import MergedRecord
from logicmap.dedupe.results import ClusterState, DedupeRunInfo, StoredPair
from logicmap.errors import DedupeError
from logicmap.records.record import Record
from logicmap.store.database import Store, claim_write_lock, dialect_insert, id_chunks
from logicmap.store.records import get_record_fields

from logicmap.store.tables import Cluster, ClusterMember, DedupePair, DedupeRun, MergedField, RecordRow

#: PostgreSQL advisory-lock key that serialises dedupe runs.
DEDUPE_LOCK = 0x6C6D_0002


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


def _active_members(session: Session, cluster_ids: list[int] | None = None) -> dict[int, list[int]]:
    """Active cluster id -> sorted member ids (of every active cluster, or of those of ``cluster_ids``)."""
    query = (
        select(ClusterMember.cluster_id, ClusterMember.record_id)
        .join(Cluster, Cluster.id == ClusterMember.cluster_id)
        .where(Cluster.undone_at.is_(None))
        .order_by(ClusterMember.cluster_id, ClusterMember.record_id)
    )
    members: dict[int, list[int]] = {}
    chunks = [None] if cluster_ids is None else id_chunks(cluster_ids)
    for chunk in chunks:
        rows = session.execute(query if chunk is None else query.where(ClusterMember.cluster_id.in_(chunk)))
        for cluster_id, record_id in rows:
            members.setdefault(cluster_id, []).append(record_id)
    return members


def _pair_query():
    return select(DedupePair.id, DedupePair.record_a, DedupePair.record_b, DedupePair.score, DedupePair.agreements,
                  DedupePair.guards, DedupePair.machine_decision, DedupePair.review_decision)


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

    def finish_run(self, run_id: int, *, clusters: int, duplicates_removed: int, max_record_id: int) -> None:
        """Store a run's outcome; from now on its records count as compared (see :func:`last_compared_record_id`)."""
        self._session.execute(
            update(DedupeRun).where(DedupeRun.id == run_id)
            .values(clusters=clusters, duplicates_removed=duplicates_removed, max_record_id=max_record_id)
        )

    def save_pairs(self, run_id: int, ids: list[int], pairs: list[PairDecision]) -> None:
        """Insert or update scored pairs (``ids`` maps the engine's indexes); reviewers' decisions stay.

        One insert-or-update statement per batch (ON CONFLICT on the pair), so a
        batch costs the same whether its pairs are new or were stored before.
        """
        if not pairs:
            return
        rows = []
        for pair in pairs:
            a, b = sorted((ids[pair.i], ids[pair.j]))
            rows.append({"record_a": a, "record_b": b, **_pair_values(run_id, pair)})
        insert = dialect_insert(self._session)(DedupePair.__table__)
        statement = insert.on_conflict_do_update(
            index_elements=["record_a", "record_b"],
            set_={name: insert.excluded[name] for name in ("run_id", "score", "agreements", "guards", "machine_decision")},
        )
        self._session.execute(statement, rows)

    def pairs(self) -> list[StoredPair]:
        """Every stored pair."""
        return [_stored_pair(row) for row in self._session.execute(_pair_query())]

    def component(self, seeds: set[int]) -> set[int]:
        """``seeds`` and every record linked to them, however indirectly, by a pair decided duplicate
        (by the machine or a reviewer) or by an active cluster: the records whose clusters a change
        to ``seeds`` can affect."""
        found, frontier = set(seeds), set(seeds)
        while frontier:
            linked = set()
            for part in id_chunks(list(frontier)):
                linked.update(self._duplicate_neighbours(part))
                linked.update(self._cluster_neighbours(part))
            frontier = linked - found
            found |= frontier
        return found

    def _duplicate_neighbours(self, record_ids: list[int]) -> set[int]:
        effective = func.coalesce(DedupePair.review_decision, DedupePair.machine_decision)
        out: set[int] = set()
        for column, other in ((DedupePair.record_a, DedupePair.record_b), (DedupePair.record_b, DedupePair.record_a)):
            out.update(self._session.scalars(select(other).where(column.in_(record_ids), effective == "duplicate")))
        return out

    def _cluster_neighbours(self, record_ids: list[int]) -> set[int]:
        clusters = (
            select(ClusterMember.cluster_id).join(Cluster, Cluster.id == ClusterMember.cluster_id)
            .where(ClusterMember.record_id.in_(record_ids), Cluster.undone_at.is_(None))
        )
        return set(self._session.scalars(select(ClusterMember.record_id).where(ClusterMember.cluster_id.in_(clusters))))

    def pairs_among(self, record_ids: set[int]) -> list[StoredPair]:
        """The stored pairs whose two records are both in ``record_ids``."""
        ordered, found = sorted(record_ids), []
        for chunk in id_chunks(ordered):
            query = _pair_query().where(DedupePair.record_a.in_(chunk))
            found.extend(_stored_pair(row) for row in self._session.execute(query) if row.record_b in record_ids)
        return found

    def active_clusters_among(self, record_ids: set[int]) -> dict[int, list[int]]:
        """Active cluster id -> members, for the active clusters holding any of ``record_ids``."""
        ordered, ids = sorted(record_ids), set()
        for chunk in id_chunks(ordered):
            ids.update(self._session.scalars(
                select(ClusterMember.cluster_id).join(Cluster, Cluster.id == ClusterMember.cluster_id)
                .where(ClusterMember.record_id.in_(chunk), Cluster.undone_at.is_(None))
            ))
        return _active_members(self._session, sorted(ids))

    def cluster_counts(self) -> tuple[int, int]:
        """``(active clusters, records they remove)``: members beyond the canonical record of each."""
        active = select(Cluster.id).where(Cluster.undone_at.is_(None))
        clusters = self._session.scalar(select(func.count()).select_from(active.subquery())) or 0
        members = self._session.scalar(
            select(func.count()).select_from(ClusterMember).where(ClusterMember.cluster_id.in_(active))) or 0
        return clusters, members - clusters

    def queue_size(self) -> int:
        """Number of pairs waiting for a reviewer."""
        query = select(func.count()).select_from(DedupePair).where(
            DedupePair.review_decision.is_(None), DedupePair.machine_decision == "review")
        return self._session.scalar(query) or 0

    def decide(self, pair_id: int, decision: str, reviewer: str) -> tuple[int, int]:
        """Record a reviewer's decision on a pair; returns its two record ids.

        Raises :class:`DedupeError` for an unknown pair.
        """
        pair = self._session.get(DedupePair, pair_id)
        if pair is None:
            raise DedupeError(f"no dedupe pair {pair_id}")
        pair.review_decision, pair.reviewer, pair.reviewed_at = decision, reviewer, now()
        self._session.flush()
        return pair.record_a, pair.record_b

    def record_fields(self, record_ids: list[int]) -> dict[int, Record]:
        """Record id -> the record's canonical fields (what merging a cluster needs)."""
        return get_record_fields(self._session, record_ids)

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
        return self.create_clusters([(member_ids, merged)], run_id)[0]

    def create_clusters(self, clusters: list[tuple[list[int], MergedRecord]], run_id: int | None) -> list[int]:
        """Store clusters (member ids, merged record) with three multi-row inserts; returns their ids."""
        if not clusters:
            return []
        first = (self._session.scalar(select(func.max(Cluster.id))) or 0) + 1
        created, ids, members, fields = now(), [], [], []
        rows = []
        for offset, (member_ids, merged) in enumerate(clusters):
            cluster_id = first + offset
            ids.append(cluster_id)
            rows.append({"id": cluster_id, "run_id": run_id, "canonical_record_id": member_ids[merged.canonical],
                         "created_at": created, "undone_at": None, "undone_reason": None})
            members.extend({"cluster_id": cluster_id, "record_id": r} for r in member_ids)
            fields.extend({"cluster_id": cluster_id, "field": name, "value": getattr(merged, name),
                           "from_record_id": member_ids[donor]} for name, donor in merged.filled_from.items())
        connection = self._session.connection()
        connection.execute(Cluster.__table__.insert(), rows)
        connection.execute(ClusterMember.__table__.insert(), members)
        if fields:
            connection.execute(MergedField.__table__.insert(), fields)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(pg_get_serial_sequence('clusters', 'id'), :last)"),
                               {"last": ids[-1]})
        return ids

    def retire_cluster(self, cluster_id: int, reason: str) -> None:
        """Mark a cluster as no longer active (its rows stay for the audit trail)."""
        self.retire_clusters([cluster_id], reason)

    def retire_clusters(self, cluster_ids: list[int], reason: str) -> None:
        """Mark clusters as no longer active (their rows stay for the audit trail)."""
        for chunk in id_chunks(cluster_ids):
            self._session.execute(
                update(Cluster).where(Cluster.id.in_(chunk))
                .values(undone_at=now(), undone_reason=reason)
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
    """The highest record id any finished run compared (None before the first run finished).

    A run stores 0 until it finishes, so the records of an interrupted run are compared again.
    """
    with project.session() as session:
        return session.scalar(select(func.max(DedupeRun.max_record_id))) or None


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
    heads = select(Cluster.canonical_record_id).where(Cluster.undone_at.is_(None))
    clustered = (select(ClusterMember.record_id).join(Cluster, Cluster.id == ClusterMember.cluster_id)
                 .where(Cluster.undone_at.is_(None)))
    query = (select(RecordRow.id).where(RecordRow.id.not_in(clustered) | RecordRow.id.in_(heads))
             .order_by(RecordRow.id))
    with project.session() as session:  # chosen by the database: a million ids never pass through Python sets
        return list(session.scalars(query))


def merged_fields(project: Store, record_ids: list[int] | None = None) -> dict[int, dict[str, object]]:
    """Canonical record id -> the fields its active cluster filled in from other members (of
    ``record_ids`` only, when given)."""
    query = (select(Cluster.canonical_record_id, MergedField.field, MergedField.value)
             .join(MergedField, MergedField.cluster_id == Cluster.id).where(Cluster.undone_at.is_(None)))
    chunks = [None] if record_ids is None else id_chunks(record_ids)
    fills: dict[int, dict[str, object]] = {}
    with project.session() as session:
        for chunk in chunks:
            rows = session.execute(query if chunk is None else query.where(Cluster.canonical_record_id.in_(chunk)))
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
