"""Ovid tagged 'direct export' reader (Embase, MEDLINE, PsycINFO via Ovid).

Layout seen in real exports: a record marker line ``<3001. >``, then tag lines
``VN  - Ovid Technologies``, ``DB  - Embase``, ``UI  - 621381829`` ... with
6-space continuation lines; an abstract may also run on over *unindented* lines
(``Method(s): ...``). Files without markers are split at blank lines.

``SO`` is a citation string (``Journal. 12(3):100-10, 2011.`` or Embase's
``Journal. 12 (3) (pp 1-10), 2011.``, with an optional ``Conference: ...`` part);
journal, volume, issue, pages and year are taken from it only when the explicit
tags are absent.
"""

from __future__ import annotations

import re

from logicmap.records.formats.tagged import (
    DASH_TAG,
    Block,
    Entry,
    Syntax,
    joined,
    no_records,
    set_from,
    set_list,
    set_singles,
    split_blocks,
    store_unmapped,
)
from logicmap.records.record import Document, ParsedRecord

FORMAT = "Ovid tagged"

MARKER = re.compile(r"^<\s*\d+\s*\.?\s*>\s*$")
WITH_MARKERS = Syntax(tag=DASH_TAG, blank_ends_record=False, marker=MARKER)
WITHOUT_MARKERS = Syntax(tag=DASH_TAG, blank_ends_record=True)

#: Tags that identify an Ovid export when the file has no record markers.
OVID_TAGS = frozenset({"VN", "UI"})

#: Single-valued canonical fields: field -> tags in order of preference.
SINGLE_FIELDS = {
    "title": ("TI",),
    "abstract": ("AB",),
    "year": ("YR", "PY"),
    "journal": ("JN", "JT"),
    "volume": ("VO", "VI"),
    "issue": ("IP", "NO"),
    "pages": ("PG",),
    "doi": ("DO",),
    "pmid": ("PM",),
    "language": ("LG", "LA"),
    "type": ("PT",),
    "url": ("UR",),
}
SO_PARTS = ("journal", "volume", "issue", "pages", "year")
_SOURCE = re.compile(
    r"^(?P<journal>.+?)\.\s+(?:Conference:.*\.\s+)?"
    r"(?P<volume>[^\s().,:]+)\s*(?:\((?P<issue>[^)]*)\))?"
    r"\s*(?::\s*(?P<colon_pages>[^,\s]+)|\((?P<paren_pages>[^)]*)\))?"
    r"\s*,\s*(?P<year>\d{4})"
)
_NO_PAGES = re.compile(r"no pagination", re.IGNORECASE)


def read(doc: Document) -> list[ParsedRecord]:
    """Read every Ovid record of ``doc`` (ImportFormatError when there is none)."""
    lines = doc.lines()
    has_markers = any(MARKER.match(line) for line in lines)
    blocks = split_blocks(lines, WITH_MARKERS if has_markers else WITHOUT_MARKERS)
    if not blocks or not (has_markers or any(b.tags() & OVID_TAGS for b in blocks)):
        raise no_records(doc, FORMAT)
    return [parse_block(block, position) for position, block in enumerate(blocks, start=1)]


def parse_block(block: Block, position: int) -> ParsedRecord:
    """One Ovid record from its tagged entries."""
    ident = block.first("UI") or block.first("AN")
    parsed = ParsedRecord(position, block.line, source_id=(ident.value or None) if ident else None)
    mapped = set_singles(parsed, block, SINGLE_FIELDS)
    if set_list(parsed, "authors", block.all("AU")):
        mapped.add("AU")
    if set_from(parsed, "issn", joined(block.all("IS"))):
        mapped.add("IS")
    _set_keywords(parsed, block)
    _fill_from_source(parsed, block.first("SO"))
    store_unmapped(parsed, block, mapped)
    _check(parsed, block)
    return parsed


def _set_keywords(parsed: ParsedRecord, block: Block) -> None:
    """KW keywords, else subject headings (MH) without Ovid's ``*`` major-topic flag.

    KW and MH also stay in extra, verbatim.
    """
    if block.has("KW"):
        set_list(parsed, "keywords", block.all("KW"))
        return
    for entry in block.all("MH"):
        term = entry.value.lstrip("*").strip()
        parsed.set("keywords", term, entry.tag, entry.line)


def parse_source(source: str) -> dict[str, str]:
    """Journal, volume, issue, pages and year from an Ovid ``SO`` citation string.

    Returns only the parts found; ``{}`` when the string does not look like a
    citation. Embase's ``(no pagination)`` is not a page range.
    """
    match = _SOURCE.match(source.strip())
    if not match:
        return {}
    parts = {key: match.group(key) for key in ("journal", "volume", "issue", "year")}
    pages = match.group("colon_pages") or match.group("paren_pages") or ""
    pages = re.sub(r"^pp\.?\s*", "", pages.strip())
    if pages and not _NO_PAGES.search(pages):
        parts["pages"] = pages
    return {key: value.strip() for key, value in parts.items() if value and value.strip()}


def _fill_from_source(parsed: ParsedRecord, source: Entry | None) -> None:
    """Fill journal/volume/issue/pages/year from SO where explicit tags gave none."""
    if source is None:
        return
    parts = parse_source(source.value)
    for name in SO_PARTS:
        if name not in parsed.fields and name in parts:
            parsed.set(name, parts[name], source.tag, source.line)


def _check(parsed: ParsedRecord, block: Block) -> None:
    """A record with neither title nor accession number was cut short."""
    if "title" not in parsed.fields and parsed.source_id is None:
        parsed.problem("title", f"Ovid record at line {block.line} has no TI and no UI/AN")
