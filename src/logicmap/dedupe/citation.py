"""Whether two records cite the same place: journal names, first author, pages.

Helpers of :mod:`logicmap.dedupe.scoring` that look at a record's citation
rather than its title: abbreviation-aware journal names, family names that
differ by a particle or a slip, first pages that agree or slipped, and the
two rules built on them, "same citation" (for translated titles) and "one
title inside the other at the same place".
"""

from __future__ import annotations

from rapidfuzz import fuzz

from logicmap.dedupe.keys import DedupeKeys


def abbreviates(short: str, full: str) -> bool:
    """Whether ``short`` abbreviates ``full``: a prefix ("diab") or, from the
    same first letter, its letters in order ("dtsch" / "deutsche")."""
    if full.startswith(short) or short.startswith(full):
        return True
    if len(short) < 3 or short[0] != full[0] or len(short) >= len(full):
        return False
    rest = iter(full[1:])
    return all(ch in rest for ch in short[1:])


def journals_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two journal token lists name the same journal (abbreviation-aware).

    Tokens agree when one abbreviates the other (:func:`abbreviates`); the
    lists must have the same length, or, with at least three tokens, the shorter
    must match the start of the longer (a truncated or subtitled name).
    """
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) != len(long_) and len(short) < 3:
        return False
    for s, t in zip(short, long_):
        if not (abbreviates(s, t) if len(s) <= len(t) else abbreviates(t, s)):
            break
    else:
        return True
    return fuzz.ratio(" ".join(a), " ".join(b)) >= 90


def any_journal_agrees(a: DedupeKeys, b: DedupeKeys) -> bool:
    """Whether any name of ``a``'s journal field agrees with any of ``b``'s."""
    if journals_agree(a.journal, b.journal):
        return True
    if not (a.journal_alts or b.journal_alts):
        return False
    names_a, names_b = (a.journal, *a.journal_alts), (b.journal, *b.journal_alts)
    return any(journals_agree(x, y) for x in names_a for y in names_b)


def names_close(x: str, y: str) -> bool:
    """Family names that differ by a particle ("abdelaziz" / "aziz", "stpeter" / "peter"), a cut or a slip."""
    if x.startswith(y) or y.startswith(x) or fuzz.ratio(x, y) >= 80:
        return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 4 and long_.endswith(short)


def pages_agree(a: DedupeKeys, b: DedupeKeys) -> bool | None:
    """Whether the first pages agree (also as digits, in a list of ranges, or
    after an OCR slip); ``None`` when either is missing or Excel-mangled,
    unless both carry the same mangled text."""
    if a.mangled_pages and a.mangled_pages == b.mangled_pages:
        return True  # one Excel-mangled export ("01-Aug") copied twice
    if a.pages_unreliable or b.pages_unreliable or not a.first_page or not b.first_page:
        return None
    if a.first_page == b.first_page or (a.page_digits and a.page_digits == b.page_digits):
        return True
    if (a.page_starts or b.page_starts) and (a.page_starts or {a.page_digits}) & (b.page_starts or {b.page_digits}):
        return True  # the same ranges listed in another order
    x, y = a.page_digits, b.page_digits  # OCR slips: "i428" read as "1428"
    if x and y and len(x) >= 3 and len(y) >= 3 and (x.endswith(y) or y.endswith(x)):
        return True
    return False


def pages_near(a: DedupeKeys, b: DedupeKeys) -> bool:
    """First pages at most 3 apart in a journal article's numeric pagination
    (a slip: 676 for 678); never for conference abstracts, which sit on
    neighbouring supplement pages."""
    if a.conference or b.conference or not (a.first_page.isdigit() and b.first_page.isdigit()):
        return False
    return len(a.page_digits) >= 3 and abs(int(a.page_digits) - int(b.page_digits or 0)) <= 3


def same_citation(a: DedupeKeys, b: DedupeKeys) -> bool:
    """Same first author (or, one author list missing, the same journal), year,
    volume and first page. A conference abstract or supplement item needs the
    whole page range to agree (several abstracts share a supplement page)."""
    if not (a.year and a.year == b.year and a.volume and a.volume == b.volume):
        return False
    if (a.conference or b.conference) and not (a.last_page and a.last_page == b.last_page):
        return False
    if a.first_author and b.first_author:
        if not names_close(a.first_author, b.first_author):
            return False
    elif not (a.first_author or b.first_author) or not journals_match(a, b):
        return False
    return bool(pages_agree(a, b))


def journals_match(a: DedupeKeys, b: DedupeKeys) -> bool:
    """Whether the records share an ISSN or a journal name."""
    return bool(a.issns & b.issns) or bool(a.journal and b.journal and any_journal_agrees(a, b))


def contained_at_same_place(a: DedupeKeys, b: DedupeKeys) -> bool:
    """One title inside the other (a section heading or a lead-in added:
    "MEDICAL PROGRESS Atypical ...", "Thrombotic microangiopathy: can ...", or
    the subtitle dropped) at the same journal, volume and first page, or by
    the same first author in the same year on the same page range."""
    shorter, longer = sorted((a.compact, b.compact), key=len)
    if len(shorter) < 20 or shorter not in longer:
        return False
    if a.last_page and a.last_page == b.last_page and a.year == b.year and pages_agree(a, b):
        return bool(a.first_author and b.first_author and names_close(a.first_author, b.first_author))
    return bool(a.volume and a.volume == b.volume and pages_agree(a, b) and journals_match(a, b))
