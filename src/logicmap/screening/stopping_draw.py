"""The random sample a stopping rule asks for in a live project: :class:`StopSample`.

Pure (no store). The records of a stage are put in a random order drawn with the
project's seed (the same draw every time the queue opens, while the records are the
same); the rule says how much of that draw it needs (:meth:`~StopSample.members`,
from the labels of the records drawn so far). A queue asks the reviewer for those
records first, keeps their labels from the model (they must stay a random sample,
not a training set) and asks :class:`StopSample` which sample records its current
ranking puts ahead of every record still to screen (:meth:`~StopSample.state`):
those count as found by the ranking. That depends on the labels and the ranking
only (not on the history of rankings), so a queue opened again judges the same, and
it can only count fewer records found than a ranking that remembered them. See
:mod:`~logicmap.screening.stopping_sample` for how the rules use the sample.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence

import numpy as np

from logicmap.screening.stopping import StoppingRule
from logicmap.screening.stopping_sample import SampleState


def needs_sample(rule: StoppingRule) -> bool:
    """True when ``rule`` certifies recall with a random sample of the records."""
    return bool(getattr(rule, "needs_sample", False))


class StopSample:
    """The seeded random draw of ``record_ids`` for ``rule`` (one that takes a sample)."""

    def __init__(self, rule: StoppingRule, record_ids: Sequence[int], seed: int) -> None:
        self.rule = rule
        order = np.random.default_rng(seed).permutation(len(record_ids))
        self.draw = [record_ids[int(i)] for i in order]

    def members(self, labels: Mapping[int, int]) -> list[int]:
        """The records of the sample so far (a prefix of the draw), given the labels known (record -> 0/1)."""
        drawn: list[int | None] = []
        for record_id in self.draw:  # the labels up to the first record not labelled: all a rule needs
            drawn.append(labels.get(record_id))
            if drawn[-1] is None:
                break
        size = self.rule.sample_size(drawn, len(self.draw))
        return self.draw[:size]

    def pending(self, labels: Mapping[int, int], decided: Mapping[int, object]) -> list[int]:
        """The sample's records no one has decided yet, in the order drawn."""
        return [r for r in self.members(labels) if r not in decided]

    def state(self, labels: Mapping[int, int], ranking: Sequence[int], done: Container[int]) -> SampleState:
        """The sample as the rule judges it: its labels, and which of its records ``ranking`` puts ahead
        of its first record neither in the sample nor ``done`` (decided)."""
        members = self.members(labels)
        inside, reached = set(members), set()
        for record_id in ranking:
            if record_id in inside:
                reached.add(record_id)
            elif record_id not in done:
                break
        return SampleState(tuple(labels.get(r) for r in members), tuple(r in reached for r in members))
