"""Merge a cluster of duplicate records into one canonical record.

The canonical record is the most complete one (a DOI together with an abstract
counts most, then the number of filled fields, then the longer abstract; ties go
to the earlier record). Its empty fields are filled from the other members, most
complete first. The result remembers, per filled field, which member supplied
it, and carries that member's provenance, so nothing about origins is lost.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from logicmap.records.record import FIELDS, Record


@dataclass
class MergedRecord(Record):
    """A :class:`Record` built from a cluster.

    ``canonical`` is the index (in the list given to :func:`merge_cluster`) of the
    record kept as the base; ``filled_from`` maps each field filled in from another
    member to that member's index.
    """

    canonical: int = 0
    filled_from: dict[str, int] = field(default_factory=dict)


def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


def completeness(record: Record) -> tuple[int, int, int]:
    """Sort key: (has DOI and abstract, filled canonical fields, abstract length)."""
    filled = sum(not _empty(getattr(record, name)) for name in FIELDS)
    return (int(bool(record.doi and record.abstract)), filled, len(record.abstract or ""))


def merge_cluster(records: list[Record]) -> MergedRecord:
    """Merge duplicates: the most complete record, its gaps filled from the others.

    Raises ``ValueError`` for an empty list. The input records are not modified.
    """
    if not records:
        raise ValueError("cannot merge an empty cluster")
    order = sorted(range(len(records)), key=lambda i: (tuple(-v for v in completeness(records[i])), i))
    base_index = order[0]
    base = records[base_index]
    values = {f.name: getattr(base, f.name) for f in dataclasses.fields(Record)}
    values["authors"] = list(base.authors)
    values["keywords"] = list(base.keywords)
    values["extra"] = dict(base.extra)
    values["provenance"] = dict(base.provenance)
    filled_from: dict[str, int] = {}
    for name in FIELDS:
        if not _empty(values[name]):
            continue
        for donor_index in order[1:]:
            donor = records[donor_index]
            value = getattr(donor, name)
            if _empty(value):
                continue
            values[name] = list(value) if isinstance(value, list) else value
            filled_from[name] = donor_index
            if name in donor.provenance:
                values["provenance"][name] = donor.provenance[name]
            break
    return MergedRecord(**values, canonical=base_index, filled_from=filled_from)
