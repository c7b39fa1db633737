"""Logic model + report from a project store of 1M records with 20,000 coded studies (issue 17).

Unlike ``model_scale.py`` (the model of 20,000 synthetic studies built in memory), this
runs what a user runs on a real project store: ``review.report.write(out)`` (the library
call behind ``logicmap report``), which reads the PRISMA counts over every record, the
screening decisions, the included studies' records, final codings and descriptors, learns
the sentence-role model from the project's abstracts, builds the logic model and writes
every report file (the interactive page, its lazy-loaded study-list parts, index.html,
SVGs, CSVs, GraphML, Cytoscape JSON and the included studies' RIS).

The store is built once per (records, studies, seed) under ``--cache`` and reused:

1. ``scale_data.build`` writes the seeded synthetic exports (five databases, RIS, CSV,
   BibTeX; ~42% duplicates); ``review.records.import_files`` imports them and
   ``review.dedupe.run()`` merges the duplicates (as ``dedupe_scale.py`` does).
   ``--deduped PROJECT`` starts instead from a copy of a project already built that way
   (``dedupe_scale.py``'s ``dedupe.db`` of the same size and seed: the same store state,
   without its half hour of import and dedupe).
2. Title/abstract decisions (reviewer ``ana`` on 3 records per study, ``ben`` on a 10% sample
   with 2% disagreeing), full-text decisions (4 of 5 title/abstract includes included, the
   others excluded with a reason), then each included study coded through
   ``review.coding.add`` like a coder would: the codes, links and directions of a labelled
   study of the packaged demo corpus (perturbed as in ``model_scale.py``), each code's quote
   a verbatim sentence of the record's own abstract, plus its design, country and n.

Then a fresh child process opens the store and times the report. One JSON line: records,
studies, codes, seconds, cpu_seconds, peak_rss_mb, html_bytes (the interactive page),
part_bytes_total (its study-list parts), the other files' bytes, and the targets
(<= 60 s, page <= 5 MB). ``seconds`` is wall time, so quote ``cpu_seconds`` beside it on a
loaded machine.

    nice -n 10 .venv/bin/python benchmarks/report_scale.py --records 1000000 --studies 20000 --cache DIR
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_data  # noqa: E402

from logicmap.api import CodingError, Review, design_family, load_codebook, studies_from_labelled  # noqa: E402

DEMO_CORPUS = resources.files("logicmap.demo") / "data" / "corpus.jsonl"
TARGET_S, TARGET_HTML_BYTES = 60, 5 * 2**20
#: Title/abstract decisions per included study (the rest of them excludes), and the share of includes kept at full text.
SCREENED_PER_STUDY, FULL_TEXT_KEPT = 3, 0.8
DIRECTIONS = ("benefit", "benefit", "benefit", "no_difference", "harm", "mixed")
SENTENCE = re.compile(r"[^.!?]{20,}[.!?]")


def store_path(cache: Path, records: int, studies: int, seed: int) -> Path:
    return cache / f"report-{records}-seed{seed}-studies{studies}.db"


def build_store(records: int, studies: int, seed: int, cache: Path, deduped: Path | None) -> Path:
    """The coded project store (built once; see the module docstring)."""
    target = store_path(cache, records, studies, seed)
    if target.is_file():
        return target
    partial = target.with_suffix(".partial.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    if deduped is not None:
        shutil.copyfile(deduped, partial)
    else:
        files = scale_data.build(records, seed, None, cache)
        with Review.create(partial, name=f"Scale review ({records} records)") as review:
            review.records.import_files(files, skip_bad=True, max_bytes=2**40)
            review.dedupe.run()
    with Review.open(partial) as review:
        log = screen(review, studies, seed)
        log |= code(review, log.pop("included"), seed)
    partial.rename(target)
    (cache / f"{target.stem}.json").write_text(json.dumps(log))
    return target


def _sentences(text: str) -> list[str]:
    return [m.group(0).strip() for m in SENTENCE.finditer(text or "")]


def screen(review: Review, studies: int, seed: int) -> dict:
    """Title/abstract and full-text decisions; returns the counts and the included ids."""
    rng = random.Random(seed)
    canonical = review.dedupe.canonical_ids()
    rng.shuffle(canonical)
    wanted, screened = round(studies / FULL_TEXT_KEPT), SCREENED_PER_STUDY * studies
    up, excluded = [], []
    for start in range(0, len(canonical), 2000):
        if len(up) >= wanted and len(up) + len(excluded) >= screened:
            break
        batch = canonical[start:start + 2000]
        for record_id, record in zip(batch, review.records.get_many(batch)):
            if len(up) < wanted and len(_sentences(record.abstract)) >= 2:
                up.append(record_id)
            elif len(up) + len(excluded) < screened:
                excluded.append(record_id)
    order = up + excluded
    rng.shuffle(order)
    up_set = set(up)
    second = set(rng.sample(order, len(order) // 10))
    for record_id in order:
        decision = "include" if record_id in up_set else "exclude"
        review.screening.decide(record_id, decision, reviewer="ana")
        if record_id in second:
            agree = rng.random() > 0.02 or record_id in up_set  # disagreements only on excludes: every include stands
            other = decision if agree else "include"
            review.screening.decide(record_id, other, reviewer="ben")
    final = review.screening.final()
    up = [r for r in up if final.get(r) == "include"]
    reasons = review.screening.exclusion_reasons()
    included = []
    for record_id in up:
        if len(included) < studies:
            review.screening.decide_full_text(record_id, "include", reviewer="ana")
            included.append(record_id)
        else:
            review.screening.decide_full_text(record_id, "exclude", reviewer="ana", reason=rng.choice(reasons))
    return {"title_abstract_decisions": len(order) + len(second), "full_text_decisions": len(up), "included": included}


def code(review: Review, included: list[int], seed: int) -> dict:
    """Code every included study from a labelled demo study, quotes taken verbatim from its own abstract."""
    corpus = [json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines()]
    base = studies_from_labelled(corpus)
    codebook = load_codebook()
    typologies = [c.code for c in codebook.of_kind("typology")]
    rng = random.Random(seed + 1)
    codes = 0
    for start in range(0, len(included), 2000):
        batch = included[start:start + 2000]
        for i, (record_id, record) in enumerate(zip(batch, review.records.get_many(batch)), start):
            src = base[i % len(base)]
            sentences = _sentences(record.abstract)
            main = None
            for j, item in enumerate(src.items):
                kind = codebook[item.code].kind
                if kind != "typology" and rng.random() < 0.1:
                    continue
                item_code = rng.choice(typologies) if kind == "typology" and rng.random() < 0.2 else item.code
                direction = item.direction
                if direction and kind == "outcome" and rng.random() < 0.25:
                    direction = rng.choice(DIRECTIONS)
                quote = None if item.span is None else sentences[j % len(sentences)]
                review.coding.add(record_id, item_code, reviewer="ana", quote=quote, direction=direction)
                codes += 1
                main = main or (item_code if kind == "typology" else None)
            for j, link in enumerate(src.links):
                if main and rng.random() < 0.5:
                    review.coding.add(record_id, main, target_code=link.target_code, reviewer="ana",
                                      quote=sentences[-1 - j % len(sentences)], direction=link.direction)
                    codes += 1
            for field in ("design", "country", "n"):
                value = getattr(src, field)
                if value in (None, ""):
                    continue
                # a free-text demo design outside the codebook's vocabulary is coded as its family
                for candidate in dict.fromkeys((value, design_family(value)) if field == "design" else (value,)):
                    try:
                        review.coding.set_descriptor(record_id, field, candidate, reviewer="ana")
                        break
                    except CodingError:
                        continue
    return {"studies": len(included), "codes": codes}


def measure(store: Path, out: Path) -> dict:
    """Time ``review.report.write`` on the store (run in a fresh process)."""
    shutil.rmtree(out, ignore_errors=True)
    cpu0, t0 = time.process_time(), time.perf_counter()
    with Review.open(store) as review:
        files = review.report.write(out)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        records, studies = review.records.count(), len(review.screening.included())
        codes = len(review.coding.final())
    parts = [p for p in out.rglob("*") if p.is_file() and p not in set(files.values())]
    return {
        "benchmark": "report_scale", "records": records, "studies": studies, "codes": codes,
        "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "html_bytes": files["logic_model_html"].stat().st_size,
        "part_files": len(parts), "part_bytes_total": sum(p.stat().st_size for p in parts),
        "largest_part_bytes": max((p.stat().st_size for p in parts), default=0),
        "file_bytes": {key: path.stat().st_size for key, path in sorted(files.items())},
        "target_s": TARGET_S, "target_html_bytes": TARGET_HTML_BYTES,
        "ok": seconds <= TARGET_S and files["logic_model_html"].stat().st_size <= TARGET_HTML_BYTES,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--studies", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=scale_data.DEFAULT_CACHE)
    parser.add_argument("--deduped", type=Path, help="start from a copy of this imported and deduplicated project")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.cache / f"{args.measure.stem}-report")), flush=True)
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    store = build_store(args.records, args.studies, args.seed, args.cache, args.deduped)
    result = subprocess.run([sys.executable, __file__, "--cache", str(args.cache), "--measure", str(store)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"report failed:\n{result.stderr[-3000:]}")
    print(result.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
