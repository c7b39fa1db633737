"""The rhetorical role of each sentence of an abstract: background, methods, results or conclusions.

Evidence quotes for outcomes and links must be *finding* sentences (results or conclusions),
never background or methods. Structured abstracts label their sentences for free: a heading
("Results:", "METHODS", "Conclusion:") gives its role to every sentence up to the next heading.
Unstructured abstracts are labelled by cues: each role scores the cue words it finds in the
sentence (``were randomly assigned`` reads like methods, ``significantly greater`` like results,
``suggest`` like conclusions) plus a prior from the sentence's position in the abstract
(background first, conclusions last).

Measured on structured abstracts with their headings hidden (:func:`evaluate_roles`,
``tests/coding/test_sentence_roles.py``): the cues were written while reading the structured
abstracts of the demo corpus; on the 14 structured abstracts of ../shared's recovery corpus
outside it (129 headed sentences) they give the right role to 94 (73 %) and tell findings from
the rest for 115 (89 %). A :class:`~logicmap.coding.role_model.RoleModel` learnt from a
project's own structured abstracts does better (106 and 123 of 129 there).

Example::

    from logicmap.coding.sentence_roles import sentence_roles
    for s in sentence_roles("Methods: 40 adults took part. Results: Hope improved."):
        print(s.role, s.sentence.text)   # methods ..., results ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logicmap.coding.text import Sentence, quote_window, split_sentences

ROLES: tuple[str, ...] = ("background", "methods", "results", "conclusions")
FINDING_ROLES = frozenset({"results", "conclusions"})

_HEADING_ROLES: dict[str, str] = {
    "background": "background", "introduction": "background", "objective": "background",
    "objectives": "background", "aim": "background", "aims": "background", "purpose": "background",
    "context": "background", "rationale": "background", "aims and objectives": "background",
    "method": "methods", "methods": "methods", "materials and methods": "methods", "design": "methods",
    "setting": "methods", "settings": "methods", "participants": "methods", "measures": "methods",
    "intervention": "methods", "interventions": "methods", "analysis": "methods", "analyses": "methods",
    "procedure": "methods", "procedures": "methods", "sample": "methods", "study design": "methods",
    "trial registration": "methods", "design and methods": "methods", "methods and analysis": "methods",
    "results": "results", "result": "results", "findings": "results", "outcomes": "results",
    "conclusion": "conclusions", "conclusions": "conclusions", "discussion": "conclusions",
    "implications": "conclusions", "interpretation": "conclusions", "conclusions and implications": "conclusions",
    "practice implications": "conclusions", "clinical implications": "conclusions",
    # JAMA's, Cochrane's, PRISMA's, BMJ Open's and veterinary journals' headings
    "importance": "background", "hypothesis": "background", "hypotheses": "background",
    "hypothesis/objectives": "background", "aims/hypothesis": "background",
    "design, setting, and participants": "methods", "design, setting and participants": "methods",
    "exposure": "methods", "exposures": "methods", "main outcomes and measures": "methods",
    "main outcome measures": "methods", "main outcome measure": "methods", "outcome measures": "methods",
    "primary and secondary outcome measures": "methods", "methodology": "methods", "material and methods": "methods",
    "search methods": "methods", "selection criteria": "methods", "data collection and analysis": "methods",
    "data sources": "methods", "study selection": "methods", "data extraction": "methods",
    "eligibility criteria": "methods", "review methods": "methods", "animals": "methods", "animals studied": "methods",
    "trial registration number": "methods",
    "main results": "results", "key results": "results", "data synthesis": "results",
    "conclusions and relevance": "conclusions", "authors' conclusions": "conclusions",
    "clinical significance": "conclusions", "clinical relevance": "conclusions",
    "conclusions and clinical importance": "conclusions", "conclusion and clinical importance": "conclusions",
    "conclusions and clinical relevance": "conclusions", "key clinical message": "conclusions",
}
_NAMES = sorted((re.escape(h) for h in _HEADING_ROLES), key=len, reverse=True)


def _heading_forms(names: list[str], named: bool) -> str:
    """The ways a heading of ``names`` is written, as one alternation: "Results: ..." (any case, colon),
    "RESULTS ..." (capitals, colon optional), "Results Themes ...", "Methods 182 adults ..." or
    "Method\\nA before-after ..." (a page that dropped the colon: title case, then a capitalised word, a
    number or a line break) or "Results-1,053 ..." / "Results - The ..." (veterinary journals' em dash,
    which exports write as a hyphen: a capital first, the dash, then a capital or a digit). ``named``:
    each form in its own group (``any``, ``caps``, ``bare``, ``dashed``), to tell which name was read."""
    def group(name: str, body: str) -> str:
        return f"(?P<{name}>{body})" if named else f"(?:{body})"

    words = "|".join(names)
    return (rf"(?i:{group('any', words)})\s*:(?=\s|$)"
            rf"|{group('caps', '|'.join(n.upper() for n in names))}\s*:?(?=\s|$)"
            rf"|{group('bare', '|'.join(n[:1].upper() + n[1:] for n in names))}(?=\n|\s+(?:[A-Z][a-z]|\d))"
            rf"|{group('dashed', f'(?=[A-Z])(?i:{words})')} ?[-–—] ?(?=[A-Z0-9])")


# Some exports open the abstract with the word "Abstract" ("Abstract Background: ...", "ABSTRACT: ...").
_ABSTRACT_WORD = r"(?:(?:Abstract|ABSTRACT)\s*[:.]?\s+(?=[A-Z]))?"
#: A heading at a sentence start.
_HEADING = re.compile(rf"^{_ABSTRACT_WORD}(?:{_heading_forms(_NAMES, named=True)})")

_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "background": (
        (r"\b(aims?|aimed|objectives?|purpose|goal)\b", 1.5), (r"\blittle is known\b|\bfew studies\b", 2.0),
        (r"\b(is|are) (a|an|the|often|increasingly|widely|common)\b", 1.0), (r"\b(has|have) been\b", 0.7),
        (r"\bremains?\b|\bimportant\b|\bkey\b|\bgrowing\b", 0.7),
        (r"\b(this|the present|the current) (study|paper|article|trial)\b", 0.8),
        (r"\bwe (aimed|sought|hypothesi[sz]ed)\b|\bto (examine|explore|evaluate|investigate|assess|describe)\b", 1.2),
    ),
    "methods": (
        (r"\brandomi[sz]ed\b|\brandomly\b|\ballocated\b|\bassigned\b", 1.5), (r"\brecruited\b|\benrolled\b", 1.5),
        (r"\bwere (assessed|measured|collected|conducted|interviewed|analy[sz]ed|used|administered|invited|asked|"
         r"completed|recruited|compared|examined|included|obtained)\b", 1.5),
        (r"\b(interviews?|focus groups?|questionnaires?|survey|scale|measures?|instruments?)\b", 0.8),
        (r"\bthematic analysis\b|\bregression\b|\bmodels? (was|were)\b|\bestimating equations\b|\banaly[sz]ed\b", 1.5),
        (r"\bwe (conducted|used|recruited|interviewed|analy[sz]ed|compared|collected|performed|carried out)\b", 1.5),
        (r"\bbaseline\b|\bfollow-?up\b|\bpost-?test\b|\bdata\b", 0.5), (r"\b(n|N) ?= ?\d", 0.8),
        (r"\b(using|used|via|consisted|comprised|received|delivered)\b", 0.6),
    ),
    "results": (
        (r"\bsignificant(ly)?\b|\bp ?[<=>]|\b(CI|OR|SD|ES)\b|\bd ?= ?-?\d|%", 2.0),
        (r"\b(improv\w*|reduc\w*|increas\w*|decreas\w*|greater|higher|lower|better|worse|gains?)\b", 1.0),
        (r"\b(showed|found|reported|experienced|described|perceived|demonstrated|revealed|emerged|identified)\b", 1.0),
        (r"\bthemes?\b|\bcompared (with|to)\b|\bno (significant )?differences?\b|\bassociated with\b", 1.0),
        (r"\bparticipants\b|\bthan\b", 0.4),
    ),
    "conclusions": (
        (r"\b(suggests?|conclu\w*|indicates?|implications?|supports? the|warrant\w*|promising|feasible)\b", 1.8),
        (r"\b(may|might|could|should|can) (be|help|improve|promote|support|contribute|benefit|play|facilitate|enhance)\b", 1.5),
        (r"\b(these|our|the) (findings|results)\b|\bfuture (research|studies)\b|\bfurther research\b|\bneeded\b", 1.5),
        (r"\bthis study (shows|showed|demonstrates|suggests|provides|adds)\b", 1.5),
    ),
}
_COMPILED = {role: tuple((re.compile(rx, re.I), w) for rx, w in cues) for role, cues in _CUES.items()}


@dataclass(frozen=True)
class RoledSentence:
    """A sentence with its role; ``headed`` when a structured-abstract heading gave the role."""

    sentence: Sentence
    role: str
    headed: bool

    @property
    def is_finding(self) -> bool:
        return self.role in FINDING_ROLES


def _read_heading(sentence_text: str) -> tuple[str | None, int]:
    """``(role, length)`` of a heading at the start of ``sentence_text``; ``(None, 0)`` when it has none."""
    m = _HEADING.match(sentence_text)
    if not m:
        return None, 0
    role = _HEADING_ROLES.get((m.group("any") or m.group("caps") or m.group("bare") or m.group("dashed")).lower())
    return (role, m.end()) if role else (None, 0)


def heading_role(sentence_text: str) -> str | None:
    """The role a heading at the start of ``sentence_text`` gives (None when it has none)."""
    return _read_heading(sentence_text)[0]


def heading_length(sentence_text: str) -> int:
    """How many characters of ``sentence_text`` a leading structured-abstract heading takes (0: none)."""
    return _read_heading(sentence_text)[1]


def strip_heading(sentence_text: str) -> str:
    """``sentence_text`` without a leading structured-abstract heading."""
    length = heading_length(sentence_text)
    return sentence_text[length:].lstrip() if length else sentence_text


def heading_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` in ``text`` of every structured-abstract heading that starts a sentence, as
    :func:`heading_role` reads them ("Results:", "METHODS", "Objective-To ..." gives "Objective-")."""
    return [(s.start, s.start + len(s.text[:length].rstrip()))
            for s in split_sentences(text) if (length := heading_length(s.text))]


