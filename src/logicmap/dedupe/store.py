"""Persistence of the dedupe stage: pairs, reviewer decisions, clusters, merges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from logicmap.dedupe.clustering import ScoredPair, cluster_pairs
from logicmap.dedupe.engine import PairDecision
from logicmap.dedupe.merge import merge_cluster
from logicmap.records.record import Record
from logicmap.store.tables import Cluster, ClusterMember, DedupePair, MergedField, RecordRow
from logicmap.store.records import row_to_record

#: Decision values a reviewer can record.
REVIEW_DECISIONS = ("duplicate", "distinct")


def now() -> datetime:
    """Current UTC time without tzinfo (stored naive, as UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def save_pairs(session: Session, run_id: int, ids: list[int], pairs: list[PairDecision]) -> None:
    """Insert or update scored pairs; reviewers' decisions are never overwritten."""
    existing = {(row.record_a, row.record_b): row for row in session.scalars(select(DedupePair))}
    new_rows = []
    for pair in pairs:
        a, b = sorted((ids[pair.i], ids[pair.j]))
        values = {
            "run_id": run_id,
            "score": round(pair.comparison.score, 4),
            "agreements": pair.comparison.agreements,
            "guards": list(pair.comparison.guards),
            "machine_decision": pair.decision,
        }
        row = existing.get((a, b))
        if row is None:
            new_rows.append({"record_a": a, "record_b": b, "review_decision": None, **values})
        else:
            for key, value in values.items():
                setattr(row, key, value)
    if new_rows:
        session.execute(DedupePair.__table__.insert(), new_rows)
    session.flush()


def effective_decision(pair: DedupePair) -> str:
    """The reviewer's decision when there is one, else the machine's."""
    return pair.review_decision or pair.machine_decision


def _scored_pairs(session: Session) -> list[ScoredPair]:
    scored = []
    for pair in session.scalars(select(DedupePair)):
        decision = effective_decision(pair)
        if decision == "duplicate":
            scored.append(ScoredPair(pair.record_a, pair.record_b, 1.0 if pair.review_decision else pair.score))
        elif decision == "distinct":
            scored.append(ScoredPair(pair.record_a, pair.record_b, 0.0, veto=True))
    return scored


@dataclass
class ClusterChange:
    """What a rebuild did: clusters created and clusters retired."""

    created: int = 0
    retired: int = 0


def rebuild_clusters(session: Session, run_id: int | None, *, merge_at: float) -> ClusterChange:
    """Recompute clusters from every stored pair decision and store the difference.

    Unchanged clusters stay as they are (same id); clusters whose membership
    changed are retired (kept, with ``undone_at``) and new ones created and merged.
    """
    target = {frozenset(c) for c in cluster_pairs(_scored_pairs(session), merge_at=min(merge_at, 1.0))[0]}
    active = active_cluster_members(session)
    change = ClusterChange()
    for cluster_id, members in active.items():
        if frozenset(members) not in target:
            retire_cluster(session, cluster_id, "membership changed by a later decision")
            change.retired += 1
    kept = {frozenset(m) for m in active.values()}
    for members in sorted(target - kept, key=min):
        create_cluster(session, sorted(members), run_id)
        change.created += 1
    session.flush()
    return change


def active_cluster_members(session: Session) -> dict[int, list[int]]:
    """Active cluster id -> its member record ids."""
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


def load_records(session: Session, ids: list[int]) -> list[Record]:
    """Records by id, in the order given."""
    rows = {row.id: row for row in session.scalars(select(RecordRow).where(RecordRow.id.in_(ids)))}
    return [row_to_record(rows[i]) for i in ids]


def create_cluster(session: Session, member_ids: list[int], run_id: int | None) -> Cluster:
    """Store a cluster, choose its canonical record and fill that record's gaps."""
    merged = merge_cluster(load_records(session, member_ids))
    cluster = Cluster(
        run_id=run_id, canonical_record_id=member_ids[merged.canonical], created_at=now()
    )
    session.add(cluster)
    session.flush()
    session.add_all(ClusterMember(cluster_id=cluster.id, record_id=r) for r in member_ids)
    session.add_all(
        MergedField(
            cluster_id=cluster.id,
            field=name,
            value=getattr(merged, name),
            from_record_id=member_ids[donor],
        )
        for name, donor in merged.filled_from.items()
    )
    return cluster


def retire_cluster(session: Session, cluster_id: int, reason: str) -> None:
    """Mark a cluster as no longer active (its rows stay for the audit trail)."""
    session.execute(
        update(Cluster).where(Cluster.id == cluster_id).values(undone_at=now(), undone_reason=reason)
    )


def mark_members_distinct(session: Session, member_ids: list[int], reviewer: str) -> int:
    """Record 'distinct' for every pair of the given records (creating pairs as needed)."""
    existing = {
        (p.record_a, p.record_b): p
        for p in session.scalars(
            select(DedupePair).where(DedupePair.record_a.in_(member_ids), DedupePair.record_b.in_(member_ids))
        )
    }
    count = 0
    for index, a in enumerate(member_ids):
        for b in member_ids[index + 1 :]:
            key = (min(a, b), max(a, b))
            pair = existing.get(key)
            if pair is None:
                pair = DedupePair(
                    record_a=key[0], record_b=key[1], score=0.0, agreements={}, guards=[],
                    machine_decision="duplicate",
                )
                session.add(pair)
            pair.review_decision, pair.reviewer, pair.reviewed_at = "distinct", reviewer, now()
            count += 1
    return count
