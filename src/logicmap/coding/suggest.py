"""Machine suggestions: codes for a record, each with a score and a verbatim supporting quote.

Zero-training: sentences are scored against each code's key terms and examples
(:mod:`logicmap.coding.matcher`); record scores are thresholded per node kind. Typology is
single-label by default (the main typology first, a second only when nearly as strong).
With a fitted :class:`~logicmap.coding.suggestion_model.SuggestionModel` the scores blend in what
reviewers accepted and rejected.

Example::

    from logicmap.codebook import load_codebook
    from logicmap.coding import suggest
    for s in suggest([{"id": "r1", "title": "Peer support ...", "abstract": "..."}], load_codebook()):
        print(s.record_id, s.code, s.score, s.quote)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from logicmap.codebook.codes import Codebook
from logicmap.coding.matcher import RecordEvidence, SentenceScore, TermMatcher, squash
from logicmap.coding.sentence_roles import finding_sentences, quote_span
from logicmap.coding.spans import EvidenceSpan


@dataclass(frozen=True)
class KindSettings:
    """How codes of one kind are chosen from their scores."""

    threshold: float
    max_codes: int | None = None  # None: any number
    second_ratio: float = 0.0  # a code after the first needs score >= ratio * best score
    title_boost: float = 1.0  # weight of evidence in the title
    result_boost: float = 1.0  # weight of evidence in a sentence that reports a finding


def recovery_role(codebook: Codebook, kind: str) -> str:
    """The recovery kind whose rules a layer of ``codebook`` follows (itself for the recovery kinds):
    intervention -> typology, outcome columns -> outcome, condition -> moderator, others -> mechanism."""
    if kind in ("typology", "mechanism", "process", "outcome", "moderator"):
        return kind
    return ("typology" if kind == codebook.intervention_kind else "outcome" if kind in codebook.effect_kinds
            else "moderator" if kind == codebook.condition_kind else "mechanism")


@dataclass(frozen=True)
class SuggestSettings:
    """Per-kind selection rules (defaults calibrated on the recovery development corpus)."""

    kinds: dict[str, KindSettings] = field(
        default_factory=lambda: {
            "typology": KindSettings(threshold=0.5, max_codes=2, second_ratio=0.9, title_boost=2.0, result_boost=1.5),
            "mechanism": KindSettings(threshold=0.7, result_boost=1.5),
            "process": KindSettings(threshold=0.6),
            "outcome": KindSettings(threshold=0.7, result_boost=1.5),
            "moderator": KindSettings(threshold=0.75, result_boost=1.5),
        }
    )
    scale: float = 1.5  # raw term weight -> score squashing

    def for_kind(self, kind: str, codebook: Codebook | None = None) -> KindSettings:
        """The rule of ``kind``; a layer of another codebook takes the rule of its role's recovery kind
        (intervention -> typology, outcome columns -> outcome, condition -> moderator, others -> mechanism)."""
        if kind in self.kinds or codebook is None:
            return self.kinds[kind]
        return self.kinds[recovery_role(codebook, kind)]

    def with_thresholds(self, thresholds: Mapping[str, float]) -> SuggestSettings:
        """A copy with some kinds' thresholds replaced."""
        kinds = {k: replace(v, threshold=thresholds.get(k, v.threshold)) for k, v in self.kinds.items()}
        return replace(self, kinds=kinds)


@dataclass(frozen=True)
class Suggestion:
    """A suggested code for a record; ``quote == record[field][start:end]`` exactly."""

    record_id: str
    code: str
    kind: str
    score: float
    quote: str
    field: str
    start: int
    end: int
    direction: str | None = None  # outcomes only: a cue-based guess
    #: Whether ``score`` is a probability that the code applies (the fitted model's); else it only
    #: ranks (key terms, or the ranking model of a codebook the package has not seen)
    score_is_probability: bool = False

    @property
    def span(self) -> EvidenceSpan:
        """Where the quote stands in the record's text."""
        return EvidenceSpan(self.field, self.start, self.end, self.quote)

    def to_dict(self) -> dict:
        """The JSON shape used by ``logicmap code suggest``: code, score, whether the score is a
        probability, quote."""
        return {"code": self.code, "score": round(self.score, 4), "score_is_probability": self.score_is_probability,
                "quote": self.quote}


def zero_training_scores(evidence: RecordEvidence, codebook: Codebook, settings: SuggestSettings) -> dict[str, float]:
    """Score in [0, 1) per code from key-term evidence alone."""
    out = {}
    for c in codebook.codes:
        rule = settings.for_kind(c.kind, codebook)
        raw = evidence.raw(c.code, title_boost=rule.title_boost, result_boost=rule.result_boost)
        out[c.code] = squash(raw, settings.scale)
    return out


def choose(scores: Mapping[str, float], codebook: Codebook, settings: SuggestSettings) -> list[str]:
    """The codes to suggest, kind by kind in logic-model order, best first within a kind."""
    chosen: list[str] = []
    for kind in codebook.kinds:
        rule = settings.for_kind(kind, codebook)
        ranked = sorted(
            ((scores.get(c.code, 0.0), c.code) for c in codebook.of_kind(kind)), key=lambda x: (-x[0], x[1])
        )
        picked = []
        for score, code in ranked:
            if score < rule.threshold or (picked and score < rule.second_ratio * ranked[0][0]):
                break
            if rule.max_codes is not None and len(picked) >= rule.max_codes:
                break
            picked.append(code)
        chosen.extend(picked)
    return chosen


