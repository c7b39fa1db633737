"""BibTeX writer: canonical record fields as ``@type{key, ...}`` entries.

Only the canonical fields are written; their values read back (through the reader in
:mod:`logicmap.records.formats.bibtex` and normalisation) unchanged. Citation keys are
the records' own ids where valid and unique, else generated ``FamilyYYYYword`` keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TextIO

from logicmap.records.formats.bibtex_latex import AND_SEPARATOR, encode_latex, encode_verbatim
from logicmap.records.record import Record

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
_VALID_KEY = re.compile(r"^[^\s,{}()=\"#%'~\\]+$")


def _protect(part: str) -> str:
    encoded = encode_latex(part)
    return "{" + encoded + "}" if AND_SEPARATOR.search(f" {part} ") else encoded


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
