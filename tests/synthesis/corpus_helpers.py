"""Studies made from the labelled recovery corpora (packaged demo subset and ../shared)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from logicmap.codebook import load_codebook
from logicmap.synthesis import studies_from_labelled

DEMO_CORPUS = Path(str(resources.files("logicmap.demo") / "data" / "corpus.jsonl"))


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@lru_cache(maxsize=4)
def corpus(path: str) -> tuple[dict[str, dict], tuple]:
    """(records by id, included studies) of a labelled corpus file."""
    records = read_records(Path(path))
    return {r["id"]: r for r in records}, tuple(studies_from_labelled(records))


@lru_cache(maxsize=1)
def codebook():
    return load_codebook()