def quote_span(text: str, sentence: Sentence, anchor: int | None = None) -> tuple[int, int]:
    """The span of ``text`` to quote from ``sentence``: without a leading structured-abstract heading, at
    most ~300 characters, showing ``anchor`` (see :func:`~logicmap.coding.text.quote_window`)."""
    return quote_window(text, sentence.end - len(strip_heading(sentence.text)), sentence.end, anchor=anchor)


def cue_scores(text: str, position: float) -> dict[str, float]:
    """Per role: the weights of the cues found in ``text`` plus a prior from ``position`` in [0, 1]."""
    prior = {"background": 1.5 * max(0.0, 0.3 - position) / 0.3, "methods": 0.8 if 0.1 <= position <= 0.6 else 0.0,
             "results": 0.8 if 0.35 <= position < 0.95 else 0.0, "conclusions": 2.0 if position >= 0.85 else 0.0}
    return {role: prior[role] + sum(w for rx, w in _COMPILED[role] if rx.search(text)) for role in ROLES}


def guess_role(text: str, position: float) -> str:
    """The role of an unheaded sentence by cue words and its relative position (0 first, 1 last)."""
    scores = cue_scores(text, position)
    return max(ROLES, key=lambda r: (scores[r], -ROLES.index(r)))


def positions(n: int) -> list[float]:
    """Relative positions of ``n`` sentences: 0 for the first, 1 for the last (1 for a lone sentence)."""
    return [i / (n - 1) if n > 1 else 1.0 for i in range(n)]


