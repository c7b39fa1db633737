"""Shared machinery for line-tagged formats (MEDLINE, Ovid, Web of Science, Refer).

All these formats put one field per line behind a short tag (``TI  - ``, ``TI ``,
``%T ``) and let long values run on over continuation lines. :func:`split_blocks`
turns the lines of a :class:`Document` into :class:`Block` objects (one per
record) made of :class:`Entry` objects, each remembering its tag and the
1-based line where it starts. What counts as a tag line, a continuation line or a
record boundary is described by a :class:`Syntax`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from logicmap.records.record import Document, ImportFormatError, ParsedRecord

#: MEDLINE-style tag line: up to four tag characters, padding, ``-``, value.
#: Shared by MEDLINE/PubMed and Ovid exports (``PMID- 123``, ``TI  - Title``).
DASH_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *-(?: (.*))?$")


@dataclass
class Entry:
    """One tagged field: the tag, its value lines and the line it starts on."""

    tag: str
    lines: list[str]
    line: int

    @property
    def value(self) -> str:
        """The value with continuation lines joined by single spaces."""
        return " ".join(part.strip() for part in self.lines if part.strip())

    @property
    def items(self) -> list[str]:
        """The value lines as separate items (one author or keyword per line)."""
        return [part.strip() for part in self.lines if part.strip()]


@dataclass
class Block:
    """The entries of one record, in file order."""

    line: int
    entries: list[Entry] = field(default_factory=list)
    terminated: bool = False

    def has(self, tag: str) -> bool:
        """Whether the record holds ``tag`` at least once."""
        return any(entry.tag == tag for entry in self.entries)

    def all(self, tag: str) -> list[Entry]:
        """Every entry with ``tag``."""
        return [entry for entry in self.entries if entry.tag == tag]

    def first(self, tag: str) -> Entry | None:
        """The first entry with ``tag`` (None when absent)."""
        return next((entry for entry in self.entries if entry.tag == tag), None)

    def tags(self) -> set[str]:
        """The set of tags used by the record."""
        return {entry.tag for entry in self.entries}


@dataclass
class Syntax:
    """How a tagged format marks tags, continuations and record boundaries.

    ``tag`` must capture the tag in group 1 and the (optional) value in group 2;
    every other non-blank line inside a record (indented or not) continues the
    previous entry. ``blank_ends_record``: a blank line closes the record.
    ``end_tags`` close the record as complete (WoS ``ER``), ``stop_tags`` close it
    as incomplete (WoS ``EF`` reached before ``ER``); neither is stored.
    ``outside_tags`` are file-level lines (``FN``, ``VR``) ignored outside
    records. ``repeat_starts``: a tag that opens a new record when the current
    record already has it (a missing separator). ``marker``: a line that opens a
    new record by itself (Ovid ``<12. >``). ``tag_prefix`` is put before the
    captured tag (Refer ``%``).
    """

    tag: re.Pattern[str]
    blank_ends_record: bool = True
    end_tags: frozenset[str] = frozenset()
    stop_tags: frozenset[str] = frozenset()
    outside_tags: frozenset[str] = frozenset()
    repeat_starts: frozenset[str] = frozenset()
    marker: re.Pattern[str] | None = None
    tag_prefix: str = ""


class _Splitter:
    """State machine behind :func:`split_blocks`."""

    def __init__(self, syntax: Syntax) -> None:
        self.syntax = syntax
        self.blocks: list[Block] = []
        self.current: Block | None = None

    def close(self, terminated: bool = False) -> None:
        if self.current is not None and (self.current.entries or terminated):
            self.current.terminated = terminated
            self.blocks.append(self.current)
        self.current = None

    def open(self, number: int) -> Block:
        self.close()
        self.current = Block(number)
        return self.current

    def feed(self, number: int, text: str) -> None:
        syntax = self.syntax
        if not text.strip():
            if syntax.blank_ends_record:
                self.close()
            return
        if syntax.marker is not None and syntax.marker.match(text):
            self.open(number)
            return
        match = syntax.tag.match(text)
        if match:
            self._tag_line(number, syntax.tag_prefix + match.group(1), match.group(2) or "")
        elif self.current is not None and self.current.entries:
            self.current.entries[-1].lines.append(text.rstrip())

    def _tag_line(self, number: int, tag: str, value: str) -> None:
        syntax = self.syntax
        if tag in syntax.end_tags or tag in syntax.stop_tags:
            if self.current is not None:
                self.close(terminated=tag in syntax.end_tags)
            return
        if self.current is None and tag in syntax.outside_tags:
            return
        block = self.current
        if block is None or (tag in syntax.repeat_starts and block.has(tag)):
            block = self.open(number)
        block.entries.append(Entry(tag, [value.rstrip()], number))


def split_blocks(lines: Iterable[str], syntax: Syntax) -> list[Block]:
    """Split ``lines`` into records according to ``syntax``.

    Untagged lines that do not continue an entry (text before the first record,
    between records) are skipped. A record still open at the end is returned
    with ``terminated`` False.
    """
    return list(iter_blocks(lines, syntax))


def iter_blocks(lines: Iterable[str], syntax: Syntax) -> Iterator[Block]:
    """Like :func:`split_blocks`, each record as soon as it is closed."""
    splitter = _Splitter(syntax)
    for number, text in enumerate(lines, start=1):
        splitter.feed(number, text)
        if splitter.blocks:
            yield from splitter.blocks
            splitter.blocks.clear()
    splitter.close()
    yield from splitter.blocks


def no_records(doc: Document, expected: str) -> ImportFormatError:
    """The error for a file holding no record of the expected format."""
    return ImportFormatError(doc.name, f"no records in {expected} format found", line=1)


def store_extra(parsed: ParsedRecord, entry: Entry, *, items: bool = False) -> None:
    """Keep an unmapped entry in ``parsed.extra`` under its tag.

    The value is the entry's text with wrapped lines joined (or, with ``items``,
    the list of its lines); a repeated tag collects its values in a list.
    """
    value = entry.items if items else entry.value
    if entry.tag not in parsed.extra:
        parsed.extra[entry.tag] = value
        return
    existing = parsed.extra[entry.tag]
    if items:
        existing.extend(value)
    elif isinstance(existing, list):
        existing.append(value)
    else:
        parsed.extra[entry.tag] = [existing, value]


def set_from(parsed: ParsedRecord, name: str, entry: Entry | None, *, items: bool = False) -> bool:
    """Set canonical field ``name`` from ``entry``; ``items`` keeps one item per line."""
    if entry is None:
        return False
    value = entry.items if items else entry.value
    if not value:
        return False
    parsed.set(name, value, entry.tag, entry.line)
    return True


def set_list(parsed: ParsedRecord, name: str, entries: list[Entry], *, items: bool = False) -> bool:
    """Set a list field from every entry (one value per entry, or per line with ``items``)."""
    found = False
    for entry in entries:
        found = set_from(parsed, name, entry, items=items) or found
    return found


def set_single(parsed: ParsedRecord, name: str, entries: list[Entry]) -> bool:
    """Set a single-valued field from the first usable entry; keep the others in extra."""
    used = False
    for entry in entries:
        if not used and set_from(parsed, name, entry):
            used = True
        else:
            store_extra(parsed, entry)
    return used


def joined(entries: list[Entry], separator: str = "; ") -> Entry | None:
    """Several entries (ISSN lines) as one entry at the first one's tag and line."""
    values = [entry.value for entry in entries if entry.value]
    if not values:
        return None
    return Entry(entries[0].tag, [separator.join(values)], entries[0].line)


