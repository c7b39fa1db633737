"""Build and render the logic model for 5,000 and 20,000 coded studies; one JSON line per size.

Studies are scaled up from the packaged demo corpus labels with seeded perturbation: each
synthetic study copies a labelled included study (its quotes and spans stay verbatim), gets
a new id and a jittered year, may swap its main typology, drop codes, and flip outcome
directions. ``total_cpu_s`` is the process's CPU time for the same work (single-threaded, so
about what the wall time is on an idle machine). The interactive page keeps its study lists in part files from 2,000 studies
(loaded when a link or box opens); ``html_bytes`` is the page, ``part_bytes_total`` the
parts. Each size runs in a fresh child process, so ``peak_rss_mb`` is its own.
Targets on the project's 2-core machine: build + SVG + HTML under 10 s at 5,000 studies;
under 60 s with an interactive page of at most 5 MB at 20,000 (issue 17: a map of 1M
records with 20,000 coded studies; only the coded studies enter the model, the other
records are not built here). A last line gives the growth exponents.

    .venv/bin/python benchmarks/model_scale.py [--studies 5000,20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from importlib import resources

from logicmap.api import Study, build_model, load_codebook, logic_model_files, logic_model_svg, studies_from_labelled

#: The packaged demo corpus (a data file of the ``logicmap.demo`` package, read as a resource).
DEMO_CORPUS = resources.files("logicmap.demo") / "data" / "corpus.jsonl"

DIRECTIONS = ("benefit", "benefit", "benefit", "no_difference", "harm", "mixed")


def scaled_studies(n: int, seed: int) -> list[Study]:
    """``n`` synthetic studies perturbed from the demo corpus (deterministic for a seed)."""
    records = [json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines()]
    base = studies_from_labelled(records)
    typologies = [c.code for c in load_codebook().of_kind("typology")]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        src = base[i % len(base)]
        sid = f"s{i:05d}"
        items = []
        for item in src.items:
            if rng.random() < 0.1 and not item.code.startswith("T"):
                continue  # drop a code
            code = item.code
            if code.startswith("T") and rng.random() < 0.2:
                code = rng.choice(typologies)
            direction = item.direction
            if direction and rng.random() < 0.25:
                direction = rng.choice(DIRECTIONS)
            items.append(replace(item, study_id=sid, code=code, direction=direction))
        year = (src.year or 2015) + rng.randint(-5, 5)
        out.append(replace(src, id=sid, year=year, items=tuple(items)))
    return out


#: (seconds, page bytes) targets by number of studies.
TARGETS = {5000: (10, None), 20000: (60, 5 * 2**20)}


def one_size(n: int, seed: int) -> dict:
    """Build, SVG and HTML times, sizes and peak memory for ``n`` studies."""
    studies = scaled_studies(n, seed)
    codebook = load_codebook()
    c0, t0 = time.process_time(), time.perf_counter()
    model = build_model(codebook, studies)
    t1 = time.perf_counter()
    svg = logic_model_svg(model)
    t2 = time.perf_counter()
    files = logic_model_files(model)  # the page and, from 2,000 studies, its study-list part files
    html = files.pop("")
    t3, c3 = time.perf_counter(), time.process_time()
    seconds, page = TARGETS.get(n, (None, None))
    return {
        "benchmark": "model_scale", "studies": len(studies), "edges": model.graph.number_of_edges(),
        "evidence_rows": sum(d["n_studies"] for *_, d in model.edges()),
        "build_s": round(t1 - t0, 3), "svg_s": round(t2 - t1, 3), "html_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3), "total_cpu_s": round(c3 - c0, 3), "svg_bytes": len(svg.encode()), "html_bytes": len(html.encode()),
        "part_files": len(files), "part_bytes_total": sum(len(t.encode()) for t in files.values()),
        "largest_part_bytes": max((len(t.encode()) for t in files.values()), default=0),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_s": seconds, "ok_time": None if seconds is None else (t3 - t0) < seconds,
        "target_html_bytes": page, "ok_html": None if page is None else len(html.encode()) <= page,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", default="5000,20000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.seed)), flush=True)
        return
    rows = []
    for n in (int(s) for s in args.studies.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)],
                             check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    if len(rows) > 1:
        growth = {f"{a['studies']}->{b['studies']}": {
            k: round(math.log(b[k] / a[k]) / math.log(b["studies"] / a["studies"]), 2)
            for k in ("total_s", "html_bytes", "peak_rss_mb")} for a, b in zip(rows, rows[1:])}
        print(json.dumps({"benchmark": "model_scale", "growth_exponent": growth}), flush=True)


if __name__ == "__main__":
    main()
