"""Exceptions raised by the screening core."""

from __future__ import annotations


class ScreeningDataError(ValueError):
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
