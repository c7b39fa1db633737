"""Bootstrap intervals of suggestion micro-F1: seeded, around the figure, wider on fewer records."""

from __future__ import annotations

from logicmap.codebook import load_codebook
from logicmap.coding.evaluate import evaluate, f1_intervals

CB = load_codebook()
TYPOLOGIES = [c.code for c in CB.codes if c.kind == "typology"]
MECHANISMS = [c.code for c in CB.codes if c.kind == "mechanism"]


def _records(n: int) -> tuple[dict, dict]:
    """``n`` records: every third misses its mechanism, every fifth gets a wrong typology too."""
    gold, predicted = {}, {}
    for i in range(n):
        typology, mechanism = TYPOLOGIES[i % len(TYPOLOGIES)], MECHANISMS[i % len(MECHANISMS)]
        gold[f"r{i}"] = [typology, mechanism]
        guess = [typology] if i % 3 == 0 else [typology, mechanism]
        if i % 5 == 0:
            guess.append(TYPOLOGIES[(i + 1) % len(TYPOLOGIES)])
        predicted[f"r{i}"] = guess
    return gold, predicted


def test_the_interval_holds_the_figure_and_is_seeded():
    gold, predicted = _records(18)
    point = evaluate(gold, predicted, CB)
    spread = f1_intervals(gold, predicted, CB, seed=3)
    assert spread == f1_intervals(gold, predicted, CB, seed=3)
    for group in ("typology", "mechanism"):
        low, high = spread[group]
        assert low <= point[group]["micro_f1"] <= high
        assert low < high  # errors on some records only: the draws differ
    assert spread["outcome"] == (0.0, 0.0)  # no outcome anywhere


def test_fewer_records_give_a_wider_interval():
    few, many = _records(12), _records(120)
    width = [high - low for low, high in (f1_intervals(*few, CB)["mechanism"], f1_intervals(*many, CB)["mechanism"])]
    assert width[0] > 2 * width[1]


def test_a_perfect_suggester_has_no_spread():
    gold, _ = _records(10)
    assert f1_intervals(gold, gold, CB)["typology"] == (1.0, 1.0)
