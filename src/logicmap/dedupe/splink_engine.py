"""An optional dedupe engine on splink (DuckDB locally; the same model runs on Spark).

Install with ``pip install 'logicmap[splink]'``; without splink and duckdb,
importing this module raises an :class:`ImportError` saying so.

How a run goes (:meth:`SplinkEngine.find_duplicates`):

1. keys: :func:`~logicmap.dedupe.keys.dedupe_keys` per record, turned into a
   table by :func:`~logicmap.dedupe.splink_settings.splink_frame`;
2. model: :func:`~logicmap.dedupe.splink_settings.splink_settings` (comparisons on
   title, first author, year, journal + volume, first page, DOI and PMID; blocking
   on the block keys of ``settings.rules``, as in-process), with hand-set m/u priors;
3. training, from ``train_min_records`` (200) records: u from
   ``estimate_u_using_random_sampling`` (seeded), then m by expectation
   maximisation on :data:`~logicmap.dedupe.splink_settings.TRAINING_RULES`, with
   m floored at :data:`~logicmap.dedupe.splink_settings.M_FLOOR`. On smaller
   inputs the hand-set priors are the model (among 20 records, random pairs are
   often duplicates, which spoils u, and EM has a handful of pairs); when EM
   fails, the m priors stand;
4. prediction: splink's blocked pairs, filtered to pairs touching a ``new``
   index in incremental mode, are scored; ``match_probability`` is the score;
5. guards: each pair scoring at least ``review_from`` (every pair with
   ``keep_distinct``) is also run through :func:`~logicmap.dedupe.scoring.compare`,
   whose explanation, guards and veto the pair takes over, so reviewers see the
   same explanations from both engines. **Score choice:** the splink probability,
   except that when compare's guards fired the score is
   ``min(splink probability, compare score)``: a hard guard caps it at
   ``GUARD_CAP`` (and vetoes), a soft one at ``SOFT_CAP``, exactly as in-process;
6. clusters: :func:`~logicmap.dedupe.clustering.cluster_pairs`, i.e. the same
   chaining guard. Its anchor check looks up the pair's splink-based comparison
   and, for a pair splink did not block together, falls back to ``compare``.

Differences from the in-process engine: a block over ``max_block`` records is cut
into overlapping chunks of its title order
(:func:`~logicmap.dedupe.splink_settings.cap_blocks`) rather than walked with a
window (so there are somewhat more candidate pairs, still linear in the block),
and a pair splink scores below ``review_from`` is not run through ``compare``, so
a guard-vetoed pair is reported only when splink scored it high.

Running on Spark: pass ``db_api=spark_db_api(spark)`` (from
:mod:`~logicmap.dedupe.splink_spark`); the settings and blocking rules are splink
creators rendered per dialect, so that argument is the only switch. ``train_api``
(e.g. :func:`duckdb_api`) trains the model on another backend: u-sampling draws
its random pairs with each backend's own random functions, so only a model
trained on the same backend reproduces another run's probabilities exactly;
training in local DuckDB and predicting on Spark gives the DuckDB engine's scores
and clusters. Rounding probabilities to 6 decimals and a single-threaded
DuckDB connection keep the result deterministic for a given input and seed
(pass ``db_api=lambda: DuckDBAPI()`` for all cores). Splink's logger is set to
ERROR on import unless the application set its level: it warns about every level
it cannot train (e.g. PMID when no record has one).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Callable, Collection, Sequence

import pandas as pd

# Imported before splink itself: without splink/duckdb this raises the install hint.
from logicmap.dedupe.splink_settings import TRAINING_RULES, floor_m, splink_frame, splink_settings

import duckdb  # isort: skip
from splink import DuckDBAPI, Linker  # isort: skip

from logicmap.dedupe.clustering import ScoredPair, cluster_pairs
from logicmap.dedupe.engine import DedupeResult, DedupeSettings, decide_pairs
from logicmap.dedupe.keys import DedupeKeys, dedupe_keys
from logicmap.dedupe.scoring import PairComparison, compare
from logicmap.records.record import Record

#: The note added to a duplicate pair whose merge the chaining guard refused (as in-process).
log = logging.getLogger(__name__)
if logging.getLogger("splink").level == logging.NOTSET:  # splink warns per untrainable level
    logging.getLogger("splink").setLevel(logging.ERROR)  # (e.g. no PMIDs); keep user settings


def duckdb_api() -> Any:
    """A fresh in-memory, single-threaded DuckDB backend (single thread: reproducible sums)."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET threads TO 1")
    return DuckDBAPI(connection=connection)


