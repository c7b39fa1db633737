"""Blocking: rules as data, no self pairs, incremental mode, bounded large blocks."""

from __future__ import annotations

from dedupe_helpers import article, rec
from hypothesis import given, settings
from hypothesis import strategies as st

from logicmap.dedupe.blocking import (
    DEFAULT_RULES,
    GROWING_MAX_BLOCK,
    GROWING_WINDOW,
    BlockingRule,
    blocks,
    candidate_pairs,
)
from logicmap.dedupe.keys import dedupe_keys


def keys_of(records):
    return [dedupe_keys(r) for r in records]


def test_rules_are_named_data():
    names = [rule.name for rule in DEFAULT_RULES]
    assert names[:2] == ["doi", "pmid"]
    assert len(set(names)) == len(names)


def test_exact_doi_pairs_records_with_different_titles():
    records = [rec(1, title="Alpha study of one thing", doi="10.1/x"), rec(2, title="Completely other words", doi="10.1/x")]
    assert candidate_pairs(keys_of(records)) == [(0, 1)]


def test_title_variants_share_a_block():
    records = [article(1), article(2, title=article().title.upper() + "."), rec(3, title="Unrelated topic entirely here")]
    assert (0, 1) in candidate_pairs(keys_of(records))
    assert all(2 not in pair for pair in candidate_pairs(keys_of(records)))


def test_custom_rule_list():
    rule = BlockingRule("year", lambda k: str(k.year) if k.year else None)
    records = [rec(1, year=2001), rec(2, year=2001), rec(3, year=2002), rec(4)]
    assert blocks(keys_of(records), rule) == [[0, 1]]
    assert candidate_pairs(keys_of(records), [rule]) == [(0, 1)]


def test_incremental_mode_only_pairs_touching_new_records():
    records = [article(i) for i in range(5)]
    pairs = candidate_pairs(keys_of(records), new={3})
    assert pairs and all(3 in pair for pair in pairs)
    assert candidate_pairs(keys_of(records), new=set()) == []


def test_large_block_is_windowed():
    records = [rec(i, title=f"Common title prefix shared by many records {i}", year=2000) for i in range(500)]
    pairs = candidate_pairs(keys_of(records), max_block=40, window=5)
    assert len(pairs) <= 500 * 5 * len(DEFAULT_RULES)
    assert len(pairs) < 500 * 499 // 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A study of x", "A study of y", "Other work on z"]),
                          st.sampled_from([None, 2000, 2001]), st.sampled_from([None, "10.1/a"])), max_size=25))
def test_pairs_are_ordered_unique_and_never_self(rows):
    records = [rec(i, title=t, year=y, doi=d) for i, (t, y, d) in enumerate(rows)]
    pairs = candidate_pairs(keys_of(records))
    assert all(i < j for i, j in pairs)
    assert len(pairs) == len(set(pairs))
    assert pairs == sorted(pairs)


def test_growing_blocks_take_fewer_pairs_sorted_by_author_not_title():
    # 30 unrelated papers of one year starting on page 11, the same paper twice with a changed title
    records = [rec(i, title=f"Paper number {i} on topic {i * 7}", year=2001, pages="11-20", authors=[f"Author{i:02d}, A."])
               for i in range(30)]
    records += [rec(30, title="Aardvark title in one language", year=2001, pages="11-20", authors=["Zed, Q."]),
                rec(31, title="Zusammenfassung in einer anderen Sprache", year=2001, pages="11-20", authors=["Zed, Q."])]
    (rule,) = [r for r in DEFAULT_RULES if r.name == "year_first_page"]
    assert rule.limits(40, 12) == (GROWING_MAX_BLOCK, GROWING_WINDOW) == (4, 2)
    pairs = candidate_pairs(keys_of(records), [rule])
    assert (30, 31) in pairs  # neighbours by author although their titles sort far apart
    assert len(pairs) <= 32 * 2 < 32 * 31 // 2
    assert BlockingRule("x", rule.key).limits(40, 12) == (40, 12)  # a rule without limits keeps the run's
