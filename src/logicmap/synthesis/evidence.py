"""Vote counting, the sign test and the evidence grade of one logic-model link.

Synthesis without meta-analysis (SWiM, Campbell et al. 2020, BMJ 368:l6890) allows vote
counting *on the direction of effect* with a sign test, never on statistical significance.
This module holds those rules as pure functions.

Direction summary (Thomson & Thomson's effect-direction plot threshold): among the studies
that measured the link's outcome (benefit, no difference, harm, mixed), a direction held by
at least 70 % of them is the link's direction; otherwise the link is ``mixed``. A link no study
measured (for example mechanism -> process) is ``not_measured``.

Evidence grade, applied in order (documented in :data:`GRADE_RULES`):

1. ``hypothesised``: no study supports the link.
2. Base level: ``strong`` with >= 3 studies of which >= 2 are randomised;
   ``moderate`` with >= 3 studies, or >= 2 studies of which >= 1 is randomised;
   ``limited`` otherwise (one study, or two non-randomised studies).
3. Inconsistency: a link whose direction is ``mixed`` drops one level (not below ``limited``).
4. Inference: a link that no study states explicitly (chain or co-occurrence only) is at most
   ``moderate``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from math import comb

#: Directions counted in votes, in display order.
VOTE_KEYS: tuple[str, ...] = ("benefit", "no_difference", "harm", "mixed", "not_measured")
#: Grades from strongest to weakest.
GRADES: tuple[str, ...] = ("strong", "moderate", "limited", "hypothesised")
#: Share of measuring studies one direction needs to be the link's direction.
CONSISTENCY_THRESHOLD = 0.7
GRADE_RULES: tuple[str, ...] = (
    "hypothesised: no study supports the link (a codebook hypothesis).",
    "strong: at least 3 studies, at least 2 of them randomised.",
    "moderate: at least 3 studies, or at least 2 studies with at least 1 randomised.",
    "limited: any other support (one study, or two non-randomised studies).",
    "A link whose studies disagree in direction (no direction held by 70% of the studies that measured it) drops one level, not below limited.",
    "A link no study states explicitly (supported only by chains: both ends reported in the same study) is at most moderate.",
)


def sign_test(benefit: int, harm: int) -> float | None:
    """Exact two-sided binomial sign test of ``benefit`` vs ``harm`` votes (p = 0.5).

    Studies with no difference or mixed results are left out, as SWiM's sign test does.
    Returns None when there is no vote for either side.
    """
    if benefit < 0 or harm < 0:
        raise ValueError("vote counts must not be negative")
    n = benefit + harm
    if n == 0:
        return None
    k = min(benefit, harm)
    tail = sum(comb(n, i) for i in range(k + 1))
    return min(1.0, 2 * tail / 2**n)


def vote_count(directions: Iterable[str | None]) -> dict[str, int]:
    """Votes per direction (None counts as ``not_measured``), every key present."""
    counts = Counter(d or "not_measured" for d in directions)
    return {key: counts.get(key, 0) for key in VOTE_KEYS}


def summary_direction(votes: dict[str, int]) -> str:
    """The link's direction from its votes (see the module docstring)."""
    measured = {k: votes.get(k, 0) for k in ("benefit", "no_difference", "harm", "mixed")}
    total = sum(measured.values())
    if total == 0:
        return "not_measured"
    for key in ("benefit", "no_difference", "harm"):
        if measured[key] / total >= CONSISTENCY_THRESHOLD:
            return key
    return "mixed"


@dataclass(frozen=True)
class GradeInput:
    """What the grade of one link depends on."""

    n_studies: int
    n_randomised: int
    direction: str
    any_explicit: bool
    direct_effect: bool  # lifts the cap of rule 4 (build_model passes False: only explicit links are uncapped)


def grade(g: GradeInput) -> str:
    """The evidence grade of a link by :data:`GRADE_RULES`."""
    if g.n_studies == 0:
        return "hypothesised"
    if g.n_studies >= 3 and g.n_randomised >= 2:
        level = 0
    elif g.n_studies >= 3 or (g.n_studies >= 2 and g.n_randomised >= 1):
        level = 1
    else:
        level = 2
    if g.direction == "mixed":
        level = min(level + 1, 2)
    if not g.any_explicit and not g.direct_effect:
        level = max(level, 1)
    return GRADES[level]
