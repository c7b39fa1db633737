"""What one file contributes to an import: checked records in batches, refusals, the report.

Pure: nothing here touches the project store. The records stage streams each
batch into one store transaction (see :mod:`logicmap.review.records`), so memory
stays flat on large files; a refusal raised here rolls that transaction back.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from logicmap.errors import ImportRefused
from logicmap.safe_text import SafeCsvWriter
from logicmap.records.formats.ris import NO_RECORDS
from logicmap.records.ranges import RangeJob, RangeResult, record_ranges
from logicmap.records.reading import DatabaseGuess, OpenedFile, iter_checked, iter_parsed, note_record_id
from logicmap.records.record import ImportFormatError, Record, RecordProblem

#: progress(stage, file name, done, total)
Progress = Callable[[str, str, int, int], None]
#: Reads a file's parts (given as jobs) and gives their results in the same order.
ReadParts = Callable[[Iterator[RangeJob]], Iterable[RangeResult]]
#: Records written to the store at a time.
BATCH_SIZE = 2000
#: Allocations between two young-generation collections while many records are built.
GC_THRESHOLD = 100_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while streaming many records (restored afterwards).

    Reading, normalising and storing records makes millions of small objects
    and almost no reference cycles; with the default threshold (700) the
    collector runs thousands of times and costs about a third of an import's
    CPU. Unlike pausing it, a raised threshold still bounds memory.
    """
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def existing_objects_frozen() -> Iterator[None]:
    """Keep the garbage collector off every object that exists now (``gc.freeze``), until the block ends.

    For a long phase that holds millions of objects without reference cycles
    (a dedupe run's scored pairs while they are stored): a full collection would
    walk them all, a second or more at a million records, in the middle of
    whatever short transaction is running. Objects made inside the block are
    collected as usual; those that existed are again afterwards.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@dataclass
class FileResult:
    """What one file contributed to an import."""

    file: str
    format: str
    records: int
    skipped: int
    database: str | None = None
    source_id: int | None = None
    warnings: list[str] = field(default_factory=list)
    skipped_problems: list[RecordProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of an import (``review.records.import_files``)."""

    files: list[FileResult]

    @property
    def records(self) -> int:
        """Records imported in total."""
        return sum(f.records for f in self.files)

    def write_skipped_csv(self, path: Path | str) -> int:
        """Write every skipped record (file, record, line, id, field, reason) as CSV; returns the row count."""
        rows = [
            [result.file, p.position, p.line, p.source_id, p.field, p.message]
            for result in self.files
            for p in result.skipped_problems
        ]
        with Path(path).open("w", newline="", encoding="utf-8") as fh:
            writer = SafeCsvWriter(fh)
            writer.writerow(["file", "record", "line", "id", "field", "reason"])
            writer.writerows(rows)
        return len(rows)

    def to_json(self) -> dict:
        """The stable JSON summary other tools rely on."""
        return {
            "files": [
                {"file": f.file, "format": f.format, "records": f.records, "skipped": f.skipped}
                for f in self.files
            ],
            "records": self.records,
        }


class _FileOutcome:
    """The bad records of one file as its records pass, the refusal they make, the database guess."""

    def __init__(self, opened: OpenedFile, *, skip_bad: bool) -> None:
        self.opened = opened
        self.skip_bad = skip_bad
        self.bad: list[RecordProblem] = []
        self._guess = DatabaseGuess(opened.format)

    def refusal(self) -> ImportRefused | None:
        """The error refusing the whole import, or None when the file may be stored."""
        if not self.bad or self.skip_bad:
            return None
        name = self.opened.info.name
        lines = [p.describe(name) for p in self.bad]
        return ImportRefused(f"{len(lines)} problem(s) in {name}; nothing imported", lines, reason="bad_records")

    @property
    def skipped(self) -> int:
        """Number of records skipped (a record with several problems counts once)."""
        return len({p.position for p in self.bad})

    def database(self, given: str | None) -> str | None:
        """The database the user named, else the one guessed from the records."""
        return given or self._guess.result()


