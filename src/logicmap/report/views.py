"""What each view of the logic model shows: its nodes and links (pure; no drawing, no layout).

* **summary** (shown first): the codebook's columns (recovery: typology, mechanism, process,
  outcome; see ``Codebook.chain``), codes grouped by their layer's domains, and the links a reader may read as pathways:
  ``explicit``, ``chain`` and ``hypothesis`` links. A link whose basis is the older
  ``co-occurrence`` counts as a chain when its ends sit on adjacent layers; co-occurrence of
  non-adjacent layers is no link and only the ``summary-cooccurrence`` view draws it.
  Moderator (condition-layer) codes are conditions on links, never drawn as nodes: their links are left out
  and an edge's optional ``moderators`` list is passed on to the panel.
* **summary-all**: the summary with every evidence link, also those below the default view's
  study threshold (the page shows it when a reader lowers the fewest studies per link).
* **summary-domains**: outcomes aggregated by domain (process -> outcome domain);
  **mechanism-domains** (codebooks with three columns before the outcomes): mechanism ->
  outcome domain through the processes a study reports with both (one column fewer).
* **pathway** per intervention code (``pathway:T01``) or per outcome (``pathway:OE1``): the chains
  through mechanisms and processes drawn as a Sankey-like flow, widths by the number of the
  focus code's studies behind each link.

Example::

    for view in all_views(model):
        print(view.key, len(view.nodes), len(view.edges))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from logicmap.errors import NotFoundError
from logicmap.synthesis.view import default_view
from logicmap.synthesis.evidence import GRADES, summary_direction, vote_count
from logicmap.synthesis.model import LogicModel

#: The recovery model's columns; a view follows its codebook's declared layers (``Codebook.chain``).
LAYERS: tuple[str, ...] = ("typology", "mechanism", "process", "outcome")
BASES: tuple[str, ...] = ("explicit", "chain", "hypothesis")
DOMAIN_TITLES: dict[str, str] = {"functional": "Functional", "existential": "Existential", "social": "Social"}


@dataclass(frozen=True)
class VNode:
    """A box of a view: a code, or an outcome domain standing for its ``members``."""

    id: str
    label: str
    layer: int
    group: str
    n: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class VEdge:
    """A drawn link: one model edge, or several (``members``) aggregated.

    ``studies`` are the study ids behind it in this view (the focus code's studies in a pathway).
    """

    id: str
    source: str
    target: str
    basis: str
    direction: str
    grade: str
    members: tuple[str, ...]
    studies: tuple[str, ...]
    moderators: tuple = ()

    @property
    def n(self) -> int:
        return len(self.studies)


@dataclass(frozen=True)
class View:
    """One legible view: nodes, links, and whether links are drawn as a flow (Sankey-like)."""

    key: str
    title: str
    nodes: tuple[VNode, ...]
    edges: tuple[VEdge, ...]
    flow: bool = False
    note: str = ""
    min_studies: int = 1  # the fewest studies of an evidence link drawn
    hidden: int = 0  # evidence links of the model below ``min_studies``, not drawn
    #: Column titles by layer index, and (domain, title) pairs in the codebook's order.
    columns: tuple[str, ...] = ()
    captions: tuple[tuple[str, str], ...] = ()


def _titles(model: LogicModel) -> dict:
    """The codebook's column titles and domain titles, for a :class:`View`."""
    cb = model.codebook
    return {"columns": tuple(cb.layer_title(k) for k in cb.chain), "captions": tuple(cb.group_titles().items())}


def link_basis(model: LogicModel, src: str, dst: str, data: dict, cooccurrence: bool = False) -> str | None:
    """The basis a view draws a model edge with, or None when the edge is not a link of the views."""
    kinds, layers = model.graph.nodes, model.codebook.chain
    a, b = kinds[src]["kind"], kinds[dst]["kind"]
    if a not in layers or b not in layers or layers.index(b) <= layers.index(a):
        return None
    if not data.get("n_studies"):
        return "hypothesis"
    basis = data.get("basis", "")
    if basis in BASES:
        return basis
    if layers.index(b) - layers.index(a) == 1:
        return "chain"
    return "co-occurrence" if cooccurrence else None


def _edge(src: str, dst: str, data: dict, basis: str) -> VEdge:
    ids = tuple(s.study_id for s in data["studies"])
    return VEdge(f"{src}->{dst}", src, dst, basis, data["direction"], data["grade"], (f"{src}->{dst}",), ids,
                 tuple(data.get("moderators") or ()))


def _node(model: LogicModel, code: str) -> VNode:
    d = model.graph.nodes[code]
    return VNode(code, d["label"], model.codebook.chain.index(d["kind"]),
                 d["group"] if model.codebook.domains(d["kind"]) else "",
                 d["n_studies"], (code,))


def _links(model: LogicModel, cooccurrence: bool = False) -> list[VEdge]:
    out = []
    for src, dst, d in model.edges():
        basis = link_basis(model, src, dst, d, cooccurrence)
        if basis:
            out.append(_edge(src, dst, d, basis))
    return out


def summary_view(model: LogicModel, cooccurrence: bool = False, every_link: bool = False) -> View:
    """The default view: every code of the four layers and the links of the model's default view
    (:func:`~logicmap.synthesis.view.default_view`: hypotheses and the best-supported evidence links).

    A link within one layer or against the layer order (e.g. outcome -> process) is not drawn;
    the view's note counts such links and the evidence links below the default view's study
    threshold (they stay in the evidence table and the exports). With ``cooccurrence`` every
    link is drawn, co-occurrence included; with ``every_link`` every explicit, chain and
    hypothesis link (the ``summary-all`` view).
    """
    nodes = tuple(_node(model, c) for c in model.nodes() if model.graph.nodes[c]["kind"] in model.codebook.chain)
    key, title = ("summary-cooccurrence", "Summary with co-occurrence (not pathways)") if cooccurrence \
        else ("summary-all", "Summary: every link with evidence") if every_link else ("summary", "Summary")
    layer = {n.id: n.layer for n in nodes}
    against = sum(1 for a, b, _ in model.edges() if a in layer and b in layer and layer[b] <= layer[a])
    notes = [f"{against} link{'' if against == 1 else 's'} within a layer or against the layer order "
             f"{'is' if against == 1 else 'are'} not drawn (see the evidence table)."] if against else []
    links = _links(model, cooccurrence)
    if cooccurrence or every_link:
        return View(key, title, nodes, tuple(links), note=" ".join(notes), **_titles(model))
    shown = default_view(model)
    links = [e for e in links if (e.source, e.target) in shown]
    if shown.hidden:
        notes.append(f"{shown.hidden} evidence link{'' if shown.hidden == 1 else 's'} with fewer than "
                     f"{shown.min_studies} studies {'is' if shown.hidden == 1 else 'are'} not drawn "
                     "(see the evidence table).")
    return View(key, title, nodes, tuple(links), note=" ".join(notes), min_studies=shown.min_studies,
                hidden=shown.hidden, **_titles(model))


def _merge(model: LogicModel, eid: str, src: str, dst: str, parts: list[VEdge], studies: Iterable[str]) -> VEdge:
    """One edge standing for ``parts`` (best basis, strongest grade, direction voted over its studies)."""
    studies = tuple(dict.fromkeys(studies))
    directions = {}
    for part in parts:
        for s in model.graph.edges[part.source, part.target]["studies"]:
            if s.study_id in studies:
                directions.setdefault(s.study_id, s.direction)
    basis = min((p.basis for p in parts), key=lambda b: BASES.index(b) if b in BASES else len(BASES))
    grade = min((p.grade for p in parts), key=GRADES.index)
    direction = summary_direction(vote_count(directions.values())) if studies else "not_measured"
    members = tuple(dict.fromkeys(m for p in parts for m in p.members))
    mods = tuple(m for p in parts for m in p.moderators)
    return VEdge(eid, src, dst, basis if studies else "hypothesis", direction, grade, members, studies, mods)


def _domain_nodes(model: LogicModel, layer: int) -> dict[str, VNode]:
    out = {}
    cb = model.codebook
    titles = cb.group_titles()
    for dom in cb.domains():
        codes = tuple(c for c in model.nodes(cb.outcome_kind) if model.graph.nodes[c]["group"] == dom)
        if codes:
            studies = {s.study_id for c in codes for s in model.graph.nodes[c]["studies"]}
            title = titles.get(dom) or DOMAIN_TITLES.get(dom, dom.title())
            out[dom] = VNode(f"domain:{dom}", f"{title} outcomes", layer, dom, len(studies), codes)
    return out


def _outcome_layer(model: LogicModel) -> int:
    """The index of the outcome column among the codebook's columns."""
    return model.codebook.chain.index(model.codebook.outcome_kind)


def domains_view(model: LogicModel) -> View:
    """Outcomes aggregated by domain: process (or typology) -> outcome domain (-> later columns)."""
    base = summary_view(model)
    domains = _domain_nodes(model, _outcome_layer(model))
    nodes = [n for n in base.nodes if n.layer != _outcome_layer(model)] + list(domains.values())

    def end(code: str) -> str:
        d = model.graph.nodes[code]
        return domains[d["group"]].id if d["kind"] == model.codebook.outcome_kind and d["group"] in domains else code

    kept = {n.id for n in nodes}
    groups: dict[tuple[str, str], list[VEdge]] = {}
    for e in base.edges:
        if end(e.source) in kept and end(e.target) in kept:
            groups.setdefault((end(e.source), end(e.target)), []).append(e)
    edges = [_merge(model, f"{s}->{t}", s, t, parts, (x for p in parts for x in p.studies))
             for (s, t), parts in groups.items()]
    return View("summary-domains", "Summary: outcomes by domain", tuple(nodes), tuple(edges), **_titles(model))


def mechanism_domains_view(model: LogicModel) -> View:
    """Mechanism -> outcome domain, through the processes a study reports with both ends (for another
    codebook: the two columns before the outcome column, given three columns before it)."""
    base = summary_view(model)
    o = _outcome_layer(model)
    first_kind, mid_kind, last_kind = model.codebook.chain[o - 3:o]
    domains = _domain_nodes(model, o)
    kind = {c: model.graph.nodes[c]["kind"] for c in model.nodes()}
    by_source: dict[str, list[VEdge]] = {}
    for e in base.edges:
        by_source.setdefault(e.source, []).append(e)
    groups: dict[tuple[str, str], tuple[list[VEdge], list[str]]] = {}
    for first in base.edges:
        if kind[first.source] != mid_kind or kind[first.target] != last_kind:
            continue
        for second in by_source.get(first.target, []):
            if kind[second.target] != model.codebook.outcome_kind or \
                    model.graph.nodes[second.target]["group"] not in domains:
                continue
            key = (first.source, domains[model.graph.nodes[second.target]["group"]].id)
            parts, studies = groups.setdefault(key, ([], []))
            parts += [first, second]
            studies += [s for s in first.studies if s in second.studies]
    edges = [e for e in base.edges if kind[e.source] == first_kind and kind[e.target] == mid_kind]
    edges += [_merge(model, f"{s}->{t}", s, t, parts, studies) for (s, t), (parts, studies) in groups.items()]
    nodes = [n for n in base.nodes if o - 3 <= n.layer < o - 1] + list(domains.values())
    mid, last = (model.codebook.layer_title(k).lower() for k in (mid_kind, last_kind))
    title = "Mechanisms to outcome domains (through processes)" if (mid_kind, last_kind) == ("mechanism", "process") \
        else f"{mid.capitalize()} to outcome domains (through {last})"
    return View("mechanism-domains", title, tuple(nodes), tuple(edges),
                note=f"A {mid_kind} -> domain link counts the studies that report the {mid_kind}, a {last_kind} and an "
                     "outcome of the domain, each on adjacent layers.", **_titles(model))


def _reach(edges: list[VEdge], start: str, forward: bool) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        cur = todo.pop()
        for e in edges:
            a, b = (e.source, e.target) if forward else (e.target, e.source)
            if a == cur and b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def pathway_view(model: LogicModel, focus: str) -> View:
    """The chains from a typology (or into an outcome) that the focus code's studies report."""
    d = model.graph.nodes[focus]
    cb = model.codebook
    forward = d["kind"] == cb.intervention_kind
    own = {s.study_id for s in d["studies"]}
    kept = []
    for e in summary_view(model).edges:
        ends = {model.graph.nodes[e.source]["kind"], model.graph.nodes[e.target]["kind"]}
        other_focus = (forward and cb.intervention_kind in ends and e.source != focus) or \
            (not forward and cb.outcome_kind in ends and e.target != focus)
        studies = [s for s in e.studies if s in own]
        if e.basis != "hypothesis" and studies and not other_focus:
            kept.append(VEdge(e.id, e.source, e.target, e.basis, e.direction, e.grade, e.members, tuple(studies),
                              e.moderators))
    reach = _reach(kept, focus, forward)
    edges = tuple(e for e in kept if e.source in reach and e.target in reach)
    nodes = tuple(dataclasses.replace(_node(model, c), n=len(own & {s.study_id for s in model.graph.nodes[c]["studies"]}))
                  for c in model.nodes() if c in reach and model.graph.nodes[c]["kind"] in cb.chain)
    word = "from" if forward else "to"
    note = (f"Counts and band widths are studies of {focus} only." if edges
            else f"No study of {focus} reports a chain through the layers yet.")
    return View(f"pathway:{focus}", f"Pathway {word} {focus} {d['label']}", nodes, edges, flow=True, note=note,
                **_titles(model))


def view_by_key(model: LogicModel, key: str) -> View:
    """The view of ``model`` with this key (``summary``, ``summary-all``, ``pathway:T01`` ...);
    :class:`~logicmap.errors.NotFoundError` naming the keys there are."""
    views = all_views(model)
    if key == "summary-cooccurrence":
        return summary_view(model, cooccurrence=True)
    for view in views:
        if view.key == key:
            return view
    raise NotFoundError(f"no view {key!r} (views: {', '.join(v.key for v in views)})")


def all_views(model: LogicModel) -> list[View]:
    """Every view the interactive page offers, the summary first."""
    views = [summary_view(model)]
    if views[0].hidden:
        views.append(summary_view(model, every_link=True))
    if model.codebook.domains():
        views.append(domains_view(model))
    if _outcome_layer(model) >= 3 and model.codebook.domains():  # mechanism -> (process) -> domain
        views.append(mechanism_domains_view(model))
    if any(e.basis == "co-occurrence" for e in summary_view(model, cooccurrence=True).edges):
        views.append(summary_view(model, cooccurrence=True))
    views += [pathway_view(model, c) for c in model.nodes(model.codebook.intervention_kind)
              + model.nodes(model.codebook.outcome_kind)]
    return views
