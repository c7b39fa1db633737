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


# -- the biased urn, the interval and the rules with a random sample ---------------------------

from scipy.stats import nchypergeom_fisher  # noqa: E402

from logicmap.screening.stopping_knee import KneeRule, knee_ratio  # noqa: E402
from logicmap.screening.stopping_rules import default_rule, default_rules  # noqa: E402
from logicmap.screening.stopping_sample import QuantileRule, SafeRule, TargetRule  # noqa: E402
from logicmap.screening.stopping_urn import fisher_cdf, recall_interval  # noqa: E402


def test_fisher_cdf_matches_scipy():
    x, m, k, n = np.array([0, 1, 3, 2, 5]), np.array([100, 200, 50, 400, 60]), np.array([10, 5, 20, 30, 59]), \
        np.array([20, 40, 30, 100, 10])
    for bias in (1.0, 3.0, 17.5):
        assert fisher_cdf(x, m, k, n, bias) == pytest.approx(nchypergeom_fisher.cdf(x, m, k, n, bias), abs=1e-12)


def test_a_larger_bias_stops_no_later_and_bias_one_is_buscar():
    rng = np.random.default_rng(5)
    labels = prioritised_order(rng)
    stops = [BuscarRule(bias=b).first_stop(labels, labels.size) for b in (1, 2, 8)]
    assert stops[0] >= stops[1] >= stops[2]
    assert buscar_p(labels[:700], 1500, bias=1.0) == pytest.approx(buscar_p(labels[:700], 1500))
    assert BuscarRule(bias=4).name == "buscar_95_95_bias4" and BuscarRule().name == "buscar_95_95"


def test_the_interval_holds_the_true_recall_at_buscar_stops():
    rule = BuscarRule()
    rng = np.random.default_rng(7)
    covered = []
    for _ in range(30):
        labels = prioritised_order(rng)
        report = rule.replay(labels, labels.size)
        true = labels[: report.records_screened].sum() / labels.sum()
        covered.append(report.recall.low <= true <= report.recall.high)
        assert report.recall.low <= report.recall.estimate <= report.recall.high
    assert np.mean(covered) >= 0.9


def test_recall_interval_is_certain_at_the_end_and_wide_at_the_start():
    assert recall_interval([1, 0, 1], 3).low == 1.0
    early = recall_interval([1, 1, 0], 1000)
    assert early.low < 0.1 and early.high == 1.0


def test_assess_gives_the_decision_the_estimate_and_the_reason():
    labels = np.array([1] * 20 + [0] * 600)
    now = BuscarRule().assess(labels, 700)
    assert now.stopped and "below 0.05" in now.reason and now.recall.low >= 0.8
    early = BuscarRule().assess(labels[:30], 700)
    assert not early.stopped and "not below" in early.reason
    assert "stopping rule buscar_95_95 at estimated recall" in now.words()


def test_target_method_needs_59_targets_and_finds_them_all():
    rule = TargetRule()
    assert rule.targets == 59
    rng = np.random.default_rng(3)
    labels = prioritised_order(rng, n=3000, relevant=150)
    report = rule.replay(labels, labels.size, seed=1)
    out = evaluate_rules(labels, [rule], seed=1)[rule.name]
    assert out["records_screened"] == report.records_screened and out["recall"] >= 0.9
    small = prioritised_order(rng, n=500, relevant=20)
    assert not rule.replay(small, small.size, seed=1).stopped  # 20 relevant records cannot make 59 targets


def test_quantile_rule_certifies_only_with_enough_sample_positives():
    rule = QuantileRule()
    assert rule.needed(20) is None and rule.needed(100) is not None
    rng = np.random.default_rng(4)
    labels = prioritised_order(rng, n=6000, relevant=1200)
    report = rule.replay(labels, labels.size, seed=2)
    assert report.records_screened <= labels.size and report.relevant_found is not None


def test_safe_rule_stops_after_a_run_of_irrelevant_records():
    labels = np.array([1] * 30 + [0] * 970)
    report = SafeRule().replay(labels, labels.size, seed=1)
    assert report.stopped and report.relevant_found == 30
    assert report.records_screened >= 30 + 50


