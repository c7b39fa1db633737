"""BibTeX reader (bibtexparser 2 for parsing, in chunks of entries; pylatexenc for LaTeX), and the format's entry point.

The reader keeps every entry, including blocks bibtexparser could not parse:
those become records with a problem at their (1-based) line so that the import
layer can refuse or skip them. Fields the canonical fields do not use stay in
``extra`` as raw BibTeX.

This module is the ``bibtex`` format's reader and writer module: the writer lives in
:mod:`logicmap.records.formats.bibtex_write` and the LaTeX codec in
:mod:`logicmap.records.formats.bibtex_latex`; their public names are importable from here.
"""

from __future__ import annotations

import re
from typing import Iterator

from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)

from logicmap.records.formats.bibtex_latex import (
    AND_SEPARATOR,
    decode_latex,
    encode_latex,
    encode_verbatim,
    full_decode_latex,
    split_top_level,
    unescape_verbatim,
)
from logicmap.records.formats.bibtex_chunks import iter_blocks
from logicmap.records.formats.bibtex_write import (
    ENTRY_TYPES,
    TYPE_MAP,
    assign_keys,
    encode_author,
    encode_keywords,
    entry_fields,
    entry_type,
    format_entry,
    generated_key,
    write,
)
from logicmap.records.record import Document, ImportFormatError, ParsedRecord

__all__ = [
    "ENTRY_TYPES", "SOURCES", "TYPE_MAP", "VERBATIM", "assign_keys", "decode_latex",
    "encode_author", "encode_keywords", "encode_latex", "encode_verbatim", "entry_fields",
    "entry_type", "format_entry", "full_decode_latex", "generated_key", "iter_read", "read",
    "split_top_level", "strip_enclosing", "unescape_verbatim", "write",
]  # fmt: skip

#: canonical field -> BibTeX field names (lower case) in order of preference.
SOURCES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "abstract": ("abstract",),
    "authors": ("author",),
    "year": ("year", "date"),
    "journal": ("journal", "journaltitle", "booktitle"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "doi": ("doi",),
    "pmid": ("pmid",),
    "isbn": ("isbn",),
    "issn": ("issn",),
    "keywords": ("keywords", "author_keywords"),
    "language": ("language",),
    "url": ("url",),
}
#: Fields holding identifiers/addresses: never LaTeX-decoded, only unescaped.
VERBATIM = frozenset({"doi", "url", "eprint", "pmid"})
_KEY_IN_RAW = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)


def _keyword_list(value: str) -> list[str]:
    words = split_top_level(value, re.compile(";"))
    if len(words) < 2:
        words = split_top_level(value, re.compile(","))
    return [decode_latex(word) for word in words]


def _canonical_value(name: str, key: str, raw: str) -> str | list[str]:
    if name == "authors":
        return [decode_latex(author) for author in split_top_level(raw, AND_SEPARATOR)]
    if name == "keywords":
        return _keyword_list(raw)
    if key in VERBATIM:
        return unescape_verbatim(raw)
    return decode_latex(raw)


def _line(zero_based: int | None) -> int | None:
    return None if zero_based is None else zero_based + 1


def _fields_by_key(entry: Entry) -> dict[str, list]:
    fields: dict[str, list] = {}
    for fld in entry.fields:
        fields.setdefault(fld.key.lower(), []).append(fld)
    return fields


def _set_canonical(parsed: ParsedRecord, fields: dict[str, list]) -> set[str]:
    used: set[str] = set()
    for name, keys in SOURCES.items():
        for key in keys:
            for fld in fields.get(key, []):
                if name in parsed.fields and name != "keywords":  # first source wins
                    break
                if isinstance(fld.value, str):
                    value = _canonical_value(name, key, fld.value)
                    parsed.set(name, value, fld.key, _line(fld.start_line))
                    used.add(key)
    _set_pubmed_eprint(parsed, fields, used)
    _set_pmid_from_note(parsed, fields)  # the note itself stays in extra
    return used


def _set_pubmed_eprint(parsed: ParsedRecord, fields: dict[str, list], used: set[str]) -> None:
    kinds = [f.value for f in fields.get("eprinttype", []) + fields.get("archiveprefix", [])]
    if fields.get("eprint") and any(str(k).strip().lower() in ("pubmed", "pmid") for k in kinds):
        fld = fields["eprint"][0]
        parsed.set("pmid", unescape_verbatim(fld.value), fld.key, _line(fld.start_line))
        used.add("eprint")


def _set_pmid_from_note(parsed: ParsedRecord, fields: dict[str, list]) -> None:
    for fld in fields.get("note", []):
        match = _PMID_NOTE.search(str(fld.value))
        if match:
            parsed.set("pmid", match.group(1), fld.key, _line(fld.start_line))


