"""The record model shared by every reader, writer and pipeline stage.

A reader turns a :class:`Document` (a decoded file) into :class:`ParsedRecord`
objects: canonical field names mapped to the raw values exactly as the file gave
them, each with the tag (or column) and line it came from. Normalisation
(:mod:`logicmap.records.normalise`) turns a parsed record into a :class:`Record`
with cleaned values while keeping the originals as provenance.
"""

from __future__ import annotations

from logicmap.errors import ImportFormatError

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

#: Canonical record fields, in display order. List-valued fields hold list[str].
FIELDS: tuple[str, ...] = (
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "isbn",
    "issn",
    "keywords",
    "language",
    "type",
    "url",
)
LIST_FIELDS: frozenset[str] = frozenset({"authors", "keywords"})


@dataclass(slots=True)
class FieldValue:
    """A raw value as found in the file: ``str`` or ``list[str]`` for list fields.

    ``tag`` is the file's own tag or column name (``"TI"``, ``"Title"``, ``"AU"``),
    ``line`` the 1-based line (or spreadsheet row) where the value starts.
    """

    value: Any
    tag: str
    line: int | None = None


@dataclass(slots=True)
class RecordProblem:
    """Why a record cannot be imported as it is."""

    position: int
    line: int | None
    field: str | None
    message: str
    source_id: str | None = None

    def describe(self, file: str) -> str:
        """One line naming the file, the line/record and the field."""
        where = [file]
        if self.line is not None:
            where.append(f"line {self.line}")
        where.append(f"record {self.position}")
        if self.source_id:
            where.append(f"id {self.source_id}")
        if self.field:
            where.append(f"field {self.field}")
        return ", ".join(where) + f": {self.message}"


@dataclass
class ParsedRecord:
    """One record as a reader found it, before normalisation.

    ``position`` is the record's 1-based position in the file, ``line`` the line
    (or row) it starts at, ``source_id`` its own identifier in the file (RIS ID/AN,
    MEDLINE PMID, BibTeX key, EndNote rec-number, CSV id column) when it has one.
    ``extra`` keeps every tag/column the canonical fields do not use, verbatim.
    ``label`` is an inclusion label carried by the file (ASReview CSV columns).
    ``problems`` lists defects the reader found (truncated record, bad tag line).
    """

    position: int
    line: int | None
    fields: dict[str, FieldValue] = field(default_factory=dict)
    source_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    label: int | None = None
    problems: list[RecordProblem] = field(default_factory=list)

    def set(self, name: str, value: Any, tag: str, line: int | None = None) -> None:
        """Store a canonical field unless empty; list fields append."""
        if value is None:
            return
        if isinstance(value, str) and not value.strip():
            return
        if name in LIST_FIELDS:
            values = [value] if isinstance(value, str) else [v for v in value if v and str(v).strip()]
            if not values:
                return
            if name in self.fields:
                self.fields[name].value.extend(values)
            else:
                self.fields[name] = FieldValue(list(values), tag, line)
        elif name not in self.fields:
            self.fields[name] = FieldValue(value, tag, line)

    def problem(self, field_name: str | None, message: str) -> None:
        """Record a defect of this record."""
        self.problems.append(
            RecordProblem(self.position, self.line, field_name, message, self.source_id)
        )


@dataclass(slots=True)
class Provenance:
    """Where a normalised value came from."""

    tag: str
    line: int | None
    original: Any


@dataclass
class Record:
    """A normalised record; ``provenance`` maps each set field to its origin."""

    position: int
    line: int | None = None
    source_id: str | None = None
    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    isbn: str | None = None
    issn: str | None = None
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    type: str | None = None
    url: str | None = None
    label: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """The canonical fields as a plain dict (for comparisons and writers)."""
        return {name: getattr(self, name) for name in FIELDS}


#: The codec of a file that mixes UTF-8 and Windows-1252 lines (an export pasted together
#: from two sources): UTF-8 sequences decode as UTF-8, every other byte as Windows-1252.
MIXED_CODEC = "logicmap_utf8_cp1252"
#: Encodings whose line breaks are single bytes: lines can be decoded one block at a time.
BYTE_LINE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "cp1252", "latin-1", "ascii", MIXED_CODEC})


