"""Recognising a file's format from its content (the extension only breaks ties)."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

from logicmap.records.encoding import binary_kind
from logicmap.records.record import ImportFormatError

_HEAD_LINES = 400
_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("pubmed_xml", re.compile(r"<(PubmedArticleSet|PubmedArticle|PubmedBookArticle)\b")),
    ("endnote_xml", re.compile(r"<xml>\s*<records>|<records>\s*<record>|<record>\s*<database\b")),
    ("ovid_tagged", re.compile(r"^<\d+\.?\s*>\s*$", re.M)),
    ("wos_tagged", re.compile(r"^(FN (Clarivate|Thomson)|PT [A-Z]\s*$)", re.M)),
    ("ris", re.compile(r"^\s*TY\s{1,2}-", re.M)),
    ("medline", re.compile(r"^(PMID- ?\d|OWN - |STAT- |FAU - |DCOM- )", re.M)),
    ("bibtex", re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.M)),
    ("refer", re.compile(r"^%[0A-Z@] \S", re.M)),
)
_EXTENSIONS = {
    ".ris": "ris",
    ".nbib": "medline",
    ".bib": "bibtex",
    ".ciw": "wos_tagged",
    ".enw": "refer",
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".xlsx": "xlsx",
}


def detect_format(data: bytes, text: str | None, name: str) -> str:
    """The reader format for a file, from its content.

    ``text`` is the decoded text or its start (None for binary content). Raises
    :class:`ImportFormatError` with a clear message for empty, binary or
    unrecognised files.
    """
    if not data.strip():
        raise ImportFormatError(name, "file is empty")
    kind = binary_kind(data)
    if kind is not None:
        if kind.startswith("a ZIP") and _is_xlsx(data):
            return "xlsx"
        raise ImportFormatError(name, f"is {kind}, not a search export", line=1)
    if text is None or not text.strip():
        raise ImportFormatError(name, "file has no text")
    head = "\n".join(text.split("\n", _HEAD_LINES)[:_HEAD_LINES])
    matches = [fmt for fmt, pattern in _SIGNATURES if pattern.search(head)]
    if matches:
        return _prefer_extension(matches, name)
    if _looks_delimited(head):
        return "csv"
    raise ImportFormatError(
        name,
        "unrecognised format: not RIS, MEDLINE, PubMed XML, BibTeX, EndNote XML, "
        "WoS/Ovid/Refer tagged, CSV/TSV or XLSX",
        line=1,
    )


def _prefer_extension(matches: list[str], name: str) -> str:
    by_extension = _EXTENSIONS.get(Path(name).suffix.lower())
    if by_extension in matches:
        return by_extension
    return matches[0]


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return any(n.startswith("xl/") for n in archive.namelist())
    except zipfile.BadZipFile:
        return False


def _looks_delimited(head: str) -> bool:
    lines = [line for line in head.split("\n")[:20] if line.strip()]
    return any(line.count(sep) >= 2 for line in lines for sep in (",", ";", "\t"))
