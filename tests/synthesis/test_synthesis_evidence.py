"""Sign test on hand-computed cases, vote counts, direction summary and grading rules."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from logicmap.synthesis import sign_test, summary_direction, vote_count
from logicmap.synthesis.evidence import GradeInput, grade


@pytest.mark.parametrize(
    ("benefit", "harm", "expected"),
    [
        (7, 0, 2 / 128),          # 2 * (1/2)^7
        (4, 0, 0.125),            # 2 * (1/2)^4
        (5, 1, 14 / 64),          # 2 * (C(6,0)+C(6,1)) / 2^6
        (10, 2, 158 / 4096),      # 2 * (1+12+66) / 2^12
        (3, 3, 1.0),
        (1, 0, 1.0),              # capped at 1
        (0, 6, 2 / 64),           # symmetric
    ],
)
def test_sign_test_hand_computed(benefit, harm, expected):
    assert sign_test(benefit, harm) == pytest.approx(expected, abs=1e-12)
    assert sign_test(benefit, harm) == pytest.approx(binomtest(benefit, benefit + harm, 0.5).pvalue, abs=1e-12)


def test_sign_test_without_votes_and_bad_input():
    assert sign_test(0, 0) is None
    with pytest.raises(ValueError):
        sign_test(-1, 2)


def test_vote_count_and_summary_direction():
    votes = vote_count(["benefit", "benefit", None, "harm", "not_measured"])
    assert votes == {"benefit": 2, "no_difference": 0, "harm": 1, "mixed": 0, "not_measured": 2}
    assert summary_direction(votes) == "mixed"  # 2/3 benefit < 70 %
    assert summary_direction(vote_count(["benefit"] * 7 + ["harm"] * 3)) == "benefit"  # exactly 70 %
    assert summary_direction(vote_count(["no_difference"] * 3)) == "no_difference"
    assert summary_direction(vote_count([None, None])) == "not_measured"
    assert summary_direction(vote_count(["harm"] * 4 + ["mixed"])) == "harm"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (GradeInput(0, 0, "not_measured", False, False), "hypothesised"),
        (GradeInput(3, 2, "benefit", False, True), "strong"),           # 3 studies, 2 RCTs, direct effect
        (GradeInput(3, 2, "benefit", False, False), "moderate"),        # co-occurrence only, mediating link: capped
        (GradeInput(3, 2, "benefit", True, False), "strong"),           # explicit link lifts the cap
        (GradeInput(3, 2, "mixed", True, False), "moderate"),           # inconsistent: one level down
        (GradeInput(3, 0, "benefit", True, False), "moderate"),         # 3 non-randomised studies
        (GradeInput(2, 1, "benefit", False, True), "moderate"),         # 2 studies, one RCT
        (GradeInput(2, 0, "benefit", False, True), "limited"),          # 2 non-randomised
        (GradeInput(1, 1, "benefit", True, True), "limited"),           # a single RCT
        (GradeInput(2, 1, "mixed", False, True), "limited"),            # moderate, inconsistent
        (GradeInput(1, 0, "mixed", False, True), "limited"),            # never below limited
        (GradeInput(5, 4, "not_measured", False, False), "moderate"),   # mechanism link, co-occurrence only
    ],
)
def test_grade_rules(case, expected):
    assert grade(case) == expected
