"""Full texts (PDF, HTML, plain text) of records: their text extracted, keeping page numbers.

PDF text comes from pypdf (BSD licence), HTML text from lxml; the text is stored
with the offset where each page starts so that an evidence span can name its page.
Pure: reading and extracting only; the store keeps what :func:`read_fulltext` returns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from logicmap.coding.spans import CodingError
from logicmap.records.encoding import document_from_bytes


@dataclass
class Extracted:
    """Text taken from a file, with ``pages`` as ``[[start offset, page number], ...]``."""

    text: str
    pages: list[list[int]]
    media_type: str
    extractor: str


def _pdf(data: bytes, name: str) -> Extracted:
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(data))
        parts, pages, offset = [], [], 0
        for number, page in enumerate(reader.pages, 1):
            text = (page.extract_text() or "").strip()
            pages.append([offset, number])
            parts.append(text)
            offset += len(text) + 2
    except (PdfReadError, ValueError, KeyError) as exc:
        raise CodingError(f"{name}: cannot read this PDF ({exc})") from exc
    text = "\n\n".join(parts)
    if not text.strip():
        raise CodingError(f"{name}: the PDF has no extractable text (a scanned image? run OCR first)")
    return Extracted(text, pages, "application/pdf", "pypdf")


def _html(data: bytes, name: str) -> Extracted:
    import lxml.html

    try:
        tree = lxml.html.fromstring(data)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise CodingError(f"{name}: cannot read this HTML ({exc})") from exc
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    text = "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())
    return Extracted(text, [[0, 1]], "text/html", "lxml")


def extract_text(path: Path) -> Extracted:
    """The text of a PDF, HTML or plain-text file."""
    path = Path(path)
    if not path.is_file():
        raise CodingError(f"{path}: file not found")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return _pdf(data, path.name)
    if suffix in (".html", ".htm", ".xhtml") or data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return _html(data, path.name)
    doc = document_from_bytes(data, path.name)
    return Extracted(doc.text or "", [[0, 1]], "text/plain", "text")


@dataclass(frozen=True)
class AttachedText:
    """A full text as a project keeps it: the extracted text of ``filename``, attached to ``record_id``."""

    record_id: int
    filename: str
    sha256: str
    extracted: Extracted


def read_fulltext(record_id: int, path: Path) -> AttachedText:
    """Extract a file's text for attaching to record ``record_id``."""
    path = Path(path)
    extracted = extract_text(path)
    return AttachedText(record_id, path.name, hashlib.sha256(path.read_bytes()).hexdigest(), extracted)


def page_of(pages: list[list[int]], offset: int) -> int:
    """The page number a character offset of the full text falls on."""
    number = 1
    for start, page in pages:
        if start > offset:
            break
        number = page
    return number
