"""Exporting a project's records through the format writers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from sqlalchemy import select

from logicmap.records.formats import WRITERS, writer_module
from logicmap.records.record import Record
from logicmap.store.tables import Cluster, MergedField
from logicmap.store.database import Store
from logicmap.store.records import iter_records


def deduplicated_records(project: Store) -> Iterator[Record]:
    """One record per study: canonical records with their merged-in fields, and unclustered ones."""
    from logicmap.dedupe.pipeline import canonical_record_ids

    keep = set(canonical_record_ids(project))
    with project.session() as session:
        fills: dict[int, dict[str, object]] = {}
        rows = session.execute(
            select(Cluster.canonical_record_id, MergedField.field, MergedField.value)
            .join(MergedField, MergedField.cluster_id == Cluster.id)
            .where(Cluster.undone_at.is_(None))
        )
        for record_id, name, value in rows:
            fills.setdefault(record_id, {})[name] = value
    for record_id, record in iter_records(project):
        if record_id not in keep:
            continue
        for name, value in fills.get(record_id, {}).items():
            setattr(record, name, value)
        yield record


def export_records(project: Store, fmt: str, output: Path | str, *, deduplicated: bool = False) -> int:
    """Write the records of ``project`` to ``output`` ('-' = stdout); returns the count.

    With ``deduplicated`` only one (merged) record per duplicate cluster is written.
    """
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(WRITERS)}")
    writer = writer_module(fmt)
    records = deduplicated_records(project) if deduplicated else (r for _, r in iter_records(project))
    if str(output) == "-":
        return writer.write(records, sys.stdout)
    with Path(output).open("w", encoding="utf-8", newline="") as fh:
        return writer.write(records, fh)
