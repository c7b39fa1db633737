"""Comparison keys: everything deduplication compares, computed once per record.

:func:`dedupe_keys` turns a normalised :class:`~logicmap.records.record.Record`
into a compact, hashable :class:`DedupeKeys`. Blocking and scoring only ever
look at keys, never at records, so the cleaning rules live in this one module.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from logicmap.dedupe.annotations import (
    bilingual_parts,
    has_translation_marks,
    is_recurring,
    journal_alternatives,
    page_ranges,
    split_citation_notice,
    strip_database_notes,
)
from logicmap.records.normalise import normalise_doi
from logicmap.records.record import Record

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "µ": "mu", "π": "pi", "σ": "sigma", "τ": "tau", "ω": "omega",
}  # fmt: skip
_GREEK_RE = re.compile("|".join(_GREEK))
_MARKUP = re.compile(r"</?(?:sup|sub|inf|i|b|em|strong|u|scp)\s*/?>", re.IGNORECASE)
#: "[Russian]", "[Article in German]", "(author's transl)" at the end of a title
_LANG_SUFFIX = re.compile(
    r"\s*[\[(](?:article in |in )?[A-Za-z]+(?: [A-Za-z]+){0,3}(?: abstract)?[\])]\s*$|"
    r"\s*\(author'?s transl\)\s*$",
    re.IGNORECASE,
)
_LANGUAGES = frozenset(
    "russian german french spanish chinese japanese italian polish portuguese czech dutch "
    "hungarian turkish korean danish swedish norwegian finnish greek hebrew croatian serbian "
    "romanian bulgarian ukrainian slovak slovenian persian arabic lithuanian english".split()
)
_RETRACTED_MARK = re.compile(r"^\s*(?:retracted(?: article)?\s*[:.-]\s*)|\s*\[retracted\]\s*$", re.IGNORECASE)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_NON_WORD = re.compile(r"[^\w]+|_+")
_NUMBER = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")  # "10 000" -> "10000"
_PART = re.compile(
    r"\b(?:part|phase|paper|study|series|section)\s+(\d+|[ivx]{1,4}|one|two|three|four|[a-d])\b"
)
_TRAILING_ROMAN = re.compile(r"\b(i{1,3}|iv|v|vi{1,3})$")
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("erratum", re.compile(r"^(?:erratum|errata|corrigendum|correction|corrections|addendum)\b|"
                           r"\b(?:erratum|corrigendum)\b|\bcorrection to\b|"
                           r"\bvol \d+ pg \w+ \d{4}$")),  # Web of Science correction notices
    ("retraction", re.compile(r"^(?:retraction|notice of retraction|withdrawal|withdrawn|"
                              r"expression of concern)\b|\bretraction (?:notice|of|to)\b")),
    ("reply", re.compile(r"^(?:reply|response|author reply|authors reply|in reply|the authors reply)\b|"
                         r"\breply to\b|\bresponse to (?:the )?(?:comment|letter|letters)\b|"
                         r"\breply$")),  # "<letter's title> - Reply", "... AUTHORS REPLY"
    ("comment", re.compile(r"^(?:comment|commentary|re|letter|editorial comment)\b|\bcomment on\b|"
                           r"\bcomments on\b")),
)  # fmt: skip
#: words that must occur for a title to be an erratum/retraction/reply/comment
_KIND_WORDS = frozenset(
    "erratum errata corrigendum correction corrections addendum retraction withdrawal withdrawn "
    "expression reply response comment comments commentary re letter editorial".split()
)
_PART_WORDS = frozenset("part phase paper study series section".split())
_JOURNAL_STOP = frozenset("of the and in for on de la le der und des du et a an y fur del di per d l".split())
_CONFERENCE = re.compile(
    r"conference|congress|meeting|symposium|proceedings|abstracts?\b|suppl|supplement|annual", re.I
)
_SUPPLEMENT_PAGE = re.compile(r"^[a-df-z]\d+", re.IGNORECASE)  # S354, A295, i428 (not e0137960)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_MANGLED = re.compile(rf"^(?:\d{{1,2}}-(?:{_MONTHS})[a-z]*|(?:{_MONTHS})[a-z]*-\d{{1,4}})$", re.I)
_INITIALS = re.compile(r"(?:[A-Z]\.?[\s-]*)+")
_NO_STARTS: frozenset[str] = frozenset()
_PAGE_SPLIT = re.compile(r"[-\u2010-\u2015\s.,;:]+")
_PAGE_PREFIX = re.compile(r"^(?:pp?\.\s*|pp?\s+|pages?\s*:?\s*)(?=[a-z]?\d)", re.IGNORECASE)
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_ABSTRACT_LEN = 150


@dataclass(frozen=True, slots=True)
class DedupeKeys:
    """Cleaned values one record is compared on (empty string / None = missing).

    ``title`` is casefolded, accent-stripped and punctuation-free, without a
    language suffix, markup, database notes (see annotations) or "RETRACTED:"
    mark; ``compact`` is the same without spaces (so "K<inf>Ca</inf>3.1" and
    "KCa3.1" agree); ``title_alts`` the compact halves of a bilingual
    "original; English" title. ``kind`` is "" for an ordinary item or one of
    erratum/retraction/reply/comment; ``part`` the part or phase number;
    ``numbers`` the digit runs of the title. ``journal`` is the first name of
    the journal field, ``journal_alts`` its other names (``= X``, ``[X]``);
    ``page_starts`` the first pages of a field with several page ranges;
    ``last_page`` the digits of a range's last page written out ("221-8" ->
    "228"; "" for a single page); ``mangled_pages`` the folded pages field
    when Excel turned it into a date ("01-Aug"), so two copies of one mangled
    export can still agree.
    ``givens`` holds the authors' given names written out (two letters or more),
    to recognise family and given name swapped ("Wei, Zhang" for "Zhang, W.").
    ``recurring``: the title is a column that recurs issue after issue
    ("Editor's Comments", "In this issue"; see :func:`is_recurring`).
    ``translated``: the title shows it was translated, or the record's language
    is not English (see :func:`is_translated`).
    """

    title: str
    compact: str
    title_alts: tuple[str, ...]
    words: int
    numbers: frozenset[str]
    part: str
    kind: str
    first_author: str
    authors: frozenset[str]
    givens: frozenset[str]
    year: int | None
    journal: tuple[str, ...]
    journal_alts: tuple[tuple[str, ...], ...]
    issns: frozenset[str]
    volume: str
    issue: str
    first_page: str
    page_digits: str
    pages_unreliable: bool
    mangled_pages: str
    last_page: str
    page_starts: frozenset[str]
    conference: bool
    recurring: bool
    translated: bool
    doi: str
    pmid: str
    abstract: str


def fold(text: str | None) -> str:
    """Casefold, strip accents, map Greek letters to names, punctuation to spaces.

    HTML entities are decoded first ("&amp;" is "&", "&beta;" is "β").
    """
    if not text:
        return ""
    if "&" in text and ";" in text:
        text = html.unescape(text)
    if text.isascii():
        return " ".join(_NON_WORD.sub(" ", text.lower()).split())
    text = _GREEK_RE.sub(lambda m: f" {_GREEK[m.group(0)]} ", text)
    text = unicodedata.normalize("NFKD", text)
    text = _COMBINING.sub("", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def strip_title(title: str | None) -> str:
    """The title without markup, language suffix, enclosing brackets or retraction mark."""
    if not title:
        return ""
    text = _MARKUP.sub("", title).strip() if "<" in title else title.strip()
    text = strip_database_notes(text)
    for _ in range(2):
        if not text.endswith(("]", ")")):
            break
        match = _LANG_SUFFIX.search(text)
        if match and (match.group(0).lower().strip(" []()").split() or [""])[-1] in _LANGUAGES | {
            "transl", "abstract"}:  # fmt: skip
            text = text[: match.start()].rstrip(" .")
    if "retracted" in text.lower():
        text = _RETRACTED_MARK.sub("", text).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    elif text.startswith("[") and "]" not in text:
        text = text[1:]
    return text.strip(" .")


_ENGLISH = frozenset({"", "en", "eng", "english"})
#: function words of German, French, Spanish, Portuguese, Italian, Dutch that English titles do not use
_FOREIGN_WORDS = frozenset(
    "und der die das für fur zum zur des dem den eines einer mit auf aus bei nach über uber "
    "les pour dans une sur avec chez aux du et "
    "los las por una entre sobre como "
    "uma nas pelo pela "
    "della delle degli nella nelle sulla "
    "een het voor naar bij".split()
)  # not "von", "del", "nos", "em", "para", "dos": von Willebrand, del(17p), NOS, EM, para-, DOS


def is_translated(title: str | None, language: str | None) -> bool:
    """Whether a record's title is (or comes with) a translation: marks in the title
    (see annotations), a language suffix ("[Russian]"), a non-English language, or
    two function words of another language ("Zum aktuellen Stand des ...")."""
    if (language or "").strip().lower() not in _ENGLISH:
        return True
    if not title:
        return False
    if len(_FOREIGN_WORDS.intersection(fold(title).split())) >= 2:
        return True
    if title.rstrip().endswith(("]", ")")):
        match = _LANG_SUFFIX.search(title.rstrip(" ."))
        if match and (match.group(0).lower().strip(" []()").split() or [""])[-1] in _LANGUAGES:
            return True
    return has_translation_marks(title)


def title_kind(folded: str) -> str:
    """"erratum", "retraction", "reply", "comment" or "" for an ordinary item."""
    if _KIND_WORDS.isdisjoint(folded.split()) and " pg " not in folded:
        return ""
    for kind, pattern in _KINDS:
        if pattern.search(folded):
            return kind
    return ""


def title_part(folded: str) -> str:
    """The part/phase marker of a title ("part 2" -> "2", trailing "ii" -> "ii")."""
    match = None if _PART_WORDS.isdisjoint(folded.split()) else _PART.search(folded)
    if match:
        value = match.group(1)
        return {"one": "1", "two": "2", "three": "3", "four": "4", "i": "1", "ii": "2",
                "iii": "3", "iv": "4"}.get(value, value)  # fmt: skip
    match = _TRAILING_ROMAN.search(folded)
    if match and len(folded.split()) > 3:
        return {"i": "1", "ii": "2", "iii": "3", "iv": "4"}.get(match.group(1), match.group(1))
    return ""


@lru_cache(maxsize=65536)
def given_key(author: str) -> str:
    """The folded given name of a ``"Family, Given"`` author when written out ("" for initials)."""
    raw = author.partition(",")[2].strip()
    if not raw or _INITIALS.fullmatch(raw):
        return ""
    given = fold(raw).replace(" ", "")
    return given if len(given) >= 2 else ""


@lru_cache(maxsize=65536)
def family_key(author: str) -> str:
    """The folded family name of a ``"Family, Given"`` author, letters only."""
    family = author.split(",", 1)[0]
    return fold(family).replace(" ", "")


def normalise_doi_key(doi: str | None) -> str:
    """A bare DOI: URL-encoding undone (``%28`` -> ``(``), no ``https://doi.org/`` or
    ``doi:`` prefix, no ``[doi]`` tag, lower-case, no trailing dot."""
    if not doi:
        return ""
    text = unquote(doi) if "%" in doi else doi
    if text.startswith("10.") and not any(ch in text for ch in " [;,"):
        return text.rstrip(".").lower()  # already bare
    return normalise_doi(text) or text.strip().rstrip(".").lower()


@lru_cache(maxsize=16384)
def journal_tokens(journal: str | None) -> tuple[str, ...]:
    """Journal name tokens without stopwords, parentheses or conference/subtitle tails."""
    if not journal:
        return ()
    text = re.sub(r"\([^)]*\)", " ", journal)
    text = re.split(r"\.\s*conference\b|:", text, maxsplit=1, flags=re.IGNORECASE)[0]
    return tuple(t for t in fold(text).split() if t not in _JOURNAL_STOP)


def _leading_number(value: str | None) -> str:
    if not value or _MANGLED.match(value.strip()):
        return ""
    match = re.match(r"\s*(\d+)", value)
    return match.group(1).lstrip("0") or "0" if match else ""


def page_keys(pages: str | None) -> tuple[str, str, bool]:
    """``(first page, its digits, unreliable)``; Excel-mangled pages ("11-Sep") are unreliable.

    Of several ranges ("230-5, 246-51") the first counts; a bare "Suppl-29" has no first page.
    """
    if not pages:
        return "", "", False
    text = pages.strip().strip('"').strip()
    if not text:  # whitespace or quotes only
        return "", "", False
    if _MANGLED.match(text):
        return "", "", True
    if "pagination" in text.lower():
        return "", "", False
    ranges = page_ranges(text) if ("," in text or "+" in text or text[0] in "Ss") else [text]
    if not ranges:
        return "", "", False
    head = _PAGE_PREFIX.sub("", ranges[0]) if ranges[0][0] in "Pp" else ranges[0]
    first = _PAGE_SPLIT.split(head, maxsplit=1)[0].lower()
    digits = first if first.isdigit() else "".join(ch for ch in first if ch.isdigit())
    return first, digits.lstrip("0"), False


_RANGE_END = re.compile(r"^[a-z]?\d+\s*[-\u2010-\u2015]+\s*[a-z]?(\d+)\s*$", re.IGNORECASE)


def last_page(pages: str | None, first_digits: str) -> str:
    """The digits of the last page of a single range, written out ("221-8" -> "228");
    "" for one page, a list of ranges or no pages."""
    if not pages or not first_digits or "," in pages or "+" in pages:
        return ""
    text = _PAGE_PREFIX.sub("", pages.strip()) if pages.strip()[:1] in "Pp" else pages.strip()
    match = _RANGE_END.match(text)
    if not match:
        return ""
    end = match.group(1).lstrip("0")
    if len(end) < len(first_digits):
        end = first_digits[: len(first_digits) - len(end)] + end
    return end if end != first_digits else ""


def page_starts(pages: str | None) -> frozenset[str]:
    """The first-page digits of every range when ``pages`` lists several (else empty)."""
    if not pages or ("," not in pages and "+" not in pages):
        return _NO_STARTS
    ranges = page_ranges(pages)
    if len(ranges) < 2:
        return _NO_STARTS
    return frozenset(page_keys(r)[1] for r in ranges) - {""}


#: Embase's "Journal.Conference: Name of the meeting Place." (the meeting is another name)
_MEETING = re.compile(r"\.\s*conference\s*:\s*(.+)$", re.IGNORECASE)


def _journal_keys(journal: str | None) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The first journal name's tokens and the other names' tokens (a meeting named
    after ".Conference:" is one of them, and so is a name with its subtitle)."""
    if not journal:
        return (), ()
    meeting = _MEETING.search(journal)
    extra = (journal_tokens(meeting.group(1)),) if meeting else ()
    if ":" in journal and not meeting:  # "tripleC: Communication, ..." is also "Triplec-Communication ..."
        extra = (journal_tokens(journal.replace(":", " ")),)
    if "[" not in journal and "=" not in journal and "/" not in journal:
        return journal_tokens(journal), tuple(filter(None, extra))
    names = [journal_tokens(n) for n in journal_alternatives(journal)]
    names = [n for n in names + list(extra) if n]
    return (names[0] if names else ()), tuple(names[1:])


def is_conference(record: Record, first_page: str) -> bool:
    """Whether a record looks like a conference abstract / supplement item."""
    venue = " ".join(v for v in (record.journal, record.volume, record.issue, record.type) if v)
    return bool(_CONFERENCE.search(venue)) or bool(_SUPPLEMENT_PAGE.match(first_page))


#: One shared empty set (CPython makes a new 216-byte one per ``frozenset()``; a million keys
#: hold several empty sets each).
_EMPTY: frozenset[str] = frozenset()


def _small(values) -> frozenset[str]:
    """``frozenset(values)``, the shared empty set when there is none."""
    found = frozenset(values)
    return found if found else _EMPTY


def dedupe_keys(record: Record) -> DedupeKeys:
    """Compute the comparison keys of one record (pure; never raises on missing fields)."""
    stripped, notice = split_citation_notice(strip_title(record.title))
    title = fold(stripped)
    alts = tuple(fold(part).replace(" ", "") for part in bilingual_parts(stripped))
    journal, journal_alts = _journal_keys(record.journal)
    first_page, page_digits, unreliable = page_keys(record.pages)
    families = [family_key(a) for a in record.authors]
    families = [f for f in families if f]
    issn_text = " ".join(v for v in (record.issn, record.isbn) if v)
    return DedupeKeys(
        title=title,
        compact=title.replace(" ", ""),
        title_alts=alts,
        words=len(title.split()),
        numbers=_small(_NUMBER.findall(_THOUSANDS.sub("", title))),
        part=title_part(title),
        kind=title_kind(title) or ("erratum" if notice else ""),
        first_author=sys.intern(families[0]) if families else "",
        authors=_small(families),
        givens=_small(filter(None, map(given_key, record.authors[:10]))),
        year=record.year,
        journal=journal,
        journal_alts=journal_alts,
        issns=_small(i.replace("-", "").upper() for i in _ISSN.findall(issn_text)),
        volume=_leading_number(record.volume),
        issue=_leading_number(record.issue),
        first_page=first_page,
        page_digits=page_digits,
        pages_unreliable=unreliable,
        mangled_pages=fold(record.pages) if unreliable else "",
        last_page=last_page(record.pages, page_digits),
        page_starts=_small(page_starts(record.pages)),
        conference=is_conference(record, first_page),
        recurring=is_recurring(title),
        translated=is_translated(record.title, record.language),
        doi=normalise_doi_key(record.doi),
        pmid=(record.pmid or "").strip(),
        abstract=fold((record.abstract or "")[: _ABSTRACT_LEN + 30])[:_ABSTRACT_LEN],
    )
