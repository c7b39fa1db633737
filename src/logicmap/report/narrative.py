"""Generated text: a short narrative per typology and the methods section.

Both are built only from the data given (coded studies, :class:`MethodsFacts`); nothing is
invented. A fact that was not given is reported as "not reported", never guessed.
Citations are "Author Year" (:meth:`logicmap.synthesis.study.Study.citation`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from logicmap.report.style import DIRECTION_LABELS
from logicmap.synthesis.evidence import sign_test
from logicmap.synthesis.model import LogicModel
from logicmap.synthesis.study import DESIGN_FAMILIES, Study

MAX_CITATIONS = 6


def cite(studies: list[Study]) -> str:
    """``"A 2010; B et al. 2012"`` (at most :data:`MAX_CITATIONS`, then "and N more")."""
    names = sorted({s.citation() for s in studies})
    more = len(names) - MAX_CITATIONS
    text = "; ".join(names[:MAX_CITATIONS])
    return text + (f"; and {more} more" if more > 0 else "")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def design_summary(studies: list[Study]) -> str:
    """``"3 RCT, 2 qualitative"`` in the canonical design order."""
    counts = Counter(s.design_family for s in studies)
    return ", ".join(f"{counts[f]} {f}" for f in DESIGN_FAMILIES if counts[f])


@dataclass(frozen=True)
class Narrative:
    """The generated paragraph for one typology."""

    code: str
    label: str
    n_studies: int
    text: str


#: How the outcome sentence of each direction opens.
OUTCOME_OPENINGS: dict[str, str] = {
    "benefit": "Benefit was reported for", "no_difference": "No difference was reported for",
    "harm": "Harm was reported for", "mixed": "Mixed results were reported for",
    "not_measured": "Reported without a direction",
}


def _outcome_sentences(model: LogicModel, studies: list[Study]) -> tuple[str, Counter]:
    """One sentence per direction (benefit first), each listing its outcomes with their studies."""
    cb = model.codebook
    by: dict[str, dict[str, list[Study]]] = defaultdict(lambda: defaultdict(list))
    for s in studies:
        for code in s.codes():
            if code in cb and cb[code].kind in cb.effect_kinds:
                by[s.direction_for(code) or "not_measured"][code].append(s)
    votes = Counter()
    sentences = []
    order = {c.code: i for i, c in enumerate(cb.codes)}
    for direction in (d for d in DIRECTION_LABELS if d in by):
        outcomes = sorted(by[direction].items(), key=lambda kv: order[kv[0]])
        votes[direction] += sum(len(group) for _, group in outcomes)
        items = [f"{cb[code].label.lower()} ({code}) in {_plural(len(group), 'study', 'studies')} ({cite(group)})"
                 for code, group in outcomes]
        colon = ":" if direction == "not_measured" else ""
        sentences.append(f"{OUTCOME_OPENINGS[direction]}{colon} " + "; ".join(items) + ".")
    if not sentences:
        return "No outcome was coded for these studies.", votes
    return " ".join(sentences), votes


def _kind_sentence(model: LogicModel, studies: list[Study], kind: str, title: str) -> str:
    cb = model.codebook
    by: dict[str, list[Study]] = defaultdict(list)
    for s in studies:
        for code in s.codes():
            if code in cb and cb[code].kind == kind:
                by[code].append(s)
    if not by:
        return ""
    order = {c.code: i for i, c in enumerate(cb.codes)}
    items = [f"{cb[c].label.lower()} ({c}; {cite(g)})" for c, g in sorted(by.items(), key=lambda kv: order[kv[0]])]
    return f"{title}: " + "; ".join(items) + "."


def typology_narratives(model: LogicModel) -> list[Narrative]:
    """One paragraph per typology with studies, plus one listing typologies without any."""
    cb = model.codebook
    out = []
    missing = []
    for code in cb.of_kind(cb.intervention_kind):
        if code.code not in model.graph:
            continue
        studies = [s for s in model.studies if code.code in s.codes()]
        if not studies:
            missing.append(f"{code.label} ({code.code})")
            continue
        sentences = [f"{_plural(len(studies), 'included study', 'included studies')} evaluated "
                     f"{code.label.lower()} ({design_summary(studies)}; {cite(studies)})."]
        outcome_text, votes = _outcome_sentences(model, studies)
        sentences.append(outcome_text)
        if votes["benefit"] + votes["harm"]:
            p = sign_test(votes["benefit"], votes["harm"])
            sentences.append(f"Of {votes['benefit'] + votes['harm']} study-outcome results with a clear direction, "
                             f"{votes['benefit']} showed benefit and {votes['harm']} harm (two-sided sign test p = {p:.3g}).")
        others = [k for k in cb.chain if k != cb.intervention_kind and k not in cb.effect_kinds]
        for kind, title in ((k, f"{cb.layer_title(k)} coded") for k in others + [cb.condition_kind] if k):
            sentence = _kind_sentence(model, studies, kind, title)
            if sentence:
                sentences.append(sentence)
        out.append(Narrative(code.code, code.label, len(studies), " ".join(sentences)))
    if missing:
        out.append(Narrative("", "Gaps", 0, "No included study evaluated: " + "; ".join(missing) + "."))
    return out


@dataclass(frozen=True)
class SearchSource:
    """One searched database or register."""

    database: str
    search_date: str | None = None
    records: int | None = None
    interface: str | None = None


@dataclass(frozen=True)
class MethodsFacts:
    """The facts a methods section is written from; None means not reported."""

    sources: tuple[SearchSource, ...] = ()
    dedupe_settings: str | None = None
    duplicates_removed: int | None = None
    records_after_dedupe: int | None = None
    screening_model: str | None = None
    stopping_rule: str | None = None
    records_screened: int | None = None
    records_not_screened: int | None = None
    stopping_statement: str | None = None
    screening_agreement: float | None = None
    screening_agreement_measure: str = "Cohen's kappa"
    screening_agreement_n: int | None = None
    coding_agreement: float | None = None
    coding_agreement_measure: str = "Krippendorff's alpha"
    coding_agreement_n: int | None = None
    codebook: str | None = None
    extra: tuple[str, ...] = field(default_factory=tuple)


def search_sources(sources: Iterable[tuple[str, str | None, int]]) -> tuple[SearchSource, ...]:
    """One :class:`SearchSource` per database from ``(database, search date, records)`` per imported file.

    Records of files from the same database are summed; the last file's search date stands.
    """
    by_db: dict[str, SearchSource] = {}
    for name, search_date, records in sources:
        prior = by_db.get(name)
        by_db[name] = SearchSource(name, search_date, (prior.records if prior else 0) + records)
    return tuple(by_db.values())


NOT_REPORTED = "not reported"

#: Dedupe engines as a reader knows them, by the engine's class name (as a dedupe run stores it).
DEDUPE_ENGINES: dict[str, str] = {
    "InProcessEngine": "logicmap's in-process engine",
    "SplinkEngine": "Splink (DuckDB)",
}


def dedupe_engine_name(engine: str) -> str:
    """``"InProcessEngine"`` -> ``"logicmap's in-process engine"``; an unknown engine keeps its name."""
    return DEDUPE_ENGINES.get(engine, f"the {engine} engine")


def _or(value, fmt: str = "{}") -> str:
    return NOT_REPORTED if value is None or value == "" else fmt.format(value)


def _not_screened(n: int | None) -> str:
    return f" ({n} not yet screened)" if n else ""


def methods_sections(facts: MethodsFacts) -> list[tuple[str, str]]:
    """``(heading, paragraph)`` pairs of the methods section, from ``facts`` only."""
    if facts.sources:
        listed = "; ".join(
            f"{s.database}{f' via {s.interface}' if s.interface else ''} (searched {_or(s.search_date)}, "
            f"{_or(s.records, '{} records')})" for s in facts.sources)
        search = f"We searched {_plural(len(facts.sources), 'source')}: {listed}."
    else:
        search = "Sources and search dates: not reported."
    dedupe = (f"Duplicate records were removed with {_or(facts.dedupe_settings)}; "
              f"{_or(facts.duplicates_removed, '{} duplicates were removed')}, leaving "
              f"{_or(facts.records_after_dedupe, '{} unique records')}.")
    # a stop by the rule is stated below with the rule's description: not twice in two sentences
    rule_clause = "" if facts.stopping_statement else f"; the stopping rule was {_or(facts.stopping_rule)}"
    screening = (f"Titles and abstracts were screened with {_or(facts.screening_model)} prioritising the records"
                 f"{rule_clause}. Records screened: {_or(facts.records_screened)}{_not_screened(facts.records_not_screened)}. ")
    if facts.stopping_statement:
        screening += facts.stopping_statement + " "
    if facts.screening_agreement is not None:
        sample = f" on {facts.screening_agreement_n} double-screened records" if facts.screening_agreement_n else ""
        screening += f"Reviewers' agreement was {facts.screening_agreement_measure} = {facts.screening_agreement:.2f}{sample}."
    else:
        screening += "Reviewers' agreement: not reported."
    coding = f"Included studies were coded against the {_or(facts.codebook)} codebook, each code with the verbatim sentence that supports it. "
    if facts.coding_agreement is not None:
        sample = f" on {facts.coding_agreement_n} double-coded studies" if facts.coding_agreement_n else ""
        coding += f"Coding agreement was {facts.coding_agreement_measure} = {facts.coding_agreement:.2f}{sample}."
    else:
        coding += "Coding agreement: not reported."
    synthesis = ("Links of the logic model were drawn where coders stated them explicitly or where two codes of "
                 "adjacent kinds were coded in the same study; codebook links without a study are shown as hypotheses. "
                 "Following SWiM guidance, effect directions were vote-counted (benefit vs harm) with an exact two-sided "
                 "sign test, and each link was graded strong, moderate, limited or hypothesised by documented rules.")
    out = [("Information sources and search", search), ("Deduplication", dedupe), ("Screening", screening),
           ("Data extraction and coding", coding), ("Synthesis", synthesis)]
    out += [("Further notes", x) for x in facts.extra]
    return out
