"""Crossing minimisation for a layered drawing: barycentre sweeps, then adjacent swaps (pure).

``layers`` are columns of slot ids (nodes and dummy slots); ``segments`` join a slot to one
in the next column. ``rank`` keeps blocks together (outcome domains): slots are only ever
ordered within their rank, ranks in ascending order. Ties keep the current order, so the
result is deterministic.

Example::

    order_columns([["a", "b"], ["c", "d"]], [("a", "d"), ("b", "c")], {})  # [["a", "b"], ["d", "c"]]
"""

from __future__ import annotations

from collections import defaultdict

SWEEPS = 12


def layer_crossings(upper: list[str], lower: list[str], segments: list[tuple[str, str]]) -> int:
    """Crossings between the segments joining two adjacent columns, in their current orders."""
    pu = {x: i for i, x in enumerate(upper)}
    pl = {x: i for i, x in enumerate(lower)}
    seq = [b for _, b in sorted((pu[u], pl[v]) for u, v in segments if u in pu and v in pl)]
    return sum(1 for i, bi in enumerate(seq) for bj in seq[i + 1:] if bi > bj)


def total_crossings(layers: list[list[str]], segments: list[tuple[str, str]]) -> int:
    """Crossings summed over every pair of adjacent columns."""
    return sum(layer_crossings(layers[i], layers[i + 1], segments) for i in range(len(layers) - 1))


def _neighbours(segments):
    up, down = defaultdict(list), defaultdict(list)
    for u, v in segments:
        down[u].append(v)
        up[v].append(u)
    return up, down


def _sweep(layers, c, ref, nbr, rank) -> None:
    pos = {x: i for i, x in enumerate(ref)}
    cur = {x: i for i, x in enumerate(layers[c])}
    scale = len(ref) / max(1, len(layers[c]))

    def key(x):
        ns = [pos[n] for n in nbr[x] if n in pos]
        return rank.get(x, 0), (sum(ns) / len(ns) if ns else cur[x] * scale), cur[x]

    layers[c].sort(key=key)


def _pair_cost(u: str, v: str, layers, c, up, down) -> int:
    """Crossings among the segments of u and v when u sits above v."""
    cost = 0
    for side, nbr in ((c - 1, up), (c + 1, down)):
        if 0 <= side < len(layers):
            pos = {x: i for i, x in enumerate(layers[side])} if nbr[u] and nbr[v] else {}
            cost += sum(1 for a in nbr[u] for b in nbr[v] if a in pos and b in pos and pos[a] > pos[b])
    return cost


def _transpose(layers, up, down, rank) -> None:
    improved, rounds = True, 0
    while improved and rounds < 20:
        improved, rounds = False, rounds + 1
        for c, layer in enumerate(layers):
            for i in range(len(layer) - 1):
                u, v = layer[i], layer[i + 1]
                if rank.get(u, 0) != rank.get(v, 0):
                    continue
                if _pair_cost(v, u, layers, c, up, down) < _pair_cost(u, v, layers, c, up, down):
                    layer[i], layer[i + 1] = v, u
                    improved = True


def order_columns(layers: list[list[str]], segments: list[tuple[str, str]], rank: dict[str, int]) -> list[list[str]]:
    """Column orders with few crossings (each column a new list; the input is not changed)."""
    up, down = _neighbours(segments)
    work = [sorted(layer, key=lambda x: rank.get(x, 0)) for layer in layers]
    best, best_n = [list(x) for x in work], total_crossings(work, segments)
    for it in range(SWEEPS):
        downward = it % 2 == 0
        for c in (range(1, len(work)) if downward else range(len(work) - 2, -1, -1)):
            _sweep(work, c, work[c - 1] if downward else work[c + 1], up if downward else down, rank)
        n = total_crossings(work, segments)
        if n < best_n:
            best, best_n = [list(x) for x in work], n
    _transpose(best, up, down, rank)
    return best
