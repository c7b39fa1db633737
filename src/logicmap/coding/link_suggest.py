"""Machine-suggested links: finding sentences that name both ends of a logic-model link.

"Participants in peer support reported greater hope" names an intervention (peer support, T01)
and an outcome (hope, OE1) in a sentence that reports a finding: it states the link T01 -> OE1.
Each suggestion quotes that sentence verbatim; a reviewer accepts it (a coded link, basis
``explicit`` in the model) or rejects it. Only finding sentences (results or conclusions,
:mod:`logicmap.coding.sentence_roles`) are read, never background or methods.

A sentence names a code when it holds one of the code's key terms (:mod:`logicmap.coding.matcher`);
when the record has one typology, words for the intervention or the people receiving it
("the programme", "the treatment group", "participants") name it too: in a study of one
intervention, a finding about participants is a finding about that intervention.

Measured against the labelled recovery corpus (a labeller's outcome with an effect direction and
its sentence read as the link main typology -> outcome, given the labelled codes): on the 18
included records outside the demo corpus (not used while writing these rules), 14 typology ->
outcome links suggested, all 14 stated by the labeller, of the 32 the labeller stated
(precision 1.00, recall 0.44); on the 61 of the demo corpus, 51 of 53 (0.96), recall 0.52. With ``codes`` given, only links between those codes (the study's coded ones) are
suggested. The two ends must be named by different words of the sentence, and the
sentence must read like a result (:func:`~logicmap.coding.matcher.reports_result`).

Example::

    from logicmap.codebook import load_codebook
    from logicmap.coding.link_suggest import suggest_links
    for s in suggest_links({"id": "r1", "abstract": "Results: Participants in peer support reported greater hope."},
                           load_codebook()):
        print(s.source, s.target, s.quote)   # T01 OE1 Participants in peer support ...
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from logicmap.codebook.codes import Codebook
from logicmap.coding.matcher import TermMatcher, reports_result, squash
from logicmap.coding.sentence_roles import quote_span, sentence_roles
from logicmap.coding.spans import EvidenceSpan
from logicmap.coding.suggest import guess_direction

#: The kinds of the ends of a link a sentence can state: the framework's links.
LINK_KINDS: tuple[tuple[str, str], ...] = (
    ("typology", "mechanism"), ("mechanism", "process"), ("process", "outcome"), ("typology", "outcome"),
)
_INTERVENTION = re.compile(
    r"\b(intervention|program|programme|treatment|service|course|training|group|arm|condition|participants?|"
    r"patients|clients|members|users)\b", re.I)


@dataclass(frozen=True)
class LinkSuggestion:
    """A suggested link ``source -> target`` of a record; ``quote == record[field][start:end]``."""

    record_id: str
    source: str
    target: str
    score: float
    quote: str
    field: str
    start: int
    end: int
    direction: str | None = None  # for an outcome target: a cue-based guess

    @property
    def span(self) -> EvidenceSpan:
        return EvidenceSpan(self.field, self.start, self.end, self.quote)

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "score": round(self.score, 4), "quote": self.quote,
                "direction": self.direction}


def _named(matcher: TermMatcher, sentence, codes: set[str] | None,
           sole_typology: str | None) -> dict[str, tuple[float, int, int]]:
    """Code -> (term weight, first match start, end) of the codes ``sentence`` names (within ``codes``)."""
    found = {code: (s.raw, s.match_start, s.match_end) for code, s in matcher.score_sentence(sentence).items()
             if codes is None or code in codes}
    if sole_typology and sole_typology not in found and (m := _INTERVENTION.search(sentence.text)):
        found[sole_typology] = (1.0, sentence.start + m.start(), sentence.start + m.end())
    return found


def link_kinds_of(codebook: Codebook) -> tuple[tuple[str, str], ...]:
    """The kind pairs a sentence can link in ``codebook``: adjacent columns and intervention -> outcome
    (for the recovery codebook exactly :data:`LINK_KINDS`)."""
    return codebook.adjacent_pairs + ((codebook.intervention_kind, codebook.outcome_kind),)


def record_link_suggestions(record: Mapping, codebook: Codebook, matcher: TermMatcher, *,
                            codes: Iterable[str] | None = None, role_model=None) -> list[LinkSuggestion]:
    """Suggested links of one record: one per link, from its best finding sentence."""
    allowed = set(codes) if codes is not None else None
    typologies = [c for c in (allowed or ()) if c in codebook and codebook[c].kind == codebook.intervention_kind]
    link_kinds = link_kinds_of(codebook)
    sole = typologies[0] if len(typologies) == 1 else None
    text = record.get("abstract") or ""
    best: dict[tuple[str, str], LinkSuggestion] = {}
    for roled in sentence_roles(text, model=role_model):
        if not roled.is_finding or not reports_result(roled.sentence.text):
            continue
        named = _named(matcher, roled.sentence, allowed, sole)
        for a, (wa, a0, a1) in named.items():
            for b, (wb, b0, b1) in named.items():
                if (codebook[a].kind, codebook[b].kind) not in link_kinds or (a0 < b1 and b0 < a1):
                    continue  # not a link of the framework, or one phrase names both ends
                score = squash(min(wa, wb))
                if (a, b) not in best or score > best[(a, b)].score:
                    start, end = quote_span(text, roled.sentence)
                    quote = text[start:end]
                    direction = guess_direction(quote) if codebook[b].kind in codebook.effect_kinds else None
                    best[(a, b)] = LinkSuggestion(str(record.get("id", "")), a, b, score, quote, "abstract", start, end,
                                                  direction)
    return sorted(best.values(), key=lambda s: (s.source, s.target))


def suggest_links(records: Iterable[Mapping] | Mapping, codebook: Codebook, *,
                  codes: Mapping[str, Iterable[str]] | None = None, role_model=None) -> list[LinkSuggestion]:
    """Suggested links for each record (``id``, ``abstract``), in record order.

    ``codes`` maps a record id to the codes it was coded with; links between other codes are
    not suggested for it.
    """
    records = [records] if isinstance(records, Mapping) else list(records)
    matcher = TermMatcher(codebook)
    out: list[LinkSuggestion] = []
    for record in records:
        rid = str(record.get("id", ""))
        allowed = None if codes is None else list(codes.get(rid, ()))
        out += record_link_suggestions(record, codebook, matcher, codes=allowed, role_model=role_model)
    return out
