"""EndNote / Refer ``%``-tagged reader (``%0 Journal Article``, ``%T Title`` ...).

One field per line behind a ``%`` tag (``%A`` once per author); untagged lines
continue the previous field (EndNote writes one keyword per line after ``%K``);
records are separated by blank lines. The record may start with any tag (AIS
eLibrary puts ``%T`` first and omits ``%0`` for some records).
"""

from __future__ import annotations

import re
from typing import Iterator

from logicmap.records.formats.tagged import (
    Block,
    Entry,
    Syntax,
    set_list,
    iter_read_blocks,
    read_blocks,
    set_singles,
    store_extra,
    store_unmapped,
)
from logicmap.records.record import Document, ParsedRecord

FORMAT = "EndNote/Refer tagged (%)"

REFER_TAG = re.compile(r"^%([A-Z0-9@!#$&()*+^|~\[\]<>?])(?: (.*))?$")
SYNTAX = Syntax(tag=REFER_TAG, blank_ends_record=True, tag_prefix="%")
_ISSN = re.compile(r"^\s*\d{4}-?\d{3}[\dXx]\b")

#: Single-valued canonical fields: field -> tags in order of preference.
SINGLE_FIELDS = {
    "title": ("%T",),
    "abstract": ("%X",),
    "year": ("%D", "%8"),
    "journal": ("%J", "%B"),
    "volume": ("%V",),
    "issue": ("%N",),
    "pages": ("%P",),
    "doi": ("%R",),
    "language": ("%G",),
    "type": ("%0",),
    "url": ("%U",),
}
#: Tags kept in extra even when a canonical field used them (the full date).
ALSO_EXTRA = frozenset({"%8"})


def read(doc: Document) -> list[ParsedRecord]:
    """Read every Refer/EndNote record of ``doc`` (ImportFormatError when there is none)."""
    return read_blocks(doc, SYNTAX, FORMAT, parse_block)


def iter_read(doc: Document) -> Iterator[ParsedRecord]:
    """Like :func:`read`, one record at a time from the file's line stream."""
    return iter_read_blocks(doc, SYNTAX, FORMAT, parse_block)


def parse_block(block: Block, position: int) -> ParsedRecord:
    """One Refer record from its tagged entries."""
    accession = block.first("%M")
    parsed = ParsedRecord(
        position, block.line, source_id=(accession.value or None) if accession else None
    )
    mapped = set_singles(parsed, block, SINGLE_FIELDS)
    if set_list(parsed, "authors", block.all("%A")):
        mapped.add("%A")
    if set_list(parsed, "keywords", block.all("%K"), items=True):
        mapped.add("%K")
    mapped |= _set_standard_numbers(parsed, block.all("%@"))
    store_unmapped(parsed, block, mapped - ALSO_EXTRA)
    _check(parsed, block)
    return parsed


def _set_standard_numbers(parsed: ParsedRecord, entries: list[Entry]) -> set[str]:
    """``%@`` holds an ISSN or an ISBN: tell them apart by their shape."""
    for entry in entries:
        name = "issn" if _ISSN.match(entry.value) else "isbn"
        if name in parsed.fields:
            store_extra(parsed, entry)
        else:
            parsed.set(name, entry.value, entry.tag, entry.line)
    return {"%@"} if entries else set()


def _check(parsed: ParsedRecord, block: Block) -> None:
    """A record without a title is unusable (cut short, or a stray block)."""
    if "title" not in parsed.fields:
        parsed.problem("title", f"Refer record at line {block.line} has no %T title")