def _flag_repeated(parsed: ParsedRecord, fields: dict[str, list], used: set[str]) -> None:
    for key in used:
        values = {str(fld.value).strip() for fld in fields[key]}
        if len(values) > 1 and key not in SOURCES["keywords"]:
            parsed.problem(key, f"BibTeX field '{key}' repeated with different values")


def _extra(fields: dict[str, list], used: set[str]) -> dict[str, object]:
    extra: dict[str, object] = {}
    for key, flds in fields.items():
        if key in used:
            continue
        values = [fld.value for fld in flds]
        extra[flds[0].key] = values[0] if len(values) == 1 else values
    return extra


def _record_from_entry(entry: Entry, position: int) -> ParsedRecord:
    parsed = ParsedRecord(position=position, line=_line(entry.start_line), source_id=entry.key)
    fields = _fields_by_key(entry)
    used = _set_canonical(parsed, fields)
    parsed.set("type", entry.entry_type.lower(), "ENTRYTYPE", parsed.line)
    _flag_repeated(parsed, fields, used)
    parsed.extra = _extra(fields, used)
    return parsed


def _syntax_error(block: ParsingFailedBlock) -> str:
    error = block.error
    reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
    start = _line(block.start_line)
    if start is None or not block.raw:
        return f"BibTeX syntax error: {reason}"
    stop = start + block.raw.rstrip().count("\n")
    return f"BibTeX syntax error: {reason} (block lines {start}-{stop})"


def strip_enclosing(value: str) -> str:
    """Remove the ``{...}`` or ``"..."`` around a raw value (failed blocks keep them)."""
    text = value.strip()
    if len(text) < 2 or (text[0], text[-1]) not in (("{", "}"), ('"', '"')):
        return text
    depth = 0
    for char in text[:-1]:
        depth += (char == "{") - (char == "}")
        if depth == 0 and text[0] == "{":
            return text  # "{a} and {b}": the braces do not enclose the whole value
    return text[1:-1]


def _record_from_failed(block: ParsingFailedBlock, position: int) -> ParsedRecord:
    inner = block.ignore_error_block
    if isinstance(inner, Entry):
        if isinstance(block, DuplicateFieldKeyBlock):  # the parse stack skipped it
            for fld in inner.fields:
                fld.value = strip_enclosing(fld.value) if isinstance(fld.value, str) else fld.value
        parsed = _record_from_entry(inner, position)
    else:
        parsed = ParsedRecord(position=position, line=_line(block.start_line))
        match = _KEY_IN_RAW.search(block.raw or "")
        parsed.source_id = match.group(1) if match else None
        parsed.extra = {"raw": block.raw}
    parsed.line = _line(block.start_line)
    if isinstance(block, DuplicateBlockKeyBlock):
        first = _line(block.previous_block.start_line)
        parsed.problem(None, f"duplicate BibTeX key '{block.key}' (first used on line {first})")
    elif not isinstance(block, DuplicateFieldKeyBlock):
        parsed.problem(None, _syntax_error(block))
    return parsed


def read(doc: Document) -> list[ParsedRecord]:
    """Parse a BibTeX document into records, one per entry or failed block.

    Entries whose fields repeat (bibtexparser's ``DuplicateFieldKeyBlock``) are
    kept; a canonical field repeated with different values is a problem.
    """
    return list(iter_read(doc))


def iter_read(doc: Document) -> Iterator[ParsedRecord]:
    """Like :func:`read`, one record at a time: the file is parsed in chunks of entries."""
    if doc.encoding is None:
        raise ImportFormatError(doc.name, "BibTeX needs a text document")
    position = 0
    for block, earlier in _parsed_blocks(doc):
        if isinstance(block, Entry):
            position += 1
            parsed = _record_from_entry(block, position)
            if earlier is not None:
                parsed.problem(None, f"duplicate BibTeX key '{block.key}' (first used on line {_line(earlier)})")
            yield parsed
        elif isinstance(block, ParsingFailedBlock):
            position += 1
            yield _record_from_failed(block, position)


def _parsed_blocks(doc: Document) -> Iterator[tuple[object, int | None]]:
    """bibtexparser's blocks of ``doc``; its own internal errors become an :class:`ImportFormatError`."""
    blocks = iter_blocks(doc.iter_lines())
    while True:
        try:
            yield next(blocks)
        except StopIteration:
            return
        except Exception as exc:  # bibtexparser raises on its own internal errors only
            raise ImportFormatError(doc.name, f"BibTeX parser failed: {exc}") from exc
