"""Clusters of duplicates from scored pairs: union-find with a chaining guard.

Plain transitive closure lets A~B and B~C join A and C even when A and C are
clearly different papers (a conference abstract similar to two articles, a
record with a wrong DOI). :func:`cluster_pairs` therefore merges two clusters
only when nothing says they are different:

1. *cannot-links*: every compared pair that scored below ``cannot_link_below``
   or was vetoed by a guard is remembered; two clusters containing the two ends
   of a cannot-link are never merged;
2. *anchor check*: if a ``compare(i, j)`` callback is given, the anchors (lowest
   index) of the two clusters are compared before merging, and the merge is
   refused when that comparison would be a cannot-link. This catches chains
   through pairs blocking never proposed.

Edges are applied strongest first (score descending, then ``(i, j)``), so the
result does not depend on the order in which pairs are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple

from logicmap.dedupe.results import StoredPair
from logicmap.dedupe.scoring import PairComparison


class ScoredPair(NamedTuple):
    """A compared pair ``i < j``: its score and whether a guard vetoed it."""

    i: int
    j: int
    score: float
    veto: bool = False


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.anchor: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}
        self.cannot: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        if x not in parent:
            parent[x] = x
            self.anchor[x] = x
            self.members[x] = [x]
            return x
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def forbid(self, x: int, y: int) -> None:
        self.cannot.setdefault(x, set()).add(y)
        self.cannot.setdefault(y, set()).add(x)

    def forbidden(self, ra: int, rb: int) -> bool:
        small, large = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        for member in self.members[small]:
            for other in self.cannot.get(member, ()):
                if self.find(other) == large:
                    return True
        return False

    def union(self, ra: int, rb: int) -> None:
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        self.anchor[ra] = min(self.anchor[ra], self.anchor.pop(rb))


def is_cannot_link(score: float, veto: bool, cannot_link_below: float) -> bool:
    """Whether a comparison says the two records are clearly different."""
    return veto or score < cannot_link_below


def cluster_pairs(
    pairs: Iterable[ScoredPair],
    *,
    merge_at: float,
    cannot_link_below: float = 0.2,
    compare: Callable[[int, int], PairComparison] | None = None,
) -> tuple[list[list[int]], set[tuple[int, int]]]:
    """Cluster records linked by pairs scoring ≥ ``merge_at``.

    Returns ``(clusters, refused)``: clusters of two or more record indexes
    (each sorted, the list sorted by first member), and the duplicate-scored
    pairs whose merge the chaining guard refused.
    """
    uf = _UnionFind()
    edges = []
    for pair in pairs:
        if pair.score >= merge_at and not pair.veto:
            edges.append(pair)
        elif is_cannot_link(pair.score, pair.veto, cannot_link_below):
            uf.find(pair.i), uf.find(pair.j)
            uf.forbid(pair.i, pair.j)
    edges.sort(key=lambda p: (-p.score, p.i, p.j))
    refused: set[tuple[int, int]] = set()
    for pair in edges:
        ra, rb = uf.find(pair.i), uf.find(pair.j)
        if ra == rb:
            continue
        if uf.forbidden(ra, rb):
            refused.add((pair.i, pair.j))
            continue
        if compare is not None and len(uf.members[ra]) + len(uf.members[rb]) > 2:
            a, b = sorted((uf.anchor[ra], uf.anchor[rb]))
            found = compare(a, b) if (a, b) != (pair.i, pair.j) else None
            if found is not None and is_cannot_link(found.score, found.veto, cannot_link_below):
                uf.forbid(a, b)
                refused.add((pair.i, pair.j))
                continue
        uf.union(ra, rb)
    clusters = [sorted(m) for m in uf.members.values() if len(m) > 1]
    clusters.sort()
    return clusters, refused


def scored_from_decisions(pairs: Iterable[StoredPair]) -> list[ScoredPair]:
    """Stored decisions as clustering input: duplicates link (a reviewer's at 1.0), distinct pairs veto."""
    scored = []
    for pair in pairs:
        if pair.decision == "duplicate":
            scored.append(ScoredPair(pair.record_a, pair.record_b, 1.0 if pair.review_decision else pair.score))
        elif pair.decision == "distinct":
            scored.append(ScoredPair(pair.record_a, pair.record_b, 0.0, veto=True))
    return scored


@dataclass(frozen=True)
class ClusterPlan:
    """How stored clusters must change: ids to retire and member lists (sorted) to create."""

    retire: tuple[int, ...]
    create: tuple[tuple[int, ...], ...]


def plan_rebuild(pairs: Iterable[StoredPair], active: dict[int, list[int]], *, merge_at: float) -> ClusterPlan:
    """Recompute clusters from every stored decision and compare with the ``active`` ones.

    Unchanged clusters stay as they are; clusters whose membership changed are
    retired and the new ones created (ordered by their smallest record id).
    """
    target = {frozenset(c) for c in cluster_pairs(scored_from_decisions(pairs), merge_at=min(merge_at, 1.0))[0]}
    retire = tuple(cluster_id for cluster_id, members in active.items() if frozenset(members) not in target)
    kept = {frozenset(members) for members in active.values()}
    create = tuple(tuple(sorted(members)) for members in sorted(target - kept, key=min))
    return ClusterPlan(retire, create)


def touched_groups(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The records of ``pairs`` grouped by connection (each group sorted, groups by first record)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = parent.setdefault(x, x)
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in sorted(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted(groups.values())


class BatchSize:
    """A batch size that keeps each batch's transaction near a time budget.

    The cost of rebuilding a record's clusters grows with the library (bigger
    indexes, colder pages, a busier machine), so a fixed count cannot bound how
    long the write lock is held. After each batch :meth:`took` halves the size
    when the batch took longer than ``budget`` seconds and doubles it (up to
    ``largest``) when it took under a quarter of it. It starts at ``first``.
    """

    def __init__(self, largest: int, budget: float, *, first: int | None = None, smallest: int = 25) -> None:
        self.largest, self.budget, self.smallest = largest, budget, max(1, min(smallest, largest))
        self.size = max(self.smallest, min(largest, first or largest))

    def took(self, seconds: float) -> None:
        """Adjust the size after a batch of the current size took ``seconds``."""
        if seconds > self.budget:
            self.size = max(self.smallest, self.size // 2)
        elif seconds < self.budget / 4:
            self.size = min(self.largest, self.size * 2)


def seed_batches(groups: Iterable[list[int]], size: int | BatchSize) -> Iterable[set[int]]:
    """Groups packed into batches of at most ``size`` records; a larger group is cut into pieces.

    Packing keeps a group's records together where it can, so its component is
    read once; cutting bounds every batch (and so the transaction that rebuilds
    it) however large a group grows with the library. A piece still gets right
    clusters: its rebuild reads every record linked to it. A :class:`BatchSize`
    is read again for every batch, so it can change between them.
    """
    limit = (lambda: size.size) if isinstance(size, BatchSize) else (lambda: size)
    batch: set[int] = set()
    for group in groups:
        rest = group
        while rest:
            room = limit() - len(batch)
            if batch and len(rest) > room:  # whole groups first: close the batch rather than cut
                yield batch
                batch = set()
                room = limit()
            batch.update(rest[:room])
            rest = rest[room:]
            if len(batch) >= limit():
                yield batch
                batch = set()
    if batch:
        yield batch
