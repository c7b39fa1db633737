"""What one study says about the links of the logic model, and on what basis.

A link's basis says what a reader may conclude from it:

* ``explicit``: the study states the link: a reviewer coded it (:class:`~logicmap.synthesis.study.CodedLink`,
  for instance by accepting a machine suggestion from a finding sentence that names both ends);
* ``chain``: the study reports both ends on *adjacent* layers of the codebook
  (``Codebook.adjacent_pairs``; recovery: typology -> mechanism -> process -> outcome), each
  with its own span, and no coded link states it;
* ``hypothesis``: a link of the codebook no study supports (set by :func:`~logicmap.synthesis.build_model`);
* ``co-occurrence``: both ends, on non-adjacent layers (recovery: typology -> process, typology ->
  outcome, mechanism -> outcome), coded in one study. Not a link: only built on request
  (``ModelFilter(include_cooccurrence=True)``), never in the default model.

Quotes: the ends after the intervention layer (mechanism, process, outcome) are evidenced only
by finding sentences (results or conclusions, see :mod:`logicmap.coding.sentence_roles`), the
intervention (typology) end and layers before it by any sentence; one quote never serves as evidence for both ends of one link (quotes
overlapping in the same field count as the same quote).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from logicmap.codebook.codes import Codebook
from logicmap.coding.sentence_roles import FINDING_ROLES, guess_role, sentence_roles
from logicmap.synthesis.study import Study

EXPLICIT, CHAIN, HYPOTHESIS, COOCCURRENCE = "explicit", "chain", "hypothesis", "co-occurrence"
#: The bases of the default model, strongest first.
BASES: tuple[str, ...] = (EXPLICIT, CHAIN, HYPOTHESIS)
#: Adjacent layers of a format_version 1 codebook (a codebook's own: ``Codebook.adjacent_pairs``):
#: both ends reported in one study make a chain link.
ADJACENT: tuple[tuple[str, str], ...] = (("typology", "mechanism"), ("mechanism", "process"), ("process", "outcome"))
#: Non-adjacent layers (``Codebook.non_adjacent_pairs``): both ends in one study is co-occurrence only (built on request).
NON_ADJACENT: tuple[tuple[str, str], ...] = (("typology", "process"), ("typology", "outcome"), ("mechanism", "outcome"))


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence: ``text == study[field][start:end]``; ``code`` is what it evidences."""

    code: str
    field: str
    start: int
    end: int
    text: str
    role: str | None = None  # the sentence's role: background, methods, results, conclusions (title: None)

    def overlaps(self, other: Quote) -> bool:
        """Whether both quote the same stretch of the same field."""
        return self.field == other.field and self.start < other.end and other.start < self.end


@dataclass
class Support:
    """One study's support for one link."""

    basis: str
    direction: str | None
    quotes: list[Quote] = field(default_factory=list)


class StudyRoles:
    """The role of every quoted sentence of one study (abstract by headings, cues or a role model)."""

    def __init__(self, study: Study, role_model=None) -> None:
        self._study = study
        self._model = role_model
        self._abstract = None
        self._known: dict[tuple[str, int, str], str | None] = {}

    def role(self, fld: str, start: int, text: str) -> str | None:
        """The role of the sentence at ``start`` of field ``fld`` (None for the title); each
        quote's role is worked out once per study (links, conditions and nodes all ask)."""
        key = (fld, start, text)
        if key not in self._known:
            self._known[key] = self._role(fld, start, text)
        return self._known[key]

    def _role(self, fld: str, start: int, text: str) -> str | None:
        if fld == "title":
            return None
        if fld == "abstract" and self._study.abstract:
            if self._abstract is None:
                self._abstract = sentence_roles(self._study.abstract, model=self._model)
            for roled in self._abstract:
                if roled.sentence.start <= start < roled.sentence.end:
                    return roled.role
        return guess_role(text, 0.5)


