"""The pure rules over stored codings: which count, feedback for the suggestion model."""

from __future__ import annotations

from logicmap.codebook import load_codebook
from logicmap.coding.codings import StoredCoding, coded_items, counts_by_kind, final_codings
from logicmap.coding.feedback import Feedback, reviewer_feedback


def coding(id, record_id, code, *, kind="independent", target=None, source="manual"):
    return StoredCoding(id, record_id, code, target, "ana", kind, None, None, None, None, None, "", source)


def test_reconciled_codes_replace_a_studys_independent_ones():
    rows = [coding(1, 1, "T01"), coding(2, 1, "T01", kind="reconciled"), coding(3, 2, "T07"), coding(4, 2, "M3", target="P5")]
    assert [c.id for c in final_codings(rows)] == [2, 3, 4]
    assert [i.code for i in coded_items(rows)] == ["T01", "T01", "T07"]
    assert counts_by_kind(final_codings(rows), load_codebook()) == {"typology": 2}


def test_verdicts_override_what_reviewers_coded():
    codebook = load_codebook()
    rows = [coding(1, 1, "T01"), coding(2, 2, "T07", source="suggestion")]
    feedback = reviewer_feedback(rows, [Feedback("1", "T01", False), Feedback("3", "M3", True)], codebook)
    by_key = {(f.record_id, f.code): f.accepted for f in feedback}
    assert by_key[("1", "T01")] is False and by_key[("1", "T02")] is False and by_key[("3", "M3")] is True
    assert not any(f.record_id == "2" for f in feedback)  # accepted suggestions teach nothing
