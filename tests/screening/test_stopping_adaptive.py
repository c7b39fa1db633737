"""The adaptive-bias benchmark (``benchmarks/stopping_adaptive.py``) replays buscar as the product does
when its bias reads 1, and its two bias estimates follow the labels they are given."""

from __future__ import annotations

import numpy as np
import pytest

from logicmap.api import stopping_rules
from tests.support import benchmark_module


@pytest.fixture(scope="module")
def adaptive():
    return benchmark_module("stopping_adaptive")


def _ranked_run(seed: int, n: int = 600, relevant: int = 30) -> list[int]:
    """A ranked order: relevant records likelier early, a few late."""
    rng = np.random.default_rng(seed)
    weights = np.exp(-np.arange(n) / (n / 6))
    where = rng.choice(n, size=relevant, replace=False, p=weights / weights.sum())
    labels = np.zeros(n, dtype=int)
    labels[where] = 1
    labels[:2] = 1  # the priors
    return labels.tolist()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_with_bias_one_the_replay_stops_where_the_product_rule_does(adaptive, seed):
    labels = _ranked_run(seed)
    tests, p = adaptive.p_grid((labels, 2))
    step = int(tests[1] - tests[0])
    for alpha, confidence in adaptive.ALPHAS.items():
        rule = stopping_rules.BuscarRule(0.95, confidence / 100, check_every=step)
        assert adaptive.first_stop(tests, p, np.ones(tests.size), alpha) == rule.first_stop(labels, len(labels), n_priors=2)


def test_a_larger_bias_never_stops_later(adaptive):
    labels = _ranked_run(4)
    tests, p = adaptive.p_grid((labels, 2))
    stops = [adaptive.first_stop(tests, p, np.full(tests.size, b), 0.05) or len(labels) for b in adaptive.BIASES]
    assert stops == sorted(stops, reverse=True) and stops[-1] < stops[0]


def test_the_prevalence_bias_applies_only_while_the_prevalence_seen_is_under_its_threshold(adaptive):
    labels = np.array([1] * 10 + [0] * 90)
    bias = adaptive.prevalence_bias(labels, np.array([4, 5, 6, 50]), threshold=0.055, bias=4.0)
    assert bias.tolist() == [4.0, 4.0, 1.0, 1.0]  # 4 and 5 found of 100 are under 5.5%, 6 is not


def test_the_window_bias_is_high_after_a_drop_and_one_when_unsure(adaptive):
    labels = np.array([1, 0] * 50 + [0] * 100)  # half relevant, then none
    tests = np.array([200])
    dropped = adaptive.window_bias(labels, tests, fraction=0.5, least=20, z=1.0, cap=12)
    assert 4 < dropped[0] <= 12
    assert adaptive.window_bias(labels, tests, fraction=0.5, least=20, z=1.0, cap=3)[0] == 3
    assert adaptive.window_bias(labels, tests, fraction=0.5, least=20, z=50.0, cap=12)[0] == 1
    flat = np.array([1, 0, 0, 0] * 50)
    assert adaptive.window_bias(flat, tests, fraction=0.5, least=20, z=1.0, cap=12)[0] == 1
