"""Adapting the shipped generic weights to one project's reviewer decisions.

A model learnt from scratch on a project's first few coded studies is worse than the shipped
generic weights (they were fitted on many more studies): ``benchmarks/coding_learning.py``
measured it. So a project keeps the generic weights and layer thresholds and learns, per code
it has decisions on, only an offset to the code's score: the maximum a posteriori shift of its
logit given the decisions, under a normal prior centred on 0 (no shift). A code with few
decisions hardly moves; one that reviewers keep rejecting (or giving where it was not suggested)
moves down (or up) as the evidence accumulates.

Example::

    model = adapt(default_model(codebook, encode), coded_records, feedback)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from logicmap.coding.feedback import Feedback

#: Standard deviation of the normal prior on a code's offset (in logits).
PRIOR_SD = 1.0


def code_offset(z: np.ndarray, y: np.ndarray, prior_sd: float = PRIOR_SD, steps: int = 25) -> float:
    """The MAP offset ``b`` of logistic scores ``z`` for outcomes ``y`` (Newton's method on the
    concave log posterior)."""
    b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z + b)))
        grad = float((y - p).sum()) - b / prior_sd**2
        hess = -float((p * (1 - p)).sum()) - 1.0 / prior_sd**2
        step = grad / hess
        b -= step
        if abs(step) < 1e-6:
            break
    return b


def standardise(model, records: Sequence[Mapping]):
    """``model`` with its similarity statistics taken from ``records`` (the project's studies, their
    texts only) when it has none (a codebook the package has not seen), so that a study is scored
    the same whether it is suggested for alone or in a batch."""
    if model.stats is None and records:
        views = model.builder.views(list(records))
        if model.builder.adapt_to(views):
            views = model.builder.views(list(records))
        model.set_stats(views)
    return model


def adapt(model, records: Sequence[Mapping], feedback: Iterable[Feedback],
          evidence: Iterable[tuple[str, str, str]] = (), *, prior_sd: float = PRIOR_SD):
    """``model`` (a fitted :class:`~logicmap.coding.semantic_model.SemanticModel`) with per-code
    offsets learnt from ``feedback`` on ``records``; ``evidence`` quotes become its examples.

    A model without similarity statistics (a codebook the package has not seen) standardises its
    similarities on the records being coded; here on ``records``, and with fewer than
    :data:`~logicmap.coding.semantic_model.MIN_BATCH` of them it is returned unadapted."""
    from logicmap.coding.aligned import AlignedModel
    from logicmap.coding.semantic_model import MIN_BATCH

    if isinstance(model, AlignedModel):  # each of its two models learns from the decisions on its codes
        return model.adapted(records, feedback, evidence, prior_sd=prior_sd)
    views = model.builder.views(list(records))
    batch_stats = model.stats is None
    if batch_stats and len(views) < MIN_BATCH:
        return model
    model._set_protos(list(evidence))
    if batch_stats:
        model.set_stats(views)
    model._complete(views)
    by_code: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for (i, j), ok in model._table(views, list(feedback)).items():
        by_code[j].append((i, ok))
    _offsets(model, views, by_code, prior_sd)
    if batch_stats:
        model.clear_stats()
    return model


def _offsets(model, views, by_code, prior_sd: float) -> None:
    """Each judged code's MAP offset, on the scores of the model's current statistics."""
    for role, role_model in model.roles.items():
        role_model.code_coef = {}
        for j in np.flatnonzero(model.role_of == role):
            rows = by_code.get(int(j))
            if not rows:
                continue
            X = np.array([views[i].features[j] for i, _ in rows])
            z = role_model.decision(X, np.full(len(rows), j))
            y = np.array([ok for _, ok in rows], dtype=float)
            role_model.code_coef[int(j)] = code_offset(z, y, prior_sd)
