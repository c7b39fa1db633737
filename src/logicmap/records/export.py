"""Exporting a project's records through the format writers."""

from __future__ import annotations

import sys
from pathlib import Path

from logicmap.records.formats import WRITERS, writer_module
from logicmap.store.project import Project
from logicmap.store.records import iter_records


def export_records(project: Project, fmt: str, output: Path | str) -> int:
    """Write every record of ``project`` to ``output`` ('-' = stdout); returns the count."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(WRITERS)}")
    writer = writer_module(fmt)
    records = (record for _, record in iter_records(project))
    if str(output) == "-":
        return writer.write(records, sys.stdout)
    with Path(output).open("w", encoding="utf-8", newline="") as fh:
        return writer.write(records, fh)
