"""``logicmap screen`` (an interactive session in the terminal) and ``logicmap simulate``.

``screen`` shows title and abstract with the codebook's key terms highlighted;
i = include, e = exclude (then a reason), m = maybe, u = undo, q = quit, and
s = stop once the stopping rule fires (the records left are then excluded by the
rule, and the report says so; ``--stop`` does the same without a session). Each
decision is stored the moment it is made; the stopping rule's recall estimate (95%
interval), its decision and reason are shown as you go. ``--stopping-rule`` chooses
the project's rule; a rule certifying recall with a random sample asks for the
sample's records first, each labelled "random sample for the stopping rule".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.panel import Panel

from logicmap.cli.common import ProjectOption, ReviewerOption, SafeConsole, check_output_dir, err, fail, open_review, out, refusals
from logicmap.cli.progress import bars, count_progress

panels = SafeConsole()  # wraps long titles and abstracts inside the panel
_KEYS = {"i": "include", "e": "exclude", "m": "maybe"}


def register(app: typer.Typer) -> None:
    """Add ``screen`` and ``simulate`` to ``app``."""
    app.command()(screen)
    app.command("simulate")(simulate)


def marked(pieces) -> str:
    """``(piece, is_key_term)`` pieces as Rich markup, the key terms in bold yellow (text escaped)."""
    return "".join(f"[bold yellow]{escape(piece)}[/]" if key else escape(piece) for piece, key in pieces)


def abstract_markup(card) -> str:
    """The card's abstract, each structured heading in bold opening its own paragraph."""
    return "\n".join(f"[bold]{escape(heading)}[/] {marked(pieces)}" if heading else marked(pieces)
                      for heading, pieces in card.paragraphs())


def screen(
    project: ProjectOption,
    reviewer: ReviewerOption,
    stage: Annotated[str, typer.Option(help="title_abstract or full_text.")] = "title_abstract",
    seed: Annotated[int, typer.Option(help="Seed of the ranking model.")] = 0,
    criteria: Annotated[Optional[str], typer.Option(help="Eligibility text for the cold start.")] = None,
    stopping_rule: Annotated[Optional[str], typer.Option(
        "--stopping-rule",
        help="Make this the project's stopping rule: buscar, target, qbcb, safe (these three ask for a random "
             "sample first), knee or poisson. Until one is chosen, the calibrated default: buscar at 95% recall "
             "with the confidence the calibration chose for the project's size (named under each record).")] = None,
    recall_target: Annotated[float, typer.Option(help="Recall the --stopping-rule must reach.")] = 0.95,
    confidence: Annotated[float, typer.Option(help="Confidence of the --stopping-rule.")] = 0.95,
    stop: Annotated[bool, typer.Option(
        "--stop", help="Stop screening now if the stopping rule has fired (the records left are excluded by "
                       "it); refused, changing nothing, if it has not.")] = False,
    interim: Annotated[bool, typer.Option(
        "--interim/--no-interim", help="While more than 1,000 titles and abstracts still need sentence vectors, "
                                       "screen on TF-IDF alone as they are made; the full model takes over by "
                                       "itself.")] = True,
) -> None:
    """Screen records one by one, most promising first (active learning).

    Example: logicmap screen -p review.db --reviewer ana --stopping-rule qbcb
    """
    from logicmap.api import INTERIM_ABOVE  # not at import: `logicmap --help` loads no heavy library

    if stop and stopping_rule:
        fail("--stop stops by the project's rule; choose a rule (--stopping-rule) in a screening session first",
             code=2)
    with open_review(project) as review:
        if stopping_rule:
            with refusals():
                chosen = review.screening.choose_stopping_rule(stopping_rule, recall_target, confidence)
            out.print(f"Stopping rule: {escape(chosen.name)}, {escape(chosen.description)}.")
        with count_progress(err, "Embedding titles and abstracts (once per text)") as progress:
            session = review.screening.session(reviewer, stage=stage, seed=seed, criteria=criteria, progress=progress,
                                               interim_above=INTERIM_ABOVE if interim and not stop else None)
        try:
            made, progress = _screen_loop(review, session, stop)
        finally:
            session.close()
    if progress is None:
        return
    sample = f"; {sample_line(progress)}" if progress.sample else ""
    out.print(f"{made} decision(s) saved; {progress.screened}/{progress.total} screened, {progress.included} included; "
              f"{escape(stopping_line(progress))}{escape(sample)}.")


