"""What databases add to titles, journals and pages that is not part of the work.

Bibliographic databases decorate the same paper differently, and a library that
mixes exports (Ovid MEDLINE, Embase, CINAHL, Web of Science, CENTRAL) carries
every variant:

* MEDLINE notes after the title: ``[Review] [45 refs]``, ``[Erratum appears in
  J Clin Virol. 2006 Oct;37(2):137]``, ``[Comment in: ...]``, ``[Retraction in
  ...]``, DARE's ``(Provisional abstract)``. These notes sit on the *original
  article*, so they are removed. The notes that sit on a notice about it
  (``[Erratum for: ...]``, ``[Retraction of: ...]``, ``[Comment on: ...]``) stay:
  they make the notice an erratum/retraction/comment that the kind guard keeps
  apart from the article;
* translated titles: ``Original-language title; English title``, an English
  title followed by the original in capitals (``... A randomized study.
  PROPHYLAXIE ANTIBIOTIQUE ...``) or ``[English title] TO: original``;
* journal names with alternatives: ``PLoS ONE [Electronic Resource]``,
  ``Ai zheng = Aizheng = Chinese journal of cancer``, ``Revista Panamericana de
  Salud Publica/Pan American Journal of Public Health``, ``Gan to Kagaku Ryoho
  [Japanese Journal of Cancer & Chemotherapy]``;
* the citation of the article a notice corrects, after the notice's title:
  Web of Science's ``(vol 360, pg 542, 2009)`` and Embase's ``(New England
  Journal of Medicine (2009) 360 (542-544))``. It is removed from the title
  (two copies of one notice then compare by the corrected article's title),
  and it makes the record an erratum, which the kind guard keeps apart from
  the article itself;
* columns that recur issue after issue under one title ("Editor's Comments",
  "In this issue"): the same title is no evidence of the same item there;
* pages listed as several ranges (``230-5, 246-51, 233-8``) or as a bare
  ``Suppl-29``.
"""

from __future__ import annotations

import re

#: a MEDLINE/CINAHL note about the record itself, up to the end of the title
#: (the closing bracket may be cut off by a field-length limit)
_NOTE = re.compile(
    r"\s*\.?\s*\[(?:erratum appears|erratum in\b|comments? in\b|retraction in\b|republished in\b|"
    r"update in\b|expression of concern in\b|summary for patients in\b|see comments?\b|"
    r"published erratum appears)"
    r"(?:[^\]]|\][^\s.])*(?:\]\s*)*$",
    re.IGNORECASE,
)
_REVIEW_NOTE = re.compile(
    r"(?:\s*\.?\s*\[(?:review|\d+\s*refs?|systematic review|meta-analysis|see comments?|"
    r"abstract(?: no\.?:?\s*\d+)?)\])+\s*$",
    re.I,
)
_DATABASE_NOTE = re.compile(
    r"\s*\((?:provisional abstract|structured abstract|brief record|abstract)\)\s*$", re.IGNORECASE
)
#: "[English title] TO: original" (Ovid's translated-title marker)
_TRANSLATED_ORIGINAL = re.compile(r"(?<=\])\s+TO:\s.*$")
#: a trailing original-language title in capitals: ". PROPHYLAXIE ANTIBIOTIQUE ET ..."
_LOWER = re.compile(r"[a-z]")
_CAPITAL_TAIL = re.compile(r"(?<=[.\]?!])\s+([^a-z]{12,})$")


def strip_database_notes(title: str) -> str:
    """``title`` without the notes databases append (see the module docstring)."""
    text = title.strip().strip('"').strip()
    if "[" not in text and not text.endswith(")") and not _capital_end(text):
        return text
    for _ in range(3):
        before = text
        if "[" in text:
            match = _NOTE.search(text)
            if match and len(text[: match.start()].split()) >= 3:
                text = text[: match.start()]
            text = _REVIEW_NOTE.sub("", text)
            text = _TRANSLATED_ORIGINAL.sub("", text)
        if text.endswith(")"):
            text = _DATABASE_NOTE.sub("", text)
        match = _CAPITAL_TAIL.search(text) if _capital_end(text) else None
        if match and _is_capital_title(match.group(1)) and re.search(r"[a-z]", text[: match.start()]):
            text = text[: match.start()]
        if text == before:
            break
    return text.strip()


def _capital_end(text: str) -> bool:
    """Whether the last twelve characters hold no lower-case letter (cheap test first)."""
    return _LOWER.search(text[-12:]) is None


