"""RIS tag lines and the mapping of RIS tags (all dialects) to canonical fields.

A record is first collected as a list of :class:`Entry` objects (tag, value and
the line the value starts at); :func:`map_entries` then fills a
:class:`~logicmap.records.record.ParsedRecord` from them. Every entry the
canonical fields do not use ends up in ``ParsedRecord.extra`` verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logicmap.records.record import FieldValue, ParsedRecord

#: Tags longer than two letters that some exporters write (APA PsycNet ``PMID  - ``).
_LONG_TAG = re.compile(r"^([A-Z][A-Z0-9]{2,3})  -(?: (.*))?$")

TITLE_TAGS = ("TI", "T1", "CT")
ABSTRACT_TAGS = ("AB", "N2")
AUTHOR_TAGS = ("AU", "A1")
YEAR_TAGS = ("PY", "Y1", "DA")
JOURNAL_TAGS = ("JF", "T2", "JO", "J1", "JA", "J2")
#: Tags whose untagged continuation lines are further values, not wrapped text
#: (Rayyan and EndNote write one keyword per line after a single ``KW  - ``).
SPLIT_CONTINUATION_TAGS = frozenset({"KW", "UR", "L1", "L2", "L3", "L4"})
#: Tags that may carry a labelled PubMed id (``35957633 [PMID]``, ``PUBMED 21314913``);
#: only short values count (Ovid's M1 reference lists cite other papers' PMIDs).
_PMID_LABEL_TAGS = ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "U1", "U2", "U3",
                    "U4", "U5")
_PMID_LABEL_MAX = 80
_PMID_LABELLED = re.compile(
    r"(?:\bPMID:?\s*|\bPUBMED\s+)(\d{1,9})\b|\b(\d{1,9})\s*\[PMID\]", re.IGNORECASE
)
_LABELLED_ID = re.compile(r"\[[A-Za-z]+\]\s*$")
_MEDLINE_DB = re.compile(r"pubmed|medline|\bNLM\b", re.IGNORECASE)
_DOI_TEXT = re.compile(r"\b10\.\d{4,9}/\S+")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/10\.", re.IGNORECASE)
_SN_TOKEN = re.compile(r"[\s,;()]+")
_NOT_ISBN_DIGIT = re.compile(r"[^0-9Xx]")
#: SP/EP pairs that say "no pages" (Ovid writes ``SP  - No`` / ``EP  - Specified``).
_NO_PAGES = frozenset({("no", "specified")})


@dataclass(slots=True)
class Entry:
    """One tag of a record: its value (continuation lines joined) and start line.

    ``used`` turns true once a canonical field or the source id takes the entry.
    """

    tag: str
    value: str
    line: int
    used: bool = False


def split_line(line: str) -> tuple[str | None, str]:
    """Split a line into ``(tag, value)``; ``tag`` is None for untagged lines.

    Two-letter tags follow rispy's own line rule (``RisParser.parse_line``: an
    upper-case tag, then ``"  -"``), applied inline here because this runs on
    every line of a file; that rule also copes with Cochrane's ``TY  -  JOUR``
    and a bare ``ER  -``. Longer tags such as APA PsycNet's ``PMID  - `` are
    recognised too. Values are stripped.
    """
    if line[2:5] == "  -" and line[:2].isupper() and line[:1].isalpha():
        return line[:2], line[6:].strip()
    if line[:1] == "\ufeff":
        return split_line(line[1:])
    if "  -" in line[:8]:
        match = _LONG_TAG.match(line.rstrip())
        if match:
            return match.group(1), (match.group(2) or "").strip()
    return None, line.strip()


class _Entries:
    """A record's entries grouped by tag, with each entry's ``used`` mark."""

    __slots__ = ("entries", "by_tag")

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.by_tag: dict[str, list[Entry]] = {}
        by_tag = self.by_tag
        for entry in entries:
            value = entry.value
            if value and not value.isspace():
                found = by_tag.get(entry.tag)
                if found is None:
                    by_tag[entry.tag] = [entry]
                else:
                    found.append(entry)

    def all(self, *tags: str) -> list[Entry]:
        """Non-empty entries with one of ``tags``, in file order (do not modify the list)."""
        if len(tags) == 1:
            return self.by_tag.get(tags[0], [])
        found = [entry for tag in tags for entry in self.by_tag.get(tag, ())]
        # entries are made in file order, each on its own line: line order is file order
        found.sort(key=_line_of)
        return found

    def first(self, *tags: str) -> Entry | None:
        """The first non-empty entry by tag priority (``tags`` order), or None."""
        for tag in tags:
            found = self.by_tag.get(tag)
            if found:
                return found[0]
        return None

    @staticmethod
    def use(*entries: Entry | None) -> None:
        """Mark entries as consumed by a canonical field or the source id."""
        for entry in entries:
            if entry is not None:
                entry.used = True

    def leftover(self) -> dict[str, str | list[str]]:
        """Unused entries as ``tag -> value`` (a list when the tag repeats)."""
        extra: dict[str, str | list[str]] = {}
        for entry in self.entries:
            if entry.used or entry.tag in ("TY", "ER"):
                continue
            if entry.tag not in extra:
                extra[entry.tag] = entry.value
            elif isinstance(extra[entry.tag], list):
                extra[entry.tag].append(entry.value)  # type: ignore[union-attr]
            else:
                extra[entry.tag] = [extra[entry.tag], entry.value]  # type: ignore[list-item]
        return extra


def _line_of(entry: Entry) -> int:
    return entry.line


_SINGLE_FIELDS = (("title", TITLE_TAGS), ("abstract", ABSTRACT_TAGS), ("year", YEAR_TAGS),
                  ("journal", JOURNAL_TAGS), ("volume", ("VL",)), ("issue", ("IS",)),
                  ("language", ("LA",)), ("type", ("TY",)), ("url", ("UR",)))


def map_entries(entries: list[Entry], parsed: ParsedRecord) -> None:
    """Fill ``parsed`` (fields, source id, extra) from a record's entries."""
    pool = _Entries(entries)
    parsed.source_id = _source_id(pool)
    for name, tags in _SINGLE_FIELDS:
        _set_single(pool, parsed, name, tags)
    _set_list(pool, parsed, "authors", AUTHOR_TAGS)
    _set_list(pool, parsed, "keywords", ("KW",))
    _set_pages(pool, parsed)
    _set_doi(pool, parsed)
    _set_pmid(pool, parsed)
    _set_standard_numbers(pool, parsed)
    parsed.extra.update(pool.leftover())


