"""Bibliographic records: one model, readers and writers per format, normalisation."""

from logicmap.records.model import (
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