def test_knee_fires_on_a_sharp_knee_only():
    sharp = np.array([1] * 40 + [0] * 960)
    assert knee_ratio(sharp[:300]) > 100
    assert KneeRule().replay(sharp, 1000).stopped
    flat = np.tile([1, 0, 0, 0, 0], 200)
    assert not KneeRule().replay(flat, 1000).stopped


def test_simulations_report_every_rule_and_the_default():
    rules = default_rules()
    names = [r.name for r in rules]
    assert names[0] == default_rule().name and len(set(names)) == len(names)
    assert {"target_95_95", "qbcb_95_95", "safe_95_95", "knee", "buscar_95_95"} <= set(names)
    rng = np.random.default_rng(9)
    out = evaluate_rules(prioritised_order(rng), rules, seed=1)
    for entry in out.values():
        assert {"stopped", "records_screened", "recall", "work_saved", "recall_estimate", "recall_interval"} <= set(entry)


from logicmap.screening.stopping_poisson import PoissonProcessRule, expected_left  # noqa: E402


def test_poisson_rule_expects_few_left_after_a_falling_rate():
    labels = np.array([1] * 20 + [1, 0] * 20 + [1, 0, 0, 0] * 10 + [0] * 300)
    left = expected_left(labels, 1000)
    assert left is not None and 0 < left < 5
    assert expected_left(np.tile([1, 0], 200), 1000) is None or expected_left(np.tile([1, 0], 200), 1000) > 100


def test_poisson_rule_stops_on_a_finished_ranking_and_not_after_one_lucky_prior():
    rule = PoissonProcessRule(0.95, 0.9)
    rng = np.random.default_rng(12)
    recalls = []
    for _ in range(10):
        labels = prioritised_order(rng, bias=30.0)
        report = rule.replay(labels, labels.size, n_priors=2)
        recalls.append(labels[: report.records_screened].sum() / labels.sum())
        assert report.recall.low <= report.recall.estimate <= report.recall.high
    assert np.mean(np.array(recalls) >= 0.95) >= 0.9
    lonely = np.array([1, 0] + [0] * 1500 + [1] * 8)  # the prior is the only relevant record found for long
    assert rule.replay(lonely, lonely.size, n_priors=2).records_screened > 1000
    now = rule.assess(labels[:40], labels.size, n_priors=2)
    assert not now.stopped and "fewer than 50" in now.reason


# -- the random-sample rules in a live project ------------------------------------------------
from logicmap.screening.stopping_draw import StopSample, needs_sample  # noqa: E402
from logicmap.screening.stopping_rules import RULE_FAMILIES, make_rule  # noqa: E402
from logicmap.screening.stopping_sample import SampleState  # noqa: E402


def test_every_offered_rule_assesses_a_live_project():
    """No rule a project may choose raises on live labels (the sample rules used to)."""
    labels = [1, 0, 0, 1, 0] * 40
    for family in RULE_FAMILIES:
        report = make_rule(family, 0.9, 0.9).assess(labels, 1000)
        assert report.records_screened == 200 and report.reason
        assert 0 <= report.recall.low <= report.recall.high <= 1


def test_the_quantile_rule_waits_for_its_sample_then_stops_once_the_ranking_found_enough():
    rule = QuantileRule(0.8, 0.8, sample_share=0.1)
    ranked = [1] * 30 + [0] * 70
    waiting = rule.assess(ranked, 200, sample=SampleState((1, 0, None), (True, False, False)))
    assert not waiting.stopped and "random sample for the stopping rule: 2 of 20 records screened" in waiting.reason
    sample = (1,) * 20  # 20 relevant records in the sample: the ranking must find j of them
    j = rule.needed(20)
    assert j is not None and j < 20
    short = rule.assess(ranked, 200, sample=SampleState(sample, (True,) * (j - 1) + (False,) * (21 - j)))
    assert not short.stopped and f"{j - 1} of the sample's 20 relevant records found" in short.reason
    enough = rule.assess(ranked, 200, sample=SampleState(sample, (True,) * j + (False,) * (20 - j)))
    assert enough.stopped and enough.records_screened == 120
    assert enough.recall.low <= j / 20 == enough.recall.estimate <= enough.recall.high