def quotes_for(study: Study, code: str, roles: StudyRoles, *, finding_only: bool = False) -> list[Quote]:
    """The quotes of ``study``'s items for ``code`` (only finding sentences when ``finding_only``)."""
    out = []
    for item in study.items_for(code):
        if item.span is None:
            continue
        s = item.span
        quote = Quote(code, s.field, s.start, s.end, s.quote, roles.role(s.field, s.start, s.quote))
        if (not finding_only or quote.role in FINDING_ROLES) and quote not in out:
            out.append(quote)
    return out


def distinct_ends(a: list[Quote], b: list[Quote]) -> tuple[list[Quote], list[Quote]]:
    """Quotes for the two ends with no quote serving both (``b`` keeps its own first)."""
    b_only = [q for q in b if not any(q.overlaps(x) for x in a)] or b
    a_only = [q for q in a if not any(q.overlaps(x) for x in b_only)]
    return a_only, b_only


def is_finding_end(codebook: Codebook, code: str) -> bool:
    """Ends after the intervention layer (mechanism, process, outcome) are evidenced by finding
    sentences only (a methods sentence names what was measured, not what happened); an
    intervention (typology), or a layer before it (inputs), by any sentence."""
    chain = codebook.chain
    kind = codebook[code].kind
    return kind in chain and chain.index(kind) > chain.index(codebook.intervention_kind)


def _codes_by_kind(study: Study, codebook: Codebook, nodes: Iterable[str]) -> dict[str, list[str]]:
    nodes = set(nodes)
    by_kind: dict[str, list[str]] = {}
    for code in study.codes():
        if code in codebook and code in nodes:
            by_kind.setdefault(codebook[code].kind, []).append(code)
    return by_kind


def _explicit(study: Study, codebook: Codebook, nodes: set[str], roles: StudyRoles) -> dict[tuple[str, str], Support]:
    out: dict[tuple[str, str], Support] = {}
    for link in study.links:
        a, b = link.source_code, link.target_code
        if a not in nodes or b not in nodes or codebook[a].kind == codebook.condition_kind:
            continue
        entry = out.setdefault((a, b), Support(EXPLICIT, None))
        entry.direction = entry.direction or link.direction or study.direction_for(b)
        if link.span:
            s = link.span
            quote = Quote(f"{a}->{b}", s.field, s.start, s.end, s.quote, roles.role(s.field, s.start, s.quote))
            if quote not in entry.quotes:
                entry.quotes.append(quote)
    return out


def _paired(study: Study, codebook: Codebook, a: str, b: str, roles: StudyRoles, basis: str) -> Support | None:
    qa = quotes_for(study, a, roles, finding_only=is_finding_end(codebook, a))
    qb = quotes_for(study, b, roles, finding_only=is_finding_end(codebook, b))
    qa, qb = distinct_ends(qa, qb)
    if not qa or not qb:
        return None
    direction = study.direction_for(b) if codebook[b].kind in codebook.effect_kinds else None
    return Support(basis, direction, qa + qb)


def study_support(study: Study, codebook: Codebook, nodes: Iterable[str], *, role_model=None,
                  include_cooccurrence: bool = False, roles: StudyRoles | None = None
                  ) -> dict[tuple[str, str], Support]:
    """Every link ``study`` supports among ``nodes``, with its basis, direction and quotes.

    An explicit link is kept as explicit even where its ends would also form a chain.
    ``roles`` (the study's :class:`StudyRoles`, shared across a model build) saves
    working the sentence roles out again.
    """
    nodes = set(nodes)
    roles = roles or StudyRoles(study, role_model)
    out = _explicit(study, codebook, nodes, roles)
    by_kind = _codes_by_kind(study, codebook, nodes)
    pairs = [(p, CHAIN) for p in codebook.adjacent_pairs] + \
        ([(p, COOCCURRENCE) for p in codebook.non_adjacent_pairs] if include_cooccurrence else [])
    for (src_kind, dst_kind), basis in pairs:
        for a in by_kind.get(src_kind, ()):
            for b in by_kind.get(dst_kind, ()):
                if (a, b) not in out and (support := _paired(study, codebook, a, b, roles, basis)) is not None:
                    out[(a, b)] = support
    return out
