"""Column mapping shared by the delimited-text and XLSX readers.

A spreadsheet export names its columns in its own way ("Abstract Note", "Author
Names", "TI", "authorships.author.display_name"). :func:`build_column_map` maps a
header row to canonical fields once; :func:`record_from_row` then turns each data
row into a :class:`ParsedRecord` with plain index and dict look-ups (no per-cell
regular expressions), so 100k-row files stay fast.

Column names are matched case-insensitively after removing everything but letters
and digits (``"Author(s)"`` -> ``"authors"``). Several columns may feed one field;
the first non-empty one in priority order wins (keywords: all are kept) and the
values of the others go to ``extra`` like every unmapped column.

Cell values (missing markers, labels, author and keyword lists) are parsed in
:mod:`logicmap.records.formats.columns_cells`; its public names are importable from here.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from logicmap.records.formats.columns_cells import (
    cell_text,
    parse_label,
    split_authors,
    split_keywords,
    usable,
)
from logicmap.records.record import Document, FieldValue, ParsedRecord

#: canonical field (or pseudo-field) -> accepted column names, best first.
_GENERIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("title", "articletitle", "titleprimary", "documenttitle", "displayname")),
    ("abstract", ("abstract", "abstractnote", "abstracttext")),
    ("authors", ("authors", "author", "authornames", "authorslist", "authorsprimary",
                 "authorfullnames", "authorshipsauthordisplayname", "authorshipsrawauthorname")),
    ("year", ("year", "publicationyear", "pubyear", "publishedyear", "yearpublished",
              "publicationdate", "datepublished", "date", "pubdate")),
    ("journal", (
        "journal", "sourcetitle", "publicationtitle", "journaltitle", "journalbook",
        "periodicalfull", "publication", "secondarytitle", "journalname",
        "primarylocationsourcedisplayname", "journalabbreviation", "periodicalabbrev",
        "abbreviatedsourcetitle",
    )),
    ("volume", ("volume", "bibliovolume")),
    ("issue", ("issue", "issuenumber", "number", "biblioissue")),
    ("pages", ("pages", "page", "pagerange")),
    ("page_start", ("pagestart", "startpage", "firstpage", "bibliofirstpage", "spage")),
    ("page_end", ("pageend", "endpage", "lastpage", "bibliolastpage", "epage", "otherpages")),
    ("doi", ("doi", "idsdoi")),
    ("pmid", ("pmid", "pubmedid", "pubmed", "medlinepmid", "idspmid")),
    ("isbn", ("isbn", "isbns")),
    ("issn", ("issn", "issns", "issnisbn", "eissn", "primarylocationsourceissn")),
    ("keywords", ("keywords", "authorkeywords", "indexkeywords", "manualtags", "automatictags",
                  "subjects", "keyword", "keywordsdisplayname", "tags")),
    ("language", ("language", "languageoforiginaldocument", "articlelanguage", "outputlanguage")),
    ("type", ("type", "itemtype", "documenttype", "publicationtype", "referencetype", "doctype",
              "typeofwork")),
    ("url", ("url", "link", "links", "plink", "fulltextlink", "externalurl", "openurllink")),
    # only record_id/id: other tools' keys (Rayyan/Zotero key, Lens ID, EID...) stay in extra,
    # so clusters.csv's source_id is predictable (else the record's position)
    ("source_id", ("recordid", "id")),
    ("label", ("labelincluded", "finalincluded", "includedfinal", "included", "includedlabel",
               "label", "include", "includedflag", "debuglabel", "includedta")),
)

#: Web of Science tab-delimited exports name columns by two-letter field codes.
_WOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("ti",)), ("abstract", ("ab",)), ("authors", ("af", "au")), ("year", ("py",)),
    ("journal", ("so", "j9", "ji")), ("volume", ("vl",)), ("issue", ("is",)), ("pages", ("ps",)),
    ("page_start", ("bp",)), ("page_end", ("ep",)), ("doi", ("di",)), ("pmid", ("pm",)),
    ("isbn", ("bn",)), ("issn", ("sn", "ei")), ("keywords", ("de", "id")), ("language", ("la",)),
    ("type", ("dt",)),
)

_NAME_JUNK = re.compile(r"[^0-9a-z]+")
_WOS_CODE = re.compile(r"^[A-Z][A-Z0-9]$")


def header_key(name: object) -> str:
    """A column name reduced to lower-case letters and digits (``"Author(s)"`` -> ``"authors"``)."""
    return _NAME_JUNK.sub("", str(name or "").lower())


def _table(spec: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[str, int]]:
    return {name: (target, rank) for target, names in spec for rank, name in enumerate(names)}


_GENERIC_TABLE = _table(_GENERIC)
_WOS_TABLE = _table(_WOS)
_TEXT_KEYS = frozenset(_GENERIC[0][1] + _GENERIC[1][1])


def is_wos_header(cells: Sequence[str]) -> bool:
    """True for a Web of Science header of two-letter codes (``PT AU TI SO ...``)."""
    names = [str(c).strip() for c in cells if c and str(c).strip()]
    codes = sum(1 for n in names if _WOS_CODE.match(n))
    return "TI" in names and codes >= 0.8 * len(names)


def header_score(cells: Sequence[object]) -> int:
    """How many columns of ``cells`` are recognised; 0 without a title/abstract column."""
    if is_wos_header([str(c or "") for c in cells]):
        return sum(1 for c in cells if header_key(c) in _WOS_TABLE)
    keys = [header_key(c) for c in cells]
    if not any(k in _TEXT_KEYS for k in keys):
        return 0
    return sum(1 for k in keys if k in _GENERIC_TABLE)


@dataclass
class ColumnMap:
    """Which column feeds which canonical field, decided once from the header row.

    ``fields`` maps a target (canonical field, ``source_id``, ``label``,
    ``page_start``/``page_end``) to its column indexes, best first; ``plan`` is the
    same as ``(target, ((index, name), ...))`` tuples for the per-row loop.
    """

    names: list[str]
    fields: dict[str, list[int]] = field(default_factory=dict)
    extra: list[int] = field(default_factory=list)
    plan: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = ()

    @property
    def label(self) -> int | None:
        """The inclusion-label column, if any."""
        columns = self.fields.get("label")
        return columns[0] if columns else None


def _unique_names(cells: Sequence[object]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"column {index + 1}"
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name} ({n})", n + 1
        seen.add(candidate)
        names.append(candidate)
    return names


def build_column_map(cells: Sequence[object]) -> ColumnMap:
    """Map a header row to canonical fields; unrecognised columns become ``extra``."""
    table = _WOS_TABLE if is_wos_header([str(c or "") for c in cells]) else _GENERIC_TABLE
    cmap = ColumnMap(names=_unique_names(cells))
    ranked: dict[str, list[tuple[int, int]]] = {}
    for index, cell in enumerate(cells):
        hit = table.get(header_key(cell))
        if hit is None:
            cmap.extra.append(index)
        else:
            ranked.setdefault(hit[0], []).append((hit[1], index))
    for target, hits in ranked.items():
        ordered = [index for _, index in sorted(hits)]
        if target == "label":  # one label column; other label-like columns stay extra
            cmap.extra.extend(ordered[1:])
            ordered = ordered[:1]
        cmap.fields[target] = ordered
    cmap.extra.sort()
    cmap.plan = tuple(
        (target, tuple((i, cmap.names[i]) for i in columns))
        for target, columns in cmap.fields.items()
        if target not in ("page_start", "page_end")
    )
    return cmap


_SPLITTERS = {"authors": split_authors, "keywords": split_keywords}


def record_from_row(
    cells: Sequence[str], cmap: ColumnMap, position: int, line: int | None
) -> ParsedRecord:
    """Build a :class:`ParsedRecord` from one data row (cells as strings).

    Per target the first usable column wins (keywords: every column adds); values
    of the other columns of that target go to ``extra`` with the unmapped ones.
    """
    record = ParsedRecord(position=position, line=line)
    extra = record.extra
    width = len(cells)
    for target, columns in cmap.plan:
        taken = False
        for index, name in columns:
            if index >= width or not cells[index]:
                continue
            value = usable(cells[index])
            if value is None:
                continue
            if taken and target != "keywords":
                extra[name] = cells[index]
            else:
                taken = True
                _store(record, target, value, name, line)
    if "page_start" in cmap.fields:
        _store_pages(record, cells, cmap, line)
    for index in cmap.extra:
        if index < width and cells[index] and usable(cells[index]) is not None:
            extra[cmap.names[index]] = cells[index]
    return record


def _first_usable(cells: Sequence[str], cmap: ColumnMap, target: str) -> tuple[str, str] | None:
    """``(column name, stripped value)`` of the first usable column of ``target``."""
    for index in cmap.fields.get(target, ()):
        value = cell_text(cells, index)
        if value is not None:
            return cmap.names[index], value.strip()
    return None


def _store_pages(
    record: ParsedRecord, cells: Sequence[str], cmap: ColumnMap, line: int | None
) -> None:
    """Join start and end page columns into ``pages`` unless a pages column gave it."""
    start = _first_usable(cells, cmap, "page_start")
    if start is None or "pages" in record.fields:
        for index in cmap.fields["page_start"] + cmap.fields.get("page_end", []):
            if cell_text(cells, index) is not None:
                record.extra[cmap.names[index]] = cells[index]
        return
    tag, pages = start
    end = _first_usable(cells, cmap, "page_end")
    if end is not None and end[1] != pages:
        tag, pages = f"{tag}+{end[0]}", f"{pages}-{end[1]}"
    record.fields["pages"] = FieldValue(pages, tag, line)


def _store(record: ParsedRecord, target: str, value: str, tag: str, line: int | None) -> None:
    if target in _SPLITTERS:
        parts = _SPLITTERS[target](value)
        if parts:
            record.set(target, parts, tag, line)
    elif target == "source_id":
        record.source_id = value.strip()
    elif target == "label":
        try:
            record.label = parse_label(value)
        except ValueError:
            record.extra[tag] = value
            record.problem(tag, f"unrecognised inclusion label {value.strip()!r} in column {tag!r}")
    else:
        record.fields[target] = FieldValue(value, tag, line)


class DuplicateIds:
    """Flags records whose source id was already seen earlier in the same file."""

    def __init__(self) -> None:
        self._first: dict[str, int | None] = {}

    def check(self, record: ParsedRecord) -> None:
        """Add a ``record_id`` problem when ``record.source_id`` repeats an earlier one."""
        sid = record.source_id
        if sid is None:
            return
        if sid in self._first:
            first = self._first[sid]
            where = f"line {first}" if first is not None else "an earlier record"
            record.problem("record_id", f"duplicate record id {sid} (first at {where})")
        else:
            self._first[sid] = record.line


def finish_labels(records: list[ParsedRecord], cmap: ColumnMap, doc: Document) -> None:
    """Drop a "label" column that holds no inclusion label at all (e.g. ASySD dedup labels).

    When not one value of the label column parses, the column is something else:
    its values stay in ``extra`` and the per-row label problems are withdrawn.
    """
    column = cmap.label
    if column is None or any(r.label is not None for r in records):
        return
    tag = cmap.names[column]
    bad = [r for r in records if any(p.field == tag for p in r.problems)]
    if not bad:
        return
    for record in bad:
        record.problems = [p for p in record.problems if p.field != tag]
    sample = bad[0].extra.get(tag, "")
    doc.warnings.append(
        f"{doc.name}: column {tag!r} holds no inclusion labels (e.g. {sample!r}); "
        "kept as extra data"
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Reading 100k rows creates millions of dicts and lists but no reference
    cycles; without the pause, repeated full collections double the reading time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def describe_columns(cells: Sequence[object], limit: int = 12) -> str:
    """The first column names of a row for an error message."""
    names = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    text = ", ".join(names[:limit])
    return text + (", ..." if len(names) > limit else "") if names else "none"
