"""Backend-agnostic splink model for the splink dedupe engine: input table, comparisons, rules.

Nothing here depends on a backend (duckdb is imported only to check the install,
so a missing extra fails early with the install hint). Comparisons and blocking rules are splink
*creators* (``comparison_library`` / ``block_on``), which splink renders into
the SQL dialect of whichever ``db_api`` the :class:`splink.Linker` is given, so
the same :func:`splink_settings` runs on DuckDB locally and on Spark::

    from splink import DuckDBAPI, Linker          # local
    db_api = DuckDBAPI()
    # db_api = splink_spark.spark_db_api(spark)()  # Spark (splink's Spark jar supplies
    #                                              # jaro_winkler; nothing else changes)
    linker = Linker(db_api.register(splink_frame(keys, rules)), splink_settings(rules, n))

The input table is built from :class:`~logicmap.dedupe.keys.DedupeKeys` (one row
per record, ``unique_id`` = record index), so both engines compare the same
cleaned values. Blocking columns ``block_0, block_1, ...`` hold the block keys of
the in-process engine's :class:`~logicmap.dedupe.blocking.BlockingRule` s, and the
splink rules are plain equality on those columns: the candidate pairs are the
in-process ones, except that a block over ``max_block`` records is cut into
overlapping chunks of its title order (:func:`cap_blocks`) where the in-process
engine slides a window: no block is ever compared all-against-all.

Every comparison level carries hand-set m/u *priors* (:data:`PRIORS`), so the
model is usable without training; u-sampling and EM overwrite them when the data
support it, and :func:`floor_m` keeps trained m values away from 0. Two choices
counter the independence assumption of Fellegi-Sunter: journal and volume form one
"venue" comparison (they agree together for any two papers in the same issue),
and a DOI shared by clearly different titles or different first pages (conference
supplement DOIs) is a level with fixed, equal m and u, i.e. no evidence, as in
:func:`~logicmap.dedupe.scoring.compare`.
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

try:
    import duckdb  # noqa: F401  (the local backend)
    import splink  # noqa: F401
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
except ImportError as exc:  # pragma: no cover - exercised by a test that hides splink
    raise ImportError(
        f"the splink dedupe engine needs splink and duckdb ({exc.name} is missing): "
        "pip install 'logicmap[splink]'"
    ) from exc

from logicmap.dedupe.blocking import BlockingRule
from logicmap.dedupe.keys import DedupeKeys

#: Input table columns compared by splink (journal and volume together as "venue").
COMPARED: tuple[str, ...] = (
    "title", "first_author", "year", "journal", "volume", "first_page", "doi", "pmid",
)  # fmt: skip

#: (m, u) priors per comparison, one pair per non-null level in level order.
PRIORS: dict[str, tuple[tuple[float, float], ...]] = {
    "title": ((0.88, 1e-5), (0.06, 1e-4), (0.03, 1e-3), (0.003, 0.01), (0.01, 0.9889)),
    "first_author": ((0.90, 0.005), (0.03, 0.002), (0.03, 0.01), (0.04, 0.983)),
    "year": ((0.88, 0.08), (0.10, 0.15), (0.02, 0.77)),
    "venue": ((0.75, 0.002), (0.05, 0.001), (0.10, 0.05), (0.04, 0.05), (0.06, 0.897)),
    "first_page": ((0.90, 0.003), (0.10, 0.997)),
    "doi": ((0.001, 0.001), (0.95, 1e-6), (0.04, 0.999998)),
    "pmid": ((0.97, 1e-6), (0.03, 0.999999)),
}
#: Trained m probabilities are kept at least this far from 0 (EM drives some to ~1e-50,
#: which would make one disagreeing field, e.g. a year typo, an absolute veto).
M_FLOOR = 0.01
#: A shared DOI on titles less similar than this (Jaro-Winkler) counts as no DOI evidence.
SHARED_DOI_TITLE_BELOW = 0.8
#: Levels whose m and u are fixed (never trained): (comparison, level index without null).
FIXED_LEVELS = {("doi", 0)}
#: Prior expected number of true duplicate pairs per record (sets λ from the input size).
DUPLICATE_PAIRS_PER_RECORD = 1.0
#: EM training rules: each leaves the comparisons it does not block on to be estimated.
TRAINING_RULES = (block_on("title_compact"), block_on("first_author", "year"))


def _null(col: str) -> cll.NullLevel:
    return cll.NullLevel(col)


def _comparisons() -> dict[str, list[Any]]:
    """The levels of every comparison (null level first), without m/u."""
    return {
        "title": [
            _null("title_compact"),
            cll.ExactMatchLevel("title_compact"),
            cll.JaroWinklerLevel("title", 0.97),
            cll.JaroWinklerLevel("title", 0.92),
            cll.JaroWinklerLevel("title", 0.85),
            cll.ElseLevel(),
        ],
        "first_author": [
            _null("first_author"),
            cll.ExactMatchLevel("first_author"),
            cll.LevenshteinLevel("first_author", 1),
            cll.JaroWinklerLevel("first_author", 0.88),
            cll.ElseLevel(),
        ],
        "year": [
            _null("year"),
            cll.ExactMatchLevel("year"),
            cll.AbsoluteDifferenceLevel("year", 1),
            cll.ElseLevel(),
        ],
        "venue": [  # journal and volume in one comparison: they agree or differ together
            _null("journal"),
            cll.And(cll.ExactMatchLevel("journal"), cll.ExactMatchLevel("volume")),
            cll.And(cll.JaroWinklerLevel("journal", 0.85), cll.ExactMatchLevel("volume")),
            cll.ExactMatchLevel("journal"),
            cll.JaroWinklerLevel("journal", 0.85),
            cll.ElseLevel(),
        ],
        "first_page": [_null("first_page"), cll.ExactMatchLevel("first_page"), cll.ElseLevel()],
        "doi": [  # a DOI shared by different items (supplement DOIs) is no evidence: fixed level
            _null("doi"),
            cll.And(
                cll.ExactMatchLevel("doi"),
                cll.Or(
                    cll.Not(cll.ExactMatchLevel("first_page")),
                    cll.Not(cll.JaroWinklerLevel("title", SHARED_DOI_TITLE_BELOW)),
                ),
            ),
            cll.ExactMatchLevel("doi"),
            cll.ElseLevel(),
        ],
        "pmid": [_null("pmid"), cll.ExactMatchLevel("pmid"), cll.ElseLevel()],
    }


def comparisons(priors_by_name: dict[str, Sequence[tuple[float, float]]] | None = None) -> list[cl.CustomComparison]:
    """Splink comparisons for :data:`COMPARED`, each level configured with its (m, u) from
    ``priors_by_name`` (default :data:`PRIORS`; a trained model's: :func:`model_priors`)."""
    out = []
    for name, levels in _comparisons().items():
        priors = (priors_by_name or PRIORS)[name]
        if len(priors) != len(levels) - 1:
            raise ValueError(f"PRIORS[{name!r}] needs {len(levels) - 1} (m, u) pairs")
        configured = [levels[0]]
        for n, (level, (m, u)) in enumerate(zip(levels[1:], priors)):
            fixed = (name, n) in FIXED_LEVELS
            configured.append(
                level.configure(
                    m_probability=m, u_probability=u, fix_m_probability=fixed, fix_u_probability=fixed
                )
            )
        out.append(cl.CustomComparison(configured, output_column_name=name))
    return out


def prediction_rules(rules: Sequence[BlockingRule]) -> list[Any]:
    """Two splink rules per engine blocking rule: equality on its ``block_<n>`` column, then
    on ``block_<n>_shift`` (set only in capped blocks; see :func:`cap_blocks`)."""
    return [block_on(f"block_{n}{part}") for n in range(len(rules)) for part in ("", "_shift")]


def prior_match_probability(records: int) -> float:
    """λ, the prior that two random records match, from :data:`DUPLICATE_PAIRS_PER_RECORD`."""
    if records < 2:
        return 0.5
    return min(0.5, 2.0 * DUPLICATE_PAIRS_PER_RECORD / (records - 1))


def splink_settings(
    rules: Sequence[BlockingRule], records: int, trained: dict[str, Any] | None = None
) -> SettingsCreator:
    """The splink model (dedupe_only) for ``records`` rows blocked on ``rules``; backend-agnostic.

    With ``trained`` (a model dict from ``save_model_to_json``, on any backend) its
    m, u and λ replace the priors: the dict itself holds SQL of the backend it was
    trained on, these creators render for whichever backend runs them."""
    match = prior_match_probability(records)
    if trained is not None:
        match = trained["probability_two_random_records_match"]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(None if trained is None else model_priors(trained)),
        blocking_rules_to_generate_predictions=prediction_rules(rules),
        probability_two_random_records_match=match,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def model_priors(model: dict[str, Any]) -> dict[str, tuple[tuple[float, float], ...]]:
    """The (m, u) of every non-null level of a model dict, by comparison, as in :data:`PRIORS`."""
    return {
        comparison["output_column_name"]: tuple(
            (level["m_probability"], level["u_probability"])
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
        )
        for comparison in model["comparisons"]
    }


def floor_m(model: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """A trained model dict (from ``save_model_to_json``) with every trained m ≥ ``floor``."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("fix_m_probability"):
                continue
            if level.get("m_probability") is not None and level["m_probability"] < floor:
                level["m_probability"] = floor
    return model


def splink_frame(
    keys: Sequence[DedupeKeys], rules: Sequence[BlockingRule], *, max_block: int = 40, window: int = 12
) -> pd.DataFrame:
    """One row per record (``unique_id`` = index): compared values and block keys, None = missing.

    Blocks larger than ``max_block`` are capped by :func:`cap_blocks`."""
    rows = []
    for index, k in enumerate(keys):
        page = None if k.pages_unreliable else (k.page_digits or k.first_page or None)
        row = {
            "unique_id": index,
            "title": k.title or None,
            "title_compact": k.compact or None,
            "first_author": k.first_author or None,
            "year": k.year,
            "journal": " ".join(k.journal) or None,
            "volume": k.volume or None,
            "first_page": page,
            "doi": k.doi or None,
            "pmid": k.pmid or None,
        }
        for n, rule in enumerate(rules):
            row[f"block_{n}"] = rule.key(k) or None
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_columns(rules))
    text = [c for c in frame.columns if c not in ("unique_id", "year")]
    frame[text] = frame[text].astype(object)
    frame["year"] = frame["year"].astype("Int64")
    for n, rule in enumerate(rules):
        cap, width = rule.limits(max_block, window) if isinstance(rule, BlockingRule) else (max_block, window)
        frame[f"block_{n}"], frame[f"block_{n}_shift"] = cap_blocks(frame, f"block_{n}", cap, width)
    return frame


def cap_blocks(frame: pd.DataFrame, column: str, max_block: int, window: int) -> tuple[pd.Series, pd.Series]:
    """Block keys of ``column`` with every block over ``max_block`` records cut into chunks.

    The splink counterpart of the in-process sorted neighbourhood: an oversized
    block is sorted by ``title_compact`` (then ``unique_id``) and its records at
    sorted position ``r`` get the key ``<key>#a<r // 2w>`` in ``column`` and
    ``<key>#b<(r + w) // 2w>`` in the shift column (``w`` = ``window``). Any two
    records at most ``w`` apart in that order share a chunk of one of the two
    chunkings (their boundaries alternate ``w`` apart), so every pair the
    in-process engine compares in the block is compared here too, and each record
    has at most ``2(2w - 1)`` partners from the block instead of the whole block.
    Returns ``(keys, shift keys)``; the shift key is None outside oversized blocks.
    The same window functions (``count``/``row_number`` over the key) do this in SQL.
    """
    keys = frame[column].astype(object)
    shift = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    sizes = keys.map(keys.value_counts())
    big = keys.notna() & (sizes > max_block)
    if not big.any():
        return keys, shift
    width = 2 * window
    part = frame.loc[big, ["unique_id"]].assign(key=keys[big], title=frame.title_compact[big].fillna(""))
    rank = part.sort_values(["key", "title", "unique_id"]).groupby("key", sort=False).cumcount()
    keys = keys.copy()
    keys[rank.index] = part.key[rank.index] + "#a" + (rank // width).astype(str)
    shift[rank.index] = part.key[rank.index] + "#b" + ((rank + window) // width).astype(str)
    return keys, shift


def _columns(rules: Sequence[BlockingRule]) -> list[str]:
    base = ["unique_id", "title", "title_compact", *COMPARED[1:]]
    return base + [f"block_{n}" for n in range(len(rules))]