def _screen_loop(review, session, stop: bool):
    """Offer records until the reviewer quits or none is left: ``(decisions made, progress)``; with
    ``stop``, stop by the rule instead (``(0, None)``)."""
    if stop:
        _stop_now(session)
        return 0, None
    reasons = review.screening.exclusion_reasons()
    made, engine = 0, session.engine
    while (step := session.next_record()) is not None:
        if session.engine != engine:
            engine = session.engine
            out.print("The full screening model now ranks the records, trained on every decision so far.")
        record_id, rank = step
        card = review.screening.card(record_id)
        progress = session.progress()
        _show(card, rank, progress, session.is_sample(record_id))
        if (interim := session.interim()) is not None:
            out.print(escape(interim.words()), highlight=False)
        stop_key = " / [s]top (rule fired)" if progress.can_stop else ""
        answer = typer.prompt(f"[i]nclude / [e]xclude / [m]aybe / [u]ndo / [q]uit{stop_key}").strip().lower()[:1]
        if answer == "q":
            break
        if answer == "s" and progress.can_stop:
            stopped = session.stop()
            out.print(f"Stopped: excluded by automation: {progress.total - progress.screened}, "
                      f"{escape(stopped.words())}.")
            break
        if answer == "u":
            undone = session.undo()
            out.print(f"Undid the decision on record {undone}." if undone else "Nothing to undo.")
            made -= 1 if undone else 0
            continue
        if answer not in _KEYS:
            out.print("Type i, e, m, u or q.")
            continue
        reason = _ask_reason(reasons) if answer == "e" else None
        session.decide(record_id, _KEYS[answer], reason=reason, rank=rank)
        made += 1
    return made, session.progress()


def stopping_line(progress) -> str:
    """``estimated recall 0.91 [0.80, 1.00] · stopping rule buscar_95_95: keep going (reason)``."""
    verdict = "safe to stop" if progress.can_stop else "keep going"
    return (f"estimated recall {progress.recall.words()} · stopping rule {progress.stop.rule}: {verdict} "
            f"({progress.stop.reason})")


def _stop_now(session) -> None:
    """``--stop``: record the stop if the rule fired, else exit 1 with its reason (nothing changed)."""
    progress = session.progress()
    with refusals():
        stopped = session.stop()
    out.print(f"Stopped: excluded by automation: {progress.total - progress.screened}, "
              f"{escape(stopped.words())} ({escape(stopped.reason)}).")


def sample_line(progress) -> str:
    """``random sample for the stopping rule: 12 of 50 screened`` (empty when the rule takes none)."""
    if progress.sample is None:
        return ""
    done, wanted = progress.sample
    return f"random sample for the stopping rule: {done} of {wanted} screened"


def _show(card, rank: int, progress, sampled: bool = False) -> None:
    title = marked(card.marked("title")) if card.title else "(no title)"
    abstract = abstract_markup(card) if card.abstract else "(no abstract)"
    where = f"random sample for the stopping rule ({progress.sample[0] + 1} of {progress.sample[1]})" \
        if sampled and progress.sample else f"rank {rank}"
    panels.print(Panel(f"[bold]{title}[/] ({card.year or 'n.d.'})\n\n{abstract}",
                       title=f"record {card.record_id} · {where}",
                       subtitle=f"{progress.screened}/{progress.total} screened · {progress.included} included"))
    out.print(escape(stopping_line(progress)), highlight=False)


def _ask_reason(reasons: list[str]) -> str:
    for number, text in enumerate(reasons, 1):
        out.print(f"  {number}. {escape(text)}")
    choice = typer.prompt("Reason number", default="1")
    return reasons[int(choice) - 1] if choice.isdigit() and 0 < int(choice) <= len(reasons) else reasons[-1]


#: Datasets smaller than this simulate without a progress bar.
PROGRESS_MIN_RECORDS = 500


def parse_prior_ids(text: Optional[str]) -> Optional[list[int]]:
    """``"3,17"`` -> ``[3, 17]``; anything else exits 1 naming the option."""
    if text is None:
        return None
    ids: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if part and not part.lstrip("-").isdigit():
            fail(f"--prior-ids takes 0-based row numbers separated by commas, not {part!r}")
        if part:
            ids.append(int(part))
    if not ids:
        fail("--prior-ids is empty; give row numbers such as 3,17")
    return ids


