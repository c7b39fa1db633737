"""The codebooks of ``benchmarks/codebooks/`` written by review teams (codes the package has never
seen) and the map of each one's codes to the recovery corpus's labels, used for scoring only:
``new-team`` (the package's development choices looked at its tuned-on figures) and ``second-team``
(a realist framing with CHIME-style outcome domains, written before any score and never tuned on)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from logicmap.api import load_codebook

HERE = Path(__file__).resolve().parent / "codebooks"
CODEBOOK = HERE / "new-team.yaml"
MAP = HERE / "new-team-map.yaml"
USED = "a new team's own codebook (own layers, ids, labels, definitions, few examples; no term lists)"
SECOND = "second-team"
SECOND_USED = ("a second team's own codebook, never tuned on (realist programme / resource / response / gain "
               "layers, CHIME-style outcome domains, labels, definitions, one or two examples; no term lists)")


def new_team_codebook(team: str = "new-team"):
    return load_codebook(HERE / f"{team}.yaml")


def to_corpus(team: str = "new-team") -> dict[str, str]:
    """Team code -> the corpus label it stands for."""
    return yaml.safe_load((HERE / f"{team}-map.yaml").read_text(encoding="utf-8"))


def to_team(team: str = "new-team") -> dict[str, str]:
    """Corpus label -> the team code that stands for it."""
    return {label: code for code, label in to_corpus(team).items()}


def corpus_codes(suggestions, team: str = "new-team") -> list:
    """``suggestions`` with each team code replaced by the corpus label it stands for."""
    mapping = to_corpus(team)
    return [replace(s, code=mapping[s.code]) for s in suggestions]
