"""MEDLINE / PubMed ``.nbib`` reader (``PMID- 123``, ``TI  - Title``).

Records are separated by blank lines; a second ``PMID-`` line inside one chunk
also starts a new record. Tag lines and their 6-space continuation lines are read
by the shared tagged-format splitter, which keeps the line of every record and
field. (Bio.Medline gives the same values for the shared test files - the tests
use it as an oracle - but cannot report line numbers and splits wrapped
``COIS``/``CI``/``GR`` values into separate list items, so it is not used here.)
"""

from __future__ import annotations

from typing import Iterator

from logicmap.records.formats.tagged import (
    DASH_TAG,
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

FORMAT = "MEDLINE / PubMed .nbib"

SYNTAX = Syntax(tag=DASH_TAG, blank_ends_record=True, repeat_starts=frozenset({"PMID"}))

#: Tags only MEDLINE-style exports use (RIS and Ovid files have none of them).
MEDLINE_TAGS = frozenset(
    {"PMID", "OWN", "STAT", "FAU", "JT", "PMC", "LID", "AID", "PHST", "EDAT", "MHDA",
     "DCOM", "LR", "OID", "PST"}
)

#: Single-valued canonical fields: field -> tags in order of preference.
SINGLE_FIELDS = {
    "title": ("TI", "BTI"),
    "abstract": ("AB",),
    "year": ("DP",),
    "journal": ("JT",),
    "volume": ("VI",),
    "issue": ("IP",),
    "pages": ("PG",),
    "pmid": ("PMID",),
    "language": ("LA",),
    "type": ("PT",),
}
ISSN_TAGS = ("IS", "ISSN")
DOI_TAGS = ("LID", "AID")


def read(doc: Document) -> list[ParsedRecord]:
    """Read every MEDLINE record of ``doc`` (ImportFormatError when there is none)."""
    return read_blocks(doc, SYNTAX, FORMAT, parse_block, MEDLINE_TAGS)


def iter_read(doc: Document) -> Iterator[ParsedRecord]:
    """Like :func:`read`, one record at a time from the file's line stream."""
    return iter_read_blocks(doc, SYNTAX, FORMAT, parse_block, MEDLINE_TAGS)


def parse_block(block: Block, position: int) -> ParsedRecord:
    """One MEDLINE record from its tagged entries."""
    pmid = block.first("PMID")
    parsed = ParsedRecord(position, block.line, source_id=(pmid.value or None) if pmid else None)
    mapped = set_singles(parsed, block, SINGLE_FIELDS)
    mapped |= _set_authors(parsed, block)
    mapped |= _set_keywords(parsed, block)
    _set_doi(parsed, block)
    issn = [entry for entry in block.entries if entry.tag in ISSN_TAGS]
    if set_from(parsed, "issn", joined(issn)):
        mapped.update(ISSN_TAGS)
    store_unmapped(parsed, block, mapped)
    _check(parsed, block)
    return parsed


def _set_authors(parsed: ParsedRecord, block: Block) -> set[str]:
    """FAU (full names) when present, else AU; collective names (CN) after them."""
    tag = "FAU" if block.has("FAU") else "AU"
    used = {tag} if set_list(parsed, "authors", block.all(tag)) else set()
    if set_list(parsed, "authors", block.all("CN")):
        used.add("CN")
    return used


def _set_keywords(parsed: ParsedRecord, block: Block) -> set[str]:
    """OT keywords, else MeSH headings; MH is always kept in extra as ``mesh``."""
    mesh = [entry.value for entry in block.all("MH") if entry.value]
    if mesh:
        parsed.extra["mesh"] = mesh
    if set_list(parsed, "keywords", block.all("OT")):
        return {"OT", "MH"}
    set_list(parsed, "keywords", block.all("MH"))
    return {"MH"}


def _set_doi(parsed: ParsedRecord, block: Block) -> None:
    """The first LID/AID marked ``[doi]`` (or holding a doi.org link) is the DOI.

    LID/AID lines are also kept in extra: the other ones (``[pii]``) matter too.
    """
    candidates = [entry for entry in block.entries if entry.tag in DOI_TAGS]
    set_from(parsed, "doi", next((e for e in candidates if _is_doi(e)), None))


def _is_doi(entry: Entry) -> bool:
    value = entry.value.lower()
    return value.endswith("[doi]") or "doi.org/10." in value


def _check(parsed: ParsedRecord, block: Block) -> None:
    """A chunk with neither title nor PMID was cut short or is not a citation."""
    if "title" not in parsed.fields and "pmid" not in parsed.fields:
        parsed.problem("title", f"MEDLINE record at line {block.line} has no TI and no PMID")
