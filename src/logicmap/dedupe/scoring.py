"""Score a candidate pair: a probability-like score in [0, 1] plus an explanation.

The model is a hand-set Fellegi-Sunter comparison, like splink's: each field
comparison lands on a level (agree / close / differ / missing) that carries a
log2 Bayes factor from :data:`WEIGHTS`; the factors are summed with a prior and
turned into a score with the logistic function. Missing values weigh nothing,
so sparse records neither merge nor split on absent evidence.

Two title rules look at the citation first: a translated title at the same
citation (first author, or the journal when one author list is missing; year,
volume, first page; the whole page range for a supplement item) does not
count against a pair, and one title inside the other (a section heading or
lead-in added, a subtitle dropped) at the same journal, volume and first page,
or by the same first author in the same year on the same page range, counts
as a close title. A year written as the volume ("2016" vs 94) is no
difference; the same author set in another order counts as a close first
author, and all authors shared weigh more than most of them.

After that, *guards* cap the score for pairs that look alike but are known to
be different publications (:func:`_guards`):

* ``kind``: an erratum/corrigendum, retraction, comment or reply never merges
  with an ordinary item (nor with a different kind);
* ``recurring``: a column that recurs issue after issue ("Editor's
  Comments") in two different issues (each starts on page iii), without a
  shared DOI/PMID;
* ``part``: "Part 1" vs "Part 2", "I" vs "II", or different numbers in titles
  (a soft cap at "review"; not when journal, volume and first page agree, where
  a differing number is a typo: "p6INK4a" for "p16INK4a");
* ``shared_doi``: the same DOI on clearly different titles or on different
  first pages (conference-supplement DOIs shared by many abstracts) counts
  as no DOI evidence at all;
* ``years``: years more than one apart without a shared DOI/PMID, unless
  journal, volume and first page agree (then the year is a typo);
* ``conference``: a conference abstract (meeting/supplement venue, or a
  supplement page such as S354) and a journal article with numeric pages are
  different publications when journal, volume or year differ and the pages
  do not agree. This follows the ASySD gold
  standard, which keeps e.g. a Circulation meeting abstract and the later
  Int J Cardiol paper with the same title as two records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz

from logicmap.dedupe.citation import (
    any_journal_agrees,
    contained_at_same_place,
    names_close,
    pages_agree,
    pages_near,
    same_citation,
)
from logicmap.dedupe.keys import DedupeKeys

#: log2 Bayes factors per comparison level (positive: evidence for a duplicate).
WEIGHTS: dict[str, float] = {
    "prior": -6.0,
    "title_exact": 7.0,
    "title_high": 5.5,
    "title_close": 2.5,
    "title_weak": -2.0,
    "title_differ": -8.0,
    "title_short_cap": 2.0,
    "title_translated": 1.0,
    "doi_agree": 6.0,
    "doi_differ": -5.0,
    "pmid_agree": 7.0,
    "pmid_differ": -6.0,
    "year_agree": 1.0,
    "year_near": -1.0,
    "year_differ": -5.0,
    "author_agree": 2.0,
    "author_close": 1.0,
    "author_differ": -1.5,
    "authors_overlap": 1.0,
    "authors_all": 1.5,
    "authors_disjoint": -1.0,
    "journal_agree": 1.5,
    "journal_differ": -3.0,
    "volume_agree": 1.0,
    "volume_differ": -2.0,
    "issue_agree": 0.5,
    "issue_differ": -0.5,
    "pages_agree": 2.5,
    "pages_differ": -4.0,
    "abstract_agree": 2.0,
    "abstract_differ": -1.0,
}

#: Score ceiling applied when a guard fires: clearly below any sensible review band.
GUARD_CAP = 0.05
#: Ceiling for softer guards (numbers differ in titles): at most "review".
SOFT_CAP = 0.6


#: Fields explained by every comparison, in this order.
EXPLAINED: tuple[str, ...] = (
    "title", "year", "authors", "journal", "volume", "issue", "pages", "abstract", "doi", "pmid",
)  # fmt: skip
NOT_COMPARED = "not compared (titles differ)"
_SIM_TEXT = tuple(f"{i / 100:.2f}" for i in range(101))


@dataclass(frozen=True, slots=True)
class PairComparison:
    """The outcome of comparing two records.

    ``agreements`` explains the score field by field, e.g. ``{"title": "0.98",
    "year": "agree", "pages": "differ: 221 vs 54", "doi": "missing"}``, plus a
    ``"guards"`` entry when a guard fired; ``guards`` names the guards that
    capped the score; ``veto`` is true when a hard guard declared the records
    different publications. The explanation is stored as a tuple of (mostly
    shared) strings in :data:`EXPLAINED` order, so that millions of compared
    pairs stay small; ``agreements`` builds the dict on access.
    """

    score: float
    explanation: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    veto: bool = False

    @property
    def agreements(self) -> dict[str, str]:
        """Field name → "agree" / "missing" / "differ: x vs y" / similarity text."""
        out = dict(zip(EXPLAINED, self.explanation))
        if self.guards:
            out["guards"] = "; ".join(self.guards)
        return out


def title_similarity(a: DedupeKeys, b: DedupeKeys) -> float:
    """Similarity of two titles in [0, 1]; 0.0 when either is missing.

    A bilingual "original; English" title is also compared by each half.
    """
    if not a.compact or not b.compact:
        return 0.0
    if a.compact == b.compact:
        return 1.0
    sim = _title_ratio(a, b)
    if sim < 0.97 and (a.title_alts or b.title_alts):
        for x, y in [(alt, b.compact) for alt in a.title_alts] + [(a.compact, alt) for alt in b.title_alts]:
            sim = max(sim, fuzz.ratio(x, y, score_cutoff=85) / 100.0)
    return sim


def _title_ratio(a: DedupeKeys, b: DedupeKeys) -> float:
    ratio = fuzz.ratio(a.compact, b.compact, score_cutoff=50)
    if ratio < 97:
        ratio = max(ratio, fuzz.token_sort_ratio(a.title, b.title, score_cutoff=50))
    shorter, longer = sorted((a.compact, b.compact), key=len)
    if len(shorter) >= 40 and longer.startswith(shorter):  # truncated title
        ratio = max(ratio, 95.0)
    return ratio / 100.0


def _compare_title(a: DedupeKeys, b: DedupeKeys, out: dict[str, str]) -> tuple[float, float]:
    if not a.compact or not b.compact:
        out["title"] = "missing"
        return 0.0, 0.0
    sim = title_similarity(a, b)
    out["title"] = _SIM_TEXT[round(sim * 100)]
    if sim >= 0.97:
        weight = WEIGHTS["title_exact"]
    elif sim >= 0.92:
        weight = WEIGHTS["title_high"]
    elif sim >= 0.85:
        weight = WEIGHTS["title_close"]
    elif sim >= 0.75:
        weight = WEIGHTS["title_weak"]
    else:
        weight = WEIGHTS["title_differ"]
    if min(a.words, b.words) < 3 or min(len(a.compact), len(b.compact)) < 15:
        weight = min(weight, WEIGHTS["title_short_cap"])
        out["title"] += " (short title)"
    return weight, sim


def _exact(name: str, x: str, y: str, out: dict[str, str]) -> float:
    if not x or not y:
        out[name] = "missing"
        return 0.0
    if x == y:
        out[name] = "agree"
        return WEIGHTS[f"{name}_agree"]
    out[name] = f"differ: {x} vs {y}"
    return WEIGHTS[f"{name}_differ"]


def _compare_volume(a: DedupeKeys, b: DedupeKeys, out: dict[str, str]) -> float:
    """Volumes; a magazine's year written as its volume ("2016" vs 94) is no difference."""
    weight = _exact("volume", a.volume, b.volume, out)
    if weight < 0 and (a.volume == str(a.year) or b.volume == str(b.year)):
        out["volume"] += " (a year as volume)"
        return 0.0
    return weight


