"""Deduplication speed on 10k / 30k / 100k records built from real exports.

Every file under ../shared/data/formats is read with the import readers and
normalised (the base pool, itself full of cross-format duplicates). Larger sets
are made with a seeded generator: a share (``--dup-share``) of the new records
are copies of earlier records with realistic perturbations (dropped DOIs, title
case/punctuation changes, truncated abstracts, author initials reduced, missing
pages/issue) plus a unique copyright/database tail at the end of the abstract
(or a keyword) so that copies are not identical; the others are new distinct
papers recombined from two real titles with their own DOI, year and pages. Prints ONE JSON line: per size the seconds, records/s, candidate
pairs compared and clusters, a sanity check of the result (share of
synthetic copies clustered with their source, new papers wrongly clustered);
peak RSS (``resource.getrusage``) and the growth
exponent of time between the smallest and largest size (1.0 = linear).

Usage: ``python benchmarks/dedupe_speed.py [--sizes 10000,30000,100000] [--seed 7]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import resource
import sys
import time
from pathlib import Path

from logicmap.api import (
    DedupeSettings,
    ImportFormatError,
    InProcessEngine,
    ParsedRecord,
    Record,
    iter_parsed,
    normalise_record,
    open_file,
)

DEFAULT_FORMATS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "formats"
_WORDS = "alpha beta gamma delta kappa sigma omega nova prime vista".split()


def _parsed_records(path: Path) -> list[ParsedRecord]:
    """Parse one file with the import's format detection and readers."""
    return list(iter_parsed(open_file(path)))


def load_base(root: Path) -> tuple[list[Record], int]:
    """All records of all readable files under ``root`` (and how many files failed)."""
    records: list[Record] = []
    failed = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name in {"MANIFEST.md", "SHA256SUMS"}:
            continue
        try:
            parsed = _parsed_records(path)
        except (ImportFormatError, ValueError, UnicodeError):
            failed += 1
            continue
        records.extend(r for r in (normalise_record(p) for p in parsed) if r.title or r.doi)
    return records, failed


def _initials(author: str) -> str:
    family, _, given = author.partition(",")
    letters = "".join(part[0] for part in given.replace(".", " ").split() if part)
    return f"{family}, {letters}" if letters else family


def perturb(record: Record, rng: random.Random, serial: int) -> Record:
    """A realistic, seeded variant of ``record`` (never identical to another copy)."""
    changes: dict = {"position": serial, "provenance": {}, "extra": {}}
    title = record.title or ""
    roll = rng.random()
    if roll < 0.2:
        title = title.upper()
    elif roll < 0.4:
        title = title.lower().replace(",", "").replace(":", " -")
    elif roll < 0.5:
        title = title + "."
    if rng.random() < 0.5 and record.doi:
        changes["doi"] = None
    if rng.random() < 0.3 and record.abstract:
        changes["abstract"] = record.abstract[: rng.randint(50, 400)]
    if rng.random() < 0.4:
        changes["authors"] = [_initials(a) for a in record.authors]
    if rng.random() < 0.2:
        changes["pages"] = None
        changes["issue"] = None
    # unique perturbation: a copyright/database tail (as exports add) keeps copies distinct
    tail = f"(c) {record.year or ''} {rng.choice(_WORDS)} database record {serial}."
    abstract = changes.get("abstract", record.abstract)
    if abstract:
        changes["abstract"] = f"{abstract} {tail}"
    else:
        changes["keywords"] = [*record.keywords, tail]
    changes["title"] = title or None
    return dataclasses.replace(record, **changes)


def new_paper(a: Record, b: Record, rng: random.Random, serial: int) -> Record:
    """A distinct publication: a shuffled sample of the title words of ``a`` and ``b``
    (the vocabulary of a real search), authors/journal of ``b``, own DOI, year, pages.

    Such records share words, authors and journals with real ones, so they land
    in the author/venue blocks and exercise the scoring as different papers on
    one topic do in a real search.
    """
    words = list(dict.fromkeys((a.title or "untitled").split() + (b.title or "study").split()))
    title = " ".join(rng.sample(words, min(len(words), rng.randint(6, 14))) + [rng.choice(_WORDS)])
    first = rng.randint(1, 2000)
    return dataclasses.replace(
        b,
        position=serial,
        title=title,
        year=rng.randint(1980, 2024),
        doi=f"10.9999/synthetic.{serial}",
        pmid=None,
        volume=str(rng.randint(1, 300)),
        pages=f"{first}-{first + rng.randint(1, 15)}",
        abstract=f"{(b.abstract or '')[:200]} Synthetic record {serial}.",
        provenance={},
        extra={},
    )


