"""Build the evidence-linked logic model: a networkx DiGraph over the codebook's nodes.

Nodes are the codebook's codes (typologies, mechanisms, processes, outcomes with their
domain, moderators with their level). Edges come from three sources:

* **explicit** links a coder stated in a study (:class:`~logicmap.synthesis.study.CodedLink`),
  with the span that states them (the strongest evidence);
* **co-occurrence**: two codes of adjacent kinds coded in the same study
  (typology -> mechanism, mechanism -> process, process -> outcome, typology -> outcome);
* **hypotheses**: codebook links no study supports, kept and marked ``hypothesised``.

Moderators (the choice made here): a moderator coded in a study is linked to each mechanism
coded in that study, because the recovery model says moderators act on mechanisms; when the
study codes no mechanism, it is linked to each outcome of the study instead. Such an edge also
lists, in ``acts_on``, the study's typology -> target links it moderates (``"T01->M3"``), so a
reader can see the link it acts on without edges pointing at edges.

Every edge carries its supporting studies (:class:`EdgeStudy`, with quotes, design and
direction), a vote count, the exact sign test, a summary direction and a grade
(:mod:`logicmap.synthesis.evidence`).

Example::

    from logicmap.codebook import load_codebook
    from logicmap.synthesis import build_model, ModelFilter
    model = build_model(load_codebook(), studies, filters=ModelFilter(designs=("RCT",)))
    model.graph.edges["T01", "M3"]["grade"]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from logicmap.codebook.codes import KINDS, Codebook
from logicmap.synthesis.evidence import GradeInput, grade, sign_test, summary_direction, vote_count
from logicmap.synthesis.study import Study, design_family, is_randomised

#: Kind pairs linked when both codes occur in the same study.
CO_OCCURRENCE: tuple[tuple[str, str], ...] = (
    ("typology", "mechanism"), ("mechanism", "process"), ("process", "outcome"), ("typology", "outcome"),
)
KIND_LABELS: dict[str, str] = {
    "typology": "intervention typologies", "mechanism": "mechanisms", "process": "processes",
    "outcome": "outcomes", "moderator": "moderators",
}


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence: ``text == study[field][start:end]``; ``code`` is what it evidences."""

    code: str
    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class EdgeStudy:
    """One study's support for one edge."""

    study_id: str
    citation: str
    design: str | None
    direction: str
    basis: str  # "explicit" | "co-occurrence"
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class NodeStudy:
    """One study coded with one node's code."""

    study_id: str
    citation: str
    design: str | None
    direction: str | None
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class ModelFilter:
    """Which studies and nodes a model shows. Empty fields do not filter.

    * ``typologies``: studies coded with any of them; other typology nodes are dropped.
    * ``outcome_domains``: studies with an outcome in any of them; other outcome nodes dropped.
    * ``designs``: study design or its family (``"RCT"`` matches ``"RCT (pilot)"``), any case.
    * ``years``: inclusive ``(first, last)``, either may be None; studies without a year drop.
    * ``countries``: any of the study's countries, any case.
    """

    typologies: tuple[str, ...] = ()
    outcome_domains: tuple[str, ...] = ()
    designs: tuple[str, ...] = ()
    years: tuple[int | None, int | None] | None = None
    countries: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.typologies or self.outcome_domains or self.designs or self.years or self.countries)

    def to_dict(self) -> dict:
        return {"typologies": list(self.typologies), "outcome_domains": list(self.outcome_domains),
                "designs": list(self.designs), "years": list(self.years) if self.years else None,
                "countries": list(self.countries)}


@dataclass
class LogicModel:
    """The built model: the graph plus what it was built from and what is missing."""

    graph: nx.DiGraph
    codebook: Codebook
    studies: tuple[Study, ...]
    filters: ModelFilter = field(default_factory=ModelFilter)
    problems: list[str] = field(default_factory=list)

    def nodes(self, kind: str | None = None) -> list[str]:
        """Node codes in codebook order (optionally of one kind)."""
        return [n for n, d in self.graph.nodes(data=True) if kind is None or d["kind"] == kind]

    def edges(self) -> list[tuple[str, str, dict]]:
        """Edges with their data, in a stable order (source kind, source, target)."""
        order = {code: i for i, code in enumerate(self.graph.nodes)}
        return sorted(self.graph.edges(data=True), key=lambda e: (order[e[0]], order[e[1]]))

    def evidence_edges(self) -> list[tuple[str, str, dict]]:
        """Edges with at least one supporting study."""
        return [e for e in self.edges() if e[2]["n_studies"]]

    def study(self, study_id: str) -> Study | None:
        return next((s for s in self.studies if s.id == study_id), None)