def test_the_target_method_draws_until_its_targets_and_stops_when_all_are_found():
    rule = TargetRule(0.8, 0.8)  # 0.8 ** 8 <= 0.2: eight targets
    assert rule.targets == 8
    assert rule.sample_size([0, 0, None], 100) == 3
    drawn = [1, 0] * 8
    assert rule.sample_size(drawn, 100) == 15  # through the eighth relevant record
    state = SampleState(tuple(drawn[:15]), (True,) * 15)
    assert rule.assess([1, 0, 0], 100, sample=state).stopped
    missing = SampleState(tuple(drawn[:15]), (False,) + (True,) * 14)
    assert not rule.assess([1, 0, 0], 100, sample=missing).stopped


def test_the_safe_rule_needs_the_estimate_and_a_run():
    rule = SafeRule(0.9, 0.9, sample_share=0.1, run_share=0.05, min_run=10)
    state = SampleState((1,) + (0,) * 9, (False,) * 10)  # prevalence 0.1: about 10 relevant of 100
    assert rule.assess([1] * 9 + [0] * 10, 100, sample=state).stopped  # 9 + 1 found, a run of 10
    assert not rule.assess([1] * 9 + [0] * 9, 100, sample=state).stopped  # the run is one short
    assert not rule.assess([1] * 5 + [0] * 20, 100, sample=state).stopped  # too few found


def test_the_live_sample_is_seeded_and_counts_what_the_ranking_put_first():
    rule = QuantileRule(0.95, 0.95, sample_share=0.1)
    assert needs_sample(rule) and not needs_sample(make_rule("buscar"))
    ids = list(range(100, 200))
    one, again, other = StopSample(rule, ids, 3), StopSample(rule, ids, 3), StopSample(rule, ids, 4)
    members = one.members({})
    assert len(members) == 10 and members == again.members({}) and members != other.members({})
    labels = {r: 1 for r in members[:2]} | {r: 0 for r in members[2:]}
    ranking = [members[1], 150 if 150 not in members else 151, members[0]]
    state = one.state(labels, ranking, done=set())
    assert state.labels[:2] == (1, 1) and state.reached[:2] == (False, True)  # members[0] is behind an unscreened record
    assert one.state(labels, ranking, done={ranking[1]}).reached[:2] == (True, True)  # once it is screened


def test_the_central_test_of_many_relevant_records_gives_the_full_sums():
    """Urns with tens of thousands of relevant records (a million-record map) are summed near their
    modes or by scipy's hypergeometric cdf: the same probabilities as the whole grid, urn by urn."""
    import logicmap.screening.stopping_urn as urn

    rng = np.random.default_rng(3)
    m = rng.integers(200_000, 600_000, 300).astype(float)
    k = rng.integers(5_000, 30_000, 300).astype(float)
    n = rng.integers(10_000, 60_000, 300).astype(float)
    mean = n * k / m
    x = np.floor(mean + rng.normal(0, 3, 300) * np.sqrt(mean))  # near the mode and in both tails
    assert x.size * (np.minimum(n, k).max() + 1) > urn.FULL_GRID_CELLS  # a large-urn path is taken
    many = fisher_cdf(x, m, k, n, 1.0)
    one_by_one = np.concatenate([fisher_cdf(x[i:i + 1], m[i:i + 1], k[i:i + 1], n[i:i + 1], 1.0)
                                 for i in range(0, 300, 30)])
    assert many[::30] == pytest.approx(one_by_one, abs=1e-9)
    assert 0 < many.min() < 0.01 and many.max() > 0.99
    window = urn._central_cdf_near_mode(x, m, k, n, urn._central_window(m, k, n))  # the other large-urn path
    assert window[::30] == pytest.approx(one_by_one, abs=1e-9)
    assert window == pytest.approx(many, abs=1e-9)


def test_a_stop_that_needs_no_test_says_why_in_words():
    # 59 relevant found, 3 records left: even all 3 relevant would leave recall at 59/62 = 0.952
    labels = [1] * 59 + [0] * 24
    report = BuscarRule(0.95, 0.95).assess(labels, 86)
    assert report.stopped
    assert report.reason == "recall is at least 95% even if every record left is relevant: p = 0, below 0.05"
    # one record more left and the test decides, with its p-value
    assert BuscarRule(0.95, 0.95).assess(labels, 87).reason.startswith("p = ")
