"""Deduplication on the hard cases of issue 15, one kind at a time (synthetic copies).

Originals: a seeded sample of the gold ``unique`` records of ASySD's labelled
"Diabetes" set (../shared/data/dedup/labelled_test_set.csv), one per distinct
publication. For each hard case every original gets one variant, made the way
another database would export it (without DOI or abstract unless the case is
about the DOI), and the engine runs on originals + variants:

* duplicates that must be found: ``journal_abbreviated`` (ISO-style "Atheroscler
  Thromb Vasc Biol"), ``year_missing``, ``year_off_by_one`` (online vs print),
  ``year_wrong`` (three years off, journal, volume and pages kept),
  ``translated_title`` (MEDLINE's bracketed translation, words reordered, at the
  same citation), ``authors_swapped`` (family and given names swapped, given
  names written out as CJK exports do), ``pages_spelled`` ("pp. 221-228",
  en dash), ``doi_variant`` (https://doi.org/ URL, upper case, abstract dropped),
  ``html_entities`` ("&amp;", "&#8208;", "&alpha;"), ``database_notes``
  ("[Review] [40 refs]", "[Erratum appears in ...]"), ``sparse`` (title, year
  and first author only), ``section_heading`` (a heading or lead-in before the
  title, "MEDICAL PROGRESS ...", at the same journal, volume and pages);
* items that must stay apart: ``erratum_notice`` ("Erratum: <title>", same
  journal/volume, other page), ``erratum_citation`` (a correction titled
  "<title> (Journal (2009) 360 (542-544))", as Embase writes it, same authors,
  later page), ``reply_notice`` ("<title> - Reply" by other authors on the
  following page), ``conference_abstract`` (the same title as a
  meeting abstract a year earlier, supplement page; ASySD's gold keeps these
  apart).

The labelled set is a *tuning* set (see dedupe_quality.py), and these variants
were written while the rules were changed: every figure here is "tuned on".
Prints ONE JSON line: per case, ``found`` (variants clustered with their
original) or ``merged`` (must-stay-apart variants clustered with it), and
``false_merges`` (clusters holding two originals).

Usage: ``python benchmarks/dedupe_hard_cases.py [--shared PATH] [--sample 250] [--seed 11]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
from pathlib import Path

from dedupe_quality import DEFAULT_SHARED, load_labelled

from logicmap.api import DedupeSettings, InProcessEngine, Record

_STOP = {"of", "the", "and", "in", "for", "on", "&"}
_FILLER = "bei der die und mit von zur im nach über".split()
_GIVEN = "Wei Ming Hua Jun Li Yan Hong Jie Xin Hao Min-Jun Seo-Yeon Hiroshi Yuki".split()
FIND = (
    "journal_abbreviated", "year_missing", "year_off_by_one", "year_wrong", "translated_title", "authors_swapped",
    "pages_spelled", "doi_variant", "html_entities", "database_notes", "sparse", "section_heading",
)  # fmt: skip
KEEP_APART = ("erratum_notice", "erratum_citation", "reply_notice", "conference_abstract")
_HEADINGS = ("MEDICAL PROGRESS", "ORIGINAL ARTICLE", "Clinical investigation:", "CASE REPORT")


def _abbreviate(journal: str) -> str:
    words = [w for w in re.split(r"[\s.]+", journal) if w and w.lower() not in _STOP]
    return " ".join(w if len(w) <= 5 else ("J" if w.lower() == "journal" else w[: max(4, len(w) // 2)]) for w in words)


def _full_pages(pages: str) -> str:
    first, _, last = pages.partition("-")
    if last.isdigit() and first.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"pp. {first}\u2013{last}" if last else f"p. {first}"


def _next_page(pages: str) -> str:
    digits = "".join(ch for ch in pages.partition("-")[0] if ch.isdigit())
    return str(int(digits) + 2) if digits else "2"


def _reword(title: str, rng: random.Random) -> str:
    """Another translation: technical terms (8+ letters) survive, other words change, order moves."""
    words = [w if len(w) >= 8 else rng.choice(_FILLER) for w in title.rstrip(".").split()]
    cut = len(words) // 2
    return "[" + " ".join(words[cut:] + words[:cut]) + "]"


def _entities(title: str) -> str:
    return title.replace(" and ", " &amp; ").replace("-", "&#8208;").replace("'", "&#39;") + " &alpha;"


def variant(record: Record, case: str, rng: random.Random, position: int) -> Record:
    """The ``case`` variant of ``record`` (see the module docstring)."""
    base = {"position": position, "doi": None, "abstract": None, "provenance": {}, "extra": {}, "source_id": None}
    title, year = record.title or "", record.year or 2000
    changes: dict = {
        "journal_abbreviated": {"journal": _abbreviate(record.journal or "")},
        "year_missing": {"year": None},
        "year_off_by_one": {"year": year + 1},
        "year_wrong": {"year": year - 3},
        "translated_title": {"title": _reword(title, rng), "language": "German"},
        "authors_swapped": {"authors": [f"{rng.choice(_GIVEN)}, {a.split(',')[0].strip()}" for a in record.authors]},
        "pages_spelled": {"pages": _full_pages(record.pages or "")},
        "doi_variant": {"doi": f"https://doi.org/{(record.doi or '').upper()}" if record.doi else None},
        "html_entities": {"title": _entities(title)},
        "database_notes": {"title": title.rstrip(".") + ". [Review] [40 refs].[Erratum appears in J Foo. 2019;3:12]"},
        "sparse": {"journal": None, "volume": None, "issue": None, "pages": None, "authors": record.authors[:1]},
        "section_heading": {"title": f"{_HEADINGS[position % len(_HEADINGS)]} {title}"},
        "erratum_notice": {"title": f"Erratum: {title}", "pages": str(900 + position % 97), "authors": []},
        "erratum_citation": {"title": f"{title.rstrip('.')} ({record.journal} ({year}) {record.volume} ({record.pages}))",
                             "pages": str(900 + position % 97)},
        "reply_notice": {"title": f"{title.rstrip('.')} - Reply", "authors": ["Okafor, C.", "Lindqvist, B."],
                         "pages": _next_page(record.pages or "")},
        "conference_abstract": {"journal": f"{record.journal}. Conference: Annual Scientific Meeting",
                                "year": year - 1, "pages": f"A{100 + position % 800}", "volume": str(rng.randint(1, 70)),
                                "issue": "Suppl 1"},
    }[case]  # fmt: skip
    return dataclasses.replace(record, **{**base, **changes})


def eligible(record: Record) -> bool:
    """Originals with every field the variants change."""
    return bool(record.title and record.year and record.authors and record.journal and record.pages and record.volume)


def run_case(originals: list[Record], case: str, seed: int) -> dict:
    """Engine run on originals + their ``case`` variants; counts as in the module docstring."""
    rng = random.Random(f"{seed}:{case}")
    n = len(originals)
    records = list(originals) + [variant(r, case, rng, n + i) for i, r in enumerate(originals)]
    result = InProcessEngine().find_duplicates(records, settings=DedupeSettings())
    together = false_merges = 0
    for cluster in result.clusters:
        members = set(cluster)
        false_merges += max(0, sum(1 for i in members if i < n) - 1)
        together += sum(1 for i in members if i < n and i + n in members)
    key = "found" if case in FIND else "merged"
    return {key: round(together / n, 4), "variants": n, "false_merges": false_merges}


def main() -> None:
    """Run every case and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--sample", type=int, default=250)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    records, _, gold = load_labelled(args.shared / "data" / "dedup" / "labelled_test_set.csv")
    uniques = [r for r in records if gold[int(r.source_id or r.extra["record_id"])] == "unique" and eligible(r)]
    originals = random.Random(args.seed).sample(uniques, min(args.sample, len(uniques)))
    originals = [dataclasses.replace(r, position=i) for i, r in enumerate(originals)]
    report = {"benchmark": "dedupe_hard_cases", "role": "tuned_on", "source": "labelled", "seed": args.seed}
    report["cases"] = {case: run_case(originals, case, args.seed) for case in FIND + KEEP_APART}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
