"""Simulated reviewers for the demo: decisions taken from the corpus labels.

The demo corpus carries one expert reviewer's labels (inclusion, exclusion reason,
codes). A simulated reviewer screens in the order the ranking model proposes and
decides as the label says; a simulated coder accepts the machine's suggestions.
"""

from __future__ import annotations

import json
from pathlib import Path

from logicmap.api import CodingError, Review

#: words in the labeller's exclusion reason -> the project's default reason
_REASON_HINTS = (
    (("protocol", "review", "editorial", "commentary", "no new data", "no results"), 0),
    (("child", "adolescen", "youth"), 2),
    (("dementia", "learning disab", "substance"), 3),
    (("physical", "injury", "stroke", "cancer"), 4),
    (("medic", "drug", "symptom"), 5),
    (("staff",), 6),
    (("outcome", "recovery"), 7),
    (("not recovery", "intervention"), 1),
)


def corpus_labels(corpus: Path) -> dict[str, dict]:
    """Corpus id -> its label, from the packaged corpus.jsonl."""
    labels = {}
    for line in Path(corpus).read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            labels[item["id"]] = item["label"]
    return labels


def exclusion_reason(label_reason: str | None, reasons: list[str]) -> str:
    """The project's exclusion reason (of the default list) closest to the labeller's words."""
    text = (label_reason or "").lower()
    for words, index in _REASON_HINTS:
        if any(word in text for word in words):
            return reasons[index]
    return reasons[-1]


def corpus_id(review: Review, record_id: int) -> str | None:
    """The corpus id a demo record carries as its own identifier."""
    return review.records.get(record_id).source_id


def accept_suggestions(review: Review, record_ids: list[int], *, reviewer: str) -> int:
    """Code the studies by accepting every machine suggestion, codes first, then the links
    finding sentences state between them; returns codings saved."""
    suggestions, _ = review.coding.suggest(record_ids)
    for suggestion in suggestions:
        review.coding.add(
            int(suggestion.record_id), suggestion.code, reviewer=reviewer, span=suggestion.span,
            direction=suggestion.direction, source="suggestion",
        )
    links = review.model.suggest_links(record_ids)
    for link in links:
        review.coding.add(int(link.record_id), link.source, target_code=link.target, reviewer=reviewer,
                          span=link.span, direction=link.direction, source="suggestion")
    return len(suggestions) + len(links)


_DESIGN_ALIASES = {"RCT (cluster)": "cluster RCT", "RCT (pilot)": "pilot RCT"}


def extract_descriptors(review: Review, record_id: int, label: dict, *, reviewer: str) -> int:
    """Record the labelled descriptors in the codebook's vocabulary; returns how many were kept.

    A value outside a closed vocabulary becomes ``other`` where the field has it
    (``pre-post (repeated measures)`` -> ``pre-post`` first), else it is left out.
    """
    kept = 0
    for name in ("design", "country", "setting", "population", "n"):
        value = label.get(name)
        if value in (None, "", []):
            continue
        if name == "design":
            value = _DESIGN_ALIASES.get(value, value.split(" (")[0])
        for candidate in (value, "other"):
            try:
                review.coding.set_descriptor(record_id, name, candidate, reviewer=reviewer)
                kept += 1
                break
            except CodingError:
                if name not in ("design", "setting"):
                    break
    return kept
