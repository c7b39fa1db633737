"""Build the evidence-linked logic model: a networkx DiGraph over the codebook's nodes.

Nodes are the codebook's codes (recovery: typologies, mechanisms, processes, outcomes with
their domain, moderators with their level; another codebook: its declared layers). Edges run
between the codebook's columns, each with a ``basis`` (:mod:`logicmap.synthesis.pathways`):

* ``explicit``: a study states the link (a reviewer's coded link, with the span that states it);
* ``chain``: a study reports both ends on adjacent layers, each with its own span;
* ``hypothesis``: a codebook link no study supports;
* ``co-occurrence`` (non-adjacent layers in one study): only with
  ``ModelFilter(include_cooccurrence=True)``, never in the default model.

Moderators are conditions, not arrows (:mod:`logicmap.synthesis.conditions`): their nodes have
no edges; each edge lists in ``moderators`` the :class:`~logicmap.synthesis.conditions.Condition`
s (code, level, strengthens/weakens, study, quote) reported by its studies, and a moderator
node lists in ``moderates`` the links it acts on. Codebook links from a moderator are left out.
``acts_on`` is kept empty on every edge for readers of the former format (moderators were edges).

Every edge carries its supporting studies (:class:`EdgeStudy`, with quotes, design and
direction), a vote count, the exact sign test, a summary direction and a grade
(:mod:`logicmap.synthesis.evidence`).

Example::

    from logicmap.codebook import load_codebook
    from logicmap.synthesis import build_model, ModelFilter
    model = build_model(load_codebook(), studies, filters=ModelFilter(designs=("RCT",)))
    model.graph.edges["T01", "M3"]["basis"]     # explicit | chain | hypothesis
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from logicmap.codebook.codes import Codebook
from logicmap.synthesis.conditions import edge_conditions, study_conditions
from logicmap.synthesis.evidence import GradeInput, grade, sign_test, summary_direction, vote_count
from logicmap.synthesis.pathways import ADJACENT, CHAIN, COOCCURRENCE, EXPLICIT, HYPOTHESIS, Quote
from logicmap.synthesis.pathways import StudyRoles, Support, quotes_for, study_support
from logicmap.synthesis.study import Study, design_family, is_randomised

#: Kind pairs a study links when it reports both ends (adjacent layers: chain links).
CO_OCCURRENCE: tuple[tuple[str, str], ...] = ADJACENT
KIND_LABELS: dict[str, str] = {
    "typology": "intervention typologies", "mechanism": "mechanisms", "process": "processes",
    "outcome": "outcomes", "moderator": "moderators",
}


@dataclass(frozen=True)
class EdgeStudy:
    """One study's support for one edge."""

    study_id: str
    citation: str
    design: str | None
    direction: str
    basis: str  # "explicit" | "chain" | "co-occurrence"
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

    ``include_cooccurrence`` (not a study filter) also builds co-occurrence links of
    non-adjacent layers; the default model never has them.
    """

    typologies: tuple[str, ...] = ()
    outcome_domains: tuple[str, ...] = ()
    designs: tuple[str, ...] = ()
    years: tuple[int | None, int | None] | None = None
    countries: tuple[str, ...] = ()
    include_cooccurrence: bool = False

    def is_empty(self) -> bool:
        """True when no study or node filter is set (``include_cooccurrence`` is not one)."""
        return not (self.typologies or self.outcome_domains or self.designs or self.years or self.countries)

    def to_dict(self) -> dict:
        return {"typologies": list(self.typologies), "outcome_domains": list(self.outcome_domains),
                "designs": list(self.designs), "years": list(self.years) if self.years else None,
                "countries": list(self.countries), "include_cooccurrence": self.include_cooccurrence}


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
        domains = {codebook[c].domain for c in codes if c in codebook and codebook[c].kind == codebook.outcome_kind}
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


def _node_kept(code, f: ModelFilter, codebook: Codebook) -> bool:
    if code.kind == codebook.intervention_kind and f.typologies:
        return code.code in f.typologies
    if code.kind == codebook.outcome_kind and f.outcome_domains:
        return code.domain in f.outcome_domains
    return True


def _collect(graph: nx.DiGraph, codebook: Codebook, studies: Sequence[Study], problems: list[str],
             options: dict, roles: dict[str, StudyRoles]) -> dict[tuple[str, str], dict[str, Support]]:
    """Per link, per study id: the study's :class:`Support` for it."""
    support: dict[tuple[str, str], dict[str, Support]] = defaultdict(dict)
    unknown: dict[str, int] = defaultdict(int)
    for study in studies:
        for code in study.codes():
            if code not in codebook:
                unknown[code] += 1
        for edge, entry in study_support(study, codebook, graph.nodes, roles=roles[study.id], **options).items():
            support[edge][study.id] = entry
    if unknown:
        listed = ", ".join(f"{c} ({n})" for c, n in sorted(unknown.items()))
        problems.append(f"Codes not in the codebook were left out (code (studies)): {listed}.")
    return support


