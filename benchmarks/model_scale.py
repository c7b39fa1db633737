"""Build and render the logic model for 5,000 coded studies; print one JSON line.

Studies are scaled up from the packaged demo corpus labels with seeded perturbation: each
synthetic study copies a labelled included study (its quotes and spans stay verbatim), gets
a new id and a jittered year, may swap its main typology, drop codes, and flip outcome
directions. Target: build + SVG + HTML under 10 s on the project's 2-core machine.

    .venv/bin/python benchmarks/model_scale.py [--studies 5000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
from dataclasses import replace
from importlib import resources

from logicmap.api import Study, build_model, load_codebook, logic_model_html, logic_model_svg, studies_from_labelled

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    studies = scaled_studies(args.studies, args.seed)
    codebook = load_codebook()
    tracemalloc.start()
    t0 = time.perf_counter()
    model = build_model(codebook, studies)
    t1 = time.perf_counter()
    svg = logic_model_svg(model)
    t2 = time.perf_counter()
    html = logic_model_html(model)
    t3 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({
        "studies": len(studies), "edges": model.graph.number_of_edges(),
        "evidence_rows": sum(d["n_studies"] for *_, d in model.edges()),
        "build_s": round(t1 - t0, 3), "svg_s": round(t2 - t1, 3), "html_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3), "svg_bytes": len(svg.encode()), "html_bytes": len(html.encode()),
        "peak_mem_mb": round(peak / 2**20, 1), "target_s": 10, "ok": (t3 - t0) < 10,
    }))


if __name__ == "__main__":
    main()