def _compare_year(a: DedupeKeys, b: DedupeKeys, out: dict[str, str]) -> float:
    if a.year is None or b.year is None:
        out["year"] = "missing"
        return 0.0
    gap = abs(a.year - b.year)
    if gap == 0:
        out["year"] = "agree"
        return WEIGHTS["year_agree"]
    out["year"] = f"differ: {a.year} vs {b.year}"
    return WEIGHTS["year_near"] if gap == 1 else WEIGHTS["year_differ"]


def _compare_authors(a: DedupeKeys, b: DedupeKeys, out: dict[str, str]) -> float:
    if not a.first_author or not b.first_author:
        out["authors"] = "missing"
        return 0.0
    if a.first_author == b.first_author:
        weight, note = WEIGHTS["author_agree"], "first agree"
    elif names_close(a.first_author, b.first_author):
        weight, note = WEIGHTS["author_close"], "first close"
    elif a.first_author in b.givens or b.first_author in a.givens:
        weight, note = WEIGHTS["author_close"], "first swapped"
    elif len(a.authors) > 1 and a.authors == b.authors:
        weight, note = WEIGHTS["author_close"], "first reordered"
    else:
        weight, note = WEIGHTS["author_differ"], f"first differ: {a.first_author} vs {b.first_author}"
    if len(a.authors) > 1 and len(b.authors) > 1:
        shared = len(a.authors & b.authors)
        if shared * 2 < min(len(a.authors), len(b.authors)) and (a.givens or b.givens):
            shared = max(shared, len(a.authors & b.givens), len(b.authors & a.givens))  # names swapped
        overlap = shared / min(len(a.authors), len(b.authors))
        note += f", overlap {overlap:.2f}"
        if overlap == 1.0 and len(a.authors) == len(b.authors):
            weight += WEIGHTS["authors_all"]
        elif overlap >= 0.5:
            weight += WEIGHTS["authors_overlap"]
        elif overlap == 0:
            weight += WEIGHTS["authors_disjoint"]
    out["authors"] = note
    return weight