def _edge_attrs(codebook: Codebook, src: str, dst: str, support: dict[str, Support], by_id: dict[str, Study]) -> dict:
    rows = []
    for sid in sorted(support, key=lambda s: (by_id[s].citation(), s)):
        entry, study = support[sid], by_id[sid]
        rows.append(EdgeStudy(sid, study.citation(), study.design, entry.direction or "not_measured",
                              entry.basis, tuple(dict.fromkeys(entry.quotes))))
    votes = vote_count(r.direction for r in rows)
    direction = summary_direction(votes)
    n_rand = sum(is_randomised(r.design) for r in rows)
    bases = {r.basis for r in rows}
    any_explicit = EXPLICIT in bases
    basis = next((b for b in (EXPLICIT, CHAIN, COOCCURRENCE) if b in bases), HYPOTHESIS)
    return {
        "studies": tuple(rows), "n_studies": len(rows), "n_randomised": n_rand, "votes": votes,
        "direction": direction, "p_value": sign_test(votes["benefit"], votes["harm"]), "basis": basis,
        "n_explicit": sum(r.basis == EXPLICIT for r in rows),
        "grade": grade(GradeInput(len(rows), n_rand, direction, any_explicit, False)),
    }


def _problems_for(codebook: Codebook, studies: Sequence[Study], kept: Sequence[Study]) -> list[str]:
    problems = []
    for kind in codebook.kinds:
        if not codebook.of_kind(kind):
            label = KIND_LABELS.get(kind) or codebook.layer_title(kind).lower()
            problems.append(f"The codebook has no {label}: that column of the model is empty.")
    if not studies:
        problems.append("No included studies: every link shown is a codebook hypothesis.")
    elif not any(s.items or s.links for s in studies):
        problems.append("No codes: none of the included studies has been coded yet.")
    elif not kept:
        problems.append("No study passes the filters: every link shown is a codebook hypothesis.")
    return problems


def build_model(codebook: Codebook, studies: Iterable[Study], *, filters: ModelFilter | None = None,
                role_model=None) -> LogicModel:
    """The evidence-linked logic model of ``studies`` over ``codebook`` (see module docs).

    ``role_model`` (a fitted :class:`~logicmap.coding.role_model.RoleModel`) labels the sentences
    of unstructured abstracts as findings or not; without it, headings and cue words do.
    """
    studies = list(studies)
    f = filters or ModelFilter()
    kept = filter_studies(studies, f, codebook)
    problems = _problems_for(codebook, studies, kept)
    graph = nx.DiGraph(codebook=codebook.name)
    for code in codebook.codes:
        if _node_kept(code, f, codebook):
            graph.add_node(code.code, kind=code.kind, label=code.label, group=code.domain or code.level or "",
                           definition=code.definition)
    options = {"role_model": role_model, "include_cooccurrence": f.include_cooccurrence}
    roles = {s.id: StudyRoles(s, role_model) for s in kept}  # each study's sentence roles, worked out once
    support = _collect(graph, codebook, kept, problems, options, roles)
    by_id = {s.id: s for s in kept}
    conditions = {s.id: study_conditions(s, codebook, role_model, roles[s.id]) for s in kept}
    for (src, dst), per_study in support.items():
        graph.add_edge(src, dst, **_edge_attrs(codebook, src, dst, per_study, by_id), hypothesised=False, note="",
                       moderators=edge_conditions(src, dst, per_study, conditions), acts_on=())
    _add_hypotheses(graph, codebook, by_id)
    _node_studies(graph, codebook, kept, roles)
    _moderated_links(graph, codebook.condition_kind)
    return LogicModel(graph, codebook, tuple(kept), f, problems)


def _add_hypotheses(graph: nx.DiGraph, codebook: Codebook, by_id: dict[str, Study]) -> None:
    """Mark the codebook's links (adding those no study supports); links from moderators are left out."""
    for link in codebook.links:
        if link.source not in graph or link.target not in graph or codebook[link.source].kind == codebook.condition_kind:
            continue
        if not graph.has_edge(link.source, link.target):
            graph.add_edge(link.source, link.target, **_edge_attrs(codebook, link.source, link.target, {}, by_id),
                           moderators=(), acts_on=())
        graph.edges[link.source, link.target].update(hypothesised=True, note=link.note)


def _node_studies(graph: nx.DiGraph, codebook: Codebook, studies: Sequence[Study],
                  roles: dict[str, StudyRoles]) -> None:
    """Each node's studies with their quotes (outcomes: finding sentences only); a study coded only
    with a link counts at both of the link's ends (its quotes are on the link)."""
    per: dict[str, list[NodeStudy]] = defaultdict(list)
    for study in sorted(studies, key=lambda s: (s.citation(), s.id)):
        linked = [end for link in study.links for end in (link.source_code, link.target_code)]
        for code in dict.fromkeys([*study.codes(), *linked]):  # a coded link reports both its ends
            if code in graph:
                quotes = quotes_for(study, code, roles[study.id], finding_only=codebook[code].kind in codebook.effect_kinds)
                per[code].append(NodeStudy(study.id, study.citation(), study.design, study.direction_for(code),
                                           tuple(quotes)))
    for code, data in graph.nodes(data=True):
        data["studies"] = tuple(per.get(code, ()))
        data["n_studies"] = len(data["studies"])


def _moderated_links(graph: nx.DiGraph, condition_kind: str | None) -> None:
    """Each moderator node's ``moderates``: the links its conditions attach to (``"T01->M3"``)."""
    acting: dict[str, set[str]] = defaultdict(set)
    for src, dst, d in graph.edges(data=True):
        for condition in d["moderators"]:
            acting[condition.code].add(f"{src}->{dst}")
    for code, data in graph.nodes(data=True):
        if data["kind"] == condition_kind:
            data["moderates"] = tuple(sorted(acting.get(code, ())))
