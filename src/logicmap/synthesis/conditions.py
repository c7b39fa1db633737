"""Moderators as conditions on links, and the context profile of a reader's service.

In the recovery framework a moderator (service user, service or environment level) does not
cause an outcome: it strengthens or weakens a link. So a moderator a study reports attaches,
as a :class:`Condition`, to every link that study supports (a reviewer's coded link from a
moderator to a code attaches it only to the study's links that touch that code). A study
reports a moderator when its quote is a finding sentence (results or conclusions), or when
the coder gave it a direction or coded its link; a moderator quoted only from the background
or methods (an aim, an inclusion criterion) attaches to nothing. Its effect
comes from the coding's direction where one was given (``strengthens`` or ``weakens``; the
``benefit`` / ``harm`` of projects coded before moderators had their own directions are read as
strengthens / weakens), else from cue words in its quote ("barrier", "lack of" -> weakens; "facilitated",
"enabled" -> strengthens), else it is ``unclear``.

:func:`context_profile` answers a reader who ticks the conditions present in their service
(``DE1``, ``DS1``): which links have evidence of being weakened or strengthened there, with the
studies and quotes.

Example::

    profile = context_profile(model, ["DE1", "DS1"])
    for line in profile.lines():
        print(line)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from logicmap.codebook.codes import LEGACY_MODERATOR_DIRECTIONS, MODERATOR_DIRECTIONS, Codebook
from logicmap.coding.sentence_roles import FINDING_ROLES
from logicmap.errors import CodingError
from logicmap.synthesis.pathways import StudyRoles
from logicmap.synthesis.study import Study

EFFECTS: tuple[str, ...] = ("strengthens", "weakens", "unclear")
_WEAKENS = re.compile(
    r"\b(barriers?|hinder\w*|imped\w*|obstacles?|lack(ed|ing)? of|limit(ed|ing|s|ations?)|insufficient|inadequate|"
    r"poor|negative|low(er)?|shortage|constrain\w*|prevent\w*|undermin\w*|difficult\w*|challeng\w*|"
    r"reluctan\w*|resist\w*|fail\w*)\b", re.I)  # not a moderator's own name (stigma, unemployment)
_STRENGTHENS = re.compile(
    r"\b(facilitat\w*|enabl\w*|support(ive|ed)|positive|help(ed|ful)|enhanc\w*|strengthen\w*|promot\w*|key to|"
    r"important (for|to)|essential|predict(ed|s)? (better|greater|higher)|associated with (better|greater|higher)|"
    r"higher motivation|readiness|committed|commitment)\b", re.I)


def moderator_effect(quote: str | None, direction: str | None = None) -> str:
    """``strengthens``, ``weakens`` or ``unclear`` from the coding's direction, else the quote's cue words."""
    direction = LEGACY_MODERATOR_DIRECTIONS.get(direction or "", direction)
    if direction in MODERATOR_DIRECTIONS:
        return direction
    weak = bool(_WEAKENS.search(quote or ""))
    strong = bool(_STRENGTHENS.search(quote or ""))
    if weak != strong:
        return "weakens" if weak else "strengthens"
    return "unclear"


@dataclass(frozen=True)
class Condition:
    """A moderator one study reports, as a condition on that study's links."""

    code: str
    label: str
    level: str
    effect: str
    study_id: str
    citation: str
    quote: str = ""
    applies_to: str | None = None  # a code: only the study's links touching it (a coded moderator link)

    def to_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "level": self.level, "effect": self.effect,
                "study": self.study_id, "citation": self.citation, "quote": self.quote}


def study_conditions(study: Study, codebook: Codebook, role_model=None, roles: StudyRoles | None = None
                     ) -> list[Condition]:
    """The conditions ``study`` reports: its moderator codes quoted from findings or given a
    direction, and its coded moderator links (``roles``: the study's, shared across a build)."""
    roles = roles or StudyRoles(study, role_model)
    out = []
    for item in study.items:
        if item.code not in codebook or codebook[item.code].kind != codebook.condition_kind:
            continue
        span = item.span
        reported = span is not None and roles.role(span.field, span.start, span.quote) in FINDING_ROLES
        if reported or _given(item.direction):
            out.append(_condition(study, codebook, item.code, span.quote if span else "", item.direction, None))
    for link in study.links:
        if link.source_code in codebook and codebook[link.source_code].kind == codebook.condition_kind:
            quote = link.span.quote if link.span else ""
            out.append(_condition(study, codebook, link.source_code, quote, link.direction, link.target_code))
    return list(dict.fromkeys(out))


