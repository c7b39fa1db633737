"""Legibility and truth of the demo's logic model and report (issue 14); prints one JSON line.

Measured on the output of ``logicmap demo`` (run here into a temporary folder unless ``--demo``
names one already written):

* ``logic-model.cyjs.json`` (the default view): number of edges (target <= 60), their bases
  (each one of explicit / chain / hypothesis), straight-line crossings between edges drawn
  between the node positions (target <= 800; :func:`logicmap.api.straight_line_crossings`);
* ``logic-model.svg``: number of "…" in its text (target 0); ``logic-model.html`` opens on the
  summary view;
* paper: the default view as ``logicmap model --svg-size`` writes it on A4, A3 and A0 (poster):
  number of pages and the smallest text's printed size (CSS px at 96 dpi; target >= 11 on each);
* the N-2 case: a project of the N records of the demo's MEDLINE export (no duplicates) of which
  2 are screened: ``prisma.csv``'s records excluded by automation (target 0) and whether
  ``index.html`` says "N-2 records not yet screened" in those words.

Nothing here is tuned or learnt, so there is nothing to hold out.

    .venv/bin/python benchmarks/model_legibility.py [--demo /tmp/demo-out]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from importlib import resources
from pathlib import Path

from logicmap.api import Review, logic_model_pages, straight_line_crossings, svg_print_fit

#: The demo's MEDLINE export (a data file of the ``logicmap.demo`` package, read as a resource).
MEDLINE = resources.files("logicmap.demo") / "data" / "medline-ovid.ris"


def demo_measures(report: Path) -> dict:
    """Edges, bases and crossings of the default view, ellipses in the SVG, the page's first view."""
    cyjs = json.loads((report / "logic-model.cyjs.json").read_text(encoding="utf-8"))
    positions = {n["data"]["id"]: (n["position"]["x"], n["position"]["y"]) for n in cyjs["elements"]["nodes"]}
    edges = [(e["data"]["source"], e["data"]["target"]) for e in cyjs["elements"]["edges"]]
    svg = (report / "logic-model.svg").read_text(encoding="utf-8")
    svg_text = " ".join(re.findall(r">([^<>]*)<", svg))
    html = (report / "logic-model.html").read_text(encoding="utf-8")
    first = re.search(r'<div class="view" data-key="([^"]+)"', html)
    return {
        "edges": len(edges),
        "basis": dict(sorted(Counter(e["data"]["basis"] for e in cyjs["elements"]["edges"]).items())),
        "crossings": straight_line_crossings(positions, edges),
        "svg_ellipses": svg_text.count("…"),
        "page_first_view": first.group(1) if first else None,
    }


def paper_measures(project: Path) -> dict:
    """Pages and smallest printed text (px) of the default view on each paper size."""
    with Review.open(project) as review:
        model = review.model.build()
    out = {}
    for size in ("a4", "a3", "poster"):
        pages = logic_model_pages(model, size=size)
        out[size] = {"pages": len(pages), "smallest_px": round(min(svg_print_fit(p).smallest_text_px for p in pages), 2)}
    return out


def two_screened(folder: Path) -> dict:
    """A project of the MEDLINE export's N records, 2 screened: PRISMA automation count and the report's words."""
    with Review.create(folder / "n-2.db") as review:
        review.records.import_files([Path(str(MEDLINE))], database="MEDLINE (Ovid)")
        duplicates = review.dedupe.run().duplicates_removed
        first, second = review.dedupe.canonical_ids()[:2]
        review.screening.decide(first, "include", reviewer="bench")
        review.screening.decide(second, "exclude", reviewer="bench", reason=review.screening.exclusion_reasons()[0])
        n = review.records.count()
        files = review.report.write(folder / "n-2-report")
    rows = {r["data"]: r["n"] for r in csv.DictReader(files["prisma_csv"].open(encoding="utf-8"))}
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", files["index"].read_text(encoding="utf-8")))
    return {"n": n, "duplicates": duplicates, "excluded_automatic": int(rows["excluded_automatic"]),
            "says_n_minus_2_not_yet_screened": f"{n - 2} records not yet screened" in page}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="A folder 'logicmap demo --out' already wrote (default: run it).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo_s = None
        out = args.demo
        if out is None:
            out = Path(tmp) / "demo"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "logicmap.cli", "demo", "--out", str(out)], check=True,
                           capture_output=True, text=True)
            demo_s = round(time.perf_counter() - start, 1)
        measures = demo_measures(out / "report")
        paper = paper_measures(out / "demo.db")
        partial = two_screened(Path(tmp))
    print(json.dumps({
        "benchmark": "model_legibility", **measures,
        "targets_met": {"edges<=60": measures["edges"] <= 60,
                        "bases": set(measures["basis"]) <= {"explicit", "chain", "hypothesis"},
                        "crossings<=800": measures["crossings"] <= 800, "no_ellipsis": measures["svg_ellipses"] == 0,
                        "summary_first": measures["page_first_view"] == "summary",
                        "n-2_automation_0": partial["excluded_automatic"] == 0,
                        "n-2_sentence": partial["says_n_minus_2_not_yet_screened"],
                        "paper_text>=11px": all(p["smallest_px"] >= 11 for p in paper.values())},
        "paper": paper, "n_minus_2": partial, "demo_seconds": demo_s,
    }))


if __name__ == "__main__":
    main()