def _keep(study: Study, f: ModelFilter, codebook: Codebook) -> bool:
    codes = set(study.codes())
    if f.typologies and not codes & set(f.typologies):
        return False
    if f.outcome_domains:
        domains = {codebook[c].domain for c in codes if c in codebook and codebook[c].kind == "outcome"}
        if not domains & set(f.outcome_domains):
            return False
    if f.designs:
        wanted = {d.lower() for d in f.designs}
        if (study.design or "").lower() not in wanted and design_family(study.design).lower() not in wanted:
            return False
    if f.years:
        first, last = f.years
        if study.year is None or (first is not None and study.year < first) or (last is not None and study.year > last):
            return False
    if f.countries:
        if not {c.lower() for c in study.countries} & {c.lower() for c in f.countries}:
            return False
    return True


def filter_studies(studies: Iterable[Study], f: ModelFilter | None, codebook: Codebook) -> list[Study]:
    """The studies passing ``f`` (all of them when ``f`` is None or empty)."""
    studies = list(studies)
    if f is None or f.is_empty():
        return studies
    return [s for s in studies if _keep(s, f, codebook)]


def _node_kept(code, f: ModelFilter) -> bool:
    if code.kind == "typology" and f.typologies:
        return code.code in f.typologies
    if code.kind == "outcome" and f.outcome_domains:
        return code.domain in f.outcome_domains
    return True


def _quotes(study: Study, code: str) -> list[Quote]:
    return [Quote(code, i.span.field, i.span.start, i.span.end, i.span.quote) for i in study.items_for(code) if i.span]


class _Collector:
    """Per (edge, study) support gathered while walking the studies."""

    def __init__(self) -> None:
        self.support: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
        self.acts_on: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, edge: tuple[str, str], study: Study, basis: str, direction: str | None, quotes: list[Quote]) -> None:
        entry = self.support[edge].get(study.id)
        if entry is None:
            self.support[edge][study.id] = {"basis": basis, "direction": direction, "quotes": list(quotes)}
            return
        if basis == "explicit" and entry["basis"] != "explicit":
            entry["basis"], entry["quotes"] = "explicit", list(quotes) + entry["quotes"]
            entry["direction"] = direction or entry["direction"]
        else:
            entry["quotes"].extend(q for q in quotes if q not in entry["quotes"])


def _collect(graph: nx.DiGraph, codebook: Codebook, studies: Sequence[Study], problems: list[str]) -> _Collector:
    col = _Collector()
    unknown: dict[str, int] = defaultdict(int)
    for study in studies:
        by_kind: dict[str, list[str]] = defaultdict(list)
        for code in study.codes():
            if code not in codebook:
                unknown[code] += 1
            elif code in graph:
                by_kind[codebook[code].kind].append(code)
        for link in study.links:
            if link.source_code in graph and link.target_code in graph:
                quotes = [Quote(f"{link.source_code}->{link.target_code}", link.span.field, link.span.start,
                                link.span.end, link.span.quote)] if link.span else []
                direction = link.direction or study.direction_for(link.target_code)
                col.add((link.source_code, link.target_code), study, "explicit", direction, quotes)
        for src_kind, dst_kind in CO_OCCURRENCE:
            for a in by_kind[src_kind]:
                for b in by_kind[dst_kind]:
                    direction = study.direction_for(b) if dst_kind == "outcome" else None
                    col.add((a, b), study, "co-occurrence", direction, _quotes(study, a) + _quotes(study, b))
        targets = by_kind["mechanism"] or by_kind["outcome"]
        for d in by_kind["moderator"]:
            for t in targets:
                direction = study.direction_for(t) if codebook[t].kind == "outcome" else None
                col.add((d, t), study, "co-occurrence", direction, _quotes(study, d) + _quotes(study, t))
                col.acts_on[(d, t)].update(f"{ty}->{t}" for ty in by_kind["typology"])
    if unknown:
        listed = ", ".join(f"{c} ({n})" for c, n in sorted(unknown.items()))
        problems.append(f"Codes not in the codebook were left out (code (studies)): {listed}.")
    return col


