"""Seeded synthetic search exports at scale (10k to 1M records), written in several formats.

Built by the scale benchmarks, never kept in the repository: files go to a
cache folder (``--cache``, default ``benchmarks/.scale-cache``, git-ignored) under
one folder per (size, seed, copies) and are reused when already there.

What the records look like (every random choice takes ``seed``):

* papers are new distinct publications recombined from the shared real exports
  (``dedupe_speed.new_paper``: real title words, authors, journals; own DOI,
  year, pages);
* each paper is exported by one to five databases (about 42% of the records
  are duplicates, as in a multi-database search), or, with ``copies=N``, about
  N times (the "ten copies of each paper" case); every copy after the first is
  a realistic perturbation (``dedupe_speed.perturb``: DOI dropped, title case
  and punctuation, truncated abstract, initials, missing pages);
* large natural blocks: 15% of the papers have a first author with one of a
  few very common surnames, 1% are "Anonymous", 6% have no year;
* the copies of a paper go to different database files in RIS, CSV and BibTeX.

The record's own id (RIS ``ID``, CSV id column, BibTeX key) is
``p<paper>c<copy>``, so a benchmark can tell true duplicates after import.
"""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
from pathlib import Path

import dedupe_speed

from logicmap.api import Record, write_records

#: (file stem, format) of the databases a paper can be exported from.
DATABASES = (("medline", "ris"), ("embase", "ris"), ("wos", "csv"), ("scopus", "bibtex"), ("cinahl", "ris"))
#: Copies per paper in a multi-database search (1 to 5; mean 1.73, so 42% duplicates).
COPY_WEIGHTS = (0.55, 0.25, 0.12, 0.06, 0.02)
COMMON_SURNAMES = (
    "Wang", "Zhang", "Li", "Liu", "Chen", "Yang", "Huang", "Smith", "Kim", "Lee",
    "Nguyen", "Muller", "Garcia", "Johnson", "Brown", "Singh", "Kumar", "Park", "Sato", "Rossi",
)  # fmt: skip
CHUNK_PAPERS = 20_000
DEFAULT_CACHE = Path(__file__).resolve().parent / ".scale-cache"


def _natural_blocks(paper: Record, rng: random.Random) -> Record:
    """A paper with (sometimes) a very common first author, "Anonymous", or no year."""
    authors = list(paper.authors)
    roll = rng.random()
    if roll < 0.15 and authors:
        given = authors[0].partition(",")[2]
        authors[0] = f"{rng.choice(COMMON_SURNAMES)},{given}"
    elif roll < 0.16:
        authors = ["Anonymous"]
    year = None if rng.random() < 0.06 else paper.year
    return dataclasses.replace(paper, authors=authors, year=year)


def _copies(rng: random.Random, copies: int | None) -> int:
    if copies is None:
        return rng.choices(range(1, len(COPY_WEIGHTS) + 1), weights=COPY_WEIGHTS)[0]
    return max(1, copies + rng.randint(-2, 2))


def _paper_records(paper_no: int, base: list[Record], rng: random.Random, copies: int | None, serial: int):
    """``(database index, record)`` for every exported copy of one new paper."""
    a, b = base[rng.randrange(len(base))], base[rng.randrange(len(base))]
    paper = _natural_blocks(dedupe_speed.new_paper(a, b, rng, serial), rng)
    count = _copies(rng, copies)
    places = rng.sample(range(len(DATABASES)), count) if count <= len(DATABASES) else [
        rng.randrange(len(DATABASES)) for _ in range(count)]
    out = []
    for copy_no, place in enumerate(places):
        record = paper if copy_no == 0 else dedupe_speed.perturb(paper, rng, serial + copy_no)
        out.append((place, dataclasses.replace(record, source_id=f"p{paper_no}c{copy_no}", position=0)))
    return out


def build(size: int, seed: int, copies: int | None, cache: Path) -> list[Path]:
    """The files of ``size`` records (built once per size/seed/copies under ``cache``)."""
    folder = cache / f"scale-{size}-seed{seed}-copies{copies or 'db'}"
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return [folder / name for name in json.loads(manifest.read_text())["files"]]
    shutil.rmtree(folder, ignore_errors=True)
    parts = folder / "parts"
    parts.mkdir(parents=True)
    base, _ = dedupe_speed.load_base(dedupe_speed.DEFAULT_FORMATS)
    rng = random.Random(seed)
    written, paper_no, chunk = 0, 0, 0
    while written < size:
        per_db: list[list[Record]] = [[] for _ in DATABASES]
        for _ in range(CHUNK_PAPERS):
            for place, record in _paper_records(paper_no, base, rng, copies, written):
                if written < size:
                    per_db[place].append(record)
                    written += 1
            paper_no += 1
            if written >= size:
                break
        for (stem, fmt), records in zip(DATABASES, per_db):
            if records:
                write_records(records, fmt, parts / f"{stem}.{chunk:04d}.{_suffix(fmt)}")
        chunk += 1
    files = _join_parts(parts, folder)
    shutil.rmtree(parts)
    manifest.write_text(json.dumps({"records": written, "papers": paper_no, "seed": seed, "copies": copies,
                                    "files": [f.name for f in files]}))
    return files


def _suffix(fmt: str) -> str:
    return {"ris": "ris", "csv": "csv", "bibtex": "bib"}[fmt]


def _join_parts(parts: Path, folder: Path) -> list[Path]:
    """One file per database from its chunk files (a CSV keeps only the first header)."""
    files = []
    for stem, fmt in DATABASES:
        chunks = sorted(parts.glob(f"{stem}.*"))
        if not chunks:
            continue
        target = folder / f"{stem}.{_suffix(fmt)}"
        with target.open("w", encoding="utf-8", newline="") as out:
            for index, chunk in enumerate(chunks):
                with chunk.open(encoding="utf-8", newline="") as fh:
                    if fmt == "csv" and index:
                        fh.readline()
                    shutil.copyfileobj(fh, out)
                    if fmt != "csv":
                        out.write("\n")
        files.append(target)
    return files


def paper_of(own_id: str | None) -> str | None:
    """The paper a generated record copies (``p12c3`` -> ``p12``), None for anything else."""
    if not own_id or not own_id.startswith("p") or "c" not in own_id:
        return None
    return own_id.rpartition("c")[0]
