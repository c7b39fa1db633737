"""The errors logicmap raises: one hierarchy, every message fit to show a user.

Every error the library raises on purpose is a :class:`LogicmapError`. Messages
name what was wrong (file, line, record, field, code) and never carry advice
tied to one front end: the command line and the web app add their own hints
(an option to pass, a page to visit) from the error's class and attributes.

::

    LogicmapError
    ├── StoreError            a project store that cannot be opened, created or migrated
    ├── NotFoundError         an unknown record, pair, cluster, coding or snapshot
    ├── ImportFormatError     a file that cannot be read (names file, line, record, field)
    ├── ImportRefused         an import refused whole (bad records, or a file imported before)
    ├── ExportError           an export that cannot be written (unknown format)
    ├── DedupeError           a dedupe request that cannot be carried out
    ├── ScreeningError        a screening decision that cannot be recorded
    ├── ScreeningDataError    a labelled dataset that cannot be simulated
    ├── CodebookError         a codebook refused, with every problem found
    └── CodingError           a coding refused (unknown code, bad direction)
        └── SpanError         an evidence span that does not match the study's text

The subclasses that stood for bad values before this hierarchy existed
(``CodebookError``, ``CodingError``, ``DedupeError``, ``ScreeningDataError``) stay ``ValueError``\\ s too.
"""

from __future__ import annotations


class LogicmapError(Exception):
    """Base of every error logicmap raises on purpose; ``str(error)`` is the user's message."""


class StoreError(LogicmapError):
    """A project store that cannot be opened, created or migrated.

    ``location`` is where the project was looked for; ``reason`` is ``"exists"``
    (a project or file is already there), ``"missing"`` (no project there) or
    None (any other problem, named by the message).
    """

    def __init__(self, message: str, *, location: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.location = location
        self.reason = reason


class NotFoundError(LogicmapError, KeyError):
    """Something asked for by id or name that the project does not hold."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ImportFormatError(LogicmapError):
    """A file that cannot be imported; names the file, line/record and field."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.message = message
        self.line = line
        self.record = record
        self.field = field
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.field:
            where.append(f"field {self.field}")
        text = ", ".join(where) + f": {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ImportRefused(LogicmapError):
    """An import refused whole; nothing was stored.

    ``reason`` is ``"bad_records"`` (``problems`` lists every bad record; importing
    with ``skip_bad`` takes the good ones), ``"imported_before"`` (importing
    with ``again`` stores the file a second time) or ``"database_names"`` (database
    names given that do not pair one to one with the files).
    """

    def __init__(self, message: str, problems: list[str] | None = None, *, reason: str = "bad_records") -> None:
        super().__init__(message)
        self.problems = problems or []
        self.reason = reason


class ExportError(LogicmapError, ValueError):
    """An export that cannot be written (unknown format)."""


class DedupeError(LogicmapError, ValueError):
    """A dedupe request that cannot be carried out (unknown engine, bad settings or decision)."""


class AccountError(LogicmapError, ValueError):
    """A web account that cannot be made or changed (name taken, password too short, unknown role)."""


class ScreeningError(LogicmapError):
    """A screening decision that cannot be recorded (unknown stage, record or reason)."""


class ScreeningDataError(LogicmapError, ValueError):
    """A dataset that cannot be screened or simulated as it is.

    The message names the file and, where it applies, the column and row
    (0-based row position in the file, as ``record_id`` in ``order.csv``).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        self.file = file
        self.column = column
        self.row = row
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.column:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        return (", ".join(where) + ": " if where else "") + self.message


class CodebookError(LogicmapError, ValueError):
    """A codebook was refused; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list, source: str = "codebook"):
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s)\n{lines}")


class CodebookChangeRefused(LogicmapError, ValueError):
    """A new codebook would leave standing codings without their code; ``codes`` maps each such
    code to its number of codings."""

    def __init__(self, message: str, codes: dict[str, int]):
        self.codes = dict(codes)
        super().__init__(message)


class CodingError(LogicmapError, ValueError):
    """A coding input was refused (unknown code, bad field, direction or reconciliation decision)."""


class SpanError(CodingError):
    """An evidence span does not match the study's text; the message names study and span."""
