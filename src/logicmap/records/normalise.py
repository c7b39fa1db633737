"""Normalisers: clean canonical values while the originals stay as provenance.

Every normaliser is idempotent (``f(f(x)) == f(x)``) so that a record written
and read back normalises to the same values.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from logicmap.records.record import FIELDS, LIST_FIELDS, ParsedRecord, Provenance, Record

_TAG = re.compile(r"</?[A-Za-z][\w:.\-]*(?:\s+[^<>]*?)?/?>")
_SPACE = re.compile(r"\s+")
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_PREFIX = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+|https?://doi\.)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_EMAIL_PAREN = re.compile(r"\s*\([^()]*@[^()]*\)")
_PARTICLES = frozenset(
    "van von der den de del della da di du dos das le la los las ter ten vander st".split()
)
_CORPORATE = re.compile(
    r"\b(group|organi[sz]ation|committee|consortium|collaborat\w*|association|institute|"
    r"society|university|team|network|council|investigators|foundation|agency|department|"
    r"centre|center|trust|alliance|board|panel|ministry|office|service)\b",
    re.IGNORECASE,
)


def clean_text(value: Any) -> str | None:
    """Remove HTML/JATS tags and entities, unify whitespace; None when empty."""
    if value is None:
        return None
    text = value if type(value) is str else str(value)
    if "<" in text or "&" in text:
        for _ in range(2):  # entities can hide tags: "&lt;i&gt;"
            text = _TAG.sub(" ", html.unescape(text))
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = " ".join(text.split())
    return text or None


def clean_title(value: Any) -> str | None:
    """A cleaned title without a trailing full stop (exports disagree on it)."""
    text = clean_text(value)
    if text is None:
        return None
    text = text.rstrip(" .")
    return text or None


def normalise_doi(value: Any) -> str | None:
    """Lower-cased bare DOI (``10.xxxx/...``) without URL or ``doi:`` prefix."""
    text = clean_text(value)
    if not text:
        return None
    text = _DOI_PREFIX.sub("", text.strip())
    match = _DOI.search(text)
    if not match:
        return None
    doi = match.group(0).rstrip(".,;)]}>'\"").lower()
    # "10.1234/." loses its whole suffix to the rstrip: no DOI (keeps f(f(x)) == f(x))
    return doi if doi.partition("/")[2] else None


def normalise_year(value: Any) -> int | None:
    """The first plausible four-digit year in ``value`` as an int."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1500 <= value <= 2099 else None
    if isinstance(value, float) and value.is_integer():
        return normalise_year(int(value))
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


def normalise_pmid(value: Any) -> str | None:
    """PubMed identifier digits (``PMID: 123`` and ``123 [pmid]`` accepted)."""
    text = clean_text(value)
    if not text:
        return None
    match = re.search(r"\d{1,9}", text)
    return match.group(0).lstrip("0") or None if match else None


def _is_initials(token: str) -> bool:
    return bool(_INITIALS.match(token.replace(".", "").replace("-", "") or "x")) and token[:1].isupper()


def normalise_author(value: Any) -> str | None:
    """One author as ``"Family, Given"`` (corporate names kept as they are)."""
    text = clean_text(value)
    if not text:
        return None
    if "@" in text:
        text = _EMAIL_PAREN.sub("", text)
    text = text.strip(" ;,")
    if not text:
        return None
    if "," in text:
        family, given = text.split(",", 1)
        family, given = family.strip(), given.strip(" ,")
        return f"{family}, {given}" if given else family
    if _CORPORATE.search(text):
        return text
    tokens = text.split(" ")
    if len(tokens) == 1:
        return text
    if all(_is_initials(tok) for tok in tokens[1:]):
        return f"{tokens[0]}, {' '.join(tokens[1:])}"
    first = next((i for i, tok in enumerate(tokens) if _is_initials(tok)), 0)
    if first > 1 and all(_is_initials(tok) for tok in tokens[first:]):
        return f"{' '.join(tokens[:first])}, {' '.join(tokens[first:])}"  # "Dos Santos H.B."
    cut = len(tokens) - 1
    while cut > 1 and tokens[cut - 1].lower() in _PARTICLES:
        cut -= 1
    if all(tok.lower() in _PARTICLES for tok in tokens[:cut]):
        return text  # "van den Hoven", "de Bree": a family name with no given name
    return f"{' '.join(tokens[cut:])}, {' '.join(tokens[:cut])}"


