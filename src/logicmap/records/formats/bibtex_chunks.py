"""Reading a BibTeX file in chunks of whole entries, so a large file never sits in memory whole.

Lines are grouped into chunks that start at an ``@entry`` line outside any
braces; each chunk is parsed by bibtexparser on its own, with the ``@string``
definitions of earlier chunks passed along. Line numbers are shifted back to
the file's, and a key used in an earlier chunk is reported as bibtexparser
reports a duplicate key within one string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import Block, Entry, Field, ParsingFailedBlock, String

#: Characters of BibTeX gathered before a chunk may end (at the next entry outside braces).
CHUNK_CHARS = 512 * 1024
#: Past this size a chunk ends at the next entry line even inside unbalanced braces.
HARD_CHUNK_CHARS = 16 * 2**20
_ENTRY_LINE = re.compile(r"\s*@\s*[A-Za-z]+\s*[{(]")


@dataclass
class Chunk:
    """Some lines of the file: their text and the 0-based number of the first line."""

    text: str
    first_line: int


def chunks(lines: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[Chunk]:
    """Group lines into chunks that each start at an entry line (or the file's start)."""
    current: list[str] = []
    chars, depth, first = 0, 0, 0
    for number, line in enumerate(lines):
        if chars >= size and _ENTRY_LINE.match(line) and (depth <= 0 or chars >= HARD_CHUNK_CHARS):
            yield Chunk("\n".join(current), first)
            current, chars, depth, first = [], 0, 0, number
        current.append(line)
        chars += len(line) + 1
        if "{" in line or "}" in line:
            escaped = line.count("\\{") - line.count("\\}")
            depth += line.count("{") - line.count("}") - escaped
    if current:
        yield Chunk("\n".join(current), first)


def _shift(block: Block, offset: int, done: set[int]) -> None:
    """Add ``offset`` to the lines of a block parsed from a chunk (once per block)."""
    if id(block) in done:
        return
    done.add(id(block))
    if block.start_line is not None:
        block._start_line_in_file = block.start_line + offset
    if isinstance(block, Entry):
        for fld in block.fields:
            _shift_field(fld, offset, done)
    if isinstance(block, ParsingFailedBlock) and block.ignore_error_block is not None:
        _shift(block.ignore_error_block, offset, done)
    previous = getattr(block, "previous_block", None)
    if previous is not None:
        _shift(previous, offset, done)


def _shift_field(fld: Field, offset: int, done: set[int]) -> None:
    if id(fld) not in done and fld.start_line is not None:
        done.add(id(fld))
        fld._start_line = fld.start_line + offset


def iter_blocks(lines: Iterable[str]) -> Iterator[tuple[Block, int | None]]:
    """``(block, first line of an earlier entry with the same key or None)`` for every block.

    Blocks come in file order with file line numbers (0-based, as bibtexparser
    numbers them); ``@string`` blocks are passed on to later chunks, not yielded.
    """
    strings: list[String] = []
    first_lines: dict[str, int] = {}
    for chunk in chunks(lines):
        known = {id(s) for s in strings}
        library = bibtexparser.parse_string(chunk.text, library=Library(list(strings)))
        done: set[int] = set(known)
        for block in library.blocks:
            if id(block) in known:
                continue
            _shift(block, chunk.first_line, done)
            if isinstance(block, String):
                strings.append(block)
                continue
            earlier = None
            if isinstance(block, Entry):
                earlier = first_lines.setdefault(block.key, block.start_line)
                earlier = None if earlier == block.start_line else earlier
            yield block, earlier
