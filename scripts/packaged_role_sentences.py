"""Write ``src/logicmap/coding/role_sentences.jsonl``: the headed sentences of the packaged demo corpus's
structured abstracts (heading removed, relative position, the heading's role), which the packaged
sentence-role model learns from (:func:`logicmap.coding.role_model.packaged`). First line: how many
abstracts they come from. ``tests/coding/test_sentence_roles.py`` checks the file is what this writes.

Usage: .venv/bin/python scripts/packaged_role_sentences.py
"""

from __future__ import annotations

import json
from pathlib import Path

from logicmap.api import PACKAGED_ROLE_FILE, packaged_role_lines

CORPUS = Path(__file__).resolve().parents[1] / "src" / "logicmap" / "demo" / "data" / "corpus.jsonl"


def packaged_lines(corpus: Path = CORPUS) -> list[str]:
    abstracts = [json.loads(line).get("abstract") or "" for line in corpus.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return packaged_role_lines(abstracts, "src/logicmap/demo/data/corpus.jsonl")


if __name__ == "__main__":
    PACKAGED_ROLE_FILE.write_text("\n".join(packaged_lines()) + "\n", encoding="utf-8")
    print(f"wrote {PACKAGED_ROLE_FILE}")
