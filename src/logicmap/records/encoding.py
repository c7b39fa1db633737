"""Turning a file's bytes into a :class:`Document`: encodings and line endings."""

from __future__ import annotations

import codecs
from pathlib import Path

from logicmap.records.model import Document, ImportFormatError

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


def decode_text(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Decode bytes to text with line endings unified to ``\\n``.

    Tries a byte-order mark, then UTF-16 without BOM, then UTF-8, then
    Windows-1252 and Latin-1 (with a warning). Returns ``(text, encoding, warnings)``.
    Raises :class:`ImportFormatError` for binary content.
    """
    warnings: list[str] = []
    encoding = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            encoding = codec
            break
    encoding = encoding or _guess_utf16_without_bom(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(name, f"not valid {encoding}: {exc.reason}") from exc
    else:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            encoding = _fallback_codec(data)
            text = data.decode(encoding)
            warnings.append(
                f"{name}: not valid UTF-8 (first bad byte on line {line}); read as {encoding}"
            )
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFormatError(name, "binary content (NUL byte), not a text export", line=line)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding, warnings


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
    """Build a :class:`Document` from bytes already in memory."""
    if binary:
        return Document(name=name, data=data, path=path)
    text, encoding, warnings = decode_text(data, name)
    return Document(name=name, data=data, text=text, encoding=encoding, path=path, warnings=warnings)
