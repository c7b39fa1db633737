"""BibTeX reader and writer (bibtexparser 2 for splitting, pylatexenc for LaTeX).

The reader keeps every entry, including blocks bibtexparser could not parse:
those become records with a problem at their (1-based) line so that the import
layer can refuse or skip them. Fields the canonical fields do not use stay in
``extra`` as raw BibTeX. The writer produces BibTeX of the canonical fields only;
its values read back (through :func:`read` and normalisation) unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TextIO

import bibtexparser
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from logicmap.records.record import Document, ImportFormatError, ParsedRecord, Record

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
#: BibTeX/biblatex entry types the writer uses as they are.
ENTRY_TYPES = frozenset(
    "article book booklet inbook incollection inproceedings conference manual mastersthesis "
    "misc phdthesis proceedings techreport unpublished online report thesis dataset software "
    "patent periodical collection mvbook suppbook".split()
)
#: Types of other formats (RIS, EndNote, MEDLINE), casefolded -> BibTeX entry type.
TYPE_MAP = {
    "jour": "article", "journal article": "article", "journal-article": "article",
    "ejour": "article", "book": "book", "chap": "incollection", "book section": "incollection",
    "conf": "inproceedings", "cpaper": "inproceedings", "conference paper": "inproceedings",
    "conference proceedings": "inproceedings", "thes": "phdthesis", "thesis": "phdthesis",
    "rprt": "techreport", "report": "techreport", "unpb": "unpublished", "elec": "online",
    "web page": "online",
}  # fmt: skip
_CONTAINER_IS_BOOK = frozenset({"inproceedings", "incollection", "conference", "inbook"})

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_KEY_IN_RAW = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)
_VALID_KEY = re.compile(r"^[^\s,{}()=\"#%'~\\]+$")
_SIMPLE = {"%": "%", "&": "&", "#": "#", "_": "_", "$": "$", "textless": "<", "textgreater": ">"}
_SIMPLE_ESCAPE = re.compile(r"\\([%&#_$])|\\(textless|textgreater)(?:\{\}|(?![A-Za-z])\s*)")
_NEEDS_LATEX = re.compile(r"[\\$~]|--|''|``|[?!]`")
_MATH_HINT = re.compile(r"[\\^_<>=]|^\s*\S{1,3}\s*$")


def _latex_converter() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    replacements = {
        "textless": "<", "textgreater": ">", "textbraceleft": "{", "textbraceright": "}",
        "textasciicircum": "^", "textunderscore": "_", "textquotedbl": '"', "-": "",
        "url": "%s",
    }  # fmt: skip
    db.add_context_category(
        "logicmap-bibtex",
        macros=[MacroTextSpec(name, repl) for name, repl in replacements.items()],
        prepend=True,
    )
    return LatexNodes2Text(latex_context=db)


_L2T = _latex_converter()


# --------------------------------------------------------------------- reading


def _protect_specials(value: str) -> str:
    """Escape ``%``/``&`` and lone ``$`` that exports leave raw (not LaTeX there)."""
    parts = re.split(r"(?<!\\)(\$)", value)
    out, index = [], 0
    while index < len(parts):
        part = parts[index]
        closing = index + 2 < len(parts) and parts[index + 2] == "$"
        if part == "$" and closing and _MATH_HINT.search(parts[index + 1]):
            out.append("$" + parts[index + 1] + "$")
            index += 3
            continue
        out.append(r"\$" if part == "$" else part)
        index += 1
    return re.sub(r"(?<!\\)([%&])", r"\\\1", "".join(out))


def full_decode_latex(value: str) -> str:
    """LaTeX text to Unicode with pylatexenc (slow; see :func:`decode_latex`)."""
    try:
        return _L2T.latex_to_text(_protect_specials(value))
    except Exception:  # pylatexenc fails on some malformed macros; keep the text
        return value.replace("{", "").replace("}", "")


def decode_latex(value: str) -> str:
    """LaTeX text (accents, escapes, protecting braces) to plain Unicode.

    Values whose only LaTeX is simple escapes (``\\%``, ``{\\textless}``) and
    protecting braces are decoded directly; pylatexenc is ~100x slower.
    """
    if _NEEDS_LATEX.search(_SIMPLE_ESCAPE.sub("", value)):
        return full_decode_latex(value)
    text = _SIMPLE_ESCAPE.sub(lambda m: _SIMPLE[m.group(1) or m.group(2)], value)
    return re.sub(r"[{}]", "", text)


def unescape_verbatim(value: str) -> str:
    """DOI/URL values: drop protecting braces and backslash escapes only."""
    value = re.sub(r"(?<!\\)[{}]", "", value)
    return re.sub(r"\\([_&%#${}~\\])", r"\1", value).strip()


def split_top_level(value: str, separator: re.Pattern[str]) -> list[str]:
    """Split ``value`` on ``separator`` matches outside braces."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(value):
        char = value[index]
        depth += (char == "{") - (char == "}")
        match = separator.match(value, index) if depth == 0 else None
        if match and match.end() > index:
            parts.append(value[start:index])
            start = index = match.end()
            continue
        index += 1
    parts.append(value[start:])
    return [part.strip() for part in parts if part.strip()]


def _keyword_list(value: str) -> list[str]:
    words = split_top_level(value, re.compile(";"))
    if len(words) < 2:
        words = split_top_level(value, re.compile(","))
    return [decode_latex(word) for word in words]


