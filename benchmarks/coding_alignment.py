"""How often a team's codebook aligns with the recovery codebook, and rightly; prints JSON lines.

A codebook that restates the recovery codebook in its own words gets the recovery model's
suggestions in the layers that align (:mod:`logicmap.coding.aligned`). Each team codebook of
``benchmarks/codebooks/`` (written before any alignment existed) is aligned as written and written
more briefly, and its pairs are checked against the team's scoring map (the recovery code each team
code stands for): ``aligned`` codes, ``right`` of them, ``wrong`` = aligned - right. A wrong pair
would put the recovery model's suggestions for one concept on another; a missing one only leaves
that layer to the ranking model. The packaged codebooks about other concepts (CHIME, realist CMO,
classic logic model) have no map: any code they align counts as ``aligned`` for a reader to judge.

Usage: .venv/bin/python benchmarks/coding_alignment.py
Sentence vectors as in ``coding_quality.py`` (``$LOGICMAP_EMBED_BACKEND``, ``$LOGICMAP_CODING_CACHE``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from logicmap.api import align_codebooks, load_codebook  # noqa: E402
from coding_quality import encoder  # noqa: E402
from new_team import new_team_codebook, to_corpus  # noqa: E402


def styles(book) -> dict:
    """``book`` as written, without examples and notes, and with labels alone."""
    bare = dict(include="", exclude="", examples=())
    return {"as written": book,
            "labels and definitions": replace(book, codes=tuple(replace(c, **bare) for c in book.codes)),
            "labels only": replace(book, codes=tuple(replace(c, definition="", **bare) for c in book.codes))}


def main() -> None:
    encode, recovery = encoder(), load_codebook()
    for team in ("new-team", "second-team"):
        truth = to_corpus(team)
        for style, book in styles(new_team_codebook(team)).items():
            pairs = align_codebooks(book, recovery, encode)
            right = sum(truth[mine] == theirs for mine, theirs in pairs.items())
            print(json.dumps({"benchmark": "coding_alignment", "codebook": team, "written": style,
                              "codes": len(book.codes), "aligned": len(pairs), "right": right,
                              "wrong": len(pairs) - right}), flush=True)
    for name in ("chime", "realist-cmo", "logic-model"):
        book = load_codebook(name)
        pairs = align_codebooks(book, recovery, encode)
        print(json.dumps({"benchmark": "coding_alignment", "codebook": name, "written": "as packaged",
                          "codes": len(book.codes), "aligned": len(pairs), "pairs": pairs}), flush=True)


if __name__ == "__main__":
    main()
