"""Dedupe engines by name: ``inprocess`` (the default) and ``splink`` (optional dependency).

The splink engine module imports splink and DuckDB when loaded, so it is loaded
only when asked for by name: ``logicmap`` works without them installed.
"""

from __future__ import annotations

from logicmap.dedupe.engine import DedupeEngine, InProcessEngine
from logicmap.errors import DedupeError

ENGINES = ("inprocess", "splink")


def make_engine(name: str) -> DedupeEngine:
    """The engine called ``name`` ("inprocess" or "splink")."""
    if name == "inprocess":
        return InProcessEngine()
    if name == "splink":
        from logicmap.dedupe.splink_engine import SplinkEngine  # optional dependency, not a cycle

        return SplinkEngine()
    raise DedupeError(f"unknown dedupe engine {name!r}; choose inprocess or splink")


def engine_name(engine: DedupeEngine) -> str:
    """The name a run records for ``engine``."""
    return getattr(engine, "name", type(engine).__name__)


def spark_engine(spark, *, train_in_duckdb: bool = True, **options) -> DedupeEngine:
    """The splink engine predicting on ``spark`` (a SparkSession, local or on a cluster).

    ``train_in_duckdb`` (default) trains the model in a local DuckDB, which gives the
    DuckDB engine's scores exactly; False trains on Spark too (u-sampling then draws
    other random pairs). ``options`` go to :class:`~logicmap.dedupe.splink_engine.SplinkEngine`.
    Needs the ``[splink,spark]`` extras and Java.
    """
    from logicmap.dedupe.splink_engine import SplinkEngine, duckdb_api  # optional dependencies
    from logicmap.dedupe.splink_spark import spark_db_api

    return SplinkEngine(db_api=spark_db_api(spark), train_api=duckdb_api if train_in_duckdb else None, **options)


def local_spark(**options):
    """A local-mode SparkSession for the splink engine (see :func:`~logicmap.dedupe.splink_spark.local_session`)."""
    from logicmap.dedupe.splink_spark import local_session  # optional dependency

    return local_session(**options)
