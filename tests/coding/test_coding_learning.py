"""Project suggestions learn from reviewers' codings and verdicts."""

from __future__ import annotations

from logicmap.api import Review
from logicmap.coding.feedback import MIN_STUDIES
from logicmap.demo import run_demo


def test_suggestions_switch_to_a_learnt_model_with_enough_feedback(tmp_path):
    result = run_demo(tmp_path)
    with Review.open(result.project_path) as review:
        coding = review.coding
        ids = review.screening.included()
        _, learnt = coding.suggest(ids[:3])
        assert learnt is False  # demo codes are accepted suggestions, not reviewers' own codes
        for record_id in ids[: MIN_STUDIES + 2]:  # a reviewer codes some studies by hand
            suggestions, _ = coding.suggest([record_id])
            for s in suggestions[:2]:
                coding.add(record_id, s.code, reviewer="ana", quote=s.quote, direction=s.direction)
        coding.feedback(ids[0], "M3", accepted=False, reviewer="ana")
        feedback = coding.learning_feedback()
        rejected = [f for f in feedback if f.record_id == str(ids[0]) and f.code == "M3"]
        assert rejected and rejected[0].accepted is False
        suggestions, learnt = coding.suggest(ids[-5:])
        assert learnt is True and suggestions
        for s in suggestions:
            assert coding.texts(int(s.record_id))[s.field][s.start : s.end] == s.quote


def test_next_to_code_lists_uncoded_studies_least_sure_first(tmp_path):
    result = run_demo(tmp_path)
    with Review.open(result.project_path) as review:
        coding = review.coding
        ids = review.screening.included()
        for c in coding.list():
            if c.record_id in ids[-4:]:
                coding.undo(c.id)
        ranked = coding.next_to_code()
        assert sorted(rid for rid, _ in ranked) == sorted(ids[-4:])
        scores = [u for _, u in ranked]
        assert scores == sorted(scores, reverse=True)