def _edge_attrs(codebook: Codebook, src: str, dst: str, support: dict[str, dict], by_id: dict[str, Study]) -> dict:
    rows = []
    for sid in sorted(support, key=lambda s: (by_id[s].citation(), s)):
        entry, study = support[sid], by_id[sid]
        rows.append(EdgeStudy(sid, study.citation(), study.design, entry["direction"] or "not_measured",
                              entry["basis"], tuple(dict.fromkeys(entry["quotes"]))))
    votes = vote_count(r.direction for r in rows)
    direction = summary_direction(votes)
    n_rand = sum(is_randomised(r.design) for r in rows)
    any_explicit = any(r.basis == "explicit" for r in rows)
    direct = codebook[src].kind == "typology" and codebook[dst].kind == "outcome" and direction != "not_measured"
    basis = "explicit" if any_explicit else ("co-occurrence" if rows else "hypothesis")
    return {
        "studies": tuple(rows), "n_studies": len(rows), "n_randomised": n_rand, "votes": votes,
        "direction": direction, "p_value": sign_test(votes["benefit"], votes["harm"]), "basis": basis,
        "grade": grade(GradeInput(len(rows), n_rand, direction, any_explicit, direct)),
    }


def _problems_for(codebook: Codebook, studies: Sequence[Study], kept: Sequence[Study]) -> list[str]:
    problems = []
    for kind in KINDS:
        if not codebook.of_kind(kind):
            problems.append(f"The codebook has no {KIND_LABELS[kind]}: that column of the model is empty.")
    if not studies:
        problems.append("No included studies: every link shown is a codebook hypothesis.")
    elif not any(s.items for s in studies):
        problems.append("No codes: none of the included studies has been coded yet.")
    elif not kept:
        problems.append("No study passes the filters: every link shown is a codebook hypothesis.")
    return problems


def build_model(codebook: Codebook, studies: Iterable[Study], *, filters: ModelFilter | None = None) -> LogicModel:
    """The evidence-linked logic model of ``studies`` over ``codebook`` (see module docs)."""
    studies = list(studies)
    f = filters or ModelFilter()
    kept = filter_studies(studies, f, codebook)
    problems = _problems_for(codebook, studies, kept)
    graph = nx.DiGraph(codebook=codebook.name)
    for code in codebook.codes:
        if _node_kept(code, f):
            graph.add_node(code.code, kind=code.kind, label=code.label, group=code.domain or code.level or "",
                           definition=code.definition)
    col = _collect(graph, codebook, kept, problems)
    by_id = {s.id: s for s in kept}
    for (src, dst), support in col.support.items():
        graph.add_edge(src, dst, **_edge_attrs(codebook, src, dst, support, by_id),
                       acts_on=tuple(sorted(col.acts_on.get((src, dst), ()))), hypothesised=False, note="")
    for link in codebook.links:
        if link.source in graph and link.target in graph:
            if not graph.has_edge(link.source, link.target):
                graph.add_edge(link.source, link.target, **_edge_attrs(codebook, link.source, link.target, {}, by_id),
                               acts_on=())
            graph.edges[link.source, link.target].update(hypothesised=True, note=link.note)
    _node_studies(graph, kept)
    return LogicModel(graph, codebook, tuple(kept), f, problems)


def _node_studies(graph: nx.DiGraph, studies: Sequence[Study]) -> None:
    per: dict[str, list[NodeStudy]] = defaultdict(list)
    for study in sorted(studies, key=lambda s: (s.citation(), s.id)):
        for code in study.codes():
            if code in graph:
                per[code].append(NodeStudy(study.id, study.citation(), study.design, study.direction_for(code),
                                           tuple(_quotes(study, code))))
    for code, data in graph.nodes(data=True):
        data["studies"] = tuple(per.get(code, ()))
        data["n_studies"] = len(data["studies"])
