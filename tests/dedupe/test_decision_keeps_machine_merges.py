"""A reviewer's decision on one pair changes that pair's cluster only (regression: clusters were rebuilt
at merge threshold 1.0, so every machine merge scoring under 1.0 fell apart at the first decision)."""

from __future__ import annotations

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir


def test_deciding_one_pair_keeps_every_other_merge(tmp_path):
    with Review.create(tmp_path / "review.db") as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        review.dedupe.run()
        before = {frozenset(members) for _, _, members in review.dedupe.merges()}
        pair = review.dedupe.queue()[0]
        both = {pair.left[0], pair.right[0]}
        review.dedupe.decide(pair.pair_id, "duplicate", reviewer="ana")
        after = {frozenset(members) for _, _, members in review.dedupe.merges()}
        touched = {m for m in before if m & both}
        assert before - touched <= after  # every merge not involving the pair stays
        assert any(both <= m for m in after)

        undone_id = next(cid for cid, _, members in review.dedupe.merges() if both <= set(members))
        review.dedupe.undo(undone_id, reviewer="ana")
        kept = {frozenset(members) for _, _, members in review.dedupe.merges()}
        assert before - touched <= kept  # undoing one merge leaves the others
