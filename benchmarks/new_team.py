"""The new team's codebook of ``benchmarks/codebooks/new-team.yaml`` (codes the package has never
seen) and the map of its codes to the recovery corpus's labels, used for scoring only."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from logicmap.api import load_codebook

HERE = Path(__file__).resolve().parent / "codebooks"
CODEBOOK = HERE / "new-team.yaml"
MAP = HERE / "new-team-map.yaml"
USED = "a new team's own codebook (own layers, ids, labels, definitions, few examples; no term lists)"


def new_team_codebook():
    return load_codebook(CODEBOOK)


def to_corpus() -> dict[str, str]:
    """New-team code -> the corpus label it stands for."""
    return yaml.safe_load(MAP.read_text(encoding="utf-8"))


def to_team() -> dict[str, str]:
    """Corpus label -> the new-team code that stands for it."""
    return {label: code for code, label in to_corpus().items()}


def corpus_codes(suggestions) -> list:
    """``suggestions`` with each new-team code replaced by the corpus label it stands for."""
    mapping = to_corpus()
    return [replace(s, code=mapping[s.code]) for s in suggestions]