def build(
    base: list[Record], size: int, seed: int, dup_share: float
) -> tuple[list[Record], list[int | None], list[bool]]:
    """``size`` records: the base pool, then synthetic ones.

    A ``dup_share`` of the synthetic records are perturbed copies of an earlier
    record (base or synthetic), the rest are new distinct papers, so duplicate
    clusters keep a realistic size whatever ``size`` is. Also returns, per
    record, the index of the record it copies (``None`` if not a copy) and
    whether it is a new synthetic paper.
    """
    rng = random.Random(seed)
    records = list(base[:size])
    source: list[int | None] = [None] * len(records)
    fresh = [False] * len(records)
    while len(records) < size:
        serial = len(records)
        if rng.random() < dup_share:
            origin = rng.randrange(serial)
            records.append(perturb(records[origin], rng, serial))
            source.append(origin)
            fresh.append(False)
        else:
            a, b = base[rng.randrange(len(base))], base[rng.randrange(len(base))]
            records.append(new_paper(a, b, rng, serial))
            source.append(None)
            fresh.append(True)
    order = list(range(size))
    rng.shuffle(order)
    where = {old: new for new, old in enumerate(order)}
    shuffled_source = [None if source[old] is None else where[source[old]] for old in order]
    return [records[old] for old in order], shuffled_source, [fresh[old] for old in order]


def check(clusters: list[list[int]], source: list[int | None], fresh: list[bool]) -> dict:
    """Copies found with their source, and new papers clustered with another lineage.

    Every record descends from a root (itself unless it is a copy); a new
    synthetic paper is falsely merged when its cluster holds a record of
    another root.
    """
    root = list(range(len(source)))
    for i in range(len(source)):
        chain = []
        j = i
        while source[j] is not None and root[j] == j:
            chain.append(j)
            j = source[j]
        for k in chain:
            root[k] = root[j]
    cluster_of = {i: n for n, cluster in enumerate(clusters) for i in cluster}
    copies = [(i, s) for i, s in enumerate(source) if s is not None]
    found = sum(1 for i, s in copies if i in cluster_of and cluster_of[i] == cluster_of.get(s))
    false_merges = sum(
        1
        for cluster in clusters
        if any(fresh[root[i]] for i in cluster) and len({root[i] for i in cluster}) > 1
    )
    return {
        "copy_recall": round(found / len(copies), 4) if copies else None,
        "new_papers": sum(fresh),
        "clusters_joining_a_new_paper_with_another": false_merges,
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def main() -> None:
    """Run the engine on each size and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", type=Path, default=DEFAULT_FORMATS)
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dup-share", type=float, default=0.35, help="share of synthetic records that copy another")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    base, failed = load_base(args.formats)
    engine, settings = InProcessEngine(), DedupeSettings()
    runs = {}
    for size in sizes:
        records, source, fresh = build(base, size, args.seed, args.dup_share)
        start = time.perf_counter()
        result = engine.find_duplicates(records, settings=settings)
        seconds = time.perf_counter() - start
        runs[str(size)] = {
            "seconds": round(seconds, 2),
            "records_per_s": round(size / seconds),
            "pairs_compared": result.compared,
            "pairs_per_record": round(result.compared / size, 2),
            "clusters": len(result.clusters),
            "removed": len(result.duplicates_to_remove()),
            "peak_rss_mb": peak_rss_mb(),
            **check(result.clusters, source, fresh),
        }
        del records, result
    first, last = str(sizes[0]), str(sizes[-1])
    exponent = (
        math.log(runs[last]["seconds"] / runs[first]["seconds"]) / math.log(sizes[-1] / sizes[0])
        if len(sizes) > 1
        else None
    )
    print(json.dumps({
        "benchmark": "dedupe_speed",
        "base_records": len(base),
        "unreadable_files": failed,
        "seed": args.seed,
        "dup_share": args.dup_share,
        "sizes": runs,
        "growth_exponent": round(exponent, 3) if exponent is not None else None,
        "peak_rss_mb": peak_rss_mb(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
