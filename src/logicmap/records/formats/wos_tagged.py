"""Web of Science field-tagged reader (``.ciw`` and plain-text exports).

Layout: ``FN Clarivate Analytics Web of Science`` and ``VR 1.0`` header lines,
then records of two-letter tag + space + value lines with 3-space continuation
lines; ``ER`` ends a record and ``EF`` the file. In name and address fields
(``AU``, ``AF``, ``C1``, ``CR`` ...) every continuation line is a new item.
"""

from __future__ import annotations

import re
from typing import Iterator

from logicmap.records.formats.tagged import (
    Block,
    Entry,
    Syntax,
    joined,
    set_from,
    set_list,
    iter_read_blocks,
    read_blocks,
    set_singles,
    store_unmapped,
)
from logicmap.records.record import Document, ParsedRecord

FORMAT = "Web of Science field-tagged"

#: ``TI Title`` or a bare ``ER``; a value starting with ``-`` would be a MEDLINE
#: or RIS line (``TI  - Title``), which must not pass for WoS.
WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?:$| (?!\s*-\s)(.*)$)")
SYNTAX = Syntax(
    tag=WOS_TAG,
    blank_ends_record=False,
    end_tags=frozenset({"ER"}),
    stop_tags=frozenset({"EF"}),
    outside_tags=frozenset({"FN", "VR"}),
    repeat_starts=frozenset({"PT"}),
)
#: Tags holding one item (a name, an address, a reference) per line.
ITEM_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "ED", "C1", "C3", "CR"})
#: Tags that only WoS exports use; a file without any of them is not WoS.
WOS_TAGS = frozenset({"PT", "UT"})

#: Single-valued canonical fields: field -> tags in order of preference.
SINGLE_FIELDS = {
    "title": ("TI",),
    "abstract": ("AB",),
    "year": ("PY", "PD"),
    "journal": ("SO",),
    "volume": ("VL",),
    "issue": ("IS",),
    "doi": ("DI",),
    "pmid": ("PM",),
    "isbn": ("BN",),
    "language": ("LA",),
    "type": ("DT",),
}


def read(doc: Document) -> list[ParsedRecord]:
    """Read every Web of Science record of ``doc`` (ImportFormatError when there is none)."""
    return read_blocks(doc, SYNTAX, FORMAT, parse_block, WOS_TAGS)


def iter_read(doc: Document) -> Iterator[ParsedRecord]:
    """Like :func:`read`, one record at a time from the file's line stream."""
    return iter_read_blocks(doc, SYNTAX, FORMAT, parse_block, WOS_TAGS)


def parse_block(block: Block, position: int) -> ParsedRecord:
    """One WoS record from its tagged entries."""
    accession = block.first("UT")
    parsed = ParsedRecord(
        position, block.line, source_id=(accession.value or None) if accession else None
    )
    mapped = set_singles(parsed, block, SINGLE_FIELDS) | ({"UT"} if accession else set())
    author_tag = "AF" if block.has("AF") else "AU"
    if set_list(parsed, "authors", block.all(author_tag), items=True):
        mapped.add(author_tag)
    if set_list(parsed, "keywords", block.all("DE") + block.all("ID")):
        mapped |= {"DE", "ID"}
    if set_from(parsed, "issn", joined(block.all("SN") + block.all("EI"))):
        mapped |= {"SN", "EI"}
    if set_from(parsed, "pages", page_range(block.first("BP"), block.first("EP"))):
        mapped |= {"BP", "EP"}
    store_unmapped(parsed, block, mapped, ITEM_TAGS)
    _check(parsed, block)
    return parsed


def page_range(begin: Entry | None, end: Entry | None) -> Entry | None:
    """``BP``/``EP`` as one ``"begin-end"`` entry at the BP line (None without BP)."""
    if begin is None or not begin.value:
        return None
    value = f"{begin.value}-{end.value}" if end is not None and end.value else begin.value
    return Entry(begin.tag, [value], begin.line)


def _check(parsed: ParsedRecord, block: Block) -> None:
    """Flag a record cut short (no ER before the end) or without title and UT."""
    if not block.terminated:
        parsed.problem(None, f"WoS record at line {block.line} is not closed by ER (cut short?)")
    if "title" not in parsed.fields and parsed.source_id is None:
        parsed.problem("title", f"WoS record at line {block.line} has no TI and no UT")
