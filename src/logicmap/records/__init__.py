"""Bibliographic records: one model, readers and writers per format, normalisation."""

from logicmap.records.record import (
    FIELDS,
    Document,
    FieldValue,
    ImportFormatError,
    ParsedRecord,
    Record,
    RecordProblem,
)

__all__ = [
    "FIELDS",
    "Document",
    "FieldValue",
    "ImportFormatError",
    "ParsedRecord",
    "Record",
    "RecordProblem",
]
