"""EndNote XML reader (EndNote itself, and the Zotero/Mendeley "EndNote XML" exports).

Every ``<record>`` becomes one :class:`ParsedRecord`. Values are the full text of
an element (``itertext()``), because EndNote wraps text in one or more ``<style>``
runs. Elements the canonical fields do not use are kept in ``extra`` under their
path inside the record (``"custom1"``, ``"titles/alt-title"``,
``"urls/pdf-urls/url"``); attributes as ``"path@attribute"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from logicmap.records.record import Document, ImportFormatError, ParsedRecord

#: canonical field -> element paths inside <record>, in order of preference.
SOURCES: dict[str, tuple[str, ...]] = {
    "title": ("titles/title",),
    "abstract": ("abstract",),
    "authors": ("contributors/authors/author",),
    "year": ("dates/year", "dates/pub-dates/date"),
    "journal": ("titles/secondary-title", "periodical/full-title", "journal"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "doi": ("electronic-resource-num",),
    "keywords": ("keywords/keyword",),
    "language": ("language",),
    "url": ("urls/related-urls/url", "urls/web-urls/url"),
}
#: Leaf elements that only wrap text runs.
_TEXT_RUNS = frozenset({"style"})
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_DOI = re.compile(r"\b10\.\d{4,9}/")
_PMID = re.compile(r"^\d{1,9}$")
_PMID_LABELLED = re.compile(r"(?:PMID:?\s*)?\d{1,9}", re.IGNORECASE)
_PMID_IN_NOTES = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)
_PUBMED_DB = re.compile(r"pubmed|medline", re.IGNORECASE)


@dataclass
class Leaf:
    """One text-bearing element of a record."""

    path: str
    text: str
    line: int | None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, recover=False, load_dtd=False
    )


def parse_tree(doc: Document) -> etree._Element:
    """The document's root element; malformed XML raises :class:`ImportFormatError`."""
    try:
        root = etree.fromstring(doc.data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(
            doc.name,
            f"malformed XML: {exc.msg}",
            line=exc.lineno,
            hint="not a valid EndNote XML export",
        ) from exc
    if root is None or root.tag != "xml":
        tag = None if root is None else root.tag
        raise ImportFormatError(
            doc.name, f"not an EndNote XML export (root element <{tag}>, expected <xml>)", line=1
        )
    return root


def element_text(element: etree._Element) -> str:
    """All text of ``element``; with ``<style>`` runs, only the runs (joined).

    Text between runs is layout of pretty-printed files, not part of the value.
    """
    runs = [child for child in element if child.tag in _TEXT_RUNS]
    if not runs:
        return "".join(element.itertext())
    return "".join("".join(run.itertext()) for run in runs)


def _is_leaf(element: etree._Element) -> bool:
    return all(
        not isinstance(child.tag, str) or child.tag in _TEXT_RUNS for child in element
    )


def leaves(record: etree._Element) -> tuple[list[Leaf], dict[str, str]]:
    """Text-bearing elements of ``record`` (document order) and its attributes by path."""
    found: list[Leaf] = []
    attributes: dict[str, str] = {}

    def walk(element: etree._Element, prefix: str) -> None:
        for child in element:
            if not isinstance(child.tag, str):  # comments, processing instructions
                continue
            path = f"{prefix}{child.tag}"
            for name, value in child.attrib.items():
                attributes.setdefault(f"{path}@{name}", value)
            if _is_leaf(child):
                text = element_text(child)
                if text.strip():
                    found.append(Leaf(path, text, child.sourceline))
            else:
                walk(child, path + "/")

    walk(record, "")
    return found, attributes


def _by_path(found: list[Leaf]) -> dict[str, list[Leaf]]:
    grouped: dict[str, list[Leaf]] = {}
    for leaf in found:
        grouped.setdefault(leaf.path, []).append(leaf)
    return grouped


def _set_from_sources(parsed: ParsedRecord, grouped: dict[str, list[Leaf]], used: set[str]) -> None:
    for name, paths in SOURCES.items():
        for path in paths:
            values = grouped.get(path, [])
            if not values or name in parsed.fields:
                continue
            if name == "doi" and not _DOI.search(values[0].text):
                continue  # EndNote also puts PIIs and other numbers here
            if name in ("authors", "keywords"):
                texts = [t for leaf in values for t in _split_lines(leaf.text)]
                parsed.set(name, texts, path, values[0].line)
            else:
                parsed.set(name, values[0].text, path, values[0].line)
            used.add(path)


def _split_lines(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[\r\n]+", text) if part.strip()]


def isbn_or_issn(text: str) -> str:
    """``"issn"`` when the value holds ISSNs only, else ``"isbn"``."""
    rest = _ISSN.sub("", text)
    if _ISSN.search(text) and len(re.findall(r"\d", rest)) < 10:
        return "issn"
    return "isbn"


def _set_isbn_issn(parsed: ParsedRecord, grouped: dict[str, list[Leaf]], used: set[str]) -> None:
    """EndNote's ``<isbn>`` holds ISSNs for journals and ISBNs for books."""
    for leaf in grouped.get("isbn", [])[:1]:
        parsed.set(isbn_or_issn(leaf.text), leaf.text, "isbn", leaf.line)
        used.add("isbn")


def _says_pubmed(grouped: dict[str, list[Leaf]]) -> bool:
    names = grouped.get("remote-database-name", []) + grouped.get("remote-database-provider", [])
    return any(_PUBMED_DB.search(leaf.text) for leaf in names)


def _set_pmid(parsed: ParsedRecord, grouped: dict[str, list[Leaf]], used: set[str]) -> None:
    """PMID from ``<accession-num>`` (digits, or PubMed/MEDLINE database), else notes."""
    for leaf in grouped.get("accession-num", [])[:1]:
        text = leaf.text.strip()
        if _PMID.match(text) or (_says_pubmed(grouped) and _PMID_LABELLED.fullmatch(text)):
            parsed.set("pmid", text, "accession-num", leaf.line)
            used.add("accession-num")
            return
    for leaf in grouped.get("notes", []):
        match = _PMID_IN_NOTES.search(leaf.text)
        if match:  # the notes stay in extra: they hold much more than the PMID
            parsed.set("pmid", match.group(1), "notes", leaf.line)
            return


def _extra(
    grouped: dict[str, list[Leaf]], attributes: dict[str, str], used: set[str]
) -> dict[str, object]:
    extra: dict[str, object] = {}
    for path, found in grouped.items():
        if path in used:
            continue
        texts = [leaf.text for leaf in found]
        extra[path] = texts[0] if len(texts) == 1 else texts
    extra.update(attributes)
    return extra


def record_from_element(element: etree._Element, position: int) -> ParsedRecord:
    """One ``<record>`` element as a :class:`ParsedRecord`."""
    found, attributes = leaves(element)
    grouped = _by_path(found)
    number = grouped.get("rec-number", [])
    parsed = ParsedRecord(
        position=position,
        line=element.sourceline,
        source_id=number[0].text.strip() or None if number else None,
    )
    used: set[str] = {"rec-number"} if number else set()
    _set_from_sources(parsed, grouped, used)
    _set_isbn_issn(parsed, grouped, used)
    _set_pmid(parsed, grouped, used)
    ref_type = grouped.get("ref-type", [])
    if ref_type:  # the name attribute; the number stays in extra with the attribute
        parsed.set("type", attributes.get("ref-type@name"), "ref-type", ref_type[0].line)
    parsed.extra = _extra(grouped, attributes, used)
    return parsed


def read(doc: Document) -> list[ParsedRecord]:
    """Parse an EndNote XML export into records in file order.

    Files written on a single line (EndNote 20, Mendeley) give every record
    line 1; ``position`` still tells them apart.
    """
    root = parse_tree(doc)
    return [
        record_from_element(element, position)
        for position, element in enumerate(root.iter("record"), start=1)
    ]
