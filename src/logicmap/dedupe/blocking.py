"""Blocking: which pairs of records are worth comparing at all.

Rules are data, as in splink: a :class:`BlockingRule` names a function from
:class:`~logicmap.dedupe.keys.DedupeKeys` to a block key (``None`` = the record
takes no part in that rule). Records sharing a key form a block; every pair in a
block is a candidate. Blocks larger than ``max_block`` are not compared
all-against-all: they are sorted by title and each record is compared with its
``window`` following neighbours (sorted neighbourhood), so the number of pairs
stays near-linear in the number of records even when one key is very common.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Callable, Collection, Iterable, Iterator, Sequence

import numpy as np

from logicmap.dedupe.keys import DedupeKeys

_STOP = frozenset(
    "a an and are as at by for from in into is of on or the to with without its their "
    "was were be via using use".split()
)


@dataclass(frozen=True)
class BlockingRule:
    """A named blocking rule: ``key(keys)`` gives the block key or ``None``.

    ``max_block`` and ``window`` tighten the run's own (never loosen them) for a
    rule whose blocks fill up with unrelated records as a library grows (year and
    first page); ``order`` sorts a block too large for all pairs (default: the
    compact title), so that a rule meant to catch a changed title does not sort by it.
    """

    name: str
    key: Callable[[DedupeKeys], str | None]
    max_block: int | None = None
    window: int | None = None
    order: Callable[[DedupeKeys], str] | None = None

    def limits(self, max_block: int, window: int) -> tuple[int, int]:
        """The ``(max_block, window)`` this rule uses within a run's."""
        return (min(max_block, self.max_block or max_block), min(window, self.window or window))


def _title_prefix(k: DedupeKeys) -> str | None:
    return k.compact[:24] if len(k.compact) >= 12 else None


def _title_suffix(k: DedupeKeys) -> str | None:
    return k.compact[-24:] if len(k.compact) >= 30 else None


def _title_signature(k: DedupeKeys) -> str | None:
    words = sorted({w for w in k.title.split() if w not in _STOP and len(w) > 2})
    return " ".join(words)[:40] if len(words) >= 3 else None


def _author_year(k: DedupeKeys) -> str | None:
    return f"{k.first_author}|{k.year}" if k.first_author and k.year else None


def _year_page(k: DedupeKeys) -> str | None:
    return f"{k.year}|{k.page_digits}" if k.year and len(k.page_digits) >= 2 else None


def _by_author_then_title(k: DedupeKeys) -> str:
    return f"{k.first_author}|{k.compact}"


def _by_pages_then_title(k: DedupeKeys) -> str:
    return f"{k.page_digits}|{k.compact}"


def _journal_volume_page(k: DedupeKeys) -> str | None:
    if not (k.journal and k.volume and k.page_digits):
        return None
    return f"{''.join(t[0] for t in k.journal)}|{k.volume}|{k.page_digits}"


#: Limits of the rules whose blocks grow with the library (a year and a first page,
#: an author and a year are shared by more unrelated records the more records
#: there are): all pairs up to this block size, then this many neighbours.
#: Both bound the pairs per record such a rule adds, (cap - 1) / 2 and the window,
#: and a growing library fills its blocks up to that bound: with 10 and 5, the
#: pairs compared per record went from 2.4 at 100k synthetic records to 6.6 at 1M
#: (28x the pairs for 10x the records); with 4 and 2, from 1.5 to 3.1.
#: Four is a paper's copies in a search of four databases; larger blocks are
#: sorted by a key that puts a paper's copies next to each other (author, pages).
GROWING_MAX_BLOCK = 4
GROWING_WINDOW = 2

#: The default rules. Exact identifiers first, then fuzzy-tolerant title keys,
#: then keys that survive a changed title (author+year, year+page, venue).
DEFAULT_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("doi", lambda k: k.doi or None),
    BlockingRule("pmid", lambda k: k.pmid or None),
    BlockingRule("title_prefix", _title_prefix),
    BlockingRule("title_suffix", _title_suffix),
    BlockingRule("title_signature", _title_signature),
    BlockingRule("first_author_year", _author_year, GROWING_MAX_BLOCK, GROWING_WINDOW, _by_pages_then_title),
    BlockingRule("year_first_page", _year_page, GROWING_MAX_BLOCK, GROWING_WINDOW, _by_author_then_title),
    BlockingRule("journal_volume_page", _journal_volume_page),
)


