"""The dedupe stage on a project: run an engine, review uncertain pairs, undo, export.

Every function reads and writes the project store; decisions are committed the
moment they are made.
"""

from __future__ import annotations

from logicmap.errors import DedupeError

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select

from logicmap.dedupe.engine import DedupeEngine, DedupeSettings, InProcessEngine
from logicmap.dedupe.store import (
    REVIEW_DECISIONS,
    active_cluster_members,
    effective_decision,
    load_records,
    mark_members_distinct,
    now,
    rebuild_clusters,
    retire_cluster,
    save_pairs,
)
from logicmap.records.record import Record
from logicmap.store.tables import Cluster, DedupePair, DedupeRun, RecordRow, Source
from logicmap.store.database import Store
from logicmap.store.records import row_to_record

#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


def make_engine(name: str) -> DedupeEngine:
    """The engine called ``name`` ("inprocess" or "splink")."""
    if name == "inprocess":
        return InProcessEngine()
    if name == "splink":
        from logicmap.dedupe.splink_engine import SplinkEngine

        return SplinkEngine()
    raise DedupeError(f"unknown dedupe engine {name!r}; choose inprocess or splink")


@dataclass
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


def _all_records(project: Store) -> tuple[list[int], list[Record]]:
    with project.session() as session:
        rows = session.scalars(select(RecordRow).order_by(RecordRow.id)).all()
        return [r.id for r in rows], [row_to_record(r) for r in rows]


def run_dedupe(
    project: Store,
    *,
    engine: str | DedupeEngine = "inprocess",
    settings: DedupeSettings | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> DedupeSummary:
    """Find duplicates among the project's records and store pairs and clusters.

    After an earlier run only records imported since are compared with the rest
    (unless ``full``); reviewers' decisions always stand.
    """
    settings = settings or DedupeSettings()
    backend = make_engine(engine) if isinstance(engine, str) else engine
    if progress:
        progress("load", 0, 1)
    ids, records = _all_records(project)
    with project.session() as session:
        last = session.scalar(select(func.max(DedupeRun.max_record_id))) if not full else None
    new = None if last is None else [i for i, record_id in enumerate(ids) if record_id > last]
    if progress:
        progress("compare", 0, len(records))
    result = backend.find_duplicates(records, settings=settings, new=new)
    if progress:
        progress("store", 0, 1)
    with project.session() as session:
        run = DedupeRun(
            started_at=now(),
            engine=getattr(backend, "name", type(backend).__name__),
            settings=_settings_json(settings),
            mode="full" if new is None else "incremental",
            records_total=len(records),
            records_new=len(records) if new is None else len(new),
            max_record_id=max(ids, default=0),
            pairs_compared=result.compared,
            clusters=0,
            duplicates_removed=0,
        )
        session.add(run)
        session.flush()
        save_pairs(session, run.id, ids, result.pairs)
        rebuild_clusters(session, run.id, merge_at=settings.merge_at)
        clusters = active_cluster_members(session)
        run.clusters = len(clusters)
        run.duplicates_removed = sum(len(m) - 1 for m in clusters.values())
        summary = DedupeSummary(
            run_id=run.id,
            mode=run.mode,
            records=len(records),
            new_records=run.records_new,
            pairs_compared=result.compared,
            duplicate_pairs=sum(p.decision == "duplicate" for p in result.pairs),
            review_pairs=len(review_queue_ids(session)),
            clusters=run.clusters,
            duplicates_removed=run.duplicates_removed,
        )
    return summary


def _settings_json(settings: DedupeSettings) -> dict:
    return {
        "merge_at": settings.merge_at,
        "review_from": settings.review_from,
        "cannot_link_below": settings.cannot_link_below,
        "rules": [getattr(rule, "name", str(rule)) for rule in settings.rules],
        "max_block": settings.max_block,
        "window": settings.window,
    }


def review_queue_ids(session) -> list[int]:
    """Ids of pairs waiting for a reviewer, highest score first."""
    pairs = session.scalars(
        select(DedupePair)
        .where(DedupePair.review_decision.is_(None), DedupePair.machine_decision == "review")
        .order_by(DedupePair.score.desc(), DedupePair.id)
    )
    return [p.id for p in pairs]


@dataclass
class ReviewItem:
    """A pair waiting for a decision, with both records and the explanation."""

    pair_id: int
    score: float
    agreements: dict
    guards: list
    left: tuple[int, Record, str]
    right: tuple[int, Record, str]


def review_queue(project: Store) -> list[ReviewItem]:
    """The uncertain pairs, highest score first, with both records loaded."""
    with project.session() as session:
        items = []
        for pair_id in review_queue_ids(session):
            pair = session.get(DedupePair, pair_id)
            left, right = load_records(session, [pair.record_a, pair.record_b])
            names = dict(
                session.execute(
                    select(RecordRow.id, Source.name)
                    .join(Source, Source.id == RecordRow.source_id)
                    .where(RecordRow.id.in_([pair.record_a, pair.record_b]))
                ).all()
            )
            items.append(
                ReviewItem(
                    pair.id, pair.score, dict(pair.agreements), list(pair.guards),
                    (pair.record_a, left, names[pair.record_a]),
                    (pair.record_b, right, names[pair.record_b]),
                )
            )
        return items


def decide_pair(project: Store, pair_id: int, decision: str, reviewer: str) -> None:
    """Record a reviewer's decision on a pair (committed at once) and update clusters."""
    if decision not in REVIEW_DECISIONS:
        raise DedupeError(f"decision must be one of {', '.join(REVIEW_DECISIONS)}, not {decision!r}")
    with project.session() as session:
        pair = session.get(DedupePair, pair_id)
        if pair is None:
            raise DedupeError(f"no dedupe pair {pair_id}")
        pair.review_decision, pair.reviewer, pair.reviewed_at = decision, reviewer, now()
        session.flush()
        rebuild_clusters(session, None, merge_at=1.0)


def undo_cluster(project: Store, cluster_id: int, reviewer: str) -> list[int]:
    """Split an active cluster back into its records; returns the member record ids.

    Every pair of its members is recorded as distinct, so later runs do not merge
    them again.
    """
    with project.session() as session:
        cluster = session.get(Cluster, cluster_id)
        if cluster is None:
            raise DedupeError(f"no cluster {cluster_id}")
        if cluster.undone_at is not None:
            raise DedupeError(f"cluster {cluster_id} was already undone ({cluster.undone_reason})")
        members = active_cluster_members(session)[cluster_id]
        retire_cluster(session, cluster_id, f"undone by {reviewer}")
        mark_members_distinct(session, members, reviewer)
        session.flush()
        rebuild_clusters(session, None, merge_at=1.0)
        return members


def cluster_assignments(project: Store) -> list[tuple[str, str, int, int]]:
    """``(source name, source_id, cluster_id, record id)`` for every record.

    ``source_id`` is the record's own id in its file, else its 1-based position;
    ``cluster_id`` is the id of the canonical record of the record's cluster (a
    record in no cluster is its own canonical record).
    """
    with project.session() as session:
        canonical = {}
        for cluster_id, members in active_cluster_members(session).items():
            head = session.get(Cluster, cluster_id).canonical_record_id
            canonical.update({member: head for member in members})
        rows = session.execute(
            select(RecordRow.id, RecordRow.source_record_id, RecordRow.position, Source.name)
            .join(Source, Source.id == RecordRow.source_id)
            .order_by(RecordRow.id)
        )
        return [
            (name, own_id or str(position), canonical.get(record_id, record_id), record_id)
            for record_id, own_id, position, name in rows
        ]


def export_clusters(project: Store, path: Path | str) -> int:
    """Write ``source,source_id,cluster_id`` (one row per record); returns the row count."""
    rows = cluster_assignments(project)
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["source", "source_id", "cluster_id"])
        writer.writerows(row[:3] for row in rows)
    return len(rows)


