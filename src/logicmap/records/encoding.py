"""Turning a file's bytes into a :class:`Document`: encodings and line endings."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from logicmap.records.record import BYTE_LINE_ENCODINGS, MIXED_CODEC, Document, ImportFormatError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Magic numbers of binary formats that must never be read as text.
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (XLSX/DOCX)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file (XLS/DOC)",
}


def binary_kind(data: bytes) -> str | None:
    """Name the binary format ``data`` starts with, or None."""
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    return None


def _guess_utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_zeros > 0.4 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.4 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    return None


def _first_invalid_utf8(data: bytes, start: int) -> int | None:
    """Offset of the first byte that is not valid UTF-8, checked block by block."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    block = 16 * 2**20
    for offset in range(start, len(data), block):
        try:
            decoder.decode(data[offset : offset + block], final=offset + block >= len(data))
        except UnicodeDecodeError as exc:
            return offset + exc.start
    return None


#: A UTF-8 sequence of two to four bytes: text in Windows-1252 or Latin-1 almost never holds one.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mixes_utf8_and_single_byte(data: bytes) -> bool:
    """True when the bytes hold UTF-8 sequences and, beside them, only lone high bytes.

    Latin-1 or Windows-1252 text has its accented letters as single high bytes
    between ASCII ("Z\\xfcrich"); a double-byte encoding such as GBK has runs of
    high bytes, some of which look like UTF-8 by chance, so it is not "mixed".
    """
    rest = _UTF8_MULTIBYTE.sub(b"", data)
    return rest != data and not re.search(rb"[\x80-\xff]{2}", rest)


def sniff_encoding(data: bytes, name: str) -> tuple[str, int, list[str]]:
    """``(encoding, byte-order-mark length, warnings)`` for a text file's bytes.

    Tries a byte-order mark, then UTF-16 without BOM, then UTF-8, then
    Windows-1252 and Latin-1 (with a warning naming the first bad line).
    """
    start = 0
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec != "utf-8-sig":
                return codec, len(bom), []
            start = len(bom)  # a UTF-8 mark does not make the rest valid UTF-8: checked below
            break
    else:
        guessed = _guess_utf16_without_bom(data)
        if guessed:
            return guessed, 0, []
    bad = _first_invalid_utf8(data, start)
    if bad is None:
        return "utf-8", start, []
    line = data.count(b"\n", 0, bad) + 1
    if _mixes_utf8_and_single_byte(data[start:]):
        return MIXED_CODEC, start, [
            f"{name}: mixes UTF-8 and Windows-1252 text (first non-UTF-8 byte on line {line}); "
            "UTF-8 sequences were read as UTF-8 and the other bytes as Windows-1252"
        ]
    codec = _fallback_codec(data[start:])
    return codec, start, [f"{name}: not valid UTF-8 (first bad byte on line {line}); read as {codec}"]


def decode_text(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Decode bytes to text with line endings unified to ``\\n``.

    Returns ``(text, encoding, warnings)``; raises :class:`ImportFormatError`
    for binary content.
    """
    doc = document_from_bytes(data, name)
    return doc.text or "", doc.encoding or "", doc.warnings


def _fallback_codec(data: bytes) -> str:
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def load_document(path: Path, *, name: str | None = None, binary: bool = False) -> Document:
    """Read ``path`` into a :class:`Document` (text decoded unless ``binary``)."""
    path = Path(path)
    display = name or path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportFormatError(str(path), "file not found") from exc
    except IsADirectoryError as exc:
        raise ImportFormatError(str(path), "is a directory, not a file") from exc
    except PermissionError as exc:
        raise ImportFormatError(str(path), "permission denied") from exc
    return document_from_bytes(data, display, path=path, binary=binary)


def document_from_bytes(
    data: bytes, name: str, *, path: Path | None = None, binary: bool = False
) -> Document:
    """Build a :class:`Document` from bytes already in memory.

    Text is decoded lazily; the encoding is settled and NUL bytes (binary
    content) are refused here, so later decoding cannot fail.
    """
    if binary:
        return Document(name=name, data=data, path=path)
    encoding, bom_length, warnings = sniff_encoding(data, name)
    text = None
    if encoding in BYTE_LINE_ENCODINGS:
        nul = data.find(b"\x00", bom_length)
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            raise ImportFormatError(name, "binary content (NUL byte), not a text export", line=line)
    else:
        try:
            text = data[bom_length:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(name, f"not valid {encoding}: {exc.reason}") from exc
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            raise ImportFormatError(name, "binary content (NUL byte), not a text export", line=line)
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return Document(
        name=name, data=data, text=text, encoding=encoding, path=path, warnings=warnings,
        bom_length=bom_length,
    )


#: Bytes read at a time while a file is scanned (checksum, encoding) without keeping it.
_SCAN_BLOCK = 4 * 2**20


@dataclass
class ScannedFile:
    """A UTF-8 text file checked in one pass without keeping its bytes: enough to stream it."""

    sha256: str
    size: int
    head: bytes
    bom_length: int


def scan_utf8_file(path: Path) -> ScannedFile | None:
    """Checksum and check a file block by block; None unless it is plain UTF-8 text.

    Plain UTF-8 text (with or without a byte-order mark) without NUL bytes can be
    streamed line by line; anything else (binary content, UTF-16/32, bytes that
    are not UTF-8) is left to :func:`document_from_bytes`, which reads the whole
    file to settle its encoding and word its errors.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    with path.open("rb") as fh:
        head = fh.read(_SCAN_BLOCK)
        if binary_kind(head) is not None or _guess_utf16_without_bom(head):
            return None
        if any(head.startswith(bom) for bom, codec in _BOMS if codec != "utf-8-sig"):
            return None
        bom_length = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        block = head
        while block:
            digest.update(block)
            size += len(block)
            if b"\x00" in block:
                return None
            try:
                decoder.decode(block[bom_length:] if block is head else block)
            except UnicodeDecodeError:
                return None
            block = fh.read(_SCAN_BLOCK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return ScannedFile(digest.hexdigest(), size, head, bom_length)