def _byte_as_cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        return chr(byte)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes that are not UTF-8, read as Windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(_byte_as_cp1252(b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("logicmap_cp1252_fallback", _cp1252_fallback)


def _decode_mixed(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return codecs.utf_8_decode(bytes(data), "logicmap_cp1252_fallback", True)


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") != MIXED_CODEC:
        return None
    return codecs.CodecInfo(name=MIXED_CODEC, encode=codecs.utf_8_encode, decode=_decode_mixed)


codecs.register(_find_codec)
_BLOCK = 4 * 2**20


def unify_line_ends(text: str) -> str:
    """``text`` with every CRLF and bare CR turned into ``\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class Document:
    """A file to read: its bytes and, for text formats, its decoded text.

    ``text`` has every line ending (CRLF, bare CR) turned into ``\n`` so that
    line numbers are those an editor shows; the byte-order mark is removed. It
    is decoded on first use; :meth:`iter_lines` streams the same lines without
    decoding the whole file at once (large files stay small in memory).
    ``encoding`` is None for binary documents (``text`` is then None).

    A *streamed* document (``data`` None, ``path`` given) has not read its file:
    :meth:`iter_lines` reads it block by block from disk, and ``data`` reads the
    whole file only when a reader asks for it (XML, CSV, XLSX).
    """

    def __init__(
        self,
        name: str,
        data: bytes | None,
        text: str | None = None,
        encoding: str | None = None,
        path: Path | None = None,
        warnings: list[str] | None = None,
        bom_length: int = 0,
    ) -> None:
        if data is None and path is None:
            raise ValueError("a document needs its bytes or its path")
        self.name = name
        self._data = data
        self.encoding = encoding
        self.path = path
        self.warnings = warnings if warnings is not None else []
        self.bom_length = bom_length
        self._text = text

    @property
    def data(self) -> bytes:
        """The file's bytes (a streamed document reads its whole file here, once)."""
        if self._data is None:
            self._data = Path(self.path).read_bytes()  # type: ignore[arg-type]
        return self._data

    @property
    def streamed(self) -> bool:
        """True while the file's bytes have not been read into memory."""
        return self._data is None

    @property
    def text(self) -> str | None:
        """The whole decoded text (None for a binary document)."""
        if self._text is None and self.encoding is not None:
            text = self.data[self.bom_length :].decode(self.encoding).lstrip("\ufeff")
            self._text = unify_line_ends(text)
        return self._text

    def head(self, size: int = 256 * 1024) -> str | None:
        """The start of the text (for format detection), without decoding it all."""
        if self._text is not None or self.encoding is None:
            return None if self._text is None else self._text[:size]
        if self._data is None:
            with Path(self.path).open("rb") as fh:  # type: ignore[arg-type]
                chunk = fh.read(self.bom_length + size)[self.bom_length :]
        else:
            chunk = self._data[self.bom_length : self.bom_length + size]
        return unify_line_ends(chunk.decode(self.encoding, errors="ignore").lstrip("\ufeff"))

    def lines(self) -> list[str]:
        """The text split into lines (without line endings)."""
        if self.text is None:
            raise ImportFormatError(self.name, "binary file has no text lines")
        return self.text.split("\n")

    def iter_lines(self) -> Iterator[str]:
        """The same lines as :meth:`lines`, one at a time, decoded block by block."""
        for lines in self.iter_line_lists():
            yield from lines

    def iter_line_lists(self) -> Iterator[list[str]]:
        """The lines of :meth:`iter_lines` in consecutive lists, one per decoded block
        (a reader looping over every line saves a generator step per line)."""
        if self.encoding is None and self._text is None:
            raise ImportFormatError(self.name, "binary file has no text lines")
        if self._text is not None or self.encoding not in BYTE_LINE_ENCODINGS:
            yield self.lines()
            return
        if self._data is None:
            yield from _line_lists(_file_blocks(Path(self.path), self.bom_length), self.encoding)  # type: ignore[arg-type]
            return
        yield from _line_lists(_memory_blocks(self._data, self.bom_length), self.encoding)


def _block_end(data: bytes, start: int, stop: int) -> int:
    """Where to cut a block: just after a line break, never inside ``\r\n``."""
    if stop >= len(data):
        return len(data)
    cut = data.rfind(b"\n", start, stop)
    if cut < 0:
        cut = data.rfind(b"\r", start, stop - 1)  # bare-CR files have no \n at all
    return len(data) if cut < 0 else cut + 1


def _memory_blocks(data: bytes, start: int) -> Iterator[bytes]:
    """``data[start:]`` in blocks that each end at a line break."""
    while start < len(data):
        end = _block_end(data, start, start + _BLOCK)
        yield data[start:end]
        start = end


def _file_blocks(path: Path, start: int) -> Iterator[bytes]:
    """A file's bytes from ``start`` in blocks that each end at a line break (the last one may not)."""
    rest = b""
    with path.open("rb") as fh:
        fh.seek(start)
        while block := fh.read(_BLOCK):
            data = rest + block
            cut = data.rfind(b"\n")
            if cut < 0:
                cut = data.rfind(b"\r", 0, len(data) - 1)  # never between \r and a \n still to come
            if cut < 0:
                rest = data
                continue
            rest = data[cut + 1 :]
            yield data[: cut + 1]
    if rest:
        yield rest


def _line_lists(blocks: Iterator[bytes], encoding: str) -> Iterator[list[str]]:
    """The lines of text cut into blocks at line breaks, a list per block (the byte-order mark dropped)."""
    first = True
    carry = ""
    for block in blocks:
        text = block.decode(encoding)
        if first:
            text, first = text.lstrip("\ufeff"), False
        text = unify_line_ends(carry + text)
        lines = text.split("\n")
        carry = lines.pop()  # the unfinished last line continues in the next block
        yield lines
    yield [carry]
