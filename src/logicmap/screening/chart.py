"""Recall-curve chart of a simulation (Altair; SVG and PNG through vl-convert).

The chart shows recall against records screened for the engine, for random
screening (the expected diagonal) and for the best possible order (every
relevant record first).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from logicmap.screening.metrics import recall_curve

#: Most points drawn per line (long curves are thinned evenly, keeping the ends).
MAX_POINTS = 600


def _thin(n: int) -> np.ndarray:
    if n <= MAX_POINTS:
        return np.arange(1, n + 1)
    return np.unique(np.linspace(1, n, MAX_POINTS).round().astype(int))


def curve_rows(ordered_labels: Sequence[int], *, n_total: int | None = None) -> list[dict]:
    """Rows ``{screened, recall, order}`` for the engine, random and best orders."""
    labels = np.asarray(ordered_labels, dtype=np.int64)
    n = labels.size if n_total is None else int(n_total)
    r = int(labels.sum())
    engine = recall_curve(labels, n_total=n)
    steps = _thin(n)
    rows = []
    for k in steps:
        rows.append({"screened": int(k), "recall": float(engine[k - 1]), "order": "engine"})
        rows.append({"screened": int(k), "recall": k / n, "order": "random (expected)"})
        rows.append({"screened": int(k), "recall": min(k / r, 1.0), "order": "best possible"})
    return [{"screened": 0, "recall": 0.0, "order": o}
            for o in ("engine", "random (expected)", "best possible")] + rows


def recall_chart(ordered_labels: Sequence[int], *, title: str = "Recall curve",
                 n_total: int | None = None):
    """An Altair line chart of the recall curves (needs ``altair``)."""
    import altair as alt

    data = alt.Data(values=curve_rows(ordered_labels, n_total=n_total))
    return (
        alt.Chart(data, title=title)
        .mark_line()
        .encode(
            x=alt.X("screened:Q", title="Records screened"),
            y=alt.Y("recall:Q", title="Recall", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("order:N", title=None,
                            sort=["engine", "best possible", "random (expected)"]),
            strokeDash=alt.StrokeDash(
                "order:N", legend=None,
                scale=alt.Scale(domain=["engine", "best possible", "random (expected)"],
                                range=[[1, 0], [6, 3], [2, 2]]),
            ),
        )
        .properties(width=480, height=320)
    )


def save_recall_chart(ordered_labels: Sequence[int], directory: Path, *, stem: str = "recall_curve",
                      title: str = "Recall curve", n_total: int | None = None) -> list[Path]:
    """Write ``stem.svg`` and ``stem.png`` into ``directory``; return their paths."""
    import vl_convert as vlc

    spec = recall_chart(ordered_labels, title=title, n_total=n_total).to_json()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    svg, png = directory / f"{stem}.svg", directory / f"{stem}.png"
    svg.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    png.write_bytes(vlc.vegalite_to_png(spec, scale=2))
    return [svg, png]
