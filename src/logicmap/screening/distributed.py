"""Screening features and ranking as Spark jobs over records read in partitions.

The TF-IDF features and the linear model of the default engine (``tfidf`` +
``svm``) split into parts that need no feature matrix of the whole dataset:

1. **vocabulary** (a Spark job): each partition counts the documents each term
   occurs in (:func:`document_frequencies`); the counts are summed across
   partitions and :func:`tfidf_from_frequencies` builds the fitted
   :class:`~logicmap.screening.features.TfidfFeatures` that fitting on all texts at
   once would give (same terms, same order, same IDF weights);
2. **training** (on the driver): only the decided records are turned into
   features, and the usual :class:`~logicmap.screening.engine.ActiveLearner` fits on
   them (:func:`train_on_decided`);
3. **ranking** (a Spark job): the fitted features and model travel to every
   partition (:class:`LinearScorer`), which scores its records in batches; the
   driver collects ``(record, score)`` and orders them (:func:`rank_scored`).

Records come from ``read(k, n)``, a picklable callable yielding ``(record id,
text)`` for partition ``k`` of ``n`` (e.g. one SQL query per partition run by the
executor itself; see :mod:`logicmap.store.spark_source`). Nothing here imports
pyspark: ``spark`` is any SparkSession, local or on a cluster.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from logicmap.screening.classifiers import score_records
from logicmap.screening.engine import ActiveLearner
from logicmap.screening.features import TfidfFeatures

#: ``read(k, n)``: the ``(record id, text)`` pairs of partition ``k`` of ``n``.
Reader = Callable[[int, int], Iterable[tuple[int, str]]]


def document_frequencies(texts: Iterable[str], template: TfidfFeatures) -> Counter:
    """Term -> number of ``texts`` containing it, with ``template``'s word analyzer; ``""`` counts texts."""
    if template.analyzer != "word":
        raise ValueError("distributed features support the word TF-IDF ('tfidf') only")
    analyse = template._blocks()[0].build_analyzer()
    counts: Counter = Counter()
    for text in texts:
        counts.update(set(analyse(text or "")))
        counts[""] += 1
    return counts


def tfidf_from_frequencies(frequencies: dict[str, int], template: TfidfFeatures) -> TfidfFeatures:
    """A fitted ``template`` from summed document frequencies (``""`` = number of texts).

    Terms are kept and weighted as scikit-learn's ``TfidfVectorizer`` would on all
    the texts at once: ``min_df`` and ``max_df`` filters, sorted vocabulary, smooth IDF.
    """
    n = int(frequencies.get("", 0))
    high = template.max_df if isinstance(template.max_df, int) else template.max_df * n
    kept = sorted(t for t, c in frequencies.items() if t and template.min_df <= c <= high)
    if template.max_features is not None:
        raise ValueError("distributed features do not support max_features")
    vectorizer = template._blocks()[0]
    vectorizer.set_params(vocabulary={t: i for i, t in enumerate(kept)})
    vectorizer.fit([""])  # sets the fixed vocabulary; the IDF is replaced just below
    df = np.array([frequencies[t] for t in kept], dtype=np.float64)
    vectorizer.idf_ = np.log((1.0 + n) / (1.0 + df)) + 1.0
    fitted = TfidfFeatures(**template.get_params())
    fitted.vectorizers_ = [vectorizer]
    return fitted


def train_on_decided(extractor: TfidfFeatures, texts: Sequence[str], labels: Sequence[int], *,
                     classifier: str = "svm", seed: int = 0) -> ActiveLearner:
    """An :class:`ActiveLearner` fitted on the decided records only (texts and 1/0 labels)."""
    learner = ActiveLearner(features=extractor, classifier=classifier, seed=seed)
    learner.fit(matrix=extractor.transform(list(texts)), extractor=extractor, labels=list(labels))
    learner.retrain()
    if learner.model_ is None:
        raise ValueError("ranking needs both an included and an excluded decision")
    return learner


