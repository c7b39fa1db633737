"""Suggestions on a project that learn from its reviewers.

Feedback comes from two places: explicit verdicts on suggestions (accepted or
rejected) and the studies reviewers coded themselves (their codes accepted,
every other code rejected). With enough of it, a :class:`SuggestionModel` is
fitted and blended with the codebook's key terms; before that the suggestions
come from the key terms alone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select

from logicmap.coding.spans import CodingError
from logicmap.coding.project import codings, project_codebook, record_texts
from logicmap.coding.suggest import Suggestion, suggest
from logicmap.store.tables import RecordRow, SuggestionFeedback
from logicmap.store.database import Store

#: Coded studies (or studies with verdicts) needed before the model is fitted.
MIN_STUDIES = 8


def record_feedback(project: Store, record_id: int, code: str, *, accepted: bool, reviewer: str) -> None:
    """Store a reviewer's verdict on a suggested code."""
    if code not in project_codebook(project):
        raise CodingError(f"code {code!r} is not in the project's codebook")
    with project.session() as session:
        if session.get(RecordRow, record_id) is None:
            raise CodingError(f"no record {record_id}")
        session.add(SuggestionFeedback(record_id=record_id, code=code, accepted=accepted, reviewer=reviewer,
                                       created_at=datetime.now(UTC).replace(tzinfo=None)))


def project_feedback(project: Store):
    """Every piece of feedback the project holds, as ``Feedback`` objects."""
    from logicmap.coding.learn import Feedback, feedback_from_labels

    codebook = project_codebook(project)
    coded: dict[str, set[str]] = defaultdict(set)
    for row in codings(project):
        if row.source != "suggestion" and row.target_code is None:
            coded[str(row.record_id)].add(row.code)
    feedback = {(f.record_id, f.code): f for f in feedback_from_labels(coded, codebook)}
    with project.session() as session:
        for row in session.scalars(select(SuggestionFeedback).order_by(SuggestionFeedback.id)):
            feedback[(str(row.record_id), row.code)] = Feedback(str(row.record_id), row.code, row.accepted)
    return list(feedback.values())


def project_suggestions(project: Store, record_ids: list[int], *, seed: int = 0) -> tuple[list[Suggestion], bool]:
    """Suggestions for ``record_ids``; the flag says whether a model learnt from reviewers."""
    codebook = project_codebook(project)
    feedback = project_feedback(project)
    taught = sorted({f.record_id for f in feedback})
    texts = [record_texts(project, record_id) for record_id in record_ids]
    if len(taught) < MIN_STUDIES:
        return suggest(texts, codebook), False
    from logicmap.coding.learn import SuggestionModel

    training = [record_texts(project, int(record_id)) for record_id in taught]
    model = SuggestionModel(codebook, seed=seed).fit(training, feedback)
    return suggest(texts, codebook, model=model), True
