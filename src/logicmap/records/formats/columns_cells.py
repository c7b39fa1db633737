"""Cell values of spreadsheet exports: missing-value markers, inclusion labels, author and keyword lists.

Used by :func:`logicmap.records.formats.columns.record_from_row` for every mapped cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MISSING = frozenset({"", "NA", "N/A", "NaN", "nan", "NULL", "null", "None", "#N/A"})
_LABEL_VALUES = {
    "1": 1, "1.0": 1, "0": 0, "0.0": 0, "yes": 1, "no": 0, "y": 1, "n": 0,
    "true": 1, "false": 0, "included": 1, "excluded": 0, "include": 1, "exclude": 0,
    "i": 1, "e": 0,
}
#: Values meaning "not labelled yet" (ASReview writes -1 for unlabelled records).
_UNLABELLED = frozenset({"", "-1", "-1.0", "na", "nan", "none", "null"})
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
_INITIALS = re.compile(r"^[A-Z][A-Z.\-]{0,7}$")
_AND = re.compile(r"\s+and\s+")
_GLUED = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z])")
_COMMA_OUTSIDE_PARENS = re.compile(r",\s*(?![^()]*\))")


def usable(value: str) -> str | None:
    """``value`` unless blank or a missing-value marker (``NA``); Excel ``="0123"`` unwrapped."""
    stripped = value.strip()
    if stripped in _MISSING:
        return None
    if stripped[:2] == '="' and stripped[-1] == '"' and '"' not in stripped[2:-1]:
        return stripped[2:-1] or None  # Excel formula quoting: ="0123"
    return value


def cell_text(cells: Sequence[str], index: int) -> str | None:
    """The cell's usable text (see :func:`usable`), None when absent or empty."""
    if index >= len(cells) or not cells[index]:
        return None
    return usable(cells[index])


def parse_label(value: str) -> int | None:
    """0/1 from an inclusion label (1/0, yes/no, true/false, included/excluded, I/E).

    Returns None for unlabelled values (empty, ``-1``); raises ValueError otherwise.
    """
    key = value.strip().lower()
    if key in _LABEL_VALUES:
        return _LABEL_VALUES[key]
    if key in _UNLABELLED:
        return None
    raise ValueError(value)


def _merge_suffixes(parts: list[str]) -> list[str]:
    merged: list[str] = []
    for part in parts:
        if merged and part in _SUFFIXES:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def _comma_list_of_initials(parts: list[str]) -> bool:
    """True when every part looks like ``Family Initials`` (``Liu R.``, ``Griffin DK``)."""
    for part in parts:
        tokens = part.split()
        if len(tokens) < 2 or not _INITIALS.match(tokens[-1].rstrip(",")):
            return False
    return True


def split_authors(value: str) -> list[str]:
    """Split one author cell into names.

    ``;`` is the usual separator, ``|`` OpenAlex's. ``" and "`` (Rayyan, Abstrackr) is
    used only when every part is ``Family, Given``; ``,`` only when every part is
    ``Family Initials`` (Embase, Scopus, PubMed). Names glued without separator
    (``"Adeli K.Lewis G. F."``, ASySD) are cut after an initial's full stop.
    """
    if ";" in value:
        parts = value.split(";")
    elif "|" in value:
        parts = value.split("|")
    else:
        parts = _split_unmarked(value)
    return [name for part in parts if (name := _author_name(part))]


def _split_unmarked(value: str) -> list[str]:
    """Names in a cell without ``;`` or ``|`` separators (see :func:`split_authors`)."""
    if " and" in value or "\nand" in value:
        pieces = _AND.split(value.strip())
        if len(pieces) > 1 and all("," in p for p in pieces):
            return pieces
    if "," in value:
        pieces = _merge_suffixes([p.strip() for p in value.split(",")])
        return pieces if _comma_list_of_initials(pieces) else [value]
    return _GLUED.split(value) if "." in value else [value]


def _author_name(part: str) -> str:
    """One name stripped, without a ``null`` placeholder for a missing given name."""
    part = part.strip()
    if part.endswith("null") and part[:-4].rstrip().endswith(","):
        return part[:-4].rstrip()[:-1].rstrip()  # RefWorks: "van den Hoven,null"
    if part.startswith("null "):
        return part[5:].lstrip()  # Lens.org: "null van den Hoven"
    return part


def split_keywords(value: str) -> list[str]:
    """Split a keyword cell on ``;``, else ``|``, else commas outside parentheses."""
    if ";" in value:
        parts = value.split(";")
    elif "|" in value:
        parts = value.split("|")
    elif "," in value:
        parts = _COMMA_OUTSIDE_PARENS.split(value)
    else:
        parts = [value]
    return [p.strip() for p in parts if p.strip()]
