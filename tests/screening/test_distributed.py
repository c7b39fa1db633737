"""The distributed screening pieces without Spark: partitioned vocabulary and scoring equal the local engine."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from logicmap.screening.distributed import (
    LinearScorer,
    document_frequencies,
    rank_scored,
    score_rows,
    tfidf_from_frequencies,
    train_on_decided,
)
from logicmap.screening.engine import ActiveLearner
from logicmap.screening.features import TfidfFeatures

TEXTS = [
    "Exercise therapy for chronic low back pain: a randomised trial",
    "Cognitive behavioural therapy reduces back pain disability in adults",
    "Peer support and recovery colleges for people with mental illness",
    "Recovery college attendance and wellbeing: a mixed methods study",
    "Back pain education leaflet trial in primary care",
    "Housing first and recovery outcomes in homeless adults with mental illness",
    "",
    "Mindfulness for stress in nurses: a randomised controlled trial",
    "Recovery orientated practice training for mental health staff",
    "Yoga versus stretching for chronic back pain",
]


def partitions(n: int) -> list[list[int]]:
    return [[i for i in range(len(TEXTS)) if i % n == k] for k in range(n)]


def test_summed_partition_frequencies_give_the_fitted_features():
    template = TfidfFeatures(analyzer="word")
    summed: Counter = Counter()
    for part in partitions(3):
        summed.update(document_frequencies([TEXTS[i] for i in part], template))
    assert summed[""] == len(TEXTS)
    fitted = tfidf_from_frequencies(dict(summed), template)
    local = TfidfFeatures(analyzer="word")
    expected = local.fit_transform(TEXTS)
    assert fitted.vectorizers_[0].vocabulary_ == local.vectorizers_[0].vocabulary_
    got = fitted.transform(TEXTS)
    assert np.allclose(got.toarray(), expected.toarray(), atol=1e-6)


def test_char_features_are_refused():
    with pytest.raises(ValueError, match="word TF-IDF"):
        document_frequencies(TEXTS, TfidfFeatures(analyzer="char"))


def test_partitioned_scores_rank_as_the_local_learner():
    labels = {0: 1, 1: 1, 2: 0, 3: 0, 5: 0}
    local = ActiveLearner(features="tfidf", classifier="svm").fit(TEXTS)
    for i, y in labels.items():
        local.label(i, y)
    score, _ = local.scores()
    extractor = TfidfFeatures(analyzer="word")
    extractor.fit(TEXTS)
    learner = train_on_decided(extractor, [TEXTS[i] for i in labels], list(labels.values()))
    scorer = LinearScorer.from_learner(learner)
    scored = [row for part in partitions(2) for row in score_rows(((i, TEXTS[i]) for i in part), scorer, batch=2)]
    assert len(scored) == len(TEXTS)
    by_id = {i: s for i, s, _ in scored}
    with_text = [i for i in range(len(TEXTS)) if TEXTS[i]]
    assert np.allclose([by_id[i] for i in with_text], score[with_text], atol=1e-5)
    ranking = rank_scored(scored, exclude=labels)
    expected = sorted((i for i in range(len(TEXTS)) if i not in labels), key=lambda i: (-score[i], i))
    assert ranking == expected


def test_training_needs_both_classes():
    extractor = TfidfFeatures(analyzer="word")
    extractor.fit(TEXTS)
    with pytest.raises(ValueError, match="both"):
        train_on_decided(extractor, TEXTS[:2], [1, 1])
