"""What the screening pages show, computed from library values: the estimate in words, the recall
curve as SVG points, and the JSON shapes of progress."""

from __future__ import annotations


from pydantic import BaseModel

from logicmap.api import Interim, TeamProgress

#: The recall curve's drawing box (SVG user units) and its most points.
CURVE_WIDTH, CURVE_HEIGHT, CURVE_POINTS = 320, 120, 160


def estimate_text(progress: TeamProgress) -> str:
    """The stopping rule's current estimate in words (as ``logicmap screen`` prints it)."""
    if not progress.screened:
        return "Stopping rule: no decisions yet."
    verdict = "safe to stop" if progress.can_stop else "keep going"
    return (f"Stopping rule {progress.stop.rule}: {verdict} ({progress.stop.reason}); "
            f"estimated recall {progress.recall.words()}.")


def recall_curve(order: list[int]) -> str:
    """The SVG ``points`` of relevant records found (y) against records screened (x), both axes
    running to the counts so far: the curve flattening out is what the stopping rule looks for.
    At most :data:`CURVE_POINTS` points."""
    if not order:
        return ""
    found, cumulative = 0, []
    for label in order:
        found += label
        cumulative.append(found)
    step = -(-len(order) // CURVE_POINTS)  # rounded up: at most CURVE_POINTS picked, then the last
    picked = list(dict.fromkeys([*range(0, len(order), step), len(order) - 1]))
    top = max(1, found)
    points = [(0.0, float(CURVE_HEIGHT))] + [
        ((i + 1) / len(order) * CURVE_WIDTH, CURVE_HEIGHT - cumulative[i] / top * CURVE_HEIGHT) for i in picked]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


class ProgressOut(BaseModel):
    """Where the reviewer and the team stand, and the stopping rule's estimate (as of its last retrain)."""

    mine: int
    screened: int
    complete: int
    total: int
    included: int
    reviewers_per_record: int
    rule: str
    recall: float
    recall_interval: tuple[float, float]
    can_stop: bool
    reason: str
    estimate: str
    #: the stopping rule's random sample: records screened and wanted so far (None: the rule takes none)
    sample_screened: int | None = None
    sample_size: int | None = None
    #: while the records are ranked by TF-IDF alone and the full model's vectors are made: why, in words
    interim: str | None = None


def progress_out(progress: TeamProgress, interim: Interim | None = None) -> ProgressOut:
    """The JSON shape of a :class:`~logicmap.api.TeamProgress` (and of the stage's interim ranking)."""
    return ProgressOut(mine=progress.mine, screened=progress.screened, complete=progress.complete,
                       total=progress.total, included=progress.included,
                       reviewers_per_record=progress.per_record, rule=progress.stop.rule,
                       recall=round(progress.recall.estimate, 4),
                       recall_interval=(round(progress.recall.low, 4), round(progress.recall.high, 4)),
                       can_stop=progress.can_stop, reason=progress.stop.reason, estimate=estimate_text(progress),
                       sample_screened=progress.sample[0] if progress.sample else None,
                       sample_size=progress.sample[1] if progress.sample else None,
                       interim=interim.words() if interim is not None else None)
