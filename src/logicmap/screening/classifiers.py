"""Classifiers for screening and a rank-averaging ensemble.

Every classifier here is linear in the features, so scoring all records is one
sparse matrix product however many members the ensemble has. Class imbalance
(typically 1-10% relevant) is handled with class weights: the default SVM gives
the relevant class 9.8 times the irrelevant class's total weight (ASReview's
ELAS u4 values, found on the SYNERGY datasets, not on ours); the others use
``class_weight="balanced"`` (or the matching sample weights for naive Bayes).

Names accepted by :func:`make_classifier`:

``logistic``  logistic regression (liblinear dual solver, L2)
``svm``       linear SVM (liblinear, squared hinge, relevant class weighted 9.8:1;
              the TF-IDF block of the fusion classifiers)
``svm-asreview`` ASReview LAB's default classifier exactly: the same SVM with the
              weights rescaled to sum to the number of labelled records (with
              ``tfidf-asreview+char`` features, the plain install's default)
``svm-asreview-bmiN`` the same, trained at each decision also on N unscreened
              records drawn at random (seeded) and presumed irrelevant (Cormack &
              Grossman's BMI; N=100 when omitted). Tried, not a default
``svm-balanced`` linear SVM with ``class_weight="balanced"``
``nb``        multinomial naive Bayes with balanced sample weights
``sgd``       SGD logistic regression refitted with a warm start
``ensemble``  rank average of logistic + svm + nb
``svm-fusion`` for ``tfidf+embed`` features: one SVM on the TF-IDF columns (C=0.11)
              and one on the embedding columns (C=1), combined by their *best*
              rank, so a record either model ranks near the top comes early
``svm-fusion-static`` the same for ``tfidf+static`` features (static embeddings
              in the last 256 columns)
``svm-asreview-fusion`` the same for ``tfidf-asreview+charlsa+embed`` features (the
              default before stop 39) and ``tfidf-asreview+char+embed``, with
              ``svm-asreview`` on the TF-IDF columns
``svm-asreview-agree`` the same two SVMs, each record scored by its best rank
              plus its mean rank (``agreement=1``), so a record both rank high comes
              before one only one of them ranks a little higher (the default)
``svm-asreview-agree-newton`` the same with the embedding SVM solved exactly (finite
              Newton, warm-started; stop 50): the same ranking, a faster fit, but no
              faster a decision with the members fitted at once (not the default)
``svm-asreview-agree-weighed`` the same two SVMs, each member's ranks weighed by a held-out
              check of the project's decisions (:mod:`~logicmap.screening.member_check`;
              ``...-weighed0.5``: exponent 0.5). Rule AB (stop 51): worse than the default on
              its tuning seeds (not the default)
``svm-asreview-agree-cC`` the default fusion with its embedding SVM's C set to C (e.g. ``-c0.3``)
``svm-asreview-agree-tC`` the default fusion with its TF-IDF SVM's C set to C (ELAS u4's 0.11 otherwise)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from joblib import effective_n_jobs
from joblib.externals.loky import get_reusable_executor
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC

from logicmap.screening.features import EMBED_DIMENSION, STATIC_DIMENSION
from logicmap.screening.models import BalancedNB, RatioSVC, linear_parts, ratio_weights, to_probability  # noqa: F401
from logicmap.screening.newton_svm import NewtonSVC
from logicmap.screening.rowbands import product

DEFAULT_CLASSIFIER = "svm"
#: ``svm-asreview-agree-weighed``'s exponent (:class:`RankEnsemble`'s ``weighing``); a number after the
#: name sets another (``svm-asreview-agree-weighed0.5``).
WEIGHING = 1.0
#: Labelled non-zeros from which :class:`RankEnsemble` fits its members at once, in worker processes
#: (when its ``n_jobs`` allows): below it the fits take less than starting a worker does.
PARALLEL_MIN_NNZ = 1_000_000
#: Seconds the worker processes of those fits stay up idle (a worker takes ~2.5 s to start). Loky's own
#: default, 10 s, is shorter than a reviewer reads a record: every refit started the workers again.
WORKER_IDLE_SECONDS = 900.0


def make_classifier(name: str | BaseEstimator = DEFAULT_CLASSIFIER, *, seed: int = 0) -> BaseEstimator:
    """A classifier by name (see the module doc); an estimator is cloned with its own params."""
    if not isinstance(name, str):
        return clone(name)
    if name == "logistic":
        return LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear",
                                  dual=True, max_iter=1000, random_state=seed)
    if name == "svm":
        return RatioSVC(C=0.11, ratio=9.8, random_state=seed)
    if name == "svm-asreview":
        return RatioSVC(C=0.11, ratio=9.8, normalise=True, random_state=seed)
    if name.startswith("svm-asreview-bmi"):
        return RatioSVC(C=0.11, ratio=9.8, normalise=True, random_state=seed,
                        presumed_irrelevant=int(name[len("svm-asreview-bmi"):] or 100))
    if name == "svm-balanced":
        return LinearSVC(C=0.5, class_weight="balanced", dual=True, max_iter=2000,
                         random_state=seed)
    if name == "nb":
        return BalancedNB(alpha=0.1)
    if name == "sgd":
        return SGDClassifier(loss="log_loss", alpha=1e-4, class_weight="balanced",
                             warm_start=True, max_iter=20, tol=None, random_state=seed)
    if name == "ensemble":
        return RankEnsemble(["logistic", "svm", "nb"], seed=seed)
    if name == "svm-fusion":
        return fusion_classifier(seed=seed)
    if name == "svm-asreview-fusion":
        return fusion_classifier(seed=seed, first="svm-asreview")
    if name == "svm-fusion-static":
        return fusion_classifier(seed=seed, embedding_dimension=STATIC_DIMENSION)
    if name == "svm-asreview-agree":
        return fusion_classifier(seed=seed, first="svm-asreview", agreement=1.0)
    if name == "svm-asreview-agree-newton":
        return fusion_classifier(seed=seed, first="svm-asreview", agreement=1.0, solver="newton")
    embedding_c = _numbered(name, "svm-asreview-agree-c")
    if embedding_c:
        return fusion_classifier(seed=seed, first="svm-asreview", agreement=1.0, embedding_c=embedding_c)
    tfidf_c = _numbered(name, "svm-asreview-agree-t")
    if tfidf_c:
        first = RatioSVC(C=tfidf_c, ratio=9.8, normalise=True, random_state=seed)
        return fusion_classifier(seed=seed, first=first, agreement=1.0)
    alpha = _numbered(name, "svm-asreview-agree-weighed", default=WEIGHING)
    if alpha is not None:
        return fusion_classifier(seed=seed, first="svm-asreview", agreement=1.0).set_params(weighing=alpha)
    if "+" in name:
        return RankEnsemble(name.split("+"), seed=seed)
    raise ValueError(
        f"unknown classifier {name!r}; choose from logistic, svm, svm-asreview, svm-balanced, "
        "nb, sgd, ensemble, svm-fusion, svm-fusion-static, svm-asreview-fusion, svm-asreview-agree, "
        "svm-asreview-agree-newton, svm-asreview-agree-weighed[ALPHA], svm-asreview-agree-cC, "
        "svm-asreview-agree-tC or members "
        "joined with '+'"
    )


def rank_scores(values: np.ndarray) -> np.ndarray:
    """Ranks scaled to [0, 1] (ties broken by position; callers add their own jitter)."""
    n = values.shape[0]
    order = np.argsort(values, axis=0, kind="stable")
    ranks = np.empty_like(order, dtype=np.float64)
    if values.ndim == 1:
        ranks[order] = np.arange(n)
    else:
        np.put_along_axis(ranks, order, np.arange(n, dtype=np.float64)[:, None], axis=0)
    return ranks / max(n - 1, 1)


class RankEnsemble(ClassifierMixin, BaseEstimator):
    """Members' rank scores combined: their mean (default) or their maximum.

    Ranks make the members' different score scales comparable. ``combine="max"``
    puts a record first when *any* member ranks it first (the mean ties a record
    one member finds and the other buries to a middling rank); ``agreement`` times
    the mean rank is added to the maximum (the default, 0.001, only breaks ties
    between records that share a best rank; 1 lets agreement weigh). ``blocks``, one
    ``(start, stop)`` column range per member (negative counts from the end, None
    for all), fits each member on its own columns: with stacked features such as
    TF-IDF beside sentence embeddings, each model sees one view of the text.

    ``n_jobs`` (joblib's meaning; None: one) fits up to that many members at once when
    the labelled matrix has at least :data:`PARALLEL_MIN_NNZ` non-zeros: the largest
    block here, the others in worker processes (joblib's reusable loky pool, started at
    the first such fit and kept up :data:`WORKER_IDLE_SECONDS` between fits). Processes,
    not threads: liblinear draws from one process-wide random generator, so members fitted
    in threads would not be reproducible; in processes each fit seeds its own, and the
    weights are those fitted one after the other.

    ``weights``, one per member in (0, 1] (None: all 1), stretch each member's depth below the top
    (1 - rank) by 1 / weight for the best rank (a record a member trusted less ranks at its top share
    comes level with the best member's record at weight times that share) and weigh the mean rank.
    ``weighing`` (0: off) asks :class:`~logicmap.screening.engine.ActiveLearner` to set ``weights`` from a
    held-out check of its decisions with that exponent (:mod:`logicmap.screening.member_check`).

    ``predict_proba`` averages the members' probability-like outputs (used by the
    uncertainty query); ``decision_function`` returns the combined rank (in [0, 2] for max plus
    full agreement; lower bounds fall with weights below 1).
    """

    def __init__(self, members: Sequence[str | BaseEstimator] = ("logistic", "svm", "nb"),
                 seed: int = 0, combine: str = "mean",
                 blocks: Sequence[tuple[int | None, int | None]] | None = None,
                 agreement: float = 1e-3, n_jobs: int | None = None, weighing: float = 0.0,
                 weights: Sequence[float] | None = None) -> None:
        self.members = members
        self.seed = seed
        self.combine = combine
        self.blocks = blocks
        self.agreement = agreement
        self.n_jobs = n_jobs
        self.weighing = weighing
        self.weights = weights

    @property
    def needs_all_columns(self) -> bool:
        """Block members index columns by position, so the engine must not drop any."""
        return self.blocks is not None

    def _checked_blocks(self) -> list:
        """One column block per member (None: all columns), after checking the settings."""
        if self.combine not in ("mean", "max"):
            raise ValueError(f"combine must be 'mean' or 'max', not {self.combine!r}")
        blocks = list(self.blocks) if self.blocks is not None else [None] * len(self.members)
        if len(blocks) != len(self.members):
            raise ValueError(f"{len(blocks)} column blocks for {len(self.members)} members")
        return blocks

    def fit(self, X, y) -> "RankEnsemble":
        """Fit every member on the labelled rows (on its own block of columns)."""
        views = [X if block is None else X[:, slice(*block)] for block in self._checked_blocks()]
        return self.fit_views(views, y, n_columns=X.shape[1])

    def fit_views(self, views: Sequence, y, n_columns: int, previous: BaseEstimator | None = None) -> "RankEnsemble":
        """:meth:`fit` from the labelled rows already split into the members' blocks (one
        view per member, as :func:`block_views` splits them; ``n_columns``: the whole
        matrix's). Views in float64 skip the copy liblinear's input would need. ``previous``,
        a fit of the same ensemble on earlier decisions, gives members with ``warm_start``
        their starting weights (:class:`~logicmap.screening.newton_svm.NewtonSVC`: the same
        result, sooner)."""
        blocks = self._checked_blocks()
        if len(views) != len(self.members):
            raise ValueError(f"{len(views)} views for {len(self.members)} members")
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        models = [make_classifier(member, seed=self.seed) for member in self.members]
        _start_from(models, previous)
        self.estimators_ = self._fit_members(models, list(views), y)
        parts, self.block_coefs_ = [], []
        for estimator, block in zip(self.estimators_, blocks):
            w_block, b = linear_parts(estimator)
            w = w_block
            if block is not None:
                w = np.zeros(n_columns, dtype=np.float32)
                w[slice(*block)] = w_block
            self.block_coefs_.append(np.asarray(w_block, dtype=np.float32))
            parts.append((w, b))
        self.coef_matrix_ = np.column_stack([w for w, _ in parts]).astype(np.float32)
        self.intercepts_ = np.array([b for _, b in parts], dtype=np.float32)
        return self

    def _fit_members(self, models: list, views: list, y: np.ndarray) -> list:
        """Each model fitted on its view. With ``n_jobs`` above 1 and a large enough matrix,
        the largest view is fitted here while worker processes fit the others (their
        warnings raised again here); else one after the other."""
        jobs = min(effective_n_jobs(self.n_jobs), len(models))
        sizes = [_nonzeros(view) for view in views]
        if jobs < 2 or sum(sizes) < PARALLEL_MIN_NNZ:
            return [model.fit(view, y) for model, view in zip(models, views)]
        here, *elsewhere = sorted(range(len(models)), key=lambda i: -sizes[i])
        executor = get_reusable_executor(max_workers=jobs - 1, timeout=WORKER_IDLE_SECONDS)
        futures = {i: executor.submit(_fit_recording_warnings, models[i], views[i], y) for i in elsewhere}
        fitted = {here: models[here].fit(views[here], y)}
        for i, future in futures.items():
            fitted[i], caught = future.result()
            for message, category in caught:
                warnings.warn(message, category, stacklevel=3)
        return [fitted[i] for i in range(len(models))]

    def raw_scores(self, X) -> np.ndarray:
        """Each member's linear score, one column per member."""
        return np.asarray(X @ self.coef_matrix_) + self.intercepts_

    def block_raw_scores(self, views: Sequence) -> np.ndarray:
        """:meth:`raw_scores` from the matrix split by :func:`block_views` (one view per
        member): each member multiplies only its own columns, and a dense block (the
        embeddings) is a BLAS product instead of a sparse one -- about three times
        faster at 100,000 records."""
        return np.column_stack([
            product(view, w).ravel() for view, w in zip(views, self.block_coefs_)
        ]) + self.intercepts_

    def combine_ranks(self, raw: np.ndarray) -> np.ndarray:
        """One score per row from the members' raw scores (higher: more likely relevant)."""
        ranks = rank_scores(raw)
        if self.weights is None:
            best, mean = ranks.max(axis=1), ranks.mean(axis=1)
        else:
            weights = np.asarray(self.weights, dtype=np.float64)
            # a member trusted less has its depth below the top stretched (1 / weight) for the best
            # rank, and counts less in the mean (stretched there, its disagreement would count more)
            best = (1.0 - (1.0 - ranks) / weights).max(axis=1)
            mean = ranks @ (weights / weights.sum())
        if self.combine == "max":
            return best + self.agreement * mean
        return mean

    def decision_function(self, X) -> np.ndarray:
        """Combined rank of each row across members (higher: more likely relevant)."""
        return self.combine_ranks(self.raw_scores(X))

    def predict_proba(self, X) -> np.ndarray:
        """Mean of the members' probability-like outputs, as ``[P(0), P(1)]`` columns."""
        p = to_probability(self.raw_scores(X)).mean(axis=1)
        return np.column_stack([1 - p, p])

    def predict(self, X) -> np.ndarray:
        """1 where the mean probability exceeds 0.5."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def _start_from(models: list, previous: BaseEstimator | None) -> None:
    """Give each warm-starting member of ``models`` a copy of its counterpart's weights in
    ``previous`` (a fitted ensemble of the same members), when it has them."""
    fitted = getattr(previous, "estimators_", None)
    if fitted is None or len(fitted) != len(models):
        return
    for model, before in zip(models, fitted):
        if getattr(model, "warm_start", False) and type(model) is type(before) and hasattr(before, "coef_"):
            model.coef_, model.intercept_ = before.coef_.copy(), before.intercept_.copy()


def _nonzeros(X) -> int:
    return int(X.nnz) if hasattr(X, "nnz") else int(np.count_nonzero(X))


def _fit_recording_warnings(model: BaseEstimator, X, y) -> tuple[BaseEstimator, list]:
    """``model`` fitted, and the warnings it raised (a worker's would be lost)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return model, [(str(w.message), w.category) for w in caught]


def _numbered(name: str, prefix: str, default: float | None = None) -> float | None:
    """The number (0 or more, written plainly) after ``prefix`` in ``name``; ``default`` when nothing
    follows; None when ``name`` does not start with ``prefix`` or no such number follows."""
    if not name.startswith(prefix):
        return None
    text = name[len(prefix):]
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        return None
    return value if text.replace(".", "", 1).isdigit() else None


def linear_matrix(model: BaseEstimator) -> tuple[np.ndarray, np.ndarray]:
    """``(W, b)``: one weight column and intercept per member (one for a single model)."""
    if isinstance(model, RankEnsemble):
        return model.coef_matrix_, model.intercepts_
    w, b = linear_parts(model)
    return w.astype(np.float32)[:, None], np.array([b], dtype=np.float32)


def score_records(model: BaseEstimator, X, columns: np.ndarray | None = None,
                  views: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(score, probability)`` for every row of ``X`` from a fitted model.

    ``score`` orders records (higher: more likely relevant): the raw linear score
    of a single model, the mean rank of an ensemble's members. ``probability`` is
    a rough P(relevant) used by the uncertainty query. ``columns`` maps a model
    fitted on a subset of the feature columns back to all of them (the other
    columns get weight 0). ``views``, for an ensemble with column blocks, are
    ``X``'s blocks from :func:`block_views` (same scores, computed faster).
    """
    if views is not None and isinstance(model, RankEnsemble):
        raw = model.block_raw_scores(views)
        return model.combine_ranks(raw), to_probability(raw).mean(axis=1)
    W, b = linear_matrix(model)
    if columns is not None:
        full = np.zeros((X.shape[1], W.shape[1]), dtype=np.float32)
        full[columns] = W
        W = full
    raw = product(X, W) + b
    proba = to_probability(raw).mean(axis=1)
    if raw.shape[1] == 1:
        return raw[:, 0].astype(np.float64), proba
    return model.combine_ranks(raw), proba


def block_views(X, blocks: Sequence[tuple[int | None, int | None] | None]) -> list:
    """``X``'s column blocks, one per ensemble member: CSR, or a dense array where
    the block is mostly filled (sentence embeddings). Slicing costs about one sparse
    product, so the engine does it once per dataset, not per decision."""
    views = []
    for block in blocks:
        view = X if block is None else X[:, slice(*block)]
        if hasattr(view, "toarray") and view.nnz > 0.5 * view.shape[0] * view.shape[1]:
            view = view.toarray()
        views.append(view)
    return views


def fusion_classifier(seed: int = 0, embedding_dimension: int = EMBED_DIMENSION,
                      first: str = "svm", agreement: float = 1e-3, n_jobs: int | None = -1,
                      solver: str = "liblinear", embedding_c: float = 1.0) -> RankEnsemble:
    """The ``svm-fusion`` preset for ``tfidf+embed`` features (embeddings in the last
    ``embedding_dimension`` columns): a TF-IDF SVM and an embedding SVM, best rank wins.
    ``first`` names the TF-IDF block's SVM (``svm-asreview-fusion``: ``svm-asreview``);
    ``agreement`` weighs the mean rank beside the best (``svm-asreview-agree``: 1).
    The two SVMs are fitted at once on two cores once there are enough decisions (see
    :class:`RankEnsemble`'s ``n_jobs``); the weights are the same either way.

    ``embedding_c``, the embedding SVM's C, is 1: dense unit vectors need less
    regularisation than thousands of sparse TF-IDF columns, and 1 is liblinear's
    default (``svm-asreview-agree-cC`` sets another; rule AC, stop 51: 0.3 and 3 both did worse). ``solver``: the embedding SVM is solved by liblinear's dual to its tolerance
    (``"liblinear"``, :class:`RatioSVC`) or exactly, warm-started from the last fit (``"newton"``,
    :class:`~logicmap.screening.newton_svm.NewtonSVC`; ``svm-asreview-agree-newton``): the same
    ranking and a faster fit, but no faster a decision with the members fitted at once (rule AA,
    stop 50; README), so liblinear stays the default."""
    if solver not in ("liblinear", "newton"):
        raise ValueError(f"solver must be 'liblinear' or 'newton', not {solver!r}")
    embeddings = (RatioSVC(C=embedding_c, ratio=9.8, random_state=seed) if solver == "liblinear"
                  else NewtonSVC(C=embedding_c, ratio=9.8, warm_start=True))
    return RankEnsemble(
        [first, embeddings],
        seed=seed, combine="max", agreement=agreement, n_jobs=n_jobs,
        blocks=[(0, -embedding_dimension), (-embedding_dimension, None)],
    )