class SplinkEngine:
    """Fellegi-Sunter dedupe with splink, behind the :class:`DedupeEngine` interface.

    ``seed`` seeds u-sampling; ``db_api`` makes a fresh splink backend per run
    (default: :func:`duckdb_api`); ``train_api`` the backend the model is trained on
    (default: ``db_api``); ``train_min_records`` is the input size from
    which u and m are trained (below it, random pairs are too often duplicates for
    u, and EM has too few pairs: the priors are used); ``max_u_pairs`` caps the
    pairs sampled for u.
    """

    name = "splink"

    def __init__(
        self,
        *,
        seed: int = 42,
        db_api: Callable[[], Any] | None = None,
        train_api: Callable[[], Any] | None = None,
        train_min_records: int = 200,
        max_u_pairs: float = 2e5,
    ) -> None:
        self.seed = seed
        self.db_api = db_api or duckdb_api
        self.train_api = train_api
        self.train_min_records = train_min_records
        self.max_u_pairs = max_u_pairs
        self.training = ""  # how the last run's model was set: "priors", "u" or "u+em"

    def find_duplicates(
        self,
        records: Sequence[Record],
        *,
        settings: DedupeSettings,
        new: Collection[int] | None = None,
    ) -> DedupeResult:
        """See :class:`~logicmap.dedupe.engine.DedupeEngine`; deterministic for a given input and seed."""
        if new is not None:
            bad = [i for i in new if not 0 <= i < len(records)]
            if bad:
                raise IndexError(f"new record indexes out of range: {bad[:5]}")
        keys = [dedupe_keys(r) for r in records]
        if len(keys) < 2 or (new is not None and not new):
            return DedupeResult()
        probabilities = self.predict(keys, settings, new)
        return _decide(keys, probabilities, settings)

    def predict(
        self, keys: Sequence[DedupeKeys], settings: DedupeSettings, new: Collection[int] | None = None
    ) -> dict[tuple[int, int], float]:
        """Splink's match probability (6 decimals) for every blocked pair ``(i, j)``, ``i < j``."""
        frame = splink_frame(keys, settings.rules, max_block=settings.max_block, window=settings.window)
        db_api = self.db_api()
        table = db_api.register(frame)
        training = table if self.train_api is None else self.train_api().register(frame)
        model = floor_m(self.train(training, settings, len(keys)))
        linker = Linker(table, splink_settings(settings.rules, len(keys), model), log_level=None)
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        if new is not None:
            linker.table_management.register_blocked_pairs_for_predict(
                _touching_new(linker, db_api, blocked.physical_name, new)
            )
        frame = linker.inference.predict(warning_mode="never").as_pandas_dataframe()
        out: dict[tuple[int, int], float] = {}
        for a, b, p in zip(frame["unique_id_l"], frame["unique_id_r"], frame["match_probability"]):
            i, j = (int(a), int(b)) if a < b else (int(b), int(a))
            out[(i, j)] = round(float(p), 6)
        return dict(sorted(out.items()))

    def train(self, table: Any, settings: DedupeSettings, size: int) -> dict[str, Any]:
        """The model dict for ``table``: priors, then u by seeded sampling and m by EM.

        Inputs under ``train_min_records`` keep the priors. An EM step that fails
        (splink refuses an m of exactly 0 on sparse data) is skipped and the model
        from before it kept: a failed session can leave a linker's settings half
        updated, so the model travels as a dict and each step gets a fresh linker.
        """
        linker = Linker(table, splink_settings(settings.rules, size), log_level=None)
        self.training = "priors"
        if size < self.train_min_records:
            return linker.misc.save_model_to_json()
        linker.training.estimate_u_using_random_sampling(max_pairs=self.max_u_pairs, seed=self.seed)
        model = linker.misc.save_model_to_json()
        self.training = "u"
        for rule in TRAINING_RULES:
            linker = Linker(table, model, log_level=None)
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
            except Exception as exc:  # noqa: BLE001 - keep the model from before this step
                log.warning("splink EM step skipped (%s)", exc)
                continue
            model = linker.misc.save_model_to_json()
            self.training = "u+em"
        return model


def _touching_new(linker: Any, db_api: Any, blocked: str, new: Collection[int]) -> Any:
    """Splink's blocked pairs restricted to pairs with at least one ``new`` record."""
    ids = db_api.register(pd.DataFrame({"unique_id": sorted({int(i) for i in new})}))
    sql = (
        f"select * from {blocked} where join_key_l in (select unique_id from {ids.physical_name})"
        f" or join_key_r in (select unique_id from {ids.physical_name})"
    )
    return linker.misc.query_sql(sql)


def _decide(
    keys: Sequence[DedupeKeys], probabilities: dict[tuple[int, int], float], settings: DedupeSettings
) -> DedupeResult:
    """Guards, thresholds and guarded clustering over splink's scored pairs."""
    kept: dict[tuple[int, int], PairComparison] = {}
    seen: dict[tuple[int, int], PairComparison] = {}
    scored: list[ScoredPair] = []
    for (i, j), p in probabilities.items():
        if p >= settings.review_from or settings.keep_distinct:
            comparison = guarded(p, compare(keys[i], keys[j]))
            kept[(i, j)] = seen[(i, j)] = comparison
        else:
            seen[(i, j)] = PairComparison(p)
        score, veto = seen[(i, j)].score, seen[(i, j)].veto
        if veto or score >= settings.merge_at or score < settings.cannot_link_below:
            scored.append(ScoredPair(i, j, score, veto))

    def lookup(i: int, j: int) -> PairComparison:
        found = seen.get((i, j))
        return found if found is not None else compare(keys[i], keys[j])

    clusters, refused = cluster_pairs(
        scored, merge_at=settings.merge_at, cannot_link_below=settings.cannot_link_below, compare=lookup
    )
    return decide_pairs(kept, refused, clusters, len(probabilities), settings)


def guarded(probability: float, comparison: PairComparison) -> PairComparison:
    """``comparison`` (explanation, guards, veto) carrying the splink score.

    The score is the splink probability, or ``min(probability, comparison.score)``
    when a guard fired, so a guarded pair scores as low as in-process.
    """
    score = min(probability, comparison.score) if comparison.guards else probability
    return replace(comparison, score=round(score, 6))
