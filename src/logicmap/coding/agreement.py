"""Agreement between two coders, and reconciliation into final codes.

Per code, each study is a binary decision (coded / not coded); per kind the decisions of
all its codes are pooled. Statistics: percent agreement, Cohen's kappa and Krippendorff's
alpha (nominal, any number of coders, missing values allowed; own implementation, checked
against the ``krippendorff`` package in the tests).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from logicmap.codebook.codes import Codebook
from logicmap.coding.spans import CodedItem, CodingError


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Share of units on which the two coders gave the same value."""
    if len(a) != len(b) or not a:
        raise ValueError("need two equally long, non-empty sequences")
    return sum(x == y for x, y in zip(a, b)) / len(a)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa; NaN when chance agreement is 1 (both coders used one same value throughout)."""
    po = percent_agreement(a, b)
    n = len(a)
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[v] * cb[v] for v in ca) / (n * n)
    if math.isclose(pe, 1.0):
        return math.nan
    return (po - pe) / (1 - pe)


def krippendorff_alpha(data: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's alpha, nominal level.

    ``data[c][u]`` is coder c's value for unit u (None = missing). Units with fewer than two
    values are not pairable and are ignored. NaN when there is no variation at all.
    """
    if not data:
        raise ValueError("need at least one coder")
    coincidences: Counter = Counter()
    for unit in zip(*data):
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, x in enumerate(values):
            for j, y in enumerate(values):
                if i != j:
                    coincidences[(x, y)] += 1 / (m - 1)
    n_c: Counter = Counter()
    for (x, _), w in coincidences.items():
        n_c[x] += w
    n = sum(n_c.values())
    if n <= 1:
        return math.nan
    observed = sum(w for (x, y), w in coincidences.items() if x != y)
    expected = sum(n_c[x] * n_c[y] for x in n_c for y in n_c if x != y) / (n - 1)
    if expected == 0:
        return math.nan
    return 1 - observed / expected


@dataclass(frozen=True)
class Agreement:
    """Agreement on one code (or one kind, pooled) over ``n`` binary decisions."""

    n: int
    both: int  # both coded it
    only_a: int
    only_b: int
    percent: float
    kappa: float
    alpha: float


def _agreement(pairs: list[tuple[bool, bool]]) -> Agreement:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    return Agreement(
        n=len(pairs),
        both=sum(x and y for x, y in pairs),
        only_a=sum(x and not y for x, y in pairs),
        only_b=sum(y and not x for x, y in pairs),
        percent=percent_agreement(a, b),
        kappa=cohen_kappa(a, b),
        alpha=krippendorff_alpha([a, b]),
    )


@dataclass(frozen=True)
class AgreementReport:
    per_code: dict[str, Agreement]
    per_kind: dict[str, Agreement]


def agreement(
    coder_a: Iterable[CodedItem], coder_b: Iterable[CodedItem], codebook: Codebook, studies: Iterable[str] | None = None
) -> AgreementReport:
    """Agreement per code and per kind over ``studies`` (default: every study either coder coded)."""
    sets_a, sets_b = _code_sets(coder_a), _code_sets(coder_b)
    units = sorted(set(studies) if studies is not None else set(sets_a) | set(sets_b))
    if not units:
        raise ValueError("no studies to compare")
    per_code, pooled = {}, defaultdict(list)
    for c in codebook.codes:
        pairs = [(c.code in sets_a.get(u, ()), c.code in sets_b.get(u, ())) for u in units]
        per_code[c.code] = _agreement(pairs)
        pooled[c.kind].extend(pairs)
    return AgreementReport(per_code, {kind: _agreement(p) for kind, p in pooled.items()})


def _code_sets(items: Iterable[CodedItem]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for item in items:
        out[item.study_id].add(item.code)
    return out


@dataclass(frozen=True)
class Reconciled:
    """The final decision on (study, code), keeping both coders' originals.

    ``status``: agreed | resolved | unresolved. ``final`` is None when the code is dropped
    or still unresolved.
    """

    study_id: str
    code: str
    status: str
    final: CodedItem | None
    from_a: tuple[CodedItem, ...] = field(default=())
    from_b: tuple[CodedItem, ...] = field(default=())


Decision = bool | str  # keep (True) / drop (False) / keep with this effect direction


def reconcile(
    coder_a: Iterable[CodedItem],
    coder_b: Iterable[CodedItem],
    decisions: Mapping[tuple[str, str], Decision] | None = None,
    *,
    reviewer: str = "consensus",
) -> list[Reconciled]:
    """Final codes from two coders. Agreement (same code, same direction) is kept as is;
    disagreements take ``decisions[(study, code)]`` and stay ``unresolved`` without one."""
    decisions = decisions or {}
    by_a, by_b = _group(coder_a), _group(coder_b)
    out = []
    for key in sorted(set(by_a) | set(by_b)):
        a, b = tuple(by_a.get(key, ())), tuple(by_b.get(key, ()))
        base = (a or b)[0]
        directions = {i.direction for i in a + b}
        if a and b and len(directions) == 1:
            final = replace(base, reviewer=reviewer, note=_notes(a + b))
            out.append(Reconciled(*key, "agreed", final, a, b))
            continue
        if key not in decisions:
            out.append(Reconciled(*key, "unresolved", None, a, b))
            continue
        choice = decisions[key]
        if choice is False:
            out.append(Reconciled(*key, "resolved", None, a, b))
            continue
        direction = choice if isinstance(choice, str) else base.direction
        try:
            final = replace(base, reviewer=reviewer, direction=direction, note=_notes(a + b))
        except CodingError as exc:
            raise CodingError(f"decision for study {key[0]}, code {key[1]}: {exc}") from exc
        out.append(Reconciled(*key, "resolved", final, a, b))
    return out


def _group(items: Iterable[CodedItem]) -> dict[tuple[str, str], list[CodedItem]]:
    out: dict[tuple[str, str], list[CodedItem]] = defaultdict(list)
    for item in items:
        out[(item.study_id, item.code)].append(item)
    return out


def _notes(items: Sequence[CodedItem]) -> str:
    return " | ".join(dict.fromkeys(i.note for i in items if i.note))
