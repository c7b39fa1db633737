"""Replaying a labelled dataset through the screening engine (no project involved).

Sentence embeddings, the slow step, can be kept between simulations in an
embedding cache: a project store used only for its ``text_embeddings`` table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from logicmap.errors import ScreeningError
from logicmap.screening.chart import save_recall_chart
from logicmap.screening.dataset import load_labelled
from logicmap.screening.engine import DEFAULT_RETRAIN_SHARE, ActiveLearner
from logicmap.screening.presets import resolve_engine
from logicmap.screening.features import make_features
from logicmap.screening.classifiers import make_classifier
from logicmap.screening.query import make_query
from logicmap.screening.simulation import simulate
from logicmap.store.database import create_store, open_store
from logicmap.store.embeddings import ProjectEmbeddingCache

#: progress(done, total)
Progress = Callable[[int, int], None]


@dataclass
class SimulationRun:
    """What :func:`simulate_dataset` wrote and measured."""

    dataset: str
    features: str
    classifier: str
    summary: dict
    order_csv: Path
    charts: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The JSON line ``logicmap simulate`` prints."""
        return {"dataset": self.dataset, "features": self.features, "classifier": self.classifier,
                **self.summary, "order_csv": str(self.order_csv), "charts": [str(c) for c in self.charts]}


def write_order(path: Path, order, labels) -> None:
    """``order.csv``: one row per record in screening order (``step``, ``record_id``, ``label``)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["step", "record_id", "label"])
        for step, (record, label) in enumerate(zip(order, labels), start=1):
            writer.writerow([step, int(record), int(label)])


def simulate_dataset(
    data: Path | str,
    output: Path | str,
    *,
    features: str = "auto",
    classifier: str = "auto",
    query: str = "max",
    seed: int = 1,
    prior_ids: list[int] | None = None,
    embed_progress: Progress | None = None,
    step_progress: Progress | None = None,
    embedding_cache: Path | str | None = None,
    retrain_share: float | None = None,
) -> SimulationRun:
    """Simulate screening the labelled CSV ``data``; writes ``order.csv`` and the recall charts to ``output``.

    The engine is named by ``features``, ``classifier`` and ``query`` (``"auto"``:
    the default engine); an unknown name raises :class:`ScreeningError` before any
    data is read, a dataset that cannot be simulated :class:`ScreeningDataError`.
    ``embed_progress`` hears about computing the features, ``step_progress``
    about the simulated decisions. ``embedding_cache`` names a project file
    (created when missing) that keeps sentence embeddings between simulations.
    ``retrain_share``: how often the model is refitted (``ActiveLearner``'s; ``None``: its default).
    """
    try:  # names checked before any data is read
        named = resolve_engine(features, classifier)
        make_features(named[0]), make_classifier(named[1], seed=seed), make_query(query)
    except ValueError as exc:
        raise ScreeningError(str(exc)) from None
    dataset = load_labelled(Path(data))
    features, classifier = resolve_engine(features, classifier, len(dataset.labels))
    store = _cache_store(embedding_cache)
    try:
        cache = ProjectEmbeddingCache(store) if store is not None else None
        try:
            learner = ActiveLearner(features=make_features(features, progress=embed_progress, embedding_cache=cache),
                                    classifier=make_classifier(classifier, seed=seed),
                                    query=make_query(query), seed=seed,
                                    retrain_share=DEFAULT_RETRAIN_SHARE if retrain_share is None else retrain_share)
        except ValueError as exc:
            raise ScreeningError(str(exc)) from None
        matrix = learner.features.fit_transform(dataset.texts)
    finally:
        if store is not None:
            store.close()
    result = simulate(dataset.texts, dataset.labels, seed=seed, prior_ids=prior_ids,
                      learner=learner, callback=step_progress, matrix=matrix)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    write_order(output / "order.csv", result.order, result.labels)
    charts = save_recall_chart(result.labels, output, title=f"Recall curve: {dataset.name}")
    return SimulationRun(dataset.name, features, classifier, {"retrain_share": learner.retrain_share,
                                                               **result.summary()},
                         output / "order.csv", [Path(c) for c in charts], list(dataset.warnings))


def _cache_store(location: Path | str | None):
    """The embedding cache's store, created on first use; None without a cache."""
    if location is None:
        return None
    return open_store(location) if Path(location).is_file() else create_store(location, name="embedding cache")
