"""benchmarks/screening_embed_default.py: the nested choice and the summaries it prints."""

from __future__ import annotations

import json

from tests.support import benchmark_module

bench = benchmark_module("screening_embed_default")
A, B = "a:x", "b:y"


def run(config: str, dataset: str, seed: int, ours: float, theirs: float) -> dict:
    return {"line": "run", "config": config, "dataset": dataset, "seed": seed,
            "ours_wss@95": ours, "asreview_wss@95": theirs}


def test_the_nested_choice_never_sees_the_dataset_it_scores():
    # A is far better on d1 only; B a little better on d2 and d3: chosen without d1, B scores d1
    rows = [run(A, "d1", 1, 0.9, 0.5), run(B, "d1", 1, 0.1, 0.5),
            run(A, "d2", 1, 0.4, 0.5), run(B, "d2", 1, 0.5, 0.5),
            run(A, "d3", 1, 0.4, 0.5), run(B, "d3", 1, 0.5, 0.5)]
    assert bench.choose(rows, [A, B], {"d2", "d3"}) == B
    assert bench.choose(rows, [A, B], {"d1", "d2"}) == A
    assert bench.choose(rows, [A, B], {"d1", "d2", "d3"}) == A  # 0.567 vs 0.367 on all
    tied = [run(A, "d1", 1, 0.5, 0.5), run(B, "d1", 1, 0.5, 0.5)]
    assert bench.choose(tied, [A, B], {"d1"}) == A and bench.choose(tied, [B, A], {"d1"}) == B


def test_the_summary_counts_wins_ties_and_dataset_means():
    rows = [run(A, "d1", 1, 0.6, 0.5), run(A, "d1", 2, 0.3, 0.5), run(A, "d2", 1, 0.5, 0.5)]
    line = bench.summary(rows, line="held_out", config=A)
    assert line["runs"] == 3 and line["wins_runs"] == 1 and line["ties_runs"] == 1
    assert line["margin"] == round((1.4 - 1.5) / 3, 4)
    assert line["datasets_won_on_seed_means"] == 0  # d1: 0.45 vs 0.5; d2 tied
    assert line["per_dataset"] == {"d1": [0.45, 0.5], "d2": [0.5, 0.5]}
    low, high = line["margin_95_over_datasets"]
    assert low == -0.05 and high == 0.0  # d1 alone (its two runs: +0.1, -0.2) to d2 alone
    json.dumps(line)  # printable as a JSON line


def test_the_margin_interval_resamples_datasets_not_runs():
    # d1 wins by 0.2 in all of its 9 runs, d2 and d3 lose by 0.1 in one run each: run by run the
    # margin looks safely positive, dataset by dataset it does not
    rows = [run(A, "d1", s, 0.7, 0.5) for s in range(9)] + [run(A, "d2", 1, 0.4, 0.5), run(A, "d3", 1, 0.4, 0.5)]
    low, high = bench.margin_interval(rows)
    assert low < 0 < high and high <= 0.2
    assert bench.margin_interval(rows) == bench.margin_interval(rows)  # seeded


def test_the_stopping_line_replays_the_default_rule_on_the_kept_orders(tmp_path):
    # 1000 records, 20 relevant all found in the first 100: the rule stops well before the end
    labels = [1] * 20 + [0] * 80 + [0] * 900
    kept = {f"{A}/d1:2": {"order": list(range(1000)), "labels": labels, "n_priors": 2},
            f"{A}/d1:1": {"order": list(range(1000)), "labels": labels, "n_priors": 2},
            f"{B}/d1:2": {"order": list(range(1000)), "labels": labels, "n_priors": 2}}
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps(kept))
    line = bench.stopping(orders, A, [2])
    assert line["runs"] == 1 and line["met_95_recall"] == 1.0
    assert line["mean_ceiling"] == 0.981  # 95% recall (19 of 20) reached at record 19
    assert 0 < line["mean_saved"] < line["mean_ceiling"]  # buscar needs a long run of exclusions


def test_the_committed_stopping_line_replays_the_shipped_rule_on_the_shipped_engine():
    """Rerun the benchmark when the default engine or rule changes (a report quotes the
    calibration's figures, ``stopping_calibration_default_engine.jsonl``; these are the same rule on
    the held-out seeds' orders)."""
    from logicmap.api import stopping_rules
    from tests.support import REPO

    shipped = ":".join(benchmark_module("stopping_orders").parse_engine("default"))
    assert bench.DEFAULT_CONFIG == shipped  # the benchmark scores what the package ships
    lines = [json.loads(line) for line in (REPO / "benchmarks" / "screening_embed_default.jsonl").read_text().splitlines()]
    stop = next(line for line in lines if line.get("line") == "stopping" and line["config"] == shipped)
    held = next(line for line in lines if line.get("line") == "held_out" and line["config"] == shipped
                and line["seeds"] == stop["seeds"])
    assert stop["rule"] == stopping_rules.default_rule().name
    assert stop["seeds"] == held["seeds"] and stop["runs"] == held["runs"]
