"""Build the embedded demo corpus from ../shared/data/recovery-corpus (run once, output committed).

Takes a seeded subset of the labelled recovery-intervention records and writes:
  - corpus.jsonl: the subset, lines verbatim (labels kept for later pipeline stages);
  - three search exports in different formats, as three databases would return
    them, overlapping so that the same study arrives more than once with the usual
    differences (missing DOI, title case, truncated abstract).

Usage: python scripts/build_demo_corpus.py [--seed 2020] [--size 90]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from logicmap.api import Record, normalise_authors, write_records

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "recovery-corpus" / "records.jsonl"
OUT = REPO / "src" / "logicmap" / "demo" / "data"


def to_record(item: dict, position: int) -> Record:
    """A corpus line as a bibliographic record."""
    return Record(
        position=position,
        source_id=item["id"],
        title=item["title"],
        abstract=item["abstract"],
        authors=normalise_authors(item.get("authors") or []),
        year=item.get("year"),
        journal=item.get("journal"),
        doi=item.get("doi"),
        pmid=item.get("pmid"),
        url=item.get("url"),
        type="JOUR",
    )


def perturb(record: Record, rng: random.Random) -> Record:
    """The kind of differences another database's copy of a record shows."""
    roll = rng.random()
    if roll < 0.3:
        record.doi = None
    elif roll < 0.5 and record.title:
        record.title = record.title.upper()
    elif roll < 0.7 and record.abstract:
        record.abstract = record.abstract[: len(record.abstract) // 2]
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--size", type=int, default=90)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    chosen = sorted(rng.sample(range(len(lines)), args.size))
    subset = [lines[i] for i in chosen]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "corpus.jsonl").write_text("\n".join(subset) + "\n", encoding="utf-8")
    items = [json.loads(line) for line in subset]
    exports = {"medline-ovid.ris": ("ris", 0.65), "psycinfo.csv": ("csv", 0.55), "scopus.bib": ("bibtex", 0.45)}
    for index, (name, (fmt, share)) in enumerate(exports.items()):
        picked = [item for item in items if rng.random() < share]
        records = [to_record(item, pos) for pos, item in enumerate(picked, 1)]
        if index:
            records = [perturb(r, rng) for r in records]
        count = write_records(records, fmt, OUT / name)
        print(f"{name}: {count} records")


if __name__ == "__main__":
    main()