_NO_DIFF = re.compile(r"\b(no (statistically )?significant|not (statistically )?significant|did not (differ|improve|change)|no (group |between[- ]group )?differences?|no change|unaffected|unaected|similar)\b", re.I)
_BENEFIT = re.compile(r"\b(significant(ly)? (greater|higher|lower|better|more|less|improv\w*|reduc\w*|increas\w*|decreas\w*)|improv\w*|reduc\w*|increas\w*|gains?|benefits?|better)\b", re.I)
_HARM = re.compile(r"\b(wors\w*|deteriorat\w*|harm\w*|adverse)\b", re.I)


def guess_direction(sentence: str) -> str:
    """Effect direction from cue words: benefit, no_difference, harm, mixed or not_measured."""
    cues = {name for name, rx in (("no", _NO_DIFF), ("benefit", _BENEFIT), ("harm", _HARM)) if rx.search(sentence)}
    if "harm" in cues:
        return "mixed" if "benefit" in cues else "harm"
    if "no" in cues:
        return "mixed" if "benefit" in cues and not _NO_DIFF.search(sentence).group().lower().startswith("no ") else "no_difference"
    return "benefit" if "benefit" in cues else "not_measured"


def best_finding(evidence: RecordEvidence, code: str) -> SentenceScore | None:
    """The abstract sentence reporting a finding (results, conclusions) with most evidence for ``code``."""
    findings = {(s.start, s.end) for s in finding_sentences(evidence.texts.get("abstract", ""))}
    hits = [h for h in evidence.by_code.get(code, ()) if h.sentence.field == "abstract"
            and (h.sentence.start, h.sentence.end) in findings]
    return max(hits, key=lambda s: (s.raw, -s.sentence.start)) if hits else None


def make_suggestion(evidence: RecordEvidence, code: str, kind: str, score: float, sentence=None,
                    role: str | None = None, *, score_is_probability: bool = False) -> Suggestion:
    """A suggestion quoting the best evidence sentence without its structured-abstract heading
    (``sentence`` overrides; title as last resort).

    An outcome or a moderator (by ``role``, see :func:`recovery_role`; default ``kind``) quotes the
    best finding sentence (results or conclusions) where one has evidence.
    """
    role = role or kind
    if sentence is None:
        best = (best_finding(evidence, code) if role in ("outcome", "moderator") else None) or evidence.best(code)
        sentence = best.sentence if best else None
    if sentence is None:
        sentence = next((s for s in evidence.sentences if s.field == "abstract"), evidence.sentences[0])
    text = evidence.texts[sentence.field]
    start, end = quote_span(text, sentence, evidence.term_at(code, sentence))
    quote = text[start:end]
    direction = guess_direction(quote) if role == "outcome" else None
    return Suggestion(evidence.record_id, code, kind, float(score), quote, sentence.field, start, end, direction,
                      score_is_probability=score_is_probability)


def suggest(
    records: Iterable[Mapping],
    codebook: Codebook,
    *,
    model=None,
    settings: SuggestSettings | None = None,
) -> list[Suggestion]:
    """Suggested codes for every record (``id``, ``title``, ``abstract``), in record order.

    Without ``model`` the suggestions come from the codebook's key terms alone; a fitted
    :class:`~logicmap.coding.suggestion_model.SuggestionModel` adds what reviewers taught it (its own
    calibrated thresholds apply unless ``settings`` is given). Records with no text get none.
    """
    records = [r for r in records if (r.get("title") or "").strip() or (r.get("abstract") or "").strip()]
    if model is not None:
        return model.suggest(records, settings=settings)
    settings = settings or SuggestSettings()
    matcher = TermMatcher(codebook)
    out: list[Suggestion] = []
    for record in records:
        evidence = matcher.analyse(record)
        scores = zero_training_scores(evidence, codebook, settings)
        for code in choose(scores, codebook, settings):
            kind = codebook[code].kind
            out.append(make_suggestion(evidence, code, kind, scores[code], role=recovery_role(codebook, kind)))
    return out


@dataclass
class SuggestionBatch:
    """Suggestions for a set of records; ``learnt`` says whether a model learnt from reviewers."""

    record_ids: list[str]
    suggestions: list[Suggestion]
    learnt: bool = False
    engine: str = "terms"  # "terms" (key terms, TF-IDF once learnt) or "embeddings" (sentence embeddings)
    #: Codes whose suggestions come from the recovery model (they restate its codebook's)
    aligned: int = 0

    def by_record(self) -> dict[str, list[Suggestion]]:
        """Record id -> its suggestions, every record present (in ``record_ids`` order)."""
        grouped: dict[str, list[Suggestion]] = {rid: [] for rid in self.record_ids}
        for s in self.suggestions:
            grouped[s.record_id].append(s)
        return grouped
