"""The calibrated run rule (GapRule): where it stops, its guard, and replay agreeing with live assessment."""

from __future__ import annotations

import numpy as np

from logicmap.screening.stopping import BuscarRule
from logicmap.screening.stopping_gap import GapRule, gap_statistic, run_lengths


def prioritised_order(seed: int, n: int = 400, relevant: int = 30, bias: float = 12.0) -> np.ndarray:
    """Labels in an order where relevant records are ``bias`` times likelier to come next."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(n, dtype=np.int64)
    labels[:relevant] = 1
    weights = np.where(labels == 1, bias, 1.0)
    return labels[rng.choice(n, size=n, replace=False, p=weights / weights.sum())]


def live_stop(rule: GapRule, labels: np.ndarray, n_priors: int = 0) -> int | None:
    """The first number of records screened at which the live assessment says stop."""
    return next((k for k in range(1, labels.size) if rule.assess(labels[:k], labels.size, n_priors=n_priors).stopped),
                None)


def test_run_lengths_restart_at_each_relevant_record_and_skip_the_priors():
    labels = np.array([0, 1, 0, 0, 1, 0, 0, 0])
    assert run_lengths(labels).tolist() == [1, 0, 1, 2, 0, 1, 2, 3]
    assert run_lengths(labels, n_priors=2).tolist() == [0, 0, 1, 2, 0, 1, 2, 3]
    assert gap_statistic(np.array([0, 0, 0]), 0).tolist() == [0, 0, 0]  # nothing relevant: never


def test_stops_where_the_run_reaches_scale_times_the_mean_gap():
    labels = np.array([1] * 10 + [0] * 490)
    rule = GapRule(scale=2.0, power=1.0, min_screened=5)
    # after k records: run k - 10 >= 2 * k / 10  <=>  k >= 12.5
    report = rule.replay(labels, labels.size)
    assert report.stopped and report.records_screened == 13
    assert not rule.assess(labels[:12], 500).stopped and rule.assess(labels[:13], 500).stopped
    assert "3 irrelevant records in a row" in rule.assess(labels[:13], 500).reason
    assert rule.replay(labels, 500).recall.low <= 1.0 == rule.replay(labels, 500).recall.high


def test_never_stops_while_relevant_records_keep_coming_evenly():
    labels = np.tile([1, 0, 0, 0, 0], 100)
    assert not GapRule(scale=1.0, power=0.5).replay(labels, labels.size).stopped
    assert not GapRule(scale=1.0, power=0.5).replay(np.zeros(300, dtype=np.int64), 300).stopped


def test_a_larger_scale_stops_no_earlier_and_first_stops_matches_replay():
    labels = prioritised_order(3)
    scales = (0.3, 0.6, 1.2, 2.4)
    stops = GapRule(power=0.5).first_stops(labels, labels.size, scales)
    screened = [stops[s] or labels.size for s in scales]
    assert screened == sorted(screened) and screened[0] < labels.size
    for scale in scales:
        assert GapRule(scale, 0.5).replay(labels, labels.size).records_screened == (stops[scale] or labels.size)


def test_replay_agrees_with_the_live_assessment_with_and_without_guard():
    for seed, guard in ((4, None), (5, 0.7), (6, 0.5)):
        labels = prioritised_order(seed)
        rule = GapRule(scale=0.8, power=0.75, guard=guard)
        replayed = rule.replay(labels, labels.size, n_priors=2)
        expected = live_stop(rule, labels, n_priors=2)
        assert replayed.records_screened == (expected or labels.size), (seed, guard)


def test_the_guard_stops_no_earlier_than_buscar_or_the_rule_alone():
    labels = prioritised_order(7)
    plain = GapRule(scale=0.5).replay(labels, labels.size).records_screened
    guarded = GapRule(scale=0.5, guard=0.7)
    stop = guarded.replay(labels, labels.size).records_screened
    buscar = BuscarRule(0.95, 0.7).replay(labels, labels.size).records_screened
    assert stop >= max(plain, buscar)
    assert guarded.name == "gap_95_x0.5_b70" and "buscar" in guarded.description
    assert GapRule(1.5, 1.0).name == "gap_95_x1.5_p1"
    assert "p = " in guarded.assess(labels[:stop], labels.size).reason
