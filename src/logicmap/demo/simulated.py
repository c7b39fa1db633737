"""Simulated reviewers for the demo: decisions taken from the corpus labels.

The demo corpus carries one expert reviewer's labels (inclusion, exclusion reason,
codes). A simulated reviewer screens in the order the ranking model proposes and
decides as the label says; a simulated coder accepts the machine's suggestions.
"""

from __future__ import annotations

import json
from pathlib import Path

from logicmap.coding.model import EvidenceSpan
from logicmap.coding.project import add_coding, project_codebook, record_texts
from logicmap.coding.suggest import suggest
from logicmap.screening.decisions import DEFAULT_EXCLUSION_REASONS, record_decision
from logicmap.store.models import RecordRow
from logicmap.store.project import Project

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


def exclusion_reason(label_reason: str | None) -> str:
    """The project's default exclusion reason closest to the labeller's words."""
    text = (label_reason or "").lower()
    for words, index in _REASON_HINTS:
        if any(word in text for word in words):
            return DEFAULT_EXCLUSION_REASONS[index]
    return DEFAULT_EXCLUSION_REASONS[-1]


def corpus_id(project: Project, record_id: int) -> str | None:
    """The corpus id a demo record carries as its own identifier."""
    with project.session() as session:
        row = session.get(RecordRow, record_id)
        return row.source_record_id if row else None


def screen_as_labelled(project: Project, order: list[int], labels: dict[str, dict], *, reviewer: str, stage: str) -> int:
    """Decide every record in ``order`` as its label says; returns the number included."""
    included = 0
    for rank, record_id in enumerate(order, 1):
        label = labels.get(corpus_id(project, record_id) or "")
        if label is None:
            continue
        if label["include"]:
            record_decision(project, record_id, reviewer=reviewer, stage=stage, decision="include", rank=rank)
            included += 1
        else:
            reason = exclusion_reason(label.get("exclusion_reason"))
            record_decision(project, record_id, reviewer=reviewer, stage=stage, decision="exclude", reason=reason, rank=rank)
    return included


def accept_suggestions(project: Project, record_ids: list[int], *, reviewer: str) -> int:
    """Code the studies by accepting every machine suggestion; returns codings saved."""
    codebook = project_codebook(project)
    texts = [record_texts(project, record_id) for record_id in record_ids]
    saved = 0
    for suggestion in suggest(texts, codebook):
        span = EvidenceSpan(suggestion.field, suggestion.start, suggestion.end, suggestion.quote)
        add_coding(
            project, int(suggestion.record_id), suggestion.code, reviewer=reviewer, span=span,
            direction=suggestion.direction, source="suggestion",
        )
        saved += 1
    return saved


_DESIGN_ALIASES = {"RCT (cluster)": "cluster RCT", "RCT (pilot)": "pilot RCT"}


def extract_descriptors(project: Project, record_id: int, label: dict, *, reviewer: str) -> int:
    """Record the labelled descriptors in the codebook's vocabulary; returns how many were kept.

    A value outside a closed vocabulary becomes ``other`` where the field has it
    (``pre-post (repeated measures)`` -> ``pre-post`` first), else it is left out.
    """
    from logicmap.coding.model import CodingError
    from logicmap.coding.project import set_descriptor

    kept = 0
    for name in ("design", "country", "setting", "population", "n"):
        value = label.get(name)
        if value in (None, "", []):
            continue
        if name == "design":
            value = _DESIGN_ALIASES.get(value, value.split(" (")[0])
        for candidate in (value, "other"):
            try:
                set_descriptor(project, record_id, name, candidate, reviewer=reviewer)
                kept += 1
                break
            except CodingError:
                if name not in ("design", "setting"):
                    break
    return kept
