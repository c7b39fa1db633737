"""Text made safe for where it goes: spreadsheet cells and terminals.

Pure and dependency-free, so every stage core and adapter may use it.

* :func:`spreadsheet_cell` neutralises formula injection (OWASP "CSV Injection"):
  a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  written with a leading apostrophe, which spreadsheets show as text. A value that
  already starts with an apostrophe before such a character gets one more, so that
  :func:`from_spreadsheet_cell` gives every value back exactly.
* :func:`terminal_text` drops control characters (ANSI escape sequences, bells,
  OSC titles) that would recolour or retitle a reviewer's terminal; tabs and
  newlines stay.
"""

from __future__ import annotations

import csv
import re
from typing import Any, Iterable, TextIO

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _needs_guard(text: str) -> bool:
    stripped = text.lstrip("'")
    return stripped.startswith(FORMULA_PREFIXES)


def spreadsheet_cell(value: Any) -> Any:
    """``value`` fit for a CSV/XLSX cell: formula-like text gets a leading ``'``; other values unchanged."""
    if isinstance(value, str) and _needs_guard(value):
        return "'" + value
    return value


def from_spreadsheet_cell(value: str) -> str:
    """The value :func:`spreadsheet_cell` was given (one guarding apostrophe removed)."""
    if value.startswith("'") and _needs_guard(value[1:]):
        return value[1:]
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of ``row`` through :func:`spreadsheet_cell`."""
    return [spreadsheet_cell(v) for v in row]


class SafeCsvWriter:
    """A :func:`csv.writer` whose rows pass through :func:`spreadsheet_cell`."""

    def __init__(self, fh: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one guarded row."""
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write guarded rows."""
        for row in rows:
            self.writerow(row)


def safe_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A :class:`csv.DictWriter` row with every value through :func:`spreadsheet_cell`."""
    return {k: spreadsheet_cell(v) for k, v in row.items()}


def terminal_text(text: str) -> str:
    """``text`` without control characters other than tab and newline."""
    return _CONTROL.sub("", text)