def sentence_roles(text: str, field: str = "abstract", *, use_headings: bool = True,
                   model=None) -> list[RoledSentence]:
    """Every sentence of ``text`` with its role.

    A heading gives its role to the sentences up to the next heading; other sentences are
    labelled by ``model`` (a fitted :class:`~logicmap.coding.role_model.RoleModel`) when given,
    else by :func:`guess_role`.
    """
    sentences = split_sentences(text, field)
    current = None
    out: list[RoledSentence | None] = []
    for sentence in sentences:
        headed = heading_role(sentence.text) if use_headings else None
        current = headed or current
        out.append(RoledSentence(sentence, current, True) if current is not None else None)
    unheaded = [i for i, r in enumerate(out) if r is None]
    if unheaded:
        where = positions(len(sentences))
        texts = [strip_heading(sentences[i].text) for i in unheaded]
        spots = [where[i] for i in unheaded]
        roles = model.predict(texts, spots) if model is not None else list(map(guess_role, texts, spots))
        for i, role in zip(unheaded, roles, strict=True):
            out[i] = RoledSentence(sentences[i], role, False)
    return out  # type: ignore[return-value]


def role_at(text: str, start: int, end: int | None = None, field: str = "abstract") -> str | None:
    """The role of the sentence of ``text`` holding ``text[start:end]`` (None when no sentence does)."""
    end = start + 1 if end is None else end
    for roled in sentence_roles(text, field):
        if roled.sentence.start <= start < roled.sentence.end or start <= roled.sentence.start < end:
            return roled.role
    return None


