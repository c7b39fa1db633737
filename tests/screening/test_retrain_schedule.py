"""ActiveLearner's retrain schedule (``retrain_share``): when the model is refitted, and what it
costs the ranking. A refit builds a new classifier object, so ``model_``'s identity shows it."""

from __future__ import annotations

import numpy as np
import pytest

from logicmap.screening import ActiveLearner, simulate
from tests.screening.test_engine import toy_corpus


def started(share: float, decided: int = 40):
    """A learner on the toy corpus with ``decided`` irrelevant records and one relevant decided."""
    texts, labels = toy_corpus(200)
    learner = ActiveLearner(features="tfidf", classifier="svm", seed=1, retrain_share=share).fit(texts)
    learner.label(3, 1)
    for index in [i for i, y in enumerate(labels) if y == 0][:decided]:
        learner.label(index, 0)
    learner.next()
    return learner, labels


def irrelevant_left(learner, labels):
    return [i for i, y in enumerate(labels) if y == 0 and learner.labels_[i] == -1]


def test_every_decision_refits_by_default():
    learner, labels = started(0.0)
    for index in irrelevant_left(learner, labels)[:3]:
        model = learner.model_
        learner.label(index, 0)
        learner.next()
        assert learner.model_ is not model


def test_irrelevant_decisions_wait_for_their_share_of_all_decisions():
    learner, labels = started(0.1)  # 41 decisions: a refit once 5 irrelevant ones have come since the last
    model, refits = learner.model_, learner.refits_
    left = irrelevant_left(learner, labels)
    for index in left[:4]:
        learner.label(index, 0)
        learner.next()
        assert learner.model_ is model
        assert learner.refits_ == refits
    learner.label(left[4], 0)
    learner.next()
    assert learner.model_ is not model
    assert learner.refits_ == refits + 1


def test_a_relevant_decision_an_undo_and_a_changed_decision_refit_at_once():
    learner, labels = started(0.1)
    left = irrelevant_left(learner, labels)
    relevant = [i for i, y in enumerate(labels) if y == 1 and learner.labels_[i] == -1]
    for change in (lambda: learner.label(relevant[0], 1), lambda: learner.unlabel(left[0]),
                   lambda: learner.label(left[1], 1)):
        learner.label(left[0], 0)
        learner.next()
        model = learner.model_
        change()
        learner.next()
        assert learner.model_ is not model


def test_between_refits_the_ranking_is_the_last_fits():
    learner, _ = started(0.1)
    before = learner.rank()
    learner.label(int(before[0]), 0)
    assert list(learner.rank()) == [i for i in before if i != before[0]]


def test_few_decisions_refit_every_time_and_the_share_is_checked():
    learner, labels = started(0.1, decided=5)  # 6 decisions: 0.6 of one decision, so every one refits
    model = learner.model_
    learner.label(irrelevant_left(learner, labels)[0], 0)
    learner.next()
    assert learner.model_ is not model
    with pytest.raises(ValueError, match="retrain_share"):
        ActiveLearner(retrain_share=1.0).fit(["a b", "c d"])


def test_a_schedule_finds_the_relevant_records_as_early_on_the_toy_corpus():
    texts, labels = toy_corpus(300)
    every = simulate(texts, np.array(labels), seed=2, rules=[],
                     learner=ActiveLearner(features="tfidf", classifier="svm", seed=2))
    scheduled = simulate(texts, np.array(labels), seed=2, rules=[],
                         learner=ActiveLearner(features="tfidf", classifier="svm", seed=2, retrain_share=0.05))
    assert scheduled.metrics["wss@95"] >= every.metrics["wss@95"] - 0.02
