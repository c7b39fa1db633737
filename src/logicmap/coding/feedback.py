"""Reviewers' feedback on suggested codes, as the suggestion model learns from it.

Feedback comes from two places: explicit verdicts on suggestions (accepted or
rejected) and the studies reviewers coded themselves (their codes accepted,
every other code rejected). Pure: no database, no scikit-learn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from logicmap.codebook.codes import Codebook
from logicmap.coding.codings import StoredCoding

#: Studies with feedback needed before a :class:`~logicmap.coding.suggestion_model.SuggestionModel` is fitted.
MIN_STUDIES = 8


@dataclass(frozen=True)
class Feedback:
    """A reviewer's verdict on code ``code`` for record ``record_id``."""

    record_id: str
    code: str
    accepted: bool


def feedback_from_labels(labels: Mapping[str, Iterable[str]], codebook: Codebook) -> list[Feedback]:
    """Feedback from fully coded records: their codes accepted, every other code rejected."""
    out = []
    for rid, codes in labels.items():
        given = set(codes)
        out.extend(Feedback(rid, c.code, c.code in given) for c in codebook.codes)
    return out


def reviewer_feedback(
    codings: Iterable[StoredCoding], verdicts: Iterable[Feedback], codebook: Codebook
) -> list[Feedback]:
    """Feedback from reviewers' own codings (accepted suggestions and links left out),
    overridden by explicit verdicts on the same record and code (later verdicts win)."""
    coded: dict[str, set[str]] = defaultdict(set)
    for c in codings:
        if c.source != "suggestion" and c.target_code is None:
            coded[str(c.record_id)].add(c.code)
    feedback = {(f.record_id, f.code): f for f in feedback_from_labels(coded, codebook)}
    feedback.update(((f.record_id, f.code), f) for f in verdicts)
    return list(feedback.values())
