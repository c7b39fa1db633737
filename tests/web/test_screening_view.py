"""What the screening page draws: the recall curve's points and the key-term highlighting."""

from __future__ import annotations

from logicmap.web.screening_view import CURVE_HEIGHT, CURVE_POINTS, CURVE_WIDTH, recall_curve


def points(text: str) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in p.split(",")) for p in text.split()]


def test_the_curve_rises_with_each_relevant_record_and_ends_at_the_top_right():
    drawn = points(recall_curve([1, 0, 1, 0, 0, 0]))
    assert drawn[0] == (0.0, CURVE_HEIGHT) and drawn[-1] == (CURVE_WIDTH, 0.0)
    assert drawn[1] == (round(CURVE_WIDTH / 6, 1), CURVE_HEIGHT / 2)  # one of two found after one record
    assert [y for _, y in drawn] == sorted((y for _, y in drawn), reverse=True)  # never falls back


def test_the_curve_is_empty_before_any_decision_and_bounded_in_points():
    assert recall_curve([]) == ""
    assert len(points(recall_curve([1, 0] * 5000))) <= CURVE_POINTS + 2
    assert points(recall_curve([0, 0]))[-1] == (CURVE_WIDTH, CURVE_HEIGHT)  # nothing found: flat