def store_unmapped(
    parsed: ParsedRecord,
    block: Block,
    mapped: Iterable[str],
    item_tags: frozenset[str] = frozenset(),
) -> None:
    """Keep every entry whose tag is not in ``mapped`` in ``parsed.extra``."""
    skip = set(mapped)
    for entry in block.entries:
        if entry.tag not in skip:
            store_extra(parsed, entry, items=entry.tag in item_tags)


def set_singles(parsed: ParsedRecord, block: Block, fields: dict[str, tuple[str, ...]]) -> set[str]:
    """Fill each single-valued field from the first of its tags the block has; returns the tags used."""
    used: set[str] = set()
    for name, tags in fields.items():
        tag = next((t for t in tags if block.has(t)), None)
        if tag is not None:
            set_single(parsed, name, block.all(tag))
            used.add(tag)
    return used


def read_blocks(doc, syntax: Syntax, fmt: str, parse_block, known_tags: frozenset[str] | set[str] | None = None) -> list[ParsedRecord]:
    """Split ``doc`` into blocks and parse each; ``no_records`` when there is none
    (or, with ``known_tags``, when no block carries any of them)."""
    return list(iter_read_blocks(doc, syntax, fmt, parse_block, known_tags))


def iter_read_blocks(doc, syntax: Syntax, fmt: str, parse_block,
                     known_tags: frozenset[str] | set[str] | None = None) -> Iterator[ParsedRecord]:
    """Like :func:`read_blocks`, one record at a time from the document's line stream.

    ``no_records`` is raised at the end when no block (carrying a known tag) was
    seen; records already given out are then part of a refused import.
    """
    position, known = 0, known_tags is None
    for block in iter_blocks(doc.iter_lines(), syntax):
        position += 1
        known = known or bool(block.tags() & known_tags)  # type: ignore[operator]
        yield parse_block(block, position)
    if not position or not known:
        raise no_records(doc, fmt)