def _given(direction: str | None) -> bool:
    """True when a moderator coding carries an effect (strengthens, weakens, or a legacy benefit/harm)."""
    return direction in MODERATOR_DIRECTIONS or direction in LEGACY_MODERATOR_DIRECTIONS


def _condition(study: Study, codebook: Codebook, code: str, quote: str, direction, target) -> Condition:
    c = codebook[code]
    return Condition(code, c.label, c.level or "", moderator_effect(quote, direction), study.id, study.citation(),
                     quote, target)


def edge_conditions(src: str, dst: str, study_ids: Iterable[str],
                    conditions: Mapping[str, list[Condition]]) -> tuple[Condition, ...]:
    """The conditions reported by the studies behind link ``src -> dst``, sorted by code and study;
    one per code, study, effect and quote (a moderator coded both as a code and as a link with the
    same sentence is listed once)."""
    found = [c for sid in study_ids for c in conditions.get(sid, ())
             if c.applies_to is None or c.applies_to in (src, dst)]
    unique = {(c.code, c.study_id, c.effect, c.quote): c for c in reversed(found)}  # the first of equals wins
    return tuple(sorted(unique.values(), key=lambda c: (c.code, c.citation, c.study_id, c.quote)))


@dataclass(frozen=True)
class ContextLink:
    """One link and the evidence that conditions of the reader's context act on it."""

    source: str
    target: str
    effect: str  # weakened | strengthened | both | unclear
    conditions: tuple[Condition, ...]

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "effect": self.effect,
                "conditions": [c.to_dict() for c in self.conditions]}


@dataclass
class ContextProfile:
    """Which links the conditions present in a reader's service are reported to weaken or strengthen."""

    codes: tuple[str, ...]
    labels: dict[str, str]
    links: list[ContextLink] = field(default_factory=list)

    def weakened(self) -> list[ContextLink]:
        return [link for link in self.links if link.effect in ("weakened", "both")]

    def strengthened(self) -> list[ContextLink]:
        return [link for link in self.links if link.effect in ("strengthened", "both")]

    def to_dict(self) -> dict:
        return {"codes": list(self.codes), "labels": dict(self.labels), "links": [x.to_dict() for x in self.links]}

    def lines(self) -> list[str]:
        """One line per link and condition, for a terminal or a plain-text report."""
        out = []
        for link in self.links:
            out.append(f"{link.source} -> {link.target}: {link.effect}")
            for c in link.conditions:
                verb = "effect unclear" if c.effect == "unclear" else f"{c.effect} it"
                quote = f", \u201c{c.quote}\u201d" if c.quote else ""
                out.append(f"  {c.code} {c.label}: {verb} ({c.citation}{quote})")
        return out


def _summary(conditions: Iterable[Condition]) -> str:
    effects = {c.effect for c in conditions}
    if {"weakens", "strengthens"} <= effects:
        return "both"
    if "weakens" in effects:
        return "weakened"
    return "strengthened" if "strengthens" in effects else "unclear"


def check_context(codebook: Codebook, codes: Iterable[str]) -> tuple[str, ...]:
    """``codes`` (stripped, de-duplicated) after checking each is a moderator of ``codebook``."""
    codes = tuple(dict.fromkeys(c.strip() for c in codes if c.strip()))
    wrong = [c for c in codes if c not in codebook or codebook[c].kind != codebook.condition_kind]
    if wrong:
        known = ", ".join(c.code for c in codebook.of_kind(codebook.condition_kind or ""))
        raise CodingError(f"not a moderator of the codebook: {', '.join(wrong)} (moderators: {known})")
    return codes


def context_profile(model, codes: Iterable[str]) -> ContextProfile:
    """The links of ``model`` (a :class:`~logicmap.synthesis.LogicModel`) on which a study reports
    one of the moderator ``codes``; weakened ones first, then by number of conditions."""
    codes = check_context(model.codebook, codes)
    wanted = set(codes)
    per_link: dict[tuple[str, str], list[Condition]] = defaultdict(list)
    for src, dst, d in model.edges():
        per_link[(src, dst)] += [c for c in d.get("moderators", ()) if c.code in wanted]
    order = {"weakened": 0, "both": 1, "strengthened": 2, "unclear": 3}
    links = [ContextLink(s, t, _summary(cs), tuple(cs)) for (s, t), cs in per_link.items() if cs]
    links.sort(key=lambda x: (order[x.effect], -len(x.conditions), x.source, x.target))
    return ContextProfile(codes, {c: model.codebook[c].label for c in codes}, links)
