"""Studies as the synthesis sees them: descriptors plus the codes and links coded in them.

Plain dataclasses, no database: ``review.model`` (:class:`logicmap.review.model.ModelStage`)
builds :class:`Study` objects from a project's included records and final codings; tests
and the benchmarks build them from the labelled recovery corpus with :func:`studies_from_labelled`.

Example::

    from logicmap.synthesis import Study, CodedLink
    from logicmap.coding import CodedItem
    s = Study("s1", title="IPS trial", authors=("Smith, J",), year=2019, design="RCT",
              items=(CodedItem("s1", "T07", "ann"), CodedItem("s1", "OF1", "ann", direction="benefit")))
"""

from __future__ import annotations

import functools

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from logicmap.coding.spans import CodedItem, CodingError, EvidenceSpan, span_for_quote

#: Canonical design families, the order used in tables and counts.
DESIGN_FAMILIES: tuple[str, ...] = (
    "RCT", "non-randomised controlled", "cohort", "pre-post", "cross-sectional",
    "mixed methods", "qualitative", "economic", "case study", "other", "not reported",
)


def design_family(design: str | None) -> str:
    """The canonical family of a free-text design: ``"RCT (pilot)"`` -> ``"RCT"``."""
    text = (design or "").strip().lower()
    if not text:
        return "not reported"
    if text.startswith(("non-rand", "nonrand", "quasi")) or "non-randomi" in text:
        return "non-randomised controlled"
    if text.startswith("rct") or "randomised" in text or "randomized" in text or text.endswith("rct"):
        return "RCT"
    for family in DESIGN_FAMILIES:
        if text.startswith(family.lower()):
            return family
    if text.startswith(("pre-post", "pre post", "before-after", "uncontrolled")):
        return "pre-post"
    return "other"


def is_randomised(design: str | None) -> bool:
    """True for randomised designs (parallel, cluster or pilot RCTs)."""
    return design_family(design) == "RCT"


@dataclass(frozen=True)
class CodedLink:
    """A link ``source_code -> target_code`` a coder saw stated in one study, with its span."""

    study_id: str
    source_code: str
    target_code: str
    span: EvidenceSpan | None = None
    direction: str | None = None
    reviewer: str = ""
    note: str = ""


@dataclass(frozen=True)
class Study:
    """One included study: descriptors, coded items (codes with spans), coded links and its abstract."""

    id: str
    title: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    design: str | None = None
    country: str | None = None
    setting: str | None = None
    population: str | None = None
    n: int | None = None
    items: tuple[CodedItem, ...] = ()
    links: tuple[CodedLink, ...] = ()
    abstract: str = ""  # the text that gives quoted sentences their role (finding or not)

    @property
    def design_family(self) -> str:
        return design_family(self.design)

    @property
    def countries(self) -> tuple[str, ...]:
        """Countries named in ``country`` (split on ``,``, ``;``, ``/`` and `` and ``)."""
        parts = re.split(r"\s*(?:[,;/]|\band\b)\s*", self.country or "")
        return tuple(p for p in (x.strip() for x in parts) if p)

    def codes(self) -> list[str]:
        """The distinct codes of this study, in coding order."""
        return list(dict.fromkeys(item.code for item in self.items))

    def items_for(self, code: str) -> list[CodedItem]:
        return [item for item in self.items if item.code == code]

    def direction_for(self, code: str) -> str | None:
        """The effect direction coded for ``code``: one direction, ``mixed`` when coders or
        measures disagree, None when none was coded."""
        found = {i.direction for i in self.items_for(code) if i.direction and i.direction != "not_measured"}
        if not found:
            coded = any(i.direction == "not_measured" for i in self.items_for(code))
            return "not_measured" if coded else None
        return found.pop() if len(found) == 1 else "mixed"

    def citation(self) -> str:
        """``"Surname Year"``, ``"A & B Year"`` or ``"A et al. Year"``; the id when no author."""
        return self._citation

    @functools.cached_property  # a large model cites each study in every list it appears in
    def _citation(self) -> str:
        names = [surname(a) for a in self.authors if a and a.strip()]
        year = str(self.year) if self.year else "n.d."
        if not names:  # no authors: a short title reads better than a database id
            words = [w.strip(QUOTE_MARKS) for w in self.title.split()]  # a quoted title is not quoted twice
            words = [w for w in words if w]
            if words:
                short = " ".join(words[:4]) + ("..." if len(words) > 4 else "")
                return f"\u201c{short}\u201d {year}"
            return f"{self.id} {year}" if self.year else self.id
        if len(names) == 1:
            return f"{names[0]} {year}"
        if len(names) == 2:
            return f"{names[0]} & {names[1]} {year}"
        return f"{names[0]} et al. {year}"


#: Double quotation marks a title may hold (a citation by title adds its own).
QUOTE_MARKS = "\"\u201c\u201d\u00ab\u00bb"


def surname(author: str) -> str:
    """``"Smith, John"`` -> ``Smith``; ``"John A. Smith"`` -> ``Smith``."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    parts = author.split()
    return parts[-1] if parts else author


def _span(record: Mapping, quote: str | None) -> EvidenceSpan | None:
    if not quote:
        return None
    try:
        return span_for_quote(record, quote, fields=("title", "abstract"))
    except CodingError:
        return None


def study_from_labelled(record: Mapping, *, reviewer: str = "reference") -> Study:
    """A :class:`Study` from one labelled recovery-corpus record (``label`` object).

    Typologies carry no quote in the corpus; outcomes, mechanisms, processes and moderators
    carry the exact sentence, located as an :class:`EvidenceSpan` in the title or abstract.
    An outcome the labeller gave an effect direction (benefit, no difference, harm, mixed)
    with its sentence is the labeller's statement of the main typology's effect on it: it
    becomes a coded link main typology -> outcome with that sentence and direction.
    """
    label = record.get("label") or {}
    sid = str(record["id"])
    typologies = list(label.get("typologies") or [])
    items: list[CodedItem] = [CodedItem(sid, code, reviewer) for code in typologies]
    links: list[CodedLink] = []
    for key in ("mechanisms", "processes", "outcomes", "moderators"):
        for entry in label.get(key) or []:
            direction = entry.get("direction") if key == "outcomes" else None
            span = _span(record, entry.get("quote"))
            items.append(CodedItem(sid, entry["code"], reviewer, span, direction))
            if typologies and span and direction not in (None, "not_measured"):
                links.append(CodedLink(sid, typologies[0], entry["code"], span, direction, reviewer))
    n = label.get("n")
    return Study(
        id=sid,
        title=record.get("title") or "",
        authors=tuple(record.get("authors") or ()),
        year=record.get("year"),
        journal=record.get("journal"),
        doi=record.get("doi"),
        design=label.get("design"),
        country=label.get("country"),
        setting=label.get("setting"),
        population=label.get("population"),
        n=n if isinstance(n, int) else None,
        items=tuple(items),
        links=tuple(links),
        abstract=record.get("abstract") or "",
    )


def studies_from_labelled(records: Iterable[Mapping], *, included_only: bool = True) -> list[Study]:
    """Studies from labelled corpus records (only ``label.include`` ones by default)."""
    out = []
    for record in records:
        if included_only and not (record.get("label") or {}).get("include"):
            continue
        out.append(study_from_labelled(record))
    return out