def _compare_journal(a: DedupeKeys, b: DedupeKeys, out: dict[str, str]) -> float:
    if a.issns & b.issns:
        out["journal"] = "agree (issn)"
        return WEIGHTS["journal_agree"]
    if not a.journal or not b.journal:
        out["journal"] = "missing"
        return 0.0
    if any_journal_agrees(a, b):
        out["journal"] = "agree"
        return WEIGHTS["journal_agree"]
    out["journal"] = f"differ: {' '.join(a.journal)} vs {' '.join(b.journal)}"
    return WEIGHTS["journal_differ"]


def _compare_pages(a: DedupeKeys, b: DedupeKeys, out: dict[str, str]) -> float:
    agree = pages_agree(a, b)
    if agree is None:
        out["pages"] = "unreliable" if (a.pages_unreliable or b.pages_unreliable) else "missing"
        return 0.0
    if agree:
        out["pages"] = "agree"
        return WEIGHTS["pages_agree"]
    if pages_near(a, b):
        out["pages"] = f"near: {a.first_page} vs {b.first_page}"
        return 0.0
    out["pages"] = f"differ: {a.first_page} vs {b.first_page}"
    return WEIGHTS["pages_differ"]


def _compare_abstract(a: DedupeKeys, b: DedupeKeys, out: dict[str, str]) -> float:
    if len(a.abstract) < 40 or len(b.abstract) < 40:
        out["abstract"] = "missing"
        return 0.0
    size = min(len(a.abstract), len(b.abstract))
    if fuzz.ratio(a.abstract[:size], b.abstract[:size], score_cutoff=85):
        out["abstract"] = "agree"
        return WEIGHTS["abstract_agree"]
    out["abstract"] = "differ"
    return WEIGHTS["abstract_differ"]


def _same_place(out: dict[str, str]) -> bool:
    """Whether journal, volume and first page agree (a typo elsewhere is no reason to doubt)."""
    return out.get("pages") == "agree" and out.get("volume") == "agree" and out.get("journal", "").startswith("agree")