def finding_sentences(text: str, field: str = "abstract") -> list[Sentence]:
    """The sentences of ``text`` that report findings (results or conclusions)."""
    return [r.sentence for r in sentence_roles(text, field) if r.is_finding]


@dataclass(frozen=True)
class RoleAccuracy:
    """Cue-based roles against heading-given roles on structured abstracts (headings hidden)."""

    abstracts: int
    sentences: int
    correct: int  # the four roles
    finding_correct: int  # finding (results, conclusions) vs not

    @property
    def accuracy(self) -> float:
        return self.correct / self.sentences if self.sentences else 0.0

    @property
    def finding_accuracy(self) -> float:
        return self.finding_correct / self.sentences if self.sentences else 0.0


_RESULTS_NAMES = [re.escape(n) for n, role in _HEADING_ROLES.items() if role == "results"]
#: A results heading as :data:`_HEADING` writes it, anywhere in a text: without one, no sentence of it starts with one.
_RESULTS_HEADING = re.compile(_heading_forms(_RESULTS_NAMES, named=False))


def is_structured(text: str | None) -> bool:
    """Whether ``text`` is a structured abstract: one of its sentences starts with a results heading.
    Reads the headings only (no cue words), so it is cheap enough for every abstract of a project."""
    return bool(text) and _RESULTS_HEADING.search(text) is not None and any(
        heading_role(s.text) == "results" for s in split_sentences(text))


def headed_abstracts(abstracts) -> list[str]:
    """The structured abstracts among ``abstracts``: those with a results heading."""
    return [t for t in abstracts if is_structured(t)]


def evaluate_roles(abstracts, model=None) -> RoleAccuracy:
    """Score the unheaded labelling (cues, or ``model``) on the headed sentences of ``abstracts``.

    Each abstract is labelled by its headings, then labelled again with the headings hidden;
    abstracts without a results heading are skipped.
    """
    n_abs = n = correct = finding = 0
    for text in abstracts:
        gold = sentence_roles(text)
        if not any(r.headed and r.role == "results" for r in gold):
            continue
        guessed = sentence_roles(text, use_headings=False, model=model)
        n_abs += 1
        for g, p in zip(gold, guessed, strict=True):
            if g.headed:
                n += 1
                correct += g.role == p.role
                finding += g.is_finding == p.is_finding
    return RoleAccuracy(n_abs, n, correct, finding)
