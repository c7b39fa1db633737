"""The default view of a logic model: which links a reader sees first.

A model of a large review has more evidence links than a figure can show legibly. The default
view keeps every codebook hypothesis no study supports yet (the theory, drawn dashed) and the
evidence links (explicit or chain) with at least ``min_studies`` studies, ``min_studies`` being
the smallest number (from 1) that keeps the view within ``max_edges`` links (the largest
study count of any link when none does). The links below it
stay in the model, the evidence table and the exports; views offer them behind a control.

Example::

    view = default_view(model)            # at most 60 links
    view.min_studies, len(view.edges), view.hidden
"""

from __future__ import annotations

from dataclasses import dataclass

from logicmap.synthesis.pathways import HYPOTHESIS

#: The most links the default view shows.
DEFAULT_MAX_EDGES = 60


@dataclass(frozen=True)
class ModelView:
    """The links of a view: ``edges`` shown, ``hidden`` evidence links below ``min_studies``."""

    min_studies: int
    edges: tuple[tuple[str, str], ...]
    hidden: int

    def __contains__(self, edge: tuple[str, str]) -> bool:
        return edge in set(self.edges)

    def to_dict(self) -> dict:
        return {"min_studies": self.min_studies, "edges": len(self.edges), "hidden": self.hidden}


def default_view(model, max_edges: int = DEFAULT_MAX_EDGES) -> ModelView:
    """The default view of ``model`` (a :class:`~logicmap.synthesis.LogicModel`), see the module docs."""
    edges = model.edges()
    theory = [(s, t) for s, t, d in edges if d["basis"] == HYPOTHESIS]
    evidence = [(s, t, d["n_studies"]) for s, t, d in edges if d["basis"] != HYPOTHESIS]
    most = max((n for *_, n in evidence), default=1)
    k = 1
    while k < most and len(theory) + sum(n >= k for *_, n in evidence) > max_edges:
        k += 1
    shown = {(s, t) for s, t, n in evidence if n >= k} | set(theory)
    ordered = tuple((s, t) for s, t, _ in edges if (s, t) in shown)
    return ModelView(k, ordered, len(evidence) - sum(n >= k for *_, n in evidence))