def _guards(a: DedupeKeys, b: DedupeKeys, sim: float, out: dict[str, str], ids: bool) -> list[str]:
    """Names of the hard guards that fire (see the module docstring)."""
    fired = []
    if a.kind != b.kind:
        fired.append(f"kind: {a.kind or 'article'} vs {b.kind or 'article'}")
    if a.part and b.part and a.part != b.part:
        fired.append(f"part: {a.part} vs {b.part}")
    if (a.recurring or b.recurring) and a.issue and b.issue and a.issue != b.issue and not ids:
        fired.append(f"recurring column: issue {a.issue} vs {b.issue}")
    if not ids and a.year is not None and b.year is not None and abs(a.year - b.year) > 1:
        if sim >= 0.75 and not _same_place(out):
            fired.append(f"years: {a.year} vs {b.year} with similar titles")
    if not ids and a.conference != b.conference and sim >= 0.75:
        article = b if a.conference else a
        venue_differs = any(out.get(f, "").startswith("differ") for f in ("journal", "volume", "year"))
        if article.page_digits and not article.first_page[:1].isalpha() and venue_differs:
            if out.get("pages") != "agree":
                fired.append("conference: abstract vs journal article")
    return fired


def compare(a: DedupeKeys, b: DedupeKeys) -> PairComparison:
    """Compare two records' keys: score in [0, 1], per-field explanation, guards."""
    out: dict[str, str] = {}
    total = WEIGHTS["prior"]
    title_weight, sim = _compare_title(a, b, out)
    if title_weight < 0 and (a.translated or b.translated) and same_citation(a, b):
        # two translations of one title share their terms (drug, disease) but little else
        title_weight = WEIGHTS["title_close" if sim >= 0.75 else "title_translated" if sim >= 0.5 else "title_weak"]
        title_weight = max(title_weight, 0.0)
        out["title"] += " (translated; same citation)"
    elif title_weight < WEIGHTS["title_high"] and contained_at_same_place(a, b):
        title_weight = WEIGHTS["title_high"]
        out["title"] += " (one inside the other; same place)"
    total += title_weight
    total += _compare_year(a, b, out)
    total += _compare_authors(a, b, out)
    decided = title_weight <= WEIGHTS["title_differ"] and not (a.doi and a.doi == b.doi)
    if decided:  # titles clearly differ: journal/abstract cannot lift the pair out of "distinct"
        out["journal"] = out["abstract"] = NOT_COMPARED
    else:
        total += _compare_journal(a, b, out)
    total += _compare_volume(a, b, out)
    total += _exact("issue", a.issue, b.issue, out)
    pages = _compare_pages(a, b, out)
    total += pages
    if not decided:
        total += _compare_abstract(a, b, out)

    doi_weight = _exact("doi", a.doi, b.doi, out)
    shared_doi_doubt = doi_weight > 0 and ((a.compact and b.compact and sim < 0.75) or pages < 0)
    if shared_doi_doubt:
        out["doi"] = "agree but shared by different items (ignored)"
        doi_weight = 0.0
    total += doi_weight
    pmid_weight = _exact("pmid", a.pmid, b.pmid, out)
    total += pmid_weight
    ids = doi_weight > 0 or pmid_weight > 0

    soft = []
    if a.numbers and b.numbers and a.numbers != b.numbers and not (ids or _same_place(out)):
        soft.append("numbers: " + " ".join(sorted(a.numbers ^ b.numbers)))
    fired = _guards(a, b, sim, out, ids)
    score = 1.0 / (1.0 + math.pow(2.0, -total)) if total > -60 else 0.0
    if fired:
        score = min(score, GUARD_CAP)
    elif soft:
        score = min(score, SOFT_CAP)
    explanation = tuple(out.get(name, "missing") for name in EXPLAINED)
    return PairComparison(round(score, 6), explanation, tuple(fired + soft), bool(fired))
