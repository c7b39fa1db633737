"""Project suggestions learn from reviewers' codings and verdicts."""

from __future__ import annotations

from logicmap.coding.learning import MIN_STUDIES, project_feedback, project_suggestions, record_feedback
from logicmap.coding.project import add_coding, record_texts
from logicmap.demo import run_demo
from logicmap.screening.decisions import included_records
from logicmap.store import open_store


def test_suggestions_switch_to_a_learnt_model_with_enough_feedback(tmp_path):
    result = run_demo(tmp_path)
    with open_store(result.project_path) as project:
        ids = included_records(project)
        _, learnt = project_suggestions(project, ids[:3])
        assert learnt is False  # demo codes are accepted suggestions, not reviewers' own codes
        for record_id in ids[: MIN_STUDIES + 2]:  # a reviewer codes some studies by hand
            suggestions, _ = project_suggestions(project, [record_id])
            for s in suggestions[:2]:
                add_coding(project, record_id, s.code, reviewer="ana", quote=s.quote, direction=s.direction)
        record_feedback(project, ids[0], "M3", accepted=False, reviewer="ana")
        feedback = project_feedback(project)
        rejected = [f for f in feedback if f.record_id == str(ids[0]) and f.code == "M3"]
        assert rejected and rejected[0].accepted is False
        suggestions, learnt = project_suggestions(project, ids[-5:])
        assert learnt is True and suggestions
        for s in suggestions:
            assert record_texts(project, int(s.record_id))[s.field][s.start : s.end] == s.quote