def simulate(
    data: Annotated[Path, typer.Argument(help="Fully labelled ASReview-compatible CSV (label_included 0/1).")],
    seed: Annotated[int, typer.Option("--seed", help="Seed for the prior draw and the engine.")] = 1,
    prior_ids: Annotated[Optional[str], typer.Option(
        "--prior-ids",
        help="Comma-separated 0-based row numbers screened first (default: one relevant "
             "and one irrelevant record drawn with --seed).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o",
                                         help="Directory for order.csv and the recall-curve charts.")] = Path("simulation"),
    features: Annotated[str, typer.Option(
        "--features",
        help="auto (tfidf-asreview+charlsa+embed up to 100,000 records, else tfidf-asreview), tfidf, "
             "tfidf-char, tfidf-word+char, tfidf-asreview, tfidf-asreview+char, tfidf-asreview+charlsa, "
             "tfidf-asreview+static, static, tfidf+static, embed, tfidf+embed, tfidf-asreview+char+embed, "
             "tfidf-asreview+char4+embed, tfidf-asreview+charlsa+embed, "
             "tfidf-asreview+charlsa+embed128, tfidf-asreview+charlsa+embed64 or tfidf-asreview+embed.")] = "auto",
    classifier: Annotated[str, typer.Option(
        "--classifier",
        help="auto (svm-fusion for tfidf+embed, svm-asreview-agree for tfidf-asreview+charlsa+embed(128|64) "
             "and tfidf-asreview+embed, "
             "svm-asreview-fusion for the other tfidf-asreview+...+embed features, "
             "svm-fusion-static for tfidf+static, "
             "svm-asreview for tfidf-asreview and tfidf-asreview+char, else svm), "
             "svm, svm-fusion, svm-fusion-static, svm-asreview-fusion, svm-asreview-agree, "
             "svm-asreview-agree-newton (its embedding SVM solved exactly; the same ranking), "
             "svm-asreview-agree-weighed (its members weighed by a held-out check of the decisions), "
             "svm-asreview-agree-cC (its embedding SVM's C set to C), svm-asreview-agree-tC (its TF-IDF SVM's), "
             "svm-asreview, "
             "svm-asreview-bmi100, "
             "svm-balanced, logistic, nb, sgd, ensemble, or members joined with '+'.")] = "auto",
    query: Annotated[str, typer.Option("--query", help="max, uncertainty or mixed.")] = "max",
    embedding_cache: Annotated[Optional[Path], typer.Option(
        "--embedding-cache",
        help="Project file (created if missing) keeping sentence embeddings between simulations.")] = None,
    retrain_share: Annotated[Optional[float], typer.Option(
        "--retrain-share", min=0.0, max=0.99,
        help="Refit once the irrelevant decisions since the last fit are this share of all decisions "
             "(a relevant one refits at once); 0 refits after every decision. Default: the engine's.")] = None,
) -> None:
    """Simulate screening DATA with the active-learning engine and report the work saved.

    Writes DIR/order.csv (step, record_id = 0-based row in DATA, label), the priors
    first, plus recall_curve.svg and recall_curve.png, and prints the metrics as one
    JSON object on the last line.

    Example: logicmap simulate Cohen_2006_Antihistamines.csv --seed 1 --output sim/

    ASReview LAB's default model: --features tfidf-asreview --classifier svm-asreview
    """
    from logicmap.api import ScreeningError, simulate_dataset

    priors = parse_prior_ids(prior_ids)
    check_output_dir(output, "--output")
    with bars(err) as bar, refusals():
        try:
            run = simulate_dataset(
                data, output, features=features, classifier=classifier, query=query, seed=seed,
                prior_ids=priors, embed_progress=bar("Embedding titles and abstracts"),
                step_progress=bar("Simulating", min_total=PROGRESS_MIN_RECORDS), embedding_cache=embedding_cache,
                retrain_share=retrain_share,
            )
        except ScreeningError as exc:  # an unknown engine name: a usage error
            fail(str(exc), code=2)
    for warning in run.warnings:
        err.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    typer.echo(json.dumps(run.to_json()))
