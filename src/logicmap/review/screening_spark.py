"""A reviewer's screening ranking computed as Spark jobs over the project store.

:func:`rank_on_spark` is the distributed counterpart of a
:class:`~logicmap.review.screening_session.ScreeningSession`'s ranking with the
default engine (word TF-IDF + linear SVM): the vocabulary and the scores of
every record are Spark jobs whose executors read the store themselves
(:class:`~logicmap.store.spark_source.RecordPartitions`); only the reviewer's
decided records are turned into features on the driver, to train on.
"""

from __future__ import annotations

from typing import Any

from logicmap.errors import ScreeningError
from logicmap.review.screening_session import reviewer_standing
from logicmap.screening.distributed import LinearScorer, SparkScreening, train_on_decided
from logicmap.screening.queue import LABELS
from logicmap.store.database import Store
from logicmap.store.screening import screening_texts
from logicmap.store.spark_source import RecordPartitions


def rank_on_spark(store: Store, spark: Any, *, reviewer: str, stage: str, candidates: list[int],
                  partitions: int = 8, seed: int = 0) -> list[int]:
    """``candidates`` the reviewer has not decided, best first, scored on ``spark``.

    Needs at least one include and one exclude by ``reviewer`` at ``stage``.
    """
    decided = {r: d.decision for r, d in reviewer_standing(store, reviewer, stage).items()}
    labelled = sorted(r for r, d in decided.items() if d in LABELS)
    labels = [LABELS[decided[r]] for r in labelled]
    if not (0 in labels and 1 in labels):
        raise ScreeningError(f"{reviewer} needs at least one include and one exclude at {stage} to rank")
    jobs = SparkScreening(spark, RecordPartitions(store.location), partitions)
    extractor = jobs.fit_features()
    learner = train_on_decided(extractor, screening_texts(store, labelled), labels, seed=seed)
    pool = set(candidates) - set(decided)
    return [r for r in jobs.rank(LinearScorer.from_learner(learner), exclude=decided) if r in pool]
