"""The held-out check that weighs a fusion's members (``svm-asreview-agree-weighed``): which member ranks the
relevant records it was not trained on higher, how that becomes weights, and how the weights move the ranking."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from logicmap.screening import ActiveLearner
from logicmap.screening.classifiers import make_classifier
from logicmap.screening.member_check import (GROWTH, MIN_RELEVANT, check_due, held_out_shares,
                                             member_weights)


def two_views(words_carry_label: bool, n: int = 400, seed: int = 0) -> tuple[sparse.csr_matrix, np.ndarray]:
    """A sparse 'word' block beside 384 dense columns; only one of the two separates the classes."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.1).astype(np.int8)
    words = (rng.random((n, 60)) < 0.08).astype(np.float32)
    dense = rng.normal(size=(n, 384)).astype(np.float32)
    if words_carry_label:
        words[y == 1, :5] = 1.0
    else:
        dense[y == 1, :8] += 2.0
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.hstack([sparse.csr_matrix(words), sparse.csr_matrix(dense)], format="csr"), y


def _labels_for(y: np.ndarray, decided: int) -> np.ndarray:
    labels = np.full(y.size, -1, dtype=np.int8)
    labels[:decided] = y[:decided]
    return labels


@pytest.mark.parametrize("words_carry_label", [True, False])
def test_the_member_whose_view_carries_the_label_ranks_held_out_relevant_records_higher(words_carry_label):
    X, y = two_views(words_carry_label)
    model = make_classifier("svm-asreview-agree-weighed")
    views = [X[:, :60].toarray().astype(np.float64), X[:, 60:].toarray()]
    labels = _labels_for(y, 200)
    folds = np.arange(y.size) % 2
    shares, count = held_out_shares(model, views, labels, folds, n_columns=X.shape[1])
    assert count == int(y[:200].sum())
    good, bad = (0, 1) if words_carry_label else (1, 0)
    assert shares[good] < 0.1 and shares[bad] > 3 * shares[good]
    weights = member_weights(shares, count, alpha=1.0)
    assert weights[good] == 1.0 and 0 < weights[bad] < 0.5


def test_a_check_without_a_relevant_record_in_either_fold_reads_nothing_and_weighs_equally():
    X, y = two_views(True)
    labels = np.full(y.size, -1, dtype=np.int8)
    labels[np.flatnonzero(y == 0)[:20]] = 0
    views = [X[:, :60].toarray(), X[:, 60:].toarray()]
    shares, count = held_out_shares(make_classifier("svm-asreview-agree-weighed"), views, labels,
                                    np.arange(y.size) % 2, n_columns=X.shape[1])
    assert count == 0 and np.isnan(shares).all()
    assert member_weights(shares, count, 1.0).tolist() == [1.0, 1.0]


def test_weights_shrink_toward_equal_with_few_records_and_follow_the_exponent():
    shares = np.array([0.01, 0.04])
    assert member_weights(shares, 1, 1.0)[1] > member_weights(shares, 100, 1.0)[1]
    assert member_weights(shares, 100, 0.0).tolist() == [1.0, 1.0]
    assert member_weights(shares, 100, 1.0)[1] == pytest.approx(member_weights(shares, 100, 0.5)[1] ** 2)
    assert member_weights(shares[::-1], 100, 1.0)[1] == 1.0


def test_checks_are_due_from_the_first_few_relevant_records_then_as_they_grow():
    assert not check_due(MIN_RELEVANT - 1, None)
    assert check_due(MIN_RELEVANT, None)
    assert not check_due(12, 10) and check_due(int(np.ceil(GROWTH * 10)), 10)


def test_a_member_trusted_less_needs_a_proportionally_higher_rank_to_come_first():
    raw = np.array([[10, 0], [9, 9], [0, 10], [5, 5], [1, 1], [2, 2], [3, 3], [4, 4], [6, 6], [7, 7], [8, 8]],
                   dtype=float)
    equal = make_classifier("svm-asreview-agree")
    weighed = make_classifier("svm-asreview-agree-weighed").set_params(weights=[1.0, 0.2])
    assert np.allclose(equal.combine_ranks(raw),
                          make_classifier("svm-asreview-agree").set_params(weights=[1, 1]).combine_ranks(raw))
    before, after = equal.combine_ranks(raw), weighed.combine_ranks(raw)
    assert before[0] == pytest.approx(before[2]) == pytest.approx(1.5)  # each member's top, level with equal weights
    assert np.argsort(-before)[:2].tolist() == [1, 10]  # records both members rank high come first
    # the less trusted member's depth is stretched five times for the best rank, and weighs a sixth of the mean
    assert after[0] == pytest.approx(1.0 + 1.0 / 1.2)
    assert after[2] == pytest.approx(1.0 + 0.2 / 1.2)
    assert after[10] == pytest.approx(0.8 + 0.8)
    assert np.argsort(-after)[:3].tolist() == [0, 1, 10]  # the trusted member's top record first
    assert after[2] < after[8]  # the other's top record now below records both rank at 0.6


def test_the_learner_weighs_its_members_when_due_and_a_rebuilt_learner_weighs_at_its_first_ranking():
    X, y = two_views(True, n=500, seed=4)
    relevant, irrelevant = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    learner = ActiveLearner(features="tfidf-asreview+charlsa+embed", classifier="svm-asreview-agree-weighed",
                            seed=2).fit(matrix=X)
    for index in [*relevant[:MIN_RELEVANT - 1], *irrelevant[:30]]:
        learner.label(int(index), int(y[index]))
    learner.rank()
    assert learner.member_check_.weights_ is None  # too few relevant decisions to check
    learner.label(int(relevant[MIN_RELEVANT - 1]), 1)
    first = learner.rank()
    weights = learner.member_check_.weights_
    assert weights[0] == 1.0 and weights[1] < 0.6  # the words carry the label here
    learner.label(int(relevant[MIN_RELEVANT]), 1)  # 7 < 1.25 * 6: no new check
    learner.rank()
    assert learner.member_check_.weights_ is weights
    again = ActiveLearner(features="tfidf-asreview+charlsa+embed", classifier="svm-asreview-agree-weighed",
                          seed=2).fit(matrix=X, labels=[int(y[i]) if i in set(learner.history_) else -1
                                                         for i in range(y.size)])
    assert again.member_check_.weights_ is None
    again.rank()
    rebuilt = again.member_check_.weights_  # checked on every decision it was given
    assert rebuilt[0] == 1.0 and rebuilt[1] < 0.6
    assert first.size == y.size - MIN_RELEVANT - 30


def test_a_weighed_name_with_a_bad_exponent_is_an_unknown_classifier():
    assert make_classifier("svm-asreview-agree-weighed0.5").weighing == 0.5
    assert make_classifier("svm-asreview-agree-weighed").weighing == 1.0
    for name in ("svm-asreview-agree-weighedx", "svm-asreview-agree-weighed-1"):
        with pytest.raises(ValueError, match="unknown classifier"):
            make_classifier(name)
