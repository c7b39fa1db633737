"""Stopping rules: the statistical guarantee on simulated orders, and heuristics."""

from __future__ import annotations

import numpy as np
import pytest

from logicmap.screening.stopping import (
    BuscarRule,
    ConsecutiveIrrelevantRule,
    FractionRule,
    buscar_p,
    evaluate_rules,
)


def prioritised_order(rng: np.random.Generator, n: int = 1500, relevant: int = 40,
                      bias: float = 8.0) -> np.ndarray:
    """Labels in a screening order where relevant records are ``bias`` times likelier
    to be drawn next (as buscarpy's ``generate_dataset``)."""
    labels = np.zeros(n, dtype=np.int64)
    labels[:relevant] = 1
    weights = np.where(labels == 1, bias, 1.0)
    order = rng.choice(n, size=n, replace=False, p=weights / weights.sum())
    return labels[order]


def test_buscar_p_matches_hand_case():
    # every record screened: H0 impossible
    assert buscar_p([1, 0, 0], 3) == 0.0
    # nothing irrelevant seen yet in a huge pool: no evidence to stop
    assert buscar_p([1, 1, 1], 10_000) > 0.5


def test_buscar_guarantee_on_simulated_orders():
    """Recall >= 95% in at least 95% of runs when the rule says stop (95% confidence)."""
    rule = BuscarRule(0.95, 0.95)
    rng = np.random.default_rng(2020)
    recalls, saved = [], []
    for _ in range(40):
        labels = prioritised_order(rng)
        out = evaluate_rules(labels, [rule])[rule.name]
        recalls.append(out["recall"])
        saved.append(out["work_saved"])
    assert np.mean(np.array(recalls) >= 0.95) >= 0.95
    assert np.mean(saved) > 0.1  # it does stop before the end


def test_buscar_does_not_stop_on_random_order_early():
    rng = np.random.default_rng(1)
    labels = prioritised_order(rng, bias=1.0)
    stop = BuscarRule().first_stop(labels, len(labels))
    found = labels[: stop or len(labels)].sum() / labels.sum()
    assert found >= 0.95


def test_consecutive_irrelevant_and_fraction():
    labels = np.array([1, 0, 1] + [0] * 10 + [1] + [0] * 20)
    rule = ConsecutiveIrrelevantRule(10)
    assert rule.first_stop(labels, len(labels)) == 13
    assert rule.should_stop(labels[:13], len(labels))
    assert not rule.should_stop(labels[:12], len(labels))
    out = evaluate_rules(labels, [rule, FractionRule(0.5)])
    assert out["consecutive_irrelevant_10"]["recall"] == pytest.approx(2 / 3)
    assert out["consecutive_irrelevant_10"]["work_saved"] == pytest.approx(1 - 13 / 34)
    assert out["fraction_50%"]["records_screened"] == 17


def test_priors_do_not_count_towards_the_streak():
    labels = np.array([1, 0, 0, 0, 1, 0, 0, 0])
    assert ConsecutiveIrrelevantRule(3).first_stop(labels, 8, n_priors=3) == 8


def test_buscar_p_equals_the_reference_implementation():
    """Our port (which evaluates only the decisive urns) matches buscarpy 0.0.2."""
    buscarpy = pytest.importorskip("buscarpy")
    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(50, 600))
        seen = (rng.random(int(rng.integers(5, n))) < rng.uniform(0.02, 0.4)).astype(int)
        reference = buscarpy.calculate_h0(seen, n, recall_target=0.95)
        if np.isnan(reference):
            continue  # buscarpy returns NaN where H0 is impossible; we return 0
        assert buscar_p(seen, n, 0.95) == pytest.approx(reference, abs=1e-9)