@dataclass(frozen=True)
class LinearScorer:
    """Fitted features and model, shipped to the executors: scores texts batch by batch."""

    extractor: Any
    model: Any
    columns: np.ndarray | None

    @classmethod
    def from_learner(cls, learner: ActiveLearner) -> "LinearScorer":
        """The scorer of a trained learner (``learner.retrain()`` first)."""
        learner.retrain()
        return cls(learner.extractor_, learner.model_, learner.columns_)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """The model's score of each text (higher: more likely relevant)."""
        score, _ = score_records(self.model, self.extractor.transform(list(texts)), self.columns)
        return score


def score_rows(rows: Iterable[tuple[int, str]], scorer: LinearScorer, batch: int = 5000
               ) -> Iterator[tuple[int, float, bool]]:
    """``(record id, score, has text)`` for every row, scoring ``batch`` texts at a time."""
    chunk: list[tuple[int, str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == batch:
            yield from _score_chunk(chunk, scorer)
            chunk = []
    if chunk:
        yield from _score_chunk(chunk, scorer)


def _score_chunk(chunk: list[tuple[int, str]], scorer: LinearScorer) -> Iterator[tuple[int, float, bool]]:
    scores = scorer.scores([text for _, text in chunk])
    for (record_id, text), score in zip(chunk, scores):
        yield int(record_id), float(score), bool(text and text.strip())


def rank_scored(scored: Iterable[tuple[int, float, bool]], *, exclude: Iterable[int] = ()) -> list[int]:
    """Record ids best first, without ``exclude`` (decided records); ties by record id.

    Records without text get the median score of the records with text ("no evidence
    either way"), as :class:`ActiveLearner` gives them with ``empty_policy="median"``; its
    default also brings them first once the model tires, which needs the decisions'
    order, not kept here.
    """
    rows = list(scored)
    if not rows:
        return []
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    score = np.array([r[1] for r in rows], dtype=np.float64)
    has_text = np.array([r[2] for r in rows], dtype=bool)
    if has_text.any() and not has_text.all():
        score[~has_text] = np.median(score[has_text])
    keep = ~np.isin(ids, np.fromiter(exclude, dtype=np.int64))
    ids, score = ids[keep], score[keep]
    return [int(i) for i in ids[np.lexsort((ids, -score))]]


class SparkScreening:
    """The vocabulary and the ranking of records read by ``read`` as jobs on ``spark``,
    one Spark partition per reader partition (``partitions``)."""

    def __init__(self, spark: Any, read: Reader, partitions: int = 8) -> None:
        self.spark = spark
        self.read = read
        self.partitions = partitions

    def _partitions(self):
        return self.spark.sparkContext.parallelize(range(self.partitions), self.partitions)

    def fit_features(self, template: TfidfFeatures | None = None) -> TfidfFeatures:
        """The TF-IDF features fitted on every record's text (document frequencies on Spark)."""
        template = template or TfidfFeatures(analyzer="word")
        read, n = self.read, self.partitions

        def counts(ks: Iterable[int]) -> Iterator[tuple[str, int]]:
            for k in ks:
                yield from document_frequencies((text for _, text in read(k, n)), template).items()

        summed = dict(self._partitions().mapPartitions(counts).reduceByKey(lambda a, b: a + b).collect())
        return tfidf_from_frequencies(summed, template)

    def scores(self, scorer: LinearScorer) -> list[tuple[int, float, bool]]:
        """``(record id, score, has text)`` of every record, scored on the executors."""
        shipped = self.spark.sparkContext.broadcast(scorer)
        read, n = self.read, self.partitions

        def score(ks: Iterable[int]) -> Iterator[tuple[int, float, bool]]:
            for k in ks:
                yield from score_rows(read(k, n), shipped.value)

        try:
            return self._partitions().mapPartitions(score).collect()
        finally:
            shipped.unpersist()

    def rank(self, scorer: LinearScorer, *, exclude: Iterable[int] = ()) -> list[int]:
        """Record ids best first (see :func:`rank_scored`)."""
        return rank_scored(self.scores(scorer), exclude=exclude)