def _set_single(pool: _Entries, parsed: ParsedRecord, name: str, tags: tuple[str, ...]) -> None:
    entry = pool.first(*tags)
    if entry is not None:
        # pool entries are never blank, so this is ParsedRecord.set for a single field
        if name not in parsed.fields:
            parsed.fields[name] = FieldValue(entry.value, entry.tag, entry.line)
        entry.used = True


def _set_list(pool: _Entries, parsed: ParsedRecord, name: str, tags: tuple[str, ...]) -> None:
    found = pool.all(*tags)
    if found:
        parsed.set(name, [e.value for e in found], found[0].tag, found[0].line)
        pool.use(*found)


def _set_pages(pool: _Entries, parsed: ParsedRecord) -> None:
    """Pages from SP/EP (``"SP-EP"`` unless SP already is a range), else PG."""
    start, end = pool.first("SP"), pool.first("EP")
    if start is None and end is None:
        _set_single(pool, parsed, "pages", ("PG",))
        return
    if start is not None and end is not None:
        if (start.value.lower(), end.value.lower()) in _NO_PAGES:
            return
        if end.value == start.value or "-" in start.value:
            value = start.value
        else:
            value = f"{start.value}-{end.value}"
        parsed.set("pages", value, "SP", start.line)
        pool.use(start, end)
        return
    only = start or end
    parsed.set("pages", only.value, only.tag, only.line)  # type: ignore[union-attr]
    pool.use(only)


def _set_doi(pool: _Entries, parsed: ParsedRecord) -> None:
    """DOI from DO, else from L3/M3/DI holding a DOI, else a doi.org UR link.

    A DO value that does not look like a DOI is still taken (and left to the
    normaliser) when no other tag holds one.
    """
    tagged = pool.all("DO")
    candidates = [e for e in tagged + pool.all("L3", "M3", "DI") if _DOI_TEXT.search(e.value)]
    candidates += tagged
    if candidates:
        entry = candidates[0]
        parsed.set("doi", entry.value, entry.tag, entry.line)
        if entry.tag != "M3":  # M3 is also the type of work: keep it in extra
            pool.use(entry)
        return
    for entry in pool.all("UR"):
        if _DOI_URL.match(entry.value):
            parsed.set("doi", entry.value, entry.tag, entry.line)
            return


def _set_pmid(pool: _Entries, parsed: ParsedRecord) -> None:
    """PMID from a PMID tag, a PubMed/MEDLINE accession number or a labelled id."""
    entry = pool.first("PMID")
    if entry is not None:
        parsed.set("pmid", entry.value, entry.tag, entry.line)
        pool.use(entry)
        return
    accession = pool.first("AN")
    if (accession and accession.value.strip().isdigit()
            and _MEDLINE_DB.search(" ".join(e.value for e in pool.all("DB", "DP")))):
        parsed.set("pmid", accession.value, accession.tag, accession.line)
        pool.use(accession)
        return
    for entry in pool.all(*_PMID_LABEL_TAGS):
        match = _PMID_LABELLED.search(entry.value)
        if match and len(entry.value) <= _PMID_LABEL_MAX:
            # the labelled number only: "PUBMED 1, EMBASE 2" must not give 2;
            # the full value stays in extra
            parsed.set("pmid", match.group(1) or match.group(2), entry.tag, entry.line)
            return


def is_isbn(value: str) -> bool:
    """True when an SN value holds a 10- or 13-digit ISBN rather than an ISSN."""
    for token in _SN_TOKEN.split(value):
        digits = _NOT_ISBN_DIGIT.sub("", token)
        if len(digits) in (10, 13) and digits[:-1].isdigit():
            return True
    return False


def _set_standard_numbers(pool: _Entries, parsed: ParsedRecord) -> None:
    """SN values split into ISBN (10/13 digits) and ISSN (everything else)."""
    numbers = pool.all("SN")
    if not numbers:
        return
    flags = [is_isbn(e.value) for e in numbers]
    isbns = [e for e, isbn in zip(numbers, flags) if isbn]
    issns = [e for e, isbn in zip(numbers, flags) if not isbn]
    for name, found in (("isbn", isbns), ("issn", issns)):
        if found:
            value = found[0].value if len(found) == 1 else [e.value for e in found]
            parsed.set(name, value, "SN", found[0].line)
    pool.use(*numbers)


def _source_id(pool: _Entries) -> str | None:
    """The record's own id: ID, else AN, else an unlabelled U1; None otherwise."""
    for tag in ("ID", "AN", "U1"):
        for entry in pool.all(tag):
            if tag == "U1" and _LABELLED_ID.search(entry.value):
                continue
            pool.use(entry)
            return entry.value.strip()
    return None
