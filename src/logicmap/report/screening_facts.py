"""What the report says about title/abstract screening: the recall curve and the stopping statement.

:class:`ScreeningFacts` holds one reviewer's decisions in the order they were made
(1 relevant: include or maybe; 0 exclude) and the number of records to screen;
``review.report`` rebuilds them from the store, with the stop a reviewer made when the
stopping rule fired, and the project's stopping rule. :func:`stopping_outcome` tests that rule
(until one is chosen, :func:`~logicmap.screening.stopping_rules.default_rule` for the records to
screen) on them and says what it found,
or, after a stop, states it as :func:`automation_statement` ("excluded by automation: N,
stopping rule X at estimated recall 0.96 [0.93, 1.00]"; the methods section uses it);
:func:`stopping_statement` says first where screening stands, then that;
:func:`recall_curve_svg` draws the recall curve over the records screened (recall relative
to the relevant records found so far, since the true number is unknown until every record
is screened), with the best possible and the expected random order for comparison.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass

from logicmap.report.charts import empty_svg
from logicmap.screening.chart import recall_chart
from logicmap.screening.stopping import StoppingRule
from logicmap.screening.stopping_rules import default_evidence, default_rule


#: Fewest records screened for a recall curve worth drawing.
MIN_CURVE = 10


@dataclass(frozen=True)
class ScreeningFacts:
    """One reviewer's title/abstract labels in the order screened, out of ``total`` records to screen."""

    order: tuple[int, ...] = ()
    total: int = 0
    reviewer: str | None = None
    #: the stop made when the stopping rule fired (``review.screening.stopped()``), else None
    stop: dict | None = None
    #: the project's stopping rule (None: the default for ``total`` records)
    rule: StoppingRule | None = None

    @property
    def screened(self) -> int:
        """Records screened so far."""
        return len(self.order)

    @property
    def relevant(self) -> int:
        """Relevant records found so far."""
        return sum(self.order)


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def rule_words(stop: dict) -> str:
    """``stopping rule X at estimated recall 0.96 [0.93, 1.00]`` (how PRISMA names the automation)."""
    low, high = stop["interval"]
    return f"stopping rule {stop['rule']} at estimated recall {stop['estimate']:.2f} [{low:.2f}, {high:.2f}]"


def automation_words(stop: dict, excluded: int) -> str:
    """``excluded by automation: N, stopping rule X at estimated recall 0.96 [0.93, 1.00]``."""
    return f"excluded by automation: {excluded}, {rule_words(stop)}"


def automation_statement(stop: dict, excluded: int) -> str:
    """The stop in a sentence: the rule, its target, its estimate and the records left unscreened."""
    default = stop["rule"] == default_rule(stop["total"]).name
    evidence = f" It is {default_evidence(stop['total'])}." if default else ""
    return (f"Screening stopped when the stopping rule fired ({stop['description']}) after {stop['screened']} of "
            f"{stop['total']} records: {automation_words(stop, excluded)} (95% interval).{evidence}")


def stopping_statement(facts: ScreeningFacts, rule: StoppingRule | None = None) -> str:
    """Where title/abstract screening stands and what the stopping criterion says about it, in words."""
    if facts.total == 0:
        return "There are no records to screen."
    if not facts.order:
        return f"No record has been screened yet: {_n(facts.total, 'record awaits', 'records await')} screening."
    done = (f"{facts.screened} of {_n(facts.total, 'record', 'records')} were screened on title and abstract "
            f"({_n(facts.relevant, 'relevant record', 'relevant records')} found)")
    left = facts.total - facts.screened
    if facts.screened >= facts.total:
        done += "; every record was screened."
    elif facts.stop:
        return f"{done}. {automation_statement(facts.stop, left)}"
    else:
        done += f"; {_n(facts.total - facts.screened, 'record', 'records')} not yet screened."
    return f"{done} {stopping_outcome(facts, rule)}"


def stopping_outcome(facts: ScreeningFacts, rule: StoppingRule | None = None) -> str:
    """What the stopping rule (``rule``, else the project's, else the default) says about the screening
    so far, with the rule named."""
    rule = rule or facts.rule or default_rule(facts.total)
    named = f"The stopping rule {rule.name} ({rule.description})"
    if not facts.order:
        return f"{named} needs screening decisions."
    if facts.screened >= facts.total:
        first = rule.replay(facts.order, facts.total)
        if first.stopped:
            return f"{named} would first have allowed stopping after {first.records_screened} records."
        return f"{named} was not met before the last record."
    if facts.stop:
        return automation_statement(facts.stop, facts.total - facts.screened)
    default = rule.name == default_rule(facts.total).name
    now = _default_assessment(tuple(facts.order), facts.total) if default else rule.assess(facts.order, facts.total)
    if now.stopped:
        return (f"{named} is met ({now.reason}; estimated recall {now.recall.words()}): screening may stop here, "
                "and the records left unscreened are then excluded by that rule.")
    return (f"{named} is not met ({now.reason}; estimated recall {now.recall.words()}): screening should go on.")


@functools.lru_cache(maxsize=4)
def _default_assessment(order: tuple[int, ...], total: int):
    """The default rule's assessment of ``order``, kept: a report states it twice (methods and
    study selection), and with tens of thousands of relevant records it takes a while."""
    return default_rule(total).assess(order, total)


def recall_curve_svg(facts: ScreeningFacts) -> str:
    """The recall curve of the screening so far as SVG (a plain note when nothing is screened)."""
    if not facts.order:
        return empty_svg("Recall curve: no record has been screened yet.")
    if facts.screened < MIN_CURVE:
        return empty_svg(f"Recall curve: drawn once {MIN_CURVE} records are screened ({facts.screened} so far).")
    if not facts.relevant:
        return empty_svg(f"Recall curve: none of the {facts.screened} records screened is relevant yet.")
    import vl_convert as vlc

    who = f" by {facts.reviewer}" if facts.reviewer else ""
    of = f"all {facts.total}" if facts.screened >= facts.total else f"the first {facts.screened} of {facts.total}"
    title = f"Recall in the order screened{who} ({of} records)"
    chart = recall_chart(facts.order, title=title, n_total=facts.screened)
    return vlc.vegalite_to_svg(chart.configure(font="DejaVu Sans").to_dict())