def duplicates_per_source(project: Store) -> list[tuple[str, str | None, int, int]]:
    """``(file, database, records, duplicates removed)`` per source, for PRISMA and the demo."""
    removed: dict[int, int] = {}
    with project.session() as session:
        for cluster_id, members in active_cluster_members(session).items():
            head = session.get(Cluster, cluster_id).canonical_record_id
            for source_id in session.scalars(
                select(RecordRow.source_id).where(RecordRow.id.in_([m for m in members if m != head]))
            ):
                removed[source_id] = removed.get(source_id, 0) + 1
        sources = session.scalars(select(Source).order_by(Source.id)).all()
        return [(s.name, s.database, s.record_count, removed.get(s.id, 0)) for s in sources]


def pair_effective_decisions(project: Store) -> dict[tuple[int, int], str]:
    """Every stored pair's current decision (reviewer's, else machine's)."""
    with project.session() as session:
        return {(p.record_a, p.record_b): effective_decision(p) for p in session.scalars(select(DedupePair))}


def canonical_record_ids(project: Store) -> list[int]:
    """The records that stand for a study after dedupe: one per cluster plus every unclustered record."""
    with project.session() as session:
        clustered: set[int] = set()
        heads: set[int] = set()
        for cluster_id, members in active_cluster_members(session).items():
            clustered.update(members)
            heads.add(session.get(Cluster, cluster_id).canonical_record_id)
        ids = session.scalars(select(RecordRow.id).order_by(RecordRow.id)).all()
    return [i for i in ids if i not in clustered or i in heads]


@dataclass(frozen=True)
class DedupeRunInfo:
    """The settings and outcome of a stored dedupe run (for the methods section)."""

    run_id: int
    engine: str
    merge_at: float | None
    review_from: float | None
    duplicates_removed: int


def last_run(project: Store) -> DedupeRunInfo | None:
    """The latest dedupe run, or None before the first."""
    with project.session() as session:
        run = session.scalars(select(DedupeRun).order_by(DedupeRun.id.desc())).first()
        if run is None:
            return None
        return DedupeRunInfo(run.id, run.engine, run.settings.get("merge_at"), run.settings.get("review_from"),
                             run.duplicates_removed)