def _is_capital_title(text: str) -> bool:
    """Whether ``text`` is a title set in capitals (four or more words of letters)."""
    words = [w for w in re.split(r"[\s.,;:-]+", text) if w]
    return len([w for w in words if w.isalpha() and len(w) > 1]) >= 4 and text.upper() == text


def has_translation_marks(title: str) -> bool:
    """Whether a title shows it was translated: a whole title in brackets (MEDLINE's
    mark), an original title after "TO:" or in capitals, or an "original; English" pair."""
    text = title.strip().strip('"').lstrip()
    if text.startswith("[") or "] TO: " in text or (";" in text and bilingual_parts(text)):
        return True
    if not _capital_end(text):
        return False
    match = _CAPITAL_TAIL.search(text)
    return bool(match and _is_capital_title(match.group(1)) and re.search(r"[a-z]", text[: match.start()]))


def bilingual_parts(title: str) -> tuple[str, ...]:
    """The halves of a ``"Original title; English title"`` (empty when not one).

    Both halves must have at least four words, so an ordinary title with a
    semicolon ("Diabetes; a review of ...") gives no short, generic half.
    """
    if title.count(";") != 1:
        return ()
    parts = tuple(p.strip(" .[]") for p in title.split(";"))
    if all(len(p.split()) >= 4 for p in parts):
        return parts
    return ()


def journal_alternatives(journal: str) -> tuple[str, ...]:
    """The names a journal field holds: the name itself, ``= X``, ``[X]`` parts, and
    both sides of ``A/B`` when each has three words or more (not "Neurology/Neurosurgery")."""
    bracketed = re.findall(r"\[([^\]]+)\]", journal)
    main = re.sub(r"\[[^\]]*\]", " ", journal).strip().strip('"')
    names = [n for n in re.split(r"\s+=\s+", main) if n.strip()]
    names = [part for name in names for part in _slash_parts(name)]
    names += [b for b in bracketed if b.strip().lower() not in {"electronic resource", "internet"}]
    return tuple(n.strip() for n in names)


def _slash_parts(name: str) -> list[str]:
    parts = re.split(r"(?<=[a-z])/(?=[A-Z])", name)
    return parts if len(parts) > 1 and all(len(p.split()) >= 3 for p in parts) else [name]


def page_ranges(pages: str) -> list[str]:
    """The ranges of a pages field: ``"230-5, 246-51"`` -> ``["230-5", "246-51"]``.

    A bare ``Suppl-29`` (supplement with the first page lost) gives no range.
    """
    text = pages.strip().strip('"').strip()
    if text[:5].lower() == "suppl" and not text[5:6].isalpha():
        return []
    if ("," in text or "+" in text) and re.search(r"\d\s*[,+]\s*\d", text):
        return [p.strip() for p in re.split(r"[,+]", text) if p.strip()]
    return [text] if text else []


#: "(vol 360, pg 542, 2009)" (Web of Science) or "(Journal Name (2009) 360 (542-544))" (Embase)
_CITATION_NOTICE = re.compile(
    r"\s*\(\s*(?:vol\.?\s*\w+\s*,\s*(?:pg|p)\.?\s*\w+\s*,\s*(?:19|20)\d{2}|"
    r"[A-Z][^()]{3,}?\s*\(\s*(?:19|20)\d{2}\s*\)[^()]{0,20}\([^()]*\d[^()]*\)\s*)\s*\)?\s*$",
    re.IGNORECASE,
)


def split_citation_notice(title: str) -> tuple[str, bool]:
    """``(title without a corrected article's citation, whether it had one)``."""
    if not title.endswith(")"):
        return title, False
    match = _CITATION_NOTICE.search(title)
    if not match or len(title[: match.start()].split()) < 3:
        return title, False
    return title[: match.start()].rstrip(" ."), True


_RECURRING = re.compile(
    r"\beditor s (?:comments?|notes?|remarks|introduction|column|corner|message)$|"
    r"^(?:guest )?editorials?$|^(?:a )?(?:letter|message|note|notes|remarks|words?) from the (?:editors?|editor in chief)\b|"
    r"^from the (?:editors?|editor in chief|president)\b|^in this issue$|^this issue$|"
    r"^(?:acknowledg(?:e)?ments? (?:to|of) )?reviewers?(?: acknowledg(?:e)?ments?| thanks| list)?$|"
    r"^(?:news|announcements?|calendar|books? received|preface|foreword|introduction)$"
)


def is_recurring(folded: str) -> bool:
    """Whether a folded title names a column that recurs in every issue
    ("Editor's Comments", "Remarks from the editor", "In this issue")."""
    return len(folded) < 80 and bool(_RECURRING.search(folded))
