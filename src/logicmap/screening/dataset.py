"""Read a fully labelled, ASReview-compatible CSV for simulation.

Every row is kept, in file order: ``record_id`` in the outputs is the row's
0-based position (as ASReview's ``--prior-idx``). The project's delimited-text
reader finds the columns; this module only checks that the data can be
simulated and raises :class:`~logicmap.errors.ScreeningDataError`
otherwise.

Documented fallbacks (each adds a line to :attr:`LabelledDataset.warnings`):

* no abstract column, or no abstract in any row: the engine learns from titles
  alone;
* rows with neither title nor abstract stay in the dataset with an empty text
  (they get the classifier's score for an empty record).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from logicmap.records.encoding import load_document
from logicmap.records.formats import tabular
from logicmap.records.formats.columns import build_column_map
from logicmap.records.record import ImportFormatError
from logicmap.records.normalise import normalise_record
from logicmap.errors import ScreeningDataError
from logicmap.screening.features import record_text


@dataclass
class LabelledDataset:
    """Texts and 0/1 labels of a labelled dataset, in file order."""

    name: str
    texts: list[str]
    labels: list[int]
    titles: list[str]
    label_column: str
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def _label_column(doc) -> str | None:
    """Name of the column the reader takes labels from (None without one)."""
    delimiter, header_index = tabular.detect_layout(doc)
    reader = csv.reader(io.StringIO(doc.text or ""), delimiter=delimiter)
    for index, cells in enumerate(reader):
        if index == header_index:
            cmap = build_column_map(cells)
            return None if cmap.label is None else cmap.names[cmap.label]
    return None


def load_labelled(path: Path | str) -> LabelledDataset:
    """Read ``path`` and check it can be simulated (see the module doc)."""
    path = Path(path)
    name = path.name
    try:
        doc = load_document(path)
        parsed = tabular.read(doc)
        column = _label_column(doc)
    except ImportFormatError as exc:
        raise ScreeningDataError(f"cannot read the file: {exc.message}", file=str(path)) from exc
    if column is None:
        raise ScreeningDataError(
            "no inclusion-label column (expected e.g. 'label_included' with 0/1 values)", file=name
        )
    if len(parsed) < 2:
        raise ScreeningDataError(
            f"has {len(parsed)} record(s); a simulation needs at least 2", file=name
        )
    records = [normalise_record(p) for p in parsed]
    labels: list[int] = []
    for row, (p, record) in enumerate(zip(parsed, records)):
        bad = [q for q in p.problems if q.field == column]
        if bad:
            raise ScreeningDataError(
                f"label is not binary: {bad[0].message} (line {p.line})", file=name, column=column,
                row=row,
            )
        if record.label is None:
            empty = sum(1 for r in records if r.label is None)
            raise ScreeningDataError(
                f"label is empty (line {p.line}; {empty} of {len(records)} rows have no label); "
                "a simulation needs every record labelled 0 or 1",
                file=name, column=column, row=row,
            )
        labels.append(int(record.label))
    if len(set(labels)) < 2:
        only = "relevant (1)" if labels[0] == 1 else "irrelevant (0)"
        raise ScreeningDataError(
            f"every record is {only}; a simulation needs both classes", file=name, column=column
        )
    warnings: list[str] = []
    if not any(r.abstract for r in records):
        warnings.append(f"{name}: no abstracts found; learning from titles only")
    if not any(r.title or r.abstract for r in records):
        raise ScreeningDataError("no record has a title or an abstract to learn from", file=name)
    empty = sum(1 for r in records if not (r.title or r.abstract))
    if empty:
        warnings.append(f"{name}: {empty} record(s) have neither title nor abstract")
    return LabelledDataset(
        name=name,
        texts=[record_text(r.title, r.abstract) for r in records],
        labels=labels,
        titles=[r.title or "" for r in records],
        label_column=column,
        warnings=warnings + list(doc.warnings),
    )