def _canonical_value(name: str, key: str, raw: str) -> str | list[str]:
    if name == "authors":
        return [decode_latex(author) for author in split_top_level(raw, _AND)]
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
    if doc.text is None:
        raise ImportFormatError(doc.name, "BibTeX needs a text document")
    try:
        library = bibtexparser.parse_string(doc.text)
    except Exception as exc:  # bibtexparser raises on its own internal errors only
        raise ImportFormatError(doc.name, f"BibTeX parser failed: {exc}") from exc
    records: list[ParsedRecord] = []
    for block in library.blocks:
        if isinstance(block, Entry):
            records.append(_record_from_entry(block, len(records) + 1))
        elif isinstance(block, ParsingFailedBlock):
            records.append(_record_from_failed(block, len(records) + 1))
    return records


# --------------------------------------------------------------------- writing

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
}  # fmt: skip
_TEXT_SPECIAL = re.compile("[" + re.escape("".join(_TEXT_ESCAPES)) + "]")


def encode_latex(text: str) -> str:
    """Plain text to LaTeX that :func:`decode_latex` turns back into ``text``."""
    text = _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group(0)], text)
    return re.sub(r"([-'`?!])(?=[-'`])", r"\1{}", text)  # no ligatures (--, '', ?`)


def encode_verbatim(text: str) -> str:
    """DOI/URL text: only characters that would break the BibTeX value are escaped."""
    return re.sub(r"([{}\\])", r"\\\1", text)


def _protect(part: str) -> str:
    encoded = encode_latex(part)
    return "{" + encoded + "}" if _AND.search(f" {part} ") else encoded


def encode_author(name: str) -> str:
    """One ``"Family, Given"`` name; other names are braced as one unit."""
    if "," not in name:
        return "{" + encode_latex(name) + "}"
    family, given = name.split(",", 1)
    return f"{_protect(family.strip())}, {_protect(given.strip())}"


def encode_keywords(keywords: list[str]) -> str:
    """Keywords joined with ``"; "``, each braced when it holds a separator."""
    return "; ".join(
        "{" + encode_latex(word) + "}" if re.search(r"[;,]", word) else encode_latex(word)
        for word in keywords
    )


def entry_type(record: Record) -> str:
    """The BibTeX entry type for a record (``misc`` when unknown)."""
    kind = (record.type or "").strip().casefold()
    if kind in ENTRY_TYPES:
        return kind
    return TYPE_MAP.get(kind, "article" if record.journal else "misc")


def _ascii_word(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", plain)


def generated_key(record: Record) -> str:
    """``FamilyYYYYword`` from first author, year and first long title word."""
    family = _ascii_word(record.authors[0].split(",")[0]) if record.authors else ""
    words = [_ascii_word(w) for w in (record.title or "").split()]
    word = next((w for w in words if len(w) > 3), next((w for w in words if w), ""))
    return f"{family or 'Anon'}{record.year or ''}{word.lower()}"


def assign_keys(records: list[Record]) -> list[str]:
    """Unique citation keys: valid source ids first, generated keys for the rest."""
    keys: list[str | None] = []
    taken: set[str] = set()
    for record in records:
        sid = (record.source_id or "").strip()
        ok = bool(_VALID_KEY.match(sid)) and sid.casefold() not in taken
        keys.append(sid if ok else None)
        taken.update([sid.casefold()] if ok else [])
    for index, record in enumerate(records):
        if keys[index] is None:
            base, n = generated_key(record), 0
            key = base
            while key.casefold() in taken:
                n += 1
                key = f"{base}{chr(96 + n)}" if n <= 26 else f"{base}{n}"
            taken.add(key.casefold())
            keys[index] = key
    return [key for key in keys if key is not None]


def entry_fields(record: Record) -> list[tuple[str, str]]:
    """``(field, encoded value)`` pairs for one record, canonical fields only."""
    kind = entry_type(record)
    fields = [
        ("title", record.title and encode_latex(record.title)),
        ("author", " and ".join(encode_author(a) for a in record.authors)),
        ("booktitle" if kind in _CONTAINER_IS_BOOK else "journal",
         record.journal and encode_latex(record.journal)),
        ("year", record.year and str(record.year)),
        ("volume", record.volume and encode_latex(record.volume)),
        ("number", record.issue and encode_latex(record.issue)),
        ("pages", record.pages and encode_latex(record.pages)),
        ("doi", record.doi and encode_verbatim(record.doi)),
        ("pmid", record.pmid and encode_verbatim(record.pmid)),
        ("isbn", record.isbn and encode_latex(record.isbn)),
        ("issn", record.issn and encode_latex(record.issn)),
        ("keywords", encode_keywords(record.keywords)),
        ("language", record.language and encode_latex(record.language)),
        ("url", record.url and encode_verbatim(record.url)),
        ("abstract", record.abstract and encode_latex(record.abstract)),
    ]  # fmt: skip
    return [(name, value) for name, value in fields if value]


def format_entry(record: Record, key: str) -> str:
    """One ``@type{key, ...}`` block."""
    body = "".join(f",\n  {name} = {{{value}}}" for name, value in entry_fields(record))
    return f"@{entry_type(record)}{{{key}{body}\n}}\n"


def write(records: Iterable[Record], fh: TextIO) -> int:
    """Write ``records`` as BibTeX entries to ``fh``; returns the number written."""
    records = list(records)
    for index, (record, key) in enumerate(zip(records, assign_keys(records))):
        fh.write(("\n" if index else "") + format_entry(record, key))
    return len(records)
