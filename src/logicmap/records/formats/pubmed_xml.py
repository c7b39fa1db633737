"""PubMed XML reader (``PubmedArticleSet`` of ``PubmedArticle`` / ``PubmedBookArticle``).

Parsed with lxml without entity expansion or network access (``huge_tree`` for
large downloads). Each field keeps the line of the element it came from
(``element.sourceline``); the tag is the element name.
"""

from __future__ import annotations

from lxml import etree

from logicmap.records.record import Document, ImportFormatError, ParsedRecord

FORMAT = "PubMed XML"
ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False, recover=False
    )


def read(doc: Document) -> list[ParsedRecord]:
    """Read every PubMed article of ``doc`` (ImportFormatError for bad or foreign XML)."""
    root = parse_xml(doc)
    articles = list(root.iter(*ARTICLE_TAGS))
    if not articles:
        raise ImportFormatError(
            doc.name,
            f"no PubMed XML records found (root element <{root.tag}>, expected "
            "<PubmedArticleSet> with <PubmedArticle> elements)",
            line=1,
        )
    return [parse_article(el, position) for position, el in enumerate(articles, start=1)]


def parse_xml(doc: Document) -> etree._Element:
    """The root element of ``doc``; malformed XML raises ImportFormatError with its line."""
    if not doc.data.strip():
        raise ImportFormatError(doc.name, "empty file, expected PubMed XML", line=1)
    try:
        return etree.fromstring(doc.data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ImportFormatError(doc.name, f"malformed XML: {exc.msg}", line=line) from exc


def text_of(element: etree._Element | None) -> str:
    """All text inside ``element`` (inline markup such as <i> flattened)."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _set(parsed: ParsedRecord, name: str, element: etree._Element | None) -> None:
    """Set field ``name`` from an element's text, with its tag and line."""
    if element is not None:
        parsed.set(name, text_of(element), element.tag, element.sourceline)


def parse_article(article: etree._Element, position: int) -> ParsedRecord:
    """One PubmedArticle or PubmedBookArticle as a ParsedRecord."""
    citation = article.find("MedlineCitation")
    if citation is None:
        citation = article.find("BookDocument")
    if citation is None:
        citation = article
    pmid = citation.find("PMID")
    parsed = ParsedRecord(position, article.sourceline, source_id=text_of(pmid) or None)
    _set(parsed, "pmid", pmid)
    if article.tag == "PubmedBookArticle":
        _book_fields(parsed, citation)
    else:
        _journal_fields(parsed, citation)
    body = citation.find("Article")
    body = citation if body is None else body
    _set_abstract(parsed, body.find("Abstract"))
    _set_authors(parsed, body.find("AuthorList"))
    _set(parsed, "language", body.find("Language"))
    _set_types(parsed, body.findall("PublicationTypeList/PublicationType"))
    _set_keywords(parsed, citation)
    _set_ids(parsed, article, body)
    if not parsed.fields.get("title") and pmid is None:
        where = f"PubMed article at line {article.sourceline}"
        parsed.problem("title", f"{where} has no title and no PMID")
    return parsed


def _journal_fields(parsed: ParsedRecord, citation: etree._Element) -> None:
    """Title, journal, volume, issue, pages, year and ISSN of a journal article."""
    article = citation.find("Article")
    if article is None:
        return
    _set(parsed, "title", article.find("ArticleTitle"))
    if "title" not in parsed.fields:
        _set(parsed, "title", article.find("VernacularTitle"))
    journal = article.find("Journal")
    if journal is not None:
        _set(parsed, "journal", journal.find("Title"))
        _set(parsed, "volume", journal.find("JournalIssue/Volume"))
        _set(parsed, "issue", journal.find("JournalIssue/Issue"))
        _set_year(parsed, journal.find("JournalIssue/PubDate"))
        _set(parsed, "issn", journal.find("ISSN"))
        _extra(parsed, "ISOAbbreviation", journal.find("ISOAbbreviation"))
    _set_pages(parsed, article.find("Pagination"))
    _extra(parsed, "ISSNLinking", citation.find("MedlineJournalInfo/ISSNLinking"))
    _extra(parsed, "Country", citation.find("MedlineJournalInfo/Country"))
    if citation.get("Status"):
        parsed.extra["Status"] = citation.get("Status")


def _book_fields(parsed: ParsedRecord, document: etree._Element) -> None:
    """Title, book title (as journal), year, publisher and ISBN of a book (chapter)."""
    book = document.find("Book")
    _set(parsed, "title", document.find("ArticleTitle"))
    if book is None:
        return
    if "title" in parsed.fields:
        _set(parsed, "journal", book.find("BookTitle"))
    else:
        _set(parsed, "title", book.find("BookTitle"))
    _set_year(parsed, book.find("PubDate"))
    _set(parsed, "isbn", book.find("Isbn"))
    _set(parsed, "volume", book.find("Volume"))
    _extra(parsed, "PublisherName", book.find("Publisher/PublisherName"))


def _set_year(parsed: ParsedRecord, pub_date: etree._Element | None) -> None:
    """PubDate/Year, else the free-text MedlineDate (``2014 Jan-Apr``)."""
    if pub_date is None:
        return
    year = pub_date.find("Year")
    _set(parsed, "year", year if year is not None else pub_date.find("MedlineDate"))


def _set_pages(parsed: ParsedRecord, pagination: etree._Element | None) -> None:
    """MedlinePgn, else StartPage-EndPage."""
    if pagination is None:
        return
    medline = pagination.find("MedlinePgn")
    if medline is not None and text_of(medline):
        _set(parsed, "pages", medline)
        return
    start, end = pagination.find("StartPage"), pagination.find("EndPage")
    if start is not None and text_of(start):
        pages = text_of(start) + (f"-{text_of(end)}" if end is not None and text_of(end) else "")
        parsed.set("pages", pages, start.tag, start.sourceline)


def _set_abstract(parsed: ParsedRecord, abstract: etree._Element | None) -> None:
    """AbstractText sections joined; labelled ones as ``LABEL: text``."""
    if abstract is None:
        return
    sections = abstract.findall("AbstractText")
    parts = []
    for section in sections:
        text = text_of(section)
        label = section.get("Label")
        if text:
            parts.append(f"{label}: {text}" if label else text)
    if parts:
        parsed.set("abstract", " ".join(parts), "AbstractText", sections[0].sourceline)
    _extra(parsed, "CopyrightInformation", abstract.find("CopyrightInformation"))


def author_name(author: etree._Element) -> str:
    """``"LastName, ForeName"`` (Initials when no ForeName); CollectiveName as is."""
    collective = author.find("CollectiveName")
    if collective is not None:
        return text_of(collective)
    last = text_of(author.find("LastName"))
    given = text_of(author.find("ForeName")) or text_of(author.find("Initials"))
    return f"{last}, {given}" if last and given else last or given


def _set_authors(parsed: ParsedRecord, author_list: etree._Element | None) -> None:
    if author_list is None:
        return
    names = [author_name(a) for a in author_list.findall("Author")]
    parsed.set("authors", [n for n in names if n], "Author", author_list.sourceline)


def _set_types(parsed: ParsedRecord, types: list[etree._Element]) -> None:
    """The first PublicationType is the type; all of them stay in extra when several."""
    if types:
        _set(parsed, "type", types[0])
    if len(types) > 1:
        parsed.extra["PublicationTypeList"] = [text_of(t) for t in types]


def _set_keywords(parsed: ParsedRecord, citation: etree._Element) -> None:
    """Keywords, else MeSH descriptors; MeSH descriptors always kept as extra ``mesh``."""
    mesh = citation.findall("MeshHeadingList/MeshHeading/DescriptorName")
    if mesh:
        parsed.extra["mesh"] = [text_of(m) for m in mesh]
    keywords = citation.findall("KeywordList/Keyword")
    chosen = keywords or mesh
    if chosen:
        parsed.set("keywords", [text_of(k) for k in chosen], chosen[0].tag, chosen[0].sourceline)


def _set_ids(parsed: ParsedRecord, article: etree._Element, body: etree._Element) -> None:
    """DOI from ELocationID, else from the record's own ArticleIdList; all ids kept in extra."""
    ids = article.findall("PubmedData/ArticleIdList/ArticleId") or article.findall(
        "PubmedBookData/ArticleIdList/ArticleId"
    )
    if ids:
        parsed.extra["ArticleIdList"] = {el.get("IdType", ""): text_of(el) for el in ids}
    candidates = [e for e in body.findall("ELocationID") if e.get("EIdType") == "doi"]
    candidates += [e for e in ids if e.get("IdType") == "doi"]
    for element in candidates:
        _set(parsed, "doi", element)
    status = article.find("PubmedData/PublicationStatus")
    _extra(parsed, "PublicationStatus", status)


def _extra(parsed: ParsedRecord, key: str, element: etree._Element | None) -> None:
    if element is not None and text_of(element):
        parsed.extra[key] = text_of(element)
