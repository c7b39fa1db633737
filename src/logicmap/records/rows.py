"""Records flattened for bulk storage: one tuple of plain values per record.

A flat record is ``(line, source id, <the canonical fields in FIELDS order>,
label, extra, provenance)``, the list fields (authors, keywords), ``extra`` and
``provenance`` as JSON text: cheap to send between processes and ready for a
driver's ``executemany``. Provenance is stored as ``field -> [tag, line,
original]``, the original None where normalising left the value unchanged.
"""

from __future__ import annotations

import orjson

from logicmap.records.record import FIELDS, LIST_FIELDS, Record

#: The flat record's columns, in order (``source_id`` is the record's own id in its file).
FLAT_COLUMNS: tuple[str, ...] = ("line", "source_id", *FIELDS, "label", "extra", "provenance")
#: Columns holding JSON text.
JSON_COLUMNS: frozenset[str] = frozenset({*LIST_FIELDS, "extra", "provenance"})

_PLAN = tuple((name, name in LIST_FIELDS) for name in FIELDS)


def stored_provenance(record: Record) -> dict[str, list]:
    """``field -> [tag, line, original]``; the original is None where it equals the normalised value."""
    provenance = {}
    for name, prov in record.provenance.items():
        original = prov.original
        if original == getattr(record, name):
            original = None  # unchanged by normalisation: not stored twice
        provenance[name] = [prov.tag, prov.line, original]
    return provenance


def flat_record(record: Record) -> tuple:
    """``record`` as a tuple of :data:`FLAT_COLUMNS`."""
    values: list = [record.line, record.source_id]
    for name, is_list in _PLAN:
        value = getattr(record, name)
        values.append(orjson.dumps(value).decode() if is_list else value)
    values += [record.label, orjson.dumps(record.extra).decode(), orjson.dumps(stored_provenance(record)).decode()]
    return tuple(values)
