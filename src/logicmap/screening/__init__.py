"""Active-learning screening: features, classifiers, query strategies, stopping
rules, simulation, reviewers' decisions and one reviewer's queue.

The main entry points are :class:`ActiveLearner` (rank records and learn from
each decision) and :func:`simulate` (replay a labelled dataset and measure the
work saved). :mod:`~logicmap.screening.decisions` computes conflicts, final
decisions and agreement from stored decisions, and :mod:`~logicmap.screening.queue`
keeps one reviewer's decisions and ranking. Nothing here touches the project
store (``logicmap.store.screening`` does). Sentence embeddings need the
``[embed]`` extra.

The names below are loaded lazily, so importing a submodule that needs none of
them never imports scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ActiveLearner": "engine",
    "recall_at": "metrics",
    "records_to_recall": "metrics",
    "summarise": "metrics",
    "wss": "metrics",
    "SimulationResult": "simulation",
    "draw_priors": "simulation",
    "simulate": "simulation",
    "BuscarRule": "stopping",
    "ConsecutiveIrrelevantRule": "stopping",
    "FractionRule": "stopping",
    "buscar_p": "stopping",
    "default_rules": "stopping_rules",
    "default_rule": "stopping_rules",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'logicmap.screening' has no attribute {name!r}")
    return getattr(importlib.import_module(f"logicmap.screening.{module}"), name)
