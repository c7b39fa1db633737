"""ASReview LAB's simulation stopped at 95% recall (run with ASReview's own Python).

``asreview simulate`` goes on until the last relevant record is found, most of
it after 95% recall, which is all that WSS@95 reads; on the larger shared
datasets that tail takes most of the 5-25 minutes of a run. This script runs the
same simulation as the CLI (``asreview simulate DATA --seed S --prior-idx A B``:
ELAS u4 after a top-down cycle until both classes are labelled, numpy seeded
with S) through ASReview's Python API and stops once
``ceil(0.95 x relevant)`` records are found. Its order is a prefix of the CLI's
(checked on Cohen_2006_UrinaryIncontinence seed 1: same 172 first records, same
WSS@95), so WSS@95 is unchanged, but WSS@100 and later recall cannot be read from it.

Writes ``{"priors", "order", "wall", "stopped_at"}`` as JSON, the format of the
ASReview cache of ``screening_configs.py`` (``--asreview-only --until-95``).

Usage (``$LOGICMAP_ASREVIEW_VENV`` is ASReview's venv)::

    $LOGICMAP_ASREVIEW_VENV/bin/python benchmarks/asreview_recall95.py DATA.csv SEED PRIOR1 PRIOR2 OUT.json
"""

import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from asreview import load_dataset
from asreview.learner import ActiveLearningCycle
from asreview.models.models import get_ai_config
from asreview.models.queriers import TopDown
from asreview.models.stoppers import IsFittable
from asreview.simulation.simulate import Simulate


class Recall95:
    """ASReview stopper: stop once 95% of the relevant records are labelled."""

    name = "recall95"

    def stop(self, results, data) -> bool:
        labels = np.asarray(data)
        needed = max(1, math.ceil(0.95 * labels.sum() - 1e-9))
        return len(results) >= len(labels) or int(results["label"].sum()) >= needed


def main(argv: list[str]) -> int:
    path, seed, priors, out = argv[0], int(argv[1]), [int(argv[2]), int(argv[3])], Path(argv[4])
    np.random.seed(seed)  # as `asreview simulate --seed`
    start = time.perf_counter()
    with load_dataset(path, dataset_id=Path(path).name) as db:
        cycles = [ActiveLearningCycle(querier=TopDown(), stopper=IsFittable()),
                  ActiveLearningCycle.from_meta(get_ai_config("elas_u4")["value"])]
        sim = Simulate(db.input.get_df(), db.input["included"], cycles, stopper=Recall95(),
                       print_progress=False)
        sim.label(priors)
        sim.review()
        order = [int(r) for r in sim._results["record_id"].values]
    out.write_text(json.dumps({"priors": priors, "order": order, "wall": time.perf_counter() - start,
                               "stopped_at": "95% recall"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
