"""Readers and writers, one module per format.

Every reader module exposes ``read(doc: Document) -> list[ParsedRecord]``; writer
modules expose ``write(records: Iterable[Record], fh: TextIO) -> int``. Modules are
imported lazily so that importing the package stays cheap.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: format name -> (module, human description)
READERS: dict[str, tuple[str, str]] = {
    "ris": ("logicmap.records.formats.ris", "RIS"),
    "medline": ("logicmap.records.formats.medline", "MEDLINE / PubMed .nbib"),
    "pubmed_xml": ("logicmap.records.formats.pubmed_xml", "PubMed XML"),
    "bibtex": ("logicmap.records.formats.bibtex", "BibTeX"),
    "endnote_xml": ("logicmap.records.formats.endnote_xml", "EndNote XML"),
    "wos_tagged": ("logicmap.records.formats.wos_tagged", "Web of Science field-tagged"),
    "ovid_tagged": ("logicmap.records.formats.ovid_tagged", "Ovid tagged"),
    "refer": ("logicmap.records.formats.refer", "EndNote/Refer tagged (%)"),
    "csv": ("logicmap.records.formats.tabular", "CSV/TSV (delimited text)"),
    "xlsx": ("logicmap.records.formats.xlsx", "Excel XLSX"),
}

WRITERS: dict[str, str] = {
    "ris": "logicmap.records.formats.ris",
    "csv": "logicmap.records.formats.tabular",
    "bibtex": "logicmap.records.formats.bibtex",
}

#: Formats whose reader takes the raw bytes (``Document.text`` is None).
BINARY_FORMATS = frozenset({"xlsx"})


def reader_module(fmt: str) -> ModuleType:
    """The module that reads ``fmt``."""
    return importlib.import_module(READERS[fmt][0])


def writer_module(fmt: str) -> ModuleType:
    """The module that writes ``fmt``."""
    return importlib.import_module(WRITERS[fmt])