def normalise_authors(values: Any) -> list[str]:
    """A list of ``"Family, Given"`` names; one string with ``;`` separators is split."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    names: list[str] = []
    for value in values:
        text = value if type(value) is str else str(value)
        if "&" in text or not text.isascii():  # "&#59;" and NFC's ";" of U+037E split like ";"
            text = clean_text(text) or ""
        parts = text.split(";") if ";" in text else (text,)
        for part in parts:
            name = normalise_author(part)
            if name:
                names.append(name)
    return names


def normalise_keywords(values: Any) -> list[str]:
    """Keywords as a list of cleaned strings; ``;``-joined strings are split."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    keywords: list[str] = []
    for value in values:
        text = clean_text(value) or ""  # first: "&#59;" and NFC's ";" of U+037E split like ";"
        for part in text.split(";"):
            word = clean_text(part)
            if word and word not in keywords:
                keywords.append(word)
    return keywords


def normalise_pages(value: Any) -> str | None:
    """Page range with a plain hyphen (``"12-19"``)."""
    text = clean_text(value)
    if not text:
        return None
    return re.sub(r"\s*[\u2010-\u2015-]+\s*", "-", text).strip("-") or None


def normalise_issn(value: Any) -> str | None:
    """ISSN/ISBN values cleaned; several are joined with ``"; "``."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = clean_text(value)
    if not text:
        return None
    found = re.findall(r"\b\d{4}-?\d{3}[\dXx]\b", text)
    if found and len(text) < 60:
        unique = list(dict.fromkeys(f.upper() if "-" in f else f"{f[:4]}-{f[4:]}".upper() for f in found))
        return "; ".join(unique)
    return text


def normalise_plain(value: Any) -> str | None:
    """Default: cleaned text, lists joined with ``"; "``."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if v is not None)
    return clean_text(value)


NORMALISERS = {
    "title": clean_title,
    "abstract": clean_text,
    "authors": normalise_authors,
    "year": normalise_year,
    "doi": normalise_doi,
    "pmid": normalise_pmid,
    "keywords": normalise_keywords,
    "pages": normalise_pages,
    "issn": normalise_issn,
}


def normalise_value(name: str, value: Any) -> Any:
    """Normalise one canonical field value."""
    if name in LIST_FIELDS and isinstance(value, str):
        value = [value]
    return NORMALISERS.get(name, normalise_plain)(value)


#: (field, its normaliser, whether it is a list field), in FIELDS order
_PLAN = tuple((name, NORMALISERS.get(name, normalise_plain), name in LIST_FIELDS) for name in FIELDS)


def normalise_record(parsed: ParsedRecord) -> Record:
    """Normalise a parsed record, keeping each original value as provenance."""
    record = Record(
        position=parsed.position,
        line=parsed.line,
        source_id=parsed.source_id,
        label=parsed.label,
        extra=dict(parsed.extra),
    )
    fields, provenance = parsed.fields, record.provenance
    for name, normaliser, is_list in _PLAN:  # FIELDS order: the stored provenance keeps it
        raw = fields.get(name)
        if raw is None:
            continue
        original = raw.value
        value = normaliser([original] if is_list and isinstance(original, str) else original)
        if value is None or value == [] or value == "":
            continue
        setattr(record, name, value)
        provenance[name] = Provenance(raw.tag, raw.line, original)
    return record


def check_record(record: Record) -> list[str]:
    """Reasons a normalised record is unusable (empty list when it is fine)."""
    if not (record.title or record.abstract or record.doi or record.pmid):
        return ["record has no title, abstract, DOI or PMID"]
    return []
