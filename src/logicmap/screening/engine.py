"""The active-learning screening engine.

:class:`ActiveLearner` keeps the feature matrix of a dataset, the decisions made
so far, and a model retrained on demand (see its ``retrain_share`` for how often). It is
independent of the project store: callers pass texts and record decisions by
0-based position.

Example::

    learner = ActiveLearner(seed=1).fit(texts)           # features computed once
    learner.label(12, 1); learner.label(40, 0)            # prior knowledge
    while ...:
        i = learner.next()                                # retrain + rank
        learner.label(i, reviewer_says(i))

Cold start. While the decisions lack a relevant or an irrelevant record, there is
nothing to train on. The engine then ranks by cosine similarity to the
eligibility ``criteria`` text (when given) plus similarity to the relevant
records already found; without criteria or relevant records it falls back to a
seeded random order. Training starts as soon as both classes are present.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import warnings

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from logicmap.screening.features import make_features
from logicmap.screening.classifiers import block_views, make_classifier, score_records
from logicmap.screening.member_check import MemberCheck
from logicmap.screening.presets import FUSION_BLOCKS, check_fusion_matrix, family, resolve_engine
from logicmap.screening.query import make_query

UNLABELLED = -1
#: Where records without text go (see :class:`ActiveLearner`'s ``empty_policy``).
EMPTY_POLICIES = ("base-rate", "median", "model")
#: ``ActiveLearner``'s default ``retrain_share``: after irrelevant decisions the model is refitted once
#: they reach 1% of all decisions (every decision up to 100). Chosen among 0.0025 and 0.01 on tuning seeds
#: 11-13 (``benchmarks/screening_embed_default.py``); 0 refits after every decision.
DEFAULT_RETRAIN_SHARE = 0.01
#: Decisions whose share of relevant records :meth:`ActiveLearner.model_tired` watches
#: (chosen among 50 and 100 on tuning seeds 11-13).
EMPTY_WINDOW = 100
class ActiveLearner(BaseEstimator):
    """Rank unscreened records by predicted relevance and learn from each decision.

    Parameters
    ----------
    features:
        Feature extractor name (see :func:`~logicmap.screening.features.make_features`),
        a transformer instance, or ``"auto"`` (default; see
        :func:`~logicmap.screening.presets.default_engine`).
        A precomputed ``matrix`` given to :meth:`fit` must come from these features.
    classifier:
        Classifier name (see :mod:`logicmap.screening.classifiers`), an estimator, or
        ``"auto"`` (default: the one :func:`~logicmap.screening.presets.default_engine`
        pairs with the features).
    query:
        ``"max"`` (default), ``"uncertainty"`` or ``"mixed"``.
    seed:
        Seed of the engine's own :class:`numpy.random.Generator` (tie-breaking,
        mixed query, cold-start fallback) and of the classifiers.
    criteria:
        Eligibility-criteria text used for the cold start.
    reduce_columns:
        Fit on the feature columns present in the labelled records only (much
        cheaper on large vocabularies; scores are mapped back to all columns).
        Linear SVMs always fit on all columns (see :func:`_reduction_pays`).
        Models with ``warm_start`` (``sgd``) refit on all columns from their
        previous weights instead.
    retrain_share:
        How often the model is refitted. 0: after every decision. Above 0: at once
        after a relevant decision, a changed decision or an undo, and after
        irrelevant decisions once those since the last fit reach ``retrain_share``
        of all decisions (so after each one below ``1 / retrain_share`` decisions);
        in between, records are taken in the last fit's order. A fit costs more the
        more decisions there are, so this bounds the cost per decision late in a
        screening, when one more irrelevant record barely moves the model.
    empty_policy:
        Where records with neither title nor abstract, which no model can rank, go:
        ``"base-rate"`` (the median score of the records with text, until the
        model tires, then first; see :meth:`model_tired`), ``"median"`` (the
        median score throughout) or ``"model"`` (whatever the model gives an
        empty feature vector, i.e. its intercept, usually the very bottom).

    Attributes
    ----------
    history_:
        Indices of the decided records, in decision order.
    refits_:
        How many times the model was fitted since :meth:`fit` (a refit that
        ``retrain_share`` let wait is not counted).
    member_check_:
        A weighing fusion's member weights (:class:`~logicmap.screening.member_check.MemberCheck`).
    """

    def __init__(
        self,
        features: str | Any = "auto",
        classifier: str | BaseEstimator = "auto",
        query: str = "max",
        seed: int = 0,
        criteria: str | None = None,
        reduce_columns: bool = True,
        empty_policy: str = "base-rate",
        retrain_share: float = DEFAULT_RETRAIN_SHARE,
    ) -> None:
        self.features = features
        self.classifier = classifier
        self.query = query
        self.seed = seed
        self.criteria = criteria
        self.reduce_columns = reduce_columns
        self.empty_policy = empty_policy
        self.retrain_share = retrain_share

    # -- setup -------------------------------------------------------------
    def fit(self, texts: Sequence[str] | None = None, labels: Sequence[int] | None = None,
            *, matrix: Any = None, extractor: Any = None) -> "ActiveLearner":
        """Compute the feature matrix of all records (or take ``matrix``) and reset decisions.

        ``labels`` may give known decisions up front: 1, 0, or -1 for unscreened.
        ``extractor`` is the fitted transformer that made ``matrix``, to embed the
        ``criteria`` with (without it a precomputed matrix means no criteria).
        A sparse ``matrix`` has its column indices sorted in place (the same matrix).
        """
        records = matrix.shape[0] if matrix is not None else None if texts is None else len(texts)
        if self.empty_policy not in EMPTY_POLICIES:
            raise ValueError(f"empty_policy must be one of {', '.join(EMPTY_POLICIES)}, not {self.empty_policy!r}")
        if not 0 <= self.retrain_share < 1:
            raise ValueError(f"retrain_share must be in [0, 1), not {self.retrain_share!r}")
        self.features_, self.classifier_ = resolve_engine(self.features, self.classifier, records)
        if matrix is None:
            if texts is None:
                raise ValueError("fit needs texts or a precomputed matrix")
            self.extractor_ = make_features(self.features_)
            matrix = self.extractor_.fit_transform(list(texts))
        else:
            self.extractor_ = extractor
        self.X_ = sparse.csr_matrix(matrix) if sparse.issparse(matrix) else np.asarray(matrix)
        if sparse.issparse(self.X_):
            # scikit-learn sorts the column indices of every training slice (X_[done]) it
            # converts; sorted once here, that sort is a linear check. A third of a decision's
            # time with character n-grams (1,218 records); same training data, so the same model
            self.X_.sort_indices()
        n = self.X_.shape[0]
        self.rng_ = np.random.default_rng(self.seed)
        self.jitter_ = self.rng_.permutation(n)
        self.query_ = make_query(self.query)
        self.labels_ = np.full(n, UNLABELLED, dtype=np.int8)
        nnz = self.X_.getnnz(axis=1) if sparse.issparse(self.X_) else (self.X_ != 0).sum(axis=1)
        self.empty_ = np.asarray(nnz).ravel() == 0
        if family(self.classifier_) in FUSION_BLOCKS:
            check_fusion_matrix(self.X_, rows_with_text=int((~self.empty_).sum()),
                                 classifier=self.classifier_)
        self.history_: list[int] = []
        self.model_: BaseEstimator | None = None
        self.columns_: np.ndarray | None = None
        self._stale = True
        self._must_fit = True
        self._fitted_at = 0
        self.refits_ = 0
        self._raw_scores: tuple[np.ndarray, np.ndarray] | None = None
        self._block_views: dict[tuple, list] = {}
        self.member_check_ = MemberCheck()
        self._criteria_vector = self._embed_criteria()
        if labels is not None:
            for index, value in enumerate(labels):
                if value is not None and int(value) != UNLABELLED:
                    self.label(index, int(value))
        return self

    def _embed_criteria(self):
        if not self.criteria or self.extractor_ is None:
            return None
        vector = self.extractor_.transform([self.criteria])
        return vector if (vector.nnz if sparse.issparse(vector) else np.any(vector)) else None

    # -- decisions ---------------------------------------------------------
    @property
    def n_records(self) -> int:
        """Number of records in the dataset."""
        return self.X_.shape[0]

    def label(self, index: int, label: int) -> None:
        """Record a decision (1 relevant, 0 irrelevant) for the record at ``index``."""
        if label not in (0, 1):
            raise ValueError(f"label must be 0 or 1, not {label!r}")
        if not 0 <= index < self.n_records:
            raise IndexError(f"record {index} is outside 0..{self.n_records - 1}")
        if self.labels_[index] == UNLABELLED:
            self.history_.append(int(index))
        elif self.labels_[index] != label:
            self._must_fit = True
        if label == 1:
            self._must_fit = True
        self.labels_[index] = label
        self._stale = True

    def unlabel(self, index: int) -> None:
        """Forget the decision on the record at ``index`` (a reviewer's undo)."""
        if self.labels_[index] != UNLABELLED:
            self.labels_[index] = UNLABELLED
            self.history_.remove(int(index))
            self._stale = True
            self._must_fit = True

    @property
    def can_train(self) -> bool:
        """True once both a relevant and an irrelevant decision exist."""
        seen = self.labels_[self.labels_ != UNLABELLED]
        return bool((seen == 1).any() and (seen == 0).any())

    # -- ranking -----------------------------------------------------------
    def retrain(self) -> None:
        """Refit the classifier on all decisions (a no-op when nothing changed, or while
        ``retrain_share`` lets the last fit stand)."""
        if not self._stale or self._may_wait():
            return
        self._raw_scores = None
        self._must_fit = False
        self._fitted_at = len(self.history_)
        if self.can_train:
            self.refits_ += 1
            done = np.flatnonzero(self.labels_ != UNLABELLED)
            y = self.labels_[done]
            model = make_classifier(self.classifier_, seed=self.seed)
            if getattr(model, "weighing", 0):
                model.set_params(weights=self.member_check_.weights(
                    model, self._views(model), self.labels_, self.jitter_ % 2, self.X_.shape[1]))
            presumed = getattr(model, "presumed_irrelevant", 0)
            if presumed:
                extra = self._presumed_irrelevant(presumed)
                done, y = np.concatenate([done, extra]), np.concatenate([y, np.zeros(extra.size, y.dtype)])
            # assume_finite: the features are finite by construction, and the check would
            # scan every labelled row again at each decision. liblinear may stop at max_iter
            # on hard early samples; the ranking is still usable and the next decision refits.
            with warnings.catch_warnings(), config_context(assume_finite=True):
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.model_ = self._fit(model, done, y)
        self._stale = False

    def _fit(self, model: BaseEstimator, done: np.ndarray, y: np.ndarray) -> BaseEstimator:
        """``model`` (unfitted; a warm-started model refits its last fit instead) fitted on
        the records at ``done``; sets ``columns_``."""
        self.columns_ = None
        if _warm(self.model_):
            return self.model_.fit(self.X_[done], y)
        views = self._views(model)
        if views is not None:
            # liblinear fits in float64: the labelled rows are converted here, once per fit (a
            # float64 copy of the whole matrix kept beside the float32 one doubled its memory)
            rows = [view[done].astype(np.float64) for view in views]
            return model.fit_views(rows, y, n_columns=self.X_.shape[1], previous=self.model_)
        X = self.X_[done]
        if (sparse.issparse(X) and self.reduce_columns and _reduction_pays(model)
                and not getattr(model, "needs_all_columns", False)):
            # Columns absent from every labelled record get weight 0 under L2 (and carry
            # no evidence for naive Bayes): fit without them. bincount, not np.unique:
            # numpy's hash-based unique took ~0.2 s per decision at 10,000 records with
            # word bigrams (500k columns)
            self.columns_ = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]))
            X = X[:, self.columns_]
        return model.fit(X, y)

    def _may_wait(self) -> bool:
        """Whether the last fit may stand: only irrelevant decisions were added since,
        fewer than ``retrain_share`` of all decisions."""
        if self.retrain_share == 0 or self._must_fit or self.model_ is None:
            return False
        return len(self.history_) - self._fitted_at < self.retrain_share * len(self.history_)

    def _presumed_irrelevant(self, count: int) -> np.ndarray:
        """A seeded random sample of ``count`` unscreened records, trained on as
        irrelevant (Cormack & Grossman's BMI); drawn afresh at every decision count."""
        pool = np.flatnonzero(self.labels_ == UNLABELLED)
        rng = np.random.default_rng([self.seed, len(self.history_)])
        return np.sort(rng.choice(pool, size=min(count, pool.size), replace=False))

    def scores(self) -> tuple[np.ndarray, np.ndarray]:
        """``(score, probability)`` for every record (retraining first if needed)."""
        self.retrain()
        if self.model_ is not None and self.can_train:
            if self._raw_scores is None:
                self._raw_scores = score_records(self.model_, self.X_, self.columns_,
                                                 views=self._views(self.model_))
            score, proba = (values.copy() for values in self._raw_scores)
            return self._neutral_empty(score), proba
        score = self._cold_scores()
        return score, np.full(self.n_records, 0.5)

    def _views(self, model: BaseEstimator) -> list | None:
        """The matrix split by the model's column blocks, if it has blocks (kept across decisions)."""
        blocks = getattr(model, "blocks", None)
        if blocks is None or not sparse.issparse(self.X_):
            return None
        key = tuple(None if b is None else tuple(b) for b in blocks)
        if key not in self._block_views:
            self._block_views[key] = block_views(self.X_, blocks)
        return self._block_views[key]

    def _neutral_empty(self, score: np.ndarray) -> np.ndarray:
        """Place the records without any text as ``empty_policy`` says.

        The model knows nothing about them; left alone they would all get the
        intercept's score, usually the very bottom, so a relevant record lacking
        title and abstract would be found last. The median of the whole dataset
        (screened records included, so the level does not sink as the pool
        shrinks) ranks them as a typical record: "no evidence either way".
        Under ``"base-rate"`` they come first once :meth:`model_tired`.
        """
        if not self.empty_.any() or self.empty_.all() or self.empty_policy == "model":
            return score
        score = score.copy()
        with_text = score[~self.empty_]
        tired = self.empty_policy == "base-rate" and self.model_tired()
        score[self.empty_] = with_text.max() + 1.0 if tired else np.median(with_text)
        return score

    def model_tired(self, window: int = EMPTY_WINDOW) -> bool:
        """True once, at some point of the decisions so far, the last ``window`` records
        with text screened held a smaller share of relevant records than the relevant
        records then found are of all records.

        A record without text is taken to be as likely relevant as any record: at
        least that share, a lower bound of the dataset's. Once the model's own picks
        do worse, the records without text are the better bet. Decisions given to
        :meth:`fit` as ``labels`` count in record order (their own order is unknown).
        """
        order = np.asarray(self.history_, dtype=np.intp)
        order = order[~self.empty_[order]]
        if order.size < window:
            return False
        found = np.cumsum(self.labels_[order] == 1)
        recent = found[window - 1 :] - np.concatenate(([0], found[:-window]))
        return bool(np.any(recent * self.n_records < found[window - 1 :] * window))

    def _cold_scores(self) -> np.ndarray:
        """Similarity to the criteria and to relevant records found (cold start)."""
        score = np.zeros(self.n_records)
        relevant = np.flatnonzero(self.labels_ == 1)
        if self._criteria_vector is not None:
            score += _dense(self.X_ @ self._criteria_vector.T)
        if relevant.size:
            centroid = self.X_[relevant].mean(axis=0)
            score += _dense(self.X_ @ np.asarray(centroid).ravel())
        return score

    def rank(self) -> np.ndarray:
        """Positions of the unscreened records, in the order to screen them."""
        score, proba = self.scores()
        pool = np.flatnonzero(self.labels_ == UNLABELLED)
        order = self.query_.order(score[pool], proba[pool], self.jitter_[pool], self.rng_)
        return pool[order]

    def next(self) -> int:
        """The record to screen next; raises ``StopIteration`` when all are screened.

        Same choice as ``rank()[0]``; the ``max`` query skips the full sort.
        """
        if self.query_.name != "max":
            ranked = self.rank()
            if ranked.size == 0:
                raise StopIteration("every record has been screened")
            return int(ranked[0])
        score, _ = self.scores()
        pool = np.flatnonzero(self.labels_ == UNLABELLED)
        if pool.size == 0:
            raise StopIteration("every record has been screened")
        pooled = score[pool]
        best = pool[pooled == pooled.max()]
        return int(best[np.argmin(self.jitter_[best])])


def _reduction_pays(model: BaseEstimator) -> bool:
    """Whether fitting on the labelled records' columns only saves time. Not for
    warm-started models (they keep their own columns), nor for liblinear's linear
    SVM, whose cost grows with the labelled rows' non-zeros, not with the columns:
    copying the columns cost more than it saved (134 vs 103 ms a decision at
    10,000 records with word bigrams, same choices)."""
    return not _warm(model) and not isinstance(model, LinearSVC)


def _warm(model: BaseEstimator | None) -> bool:
    """Models that refit from their previous weights (SGD with ``warm_start``)."""
    return model is not None and bool(getattr(model, "warm_start", False))


def _dense(values: Any) -> np.ndarray:
    if sparse.issparse(values):
        values = values.toarray()
    return np.asarray(values, dtype=np.float64).ravel()
