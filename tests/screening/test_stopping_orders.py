"""The stopping calibration's orders: ending an order at the last relevant record changes no rule's
figures, and the engine's one-off index sort leaves its matrix the same."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from logicmap.api import ActiveLearner, load_labelled, make_features, simulate
from tests.support import benchmark_module, shared_path

ENGINE = ("tfidf-asreview+char", "svm-asreview")


def _calibration():
    """``benchmarks/stopping_calibration.py`` (it imports its sibling ``stopping_orders``)."""
    return benchmark_module("stopping_calibration")


def test_an_order_ended_at_the_last_relevant_record_gives_every_rule_the_same_figures():
    data = load_labelled(shared_path("screening/Cohen_2006_UrinaryIncontinence.csv"))
    matrix = make_features(ENGINE[0]).fit_transform(data.texts)
    runs = [simulate(data.texts, data.labels, seed=3, matrix=matrix, rules=[], until_all_found=full,
                     learner=ActiveLearner(features=ENGINE[0], classifier=ENGINE[1], seed=3))
            for full in (True, False)]
    ended, full = runs
    last = int(np.flatnonzero(full.labels)[-1]) + 1
    assert len(ended.decision_seconds) < len(full.decision_seconds)  # the ended order stopped early
    assert ended.order[:last].tolist() == full.order[:last].tolist()
    assert ended.order.tolist() != full.order.tolist()  # the irrelevant tail came in another order
    calibration = _calibration()
    figures = [{r.rule: calibration.outcome(run.labels, r)
                for r in calibration.replay_run(np.asarray(run.labels, dtype=np.int64), run.n_priors, 3)}
               for run in runs]
    assert len(figures[0]) > 100 and figures[0] == figures[1]


def test_fit_sorts_the_column_indices_without_changing_the_matrix():
    data = load_labelled(shared_path("screening/Cohen_2006_Antihistamines.csv"))
    matrix = make_features(ENGINE[0]).fit_transform(data.texts)
    before = matrix.copy()
    assert not before.has_sorted_indices  # the features come unsorted: the sort has work to do
    learner = ActiveLearner(features=ENGINE[0], classifier=ENGINE[1], seed=1).fit(matrix=matrix)
    assert learner.X_.has_sorted_indices
    assert learner.X_.dtype == before.dtype and abs(learner.X_ - before).max() == 0
    assert sparse.csr_matrix(learner.X_[[0, 5]]).has_sorted_indices
