"""Straight-line edge crossings of a drawn graph (the legibility measure of the logic model).

Each edge is taken as the straight segment between its end nodes' positions; two edges
cross when their segments intersect at a point inside both. Edges that share an end node,
touch only at an end, or lie on one line do not count.

Example::

    straight_line_crossings({"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)}, [("a", "b"), ("c", "d")])  # 1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Point = tuple[float, float]


def _orient(p: Point, q: Point, r: Point) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """True when segment ab and segment cd intersect properly (inside both, not at an end)."""
    d1, d2 = _orient(a, b, c), _orient(a, b, d)
    d3, d4 = _orient(c, d, a), _orient(c, d, b)
    return d1 * d2 < 0 and d3 * d4 < 0


def straight_line_crossings(positions: Mapping[str, Point], edges: Iterable[tuple[str, str]]) -> int:
    """How many pairs of ``edges`` cross when drawn as straight lines between ``positions``."""
    segs = [(u, v, positions[u], positions[v]) for u, v in edges]
    total = 0
    for i, (u1, v1, a, b) in enumerate(segs):
        for u2, v2, c, d in segs[i + 1:]:
            if {u1, v1} & {u2, v2}:
                continue
            total += segments_cross(a, b, c, d)
    return total
