"""Zero-training evidence: score every sentence of a record against each code's key terms.

A code's terms and examples are compiled once (:class:`TermMatcher`); a record is split
into sentences (the title counts as one), and each sentence gets, per code, the summed
weight of the distinct terms it contains (whole words after light stemming; a negated
term is ignored for the kinds in ``negation_kinds``).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from logicmap.codebook.codes import Codebook
from logicmap.coding.text import Sentence, Term, TermIndex, compile_term, negated, split_sentences, tokens

#: Kinds where "no peer support" should not count as evidence of peer support.
NEGATION_KINDS = frozenset({"typology", "mechanism"})


@dataclass(frozen=True)
class SentenceScore:
    """Evidence for one code in one sentence: summed term weight and the first matched span."""

    sentence: Sentence
    raw: float
    match_start: int
    match_end: int
    terms: tuple[str, ...]


@dataclass
class RecordEvidence:
    """All sentences of a record and, per code, the sentences that carry evidence for it."""

    record_id: str
    sentences: list[Sentence]
    by_code: dict[str, list[SentenceScore]]
    texts: dict[str, str]

    def raw(self, code: str, title_boost: float = 1.0, result_boost: float = 1.0, decay: float = 0.5, top: int = 3) -> float:
        """Record-level raw score: the best sentences summed with geometric ``decay``.

        Title evidence counts ``title_boost`` times, evidence in a sentence reporting a
        result (significant, improved, no difference, ...) ``result_boost`` times.
        """
        vals = sorted(
            (
                s.raw
                * (title_boost if s.sentence.field == "title" else 1.0)
                * (result_boost if s.sentence.field != "title" and reports_result(s.sentence.text) else 1.0)
                for s in self.by_code.get(code, ())
            ),
            reverse=True,
        )[:top]
        return sum(v * decay**i for i, v in enumerate(vals))

    def best(self, code: str) -> SentenceScore | None:
        """The abstract sentence with most evidence (the title only when nothing else has any)."""
        hits = self.by_code.get(code, ())
        if not hits:
            return None
        return max(hits, key=lambda s: (s.raw + (0.0 if s.sentence.field == "title" else 0.01), -s.sentence.start))

    def term_at(self, code: str, sentence: Sentence) -> int | None:
        """Where ``code``'s first key term in ``sentence`` begins (an offset in its field), if it has one."""
        for hit in self.by_code.get(code, ()):
            if hit.sentence.field == sentence.field and hit.sentence.start == sentence.start:
                return hit.match_start
        return None


_RESULT = re.compile(
    r"\b(significant\w*|improv\w*|reduc\w*|increas\w*|decreas\w*|differ\w*|effect\w*|higher|lower|greater|"
    r"better|worse|gains?|benefit\w*|changes?|showed|found|reported|experienced|enhanced|associated|led to|p ?[<=]|d ?=)",
    re.I,
)


def reports_result(sentence: str) -> bool:
    """Whether a sentence reads like a finding (cue words such as significant, improved, p <)."""
    return bool(_RESULT.search(sentence))


def squash(raw: float, scale: float = 1.5) -> float:
    """Map a raw term score onto [0, 1): 1 term -> ~0.49, 2 -> ~0.74, 3 -> ~0.86."""
    return 1.0 - math.exp(-raw / scale)


class TermMatcher:
    """The compiled key terms and examples of every code of a codebook."""

    def __init__(self, codebook: Codebook, negation_kinds: frozenset[str] = NEGATION_KINDS):
        self.codebook = codebook
        self.negation_kinds = negation_kinds
        entries: list[tuple[str, Term]] = []
        for c in codebook.codes:
            seen = set()
            for phrase in (*c.terms, *c.examples):
                term = compile_term(phrase)
                if term is None or term.parts in seen:
                    continue
                seen.add(term.parts)
                entries.append((c.code, term))
        self.index = TermIndex(entries)

    def score_sentence(self, sentence: Sentence) -> dict[str, SentenceScore]:
        """Evidence per code in one sentence (codes without a match are absent)."""
        toks = tokens(sentence.text, sentence.start)
        matches: list[tuple[str, Term, int, int]] = []  # code, term, first token, last token + 1
        for code, term, i in self.index.matches(toks):
            if self.codebook[code].kind in self.negation_kinds and negated(toks, i):
                continue
            matches.append((code, term, i, i + len(term.parts)))
        found: dict[str, dict[str, tuple[float, int, int]]] = defaultdict(dict)
        for code, term, a, b in matches:
            # an intervention's name wins over shorter matches inside it: "wellness" inside "Wellness Recovery Action Planning"
            # is the name of an intervention, not a wellbeing outcome
            if any(
                c2 != code and self.codebook[c2].kind == "typology" and a2 <= a and b <= b2 and (b2 - a2) > (b - a)
                for c2, _, a2, b2 in matches
            ):
                continue
            found[code].setdefault(term.phrase.lower(), (term.weight, toks[a].start, toks[b - 1].end))
        out = {}
        for code, terms in found.items():
            # one phrase contained in another (``peer support`` in ``peer support worker``) counts once
            spans = sorted(terms.values(), key=lambda v: (v[1], -(v[2] - v[1])))
            raw, last_end, first = 0.0, -1, spans[0]
            for weight, start, end in spans:
                if start >= last_end:
                    raw += weight
                    last_end = end
            out[code] = SentenceScore(sentence, raw, first[1], first[2], tuple(sorted(terms)))
        return out

    def analyse(self, record: Mapping) -> RecordEvidence:
        """Split a record (``title``, ``abstract``) into sentences and score each one."""
        texts = {"title": record.get("title") or "", "abstract": record.get("abstract") or ""}
        sentences = split_sentences(texts["title"], "title") + split_sentences(texts["abstract"], "abstract")
        by_code: dict[str, list[SentenceScore]] = defaultdict(list)
        for sentence in sentences:
            for code, score in self.score_sentence(sentence).items():
                by_code[code].append(score)
        return RecordEvidence(str(record.get("id", "")), sentences, dict(by_code), texts)
