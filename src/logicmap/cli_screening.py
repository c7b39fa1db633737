"""``logicmap simulate``: replay a labelled dataset through the screening engine.

A thin adapter over :func:`logicmap.screening.simulate`: parse the options, call
the core, write ``order.csv`` and the recall-curve charts, print the metrics.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from logicmap.screening.errors import ScreeningDataError

#: Datasets smaller than this simulate without a progress bar.
PROGRESS_MIN_RECORDS = 500


def parse_prior_ids(text: Optional[str]) -> Optional[list[int]]:
    """``"3,17"`` -> ``[3, 17]``; raises :class:`ScreeningDataError` on anything else."""
    if text is None:
        return None
    ids: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.append(int(part))
        except ValueError:
            raise ScreeningDataError(
                f"--prior-ids takes 0-based row numbers separated by commas, not {part!r}"
            ) from None
    if not ids:
        raise ScreeningDataError("--prior-ids is empty; give row numbers such as 3,17")
    return ids


def write_order(path: Path, order, labels) -> None:
    """``order.csv``: one row per record in screening order (``step``, ``record_id``, ``label``)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["step", "record_id", "label"])
        for step, (record, label) in enumerate(zip(order, labels), start=1):
            writer.writerow([step, int(record), int(label)])


def simulate_command(
    data: Path = typer.Argument(..., help="Fully labelled ASReview-compatible CSV (label_included 0/1)."),
    seed: int = typer.Option(1, "--seed", help="Seed for the prior draw and the engine."),
    prior_ids: Optional[str] = typer.Option(
        None, "--prior-ids",
        help="Comma-separated 0-based row numbers screened first (default: one relevant "
             "and one irrelevant record drawn with --seed).",
    ),
    output: Path = typer.Option(Path("simulation"), "--output", "-o",
                                help="Directory for order.csv and the recall-curve charts."),
    features: str = typer.Option(
        "auto", "--features",
        help="auto (tfidf+embed with the [embed] extra, else tfidf), tfidf, tfidf-char, "
             "tfidf-word+char, tfidf-asreview, embed or tfidf+embed."),
    classifier: str = typer.Option(
        "auto", "--classifier",
        help="auto (svm-fusion for tfidf+embed, else svm), svm, svm-fusion, svm-asreview, "
             "svm-balanced, logistic, nb, sgd, ensemble, or members joined with '+'."),
    query: str = typer.Option("max", "--query", help="max, uncertainty or mixed."),
) -> None:
    """Simulate screening DATA with the active-learning engine and report the work saved.

    Writes DIR/order.csv (step, record_id = 0-based row in DATA, label), the priors
    first, plus recall_curve.svg and recall_curve.png, and prints the metrics as one
    JSON object on the last line.

    Example: logicmap simulate Cohen_2006_Antihistamines.csv --seed 1 --output sim/

    ASReview LAB's default model: --features tfidf-asreview --classifier svm-asreview
    """
    from logicmap.cli_progress import count_progress
    from logicmap.screening.chart import save_recall_chart
    from logicmap.screening.dataset import load_labelled
    from logicmap.screening.engine import ActiveLearner, resolve_engine
    from logicmap.screening.features import make_features
    from logicmap.screening.models import make_classifier
    from logicmap.screening.query import make_query
    from logicmap.screening.simulation import simulate

    err = Console(stderr=True)
    features, classifier = resolve_engine(features, classifier)
    relay = _Relay()
    try:  # built once here, so a bad name fails before any data is read
        learner = ActiveLearner(features=make_features(features, progress=relay),
                                classifier=make_classifier(classifier, seed=seed),
                                query=make_query(query), seed=seed)
    except ValueError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    try:
        priors = parse_prior_ids(prior_ids)
        dataset = load_labelled(data)
        for warning in dataset.warnings:
            err.print(f"[yellow]warning:[/] {warning}", highlight=False)
        with count_progress(err, "Embedding titles and abstracts") as relay.target:
            matrix = learner.features.fit_transform(dataset.texts)
        with _progress(err, len(dataset)) as callback:
            result = simulate(dataset.texts, dataset.labels, seed=seed, prior_ids=priors,
                              learner=learner, callback=callback, matrix=matrix)
    except ScreeningDataError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=1) from None
    output.mkdir(parents=True, exist_ok=True)
    write_order(output / "order.csv", result.order, result.labels)
    charts = save_recall_chart(result.labels, output, title=f"Recall curve: {dataset.name}")
    summary = {"dataset": dataset.name, "features": features, "classifier": classifier,
               **result.summary(),
               "order_csv": str(output / "order.csv"), "charts": [str(c) for c in charts]}
    typer.echo(json.dumps(summary))


class _Relay:
    """A progress callback that forwards to ``target`` once one is set (the bar
    exists only while the features are computed)."""

    target = None

    def __call__(self, done: int, total: int) -> None:
        if self.target is not None:
            self.target(done, total)


class _progress:
    """Context manager yielding a progress callback (None for small datasets)."""

    def __init__(self, console: Console, total: int) -> None:
        self.console, self.total, self.bar = console, total, None

    def __enter__(self):
        if self.total < PROGRESS_MIN_RECORDS:
            return None
        self.bar = Progress(TextColumn("Simulating"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=self.console, transient=True)
        self.bar.__enter__()
        task = self.bar.add_task("simulate", total=self.total)
        return lambda done, total: self.bar.update(task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
