"""Writing records through the format writers (RIS, CSV, BibTeX) to a file or stdout.

Pure: the records come from the caller (``review.records.export`` feeds every
imported record, ``review.dedupe.export`` one merged record per study).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

from logicmap.errors import ExportError
from logicmap.records.formats import WRITERS, writer_module
from logicmap.records.record import Record


def write_records(records: Iterable[Record], fmt: str, output: Path | str) -> int:
    """Write ``records`` as ``fmt`` to ``output`` ('-' = stdout); returns the count."""
    if fmt not in WRITERS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(WRITERS)}")
    writer = writer_module(fmt)
    if str(output) == "-":
        return writer.write(records, sys.stdout)
    with Path(output).open("w", encoding="utf-8", newline="") as fh:
        return writer.write(records, fh)