def blocks(keys: Sequence[DedupeKeys], rule: BlockingRule) -> list[list[int]]:
    """The blocks (lists of record indexes, ascending) of one rule with ≥ 2 records."""
    return list(iter_blocks(keys, rule))


def iter_blocks(keys: Sequence[DedupeKeys], rule: BlockingRule) -> Iterator[list[int]]:
    """:func:`blocks` one at a time, found by sorting 64-bit hashes of the block keys.

    A million records' keys take two 8 MB arrays instead of a dict of a million
    strings and lists. Two different keys with one hash (odds about 1 in 10^7
    for a million keys) would only join two blocks: more pairs compared, none lost.
    """
    indexes, hashes = array("q"), array("q")
    for index, k in enumerate(keys):
        value = rule.key(k)
        if value:
            indexes.append(index)
            hashes.append(hash(value))
    if not indexes:
        return
    order = np.argsort(np.frombuffer(hashes, dtype=np.int64), kind="stable")
    members = np.frombuffer(indexes, dtype=np.int64)[order]
    ordered = np.frombuffer(hashes, dtype=np.int64)[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(ordered)]
    for start, end in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist()):
        yield members[start:end].tolist()


def _block_pairs(
    members: list[int], keys: Sequence[DedupeKeys], max_block: int, window: int,
    order: Callable[[DedupeKeys], str] | None = None,
) -> Iterable[tuple[int, int]]:
    if len(members) <= max_block:
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                yield i, j
        return
    if order is None:
        ordered = sorted(members, key=lambda i: (keys[i].compact, i))
    else:
        ordered = sorted(members, key=lambda i: (order(keys[i]), i))
    for pos, i in enumerate(ordered):
        for j in ordered[pos + 1 : pos + 1 + window]:
            yield (i, j) if i < j else (j, i)


def candidate_pairs(
    keys: Sequence[DedupeKeys],
    rules: Sequence[BlockingRule] = DEFAULT_RULES,
    *,
    new: Collection[int] | None = None,
    max_block: int = 40,
    window: int = 12,
) -> list[tuple[int, int]]:
    """Distinct candidate pairs ``(i, j)``, ``i < j``, sorted, over all rules.

    With ``new`` (record indexes) only pairs involving at least one new record
    are returned (incremental deduplication against an already deduplicated set).
    A record is never paired with itself.
    """
    codes = candidate_codes(keys, rules, new=new, max_block=max_block, window=window)
    return [split_code(int(code), len(keys)) for code in codes]


def split_code(code: int, n: int) -> tuple[int, int]:
    """The pair ``(i, j)`` a code of :func:`candidate_codes` stands for."""
    return divmod(code, n)


def candidate_codes(
    keys: Sequence[DedupeKeys],
    rules: Sequence[BlockingRule] = DEFAULT_RULES,
    *,
    new: Collection[int] | None = None,
    max_block: int = 40,
    window: int = 12,
) -> np.ndarray:
    """The pairs of :func:`candidate_pairs` as sorted distinct int64 codes ``i * len(keys) + j``.

    Eight bytes a pair (a set of tuples takes about twenty times that), so a
    million records' candidates fit in memory; :func:`split_code` decodes one.
    """
    n = len(keys)
    fresh = set(new) if new is not None else None
    chunks: list[np.ndarray] = []
    for rule in rules:
        found = array("q")
        cap, width = rule.limits(max_block, window) if isinstance(rule, BlockingRule) else (max_block, window)
        for members in iter_blocks(keys, rule):
            if fresh is not None and not any(m in fresh for m in members):
                continue
            for i, j in _block_pairs(members, keys, cap, width, getattr(rule, "order", None)):
                if fresh is None or i in fresh or j in fresh:
                    found.append(i * n + j)
        chunks.append(_distinct(np.frombuffer(found, dtype=np.int64)))
        del found
    return _distinct(np.concatenate(chunks)) if chunks else np.empty(0, dtype=np.int64)


def _distinct(codes: np.ndarray) -> np.ndarray:
    """The distinct codes, sorted: a sort and a mask, not ``np.unique``, whose hash table
    took 13 s on 10 million codes (0.7 s this way) once it no longer fit the CPU's cache."""
    ordered = np.sort(codes)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