class RecordBatches(_FileOutcome):
    """An opened file's good records in batches; the bad ones are collected as they pass.

    After iterating, :meth:`refusal` says whether the file must be refused
    (bad records and no ``skip_bad``); once refused, reading goes on only to
    report every problem, and no more batches are given out.
    """

    def __init__(self, opened: OpenedFile, *, skip_bad: bool, size: int = BATCH_SIZE) -> None:
        super().__init__(opened, skip_bad=skip_bad)
        self.size = size

    def __iter__(self) -> Iterator[list[Record]]:
        batch: list[Record] = []
        for record in self._good_records():
            batch.append(record)
            if len(batch) >= self.size:
                yield batch
                batch = []
        if batch and self.refusal() is None:
            yield batch

    def _good_records(self) -> Iterator[Record]:
        for record, problems in iter_checked(iter_parsed(self.opened)):
            if problems:
                self.bad.extend(problems)
                continue
            self._guess.add(record)
            if self.skip_bad or not self.bad:
                yield record


class FlatBatches(_FileOutcome):
    """A RIS file's good records as batches of ``(position, flat record)``, from its parts read apart.

    ``read_parts`` reads the file's parts (:func:`~logicmap.records.ranges.record_ranges`)
    and gives their results in order, e.g. ``lambda jobs: map(read_range, jobs)``
    or worker processes' :meth:`~logicmap.records.range_worker.RangeWorkers.results`;
    each part makes one batch. Records are checked as
    :func:`~logicmap.records.reading.iter_checked` checks them (a record id
    repeated anywhere in the file is a problem) and refused as by
    :class:`RecordBatches`.
    """

    def __init__(self, opened: OpenedFile, read_parts: ReadParts, *, skip_bad: bool) -> None:
        super().__init__(opened, skip_bad=skip_bad)
        self._read_parts = read_parts

    def _jobs(self) -> Iterator[RangeJob]:
        for job in record_ranges(self.opened):
            # taken as a worker needs it: by then the guess may have seen enough records
            yield job._replace(votes=self._guess.wants_more)

    def __iter__(self) -> Iterator[list[tuple[int, tuple]]]:
        first_seen: dict[str, int | None] = {}
        position = 0
        for result in self._read_parts(self._jobs()):
            batch = []
            for index, flat in enumerate(result.rows):
                position += 1
                problems = _flat_problems(result, index, position, flat, first_seen)
                if problems:
                    self.bad.extend(problems)
                    continue
                if result.votes is not None:
                    self._guess.add_votes(result.votes[index])
                if self.skip_bad or not self.bad:
                    batch.append((position, flat))
            if batch and self.refusal() is None:
                yield batch
        if position == 0:
            raise ImportFormatError(self.opened.info.name, NO_RECORDS, line=1)


def _flat_problems(result: RangeResult, index: int, position: int, flat: tuple | None,
                   first_seen: dict[str, int | None]) -> list[RecordProblem]:
    """One record's problems, found as :func:`~logicmap.records.reading.iter_checked` finds them."""
    if flat is not None:
        line, source_id = flat[0], flat[1]
        problems: list[RecordProblem] = []
        reasons: tuple[str, ...] = ()
    else:
        source_id, line, found, reasons = result.bad[index]
        problems = [RecordProblem(position, p.line, p.field, p.message, p.source_id) for p in found]
    note_record_id(first_seen, position, line, source_id, problems)
    if not problems:
        problems = [RecordProblem(position, line, None, reason, source_id) for reason in reasons]
    return problems


#: What a caller may say about the databases of an import's files: one name (one file),
#: one name per file in order (None or "" where the file's own tags should tell), or nothing.
DatabaseNames = str | Sequence[str | None] | None


def database_names(files: Sequence[str], given: DatabaseNames) -> list[str | None]:
    """One database name (or None: the file's own tags tell) per file of ``files``, in order.

    A single name stands for one file only: a name given once for several files would
    label them all alike, so that is refused, as is a list whose length differs from
    the files'.
    """
    if given is None:
        return [None] * len(files)
    names = [given] if isinstance(given, str) else list(given)
    if len(names) != len(files):
        raise ImportRefused(
            f"{_count(len(names), 'database name')} for {_count(len(files), 'file')} "
            f"({', '.join(files)}); give one database name per file, in order", reason="database_names",
        )
    return [name.strip() or None if name else None for name in names]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def repeat_refusal(name: str, earlier: str) -> ImportRefused:
    """The refusal of a file whose bytes were imported before (``earlier`` says where)."""
    return ImportRefused(f"{name}: {earlier}", reason="imported_before")
