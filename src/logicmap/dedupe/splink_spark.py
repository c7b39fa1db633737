"""The splink dedupe engine on Spark: a session for local mode and a typed splink backend.

Install with ``pip install 'logicmap[splink,spark]'`` (pyspark) and a Java 17 runtime
(Debian: ``openjdk-17-jre-headless``). Nothing else in the engine changes: the
settings of :mod:`~logicmap.dedupe.splink_settings` are splink creators that
render into Spark SQL, and splink's Spark jar supplies ``jaro_winkler``::

    from logicmap.dedupe.splink_spark import spark_db_api, local_session
    spark = local_session()                       # or the cluster's session
    engine = SplinkEngine(db_api=spark_db_api(spark))

:class:`TypedSparkAPI` registers the engine's pandas input with an explicit schema
(``unique_id`` and ``year`` as longs, every other column a string): Spark cannot
infer the type of a column that is missing in every record (e.g. no record has a
PMID), where DuckDB can.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

try:
    import pyspark  # noqa: F401
    from pyspark.sql import SparkSession
    from pyspark.sql.types import LongType, StringType, StructField, StructType
    from splink import SparkAPI
    from splink.internals.spark.jar_location import similarity_jar_location
except ImportError as exc:  # pragma: no cover - exercised when pyspark is absent
    raise ImportError(
        f"the splink engine on Spark needs pyspark ({exc.name} is missing): "
        "pip install 'logicmap[splink,spark]' (and a Java 17 runtime)"
    ) from exc

import pandas as pd

#: Integer columns of :func:`~logicmap.dedupe.splink_settings.splink_frame`; the rest are strings.
LONG_COLUMNS = frozenset({"unique_id", "year"})


def frame_schema(frame: pd.DataFrame) -> StructType:
    """The Spark schema of an engine input frame: longs for ids and years, strings otherwise."""
    return StructType(
        [StructField(c, LongType() if c in LONG_COLUMNS else StringType(), True) for c in frame.columns]
    )


def spark_rows(frame: pd.DataFrame) -> list[tuple]:
    """The frame's rows as plain Python tuples (pandas NA and NaN as ``None``)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [tuple(None if v is None else (int(v) if c in LONG_COLUMNS else str(v))
                  for c, v in zip(frame.columns, row)) for row in clean.itertuples(index=False)]


class TypedSparkAPI(SparkAPI):
    """splink's :class:`SparkAPI` that turns a pandas input into a typed Spark DataFrame first."""

    def register(self, table: Any, **kwargs: Any) -> Any:  # noqa: D102 - as SparkAPI.register
        if isinstance(table, pd.DataFrame):
            table = self.spark.createDataFrame(spark_rows(table), schema=frame_schema(table))
        return super().register(table, **kwargs)


def spark_db_api(spark: SparkSession, **options: Any) -> Callable[[], TypedSparkAPI]:
    """A ``db_api`` factory for :class:`~logicmap.dedupe.splink_engine.SplinkEngine` on ``spark``.

    ``options`` go to :class:`splink.SparkAPI` (e.g. ``num_partitions_on_repartition``);
    intermediate tables are persisted in memory unless ``break_lineage_method`` says
    otherwise (splink's parquet default took twice as long on the labelled set).
    """
    options.setdefault("break_lineage_method", "persist")
    return lambda: TypedSparkAPI(spark_session=spark, **options)


def local_session(*, cores: int = 2, memory: str = "2g", scratch: str | Path | None = None) -> SparkSession:
    """A local-mode SparkSession with splink's similarity jar, sized for one small machine.

    Python workers run this interpreter (``$PYSPARK_PYTHON`` if set). Few shuffle
    partitions (the default 200 makes every small join slow), no web UI,
    and ``scratch`` (default: ``$LOGICMAP_SPARK_SCRATCH`` or Spark's own) for spill
    and checkpoints.
    """
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("logicmap")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(2 * cores))
        .config("spark.default.parallelism", str(2 * cores))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", memory)
        .config("spark.sql.session.timeZone", "UTC")
    )
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers: this interpreter
    scratch = scratch or os.environ.get("LOGICMAP_SPARK_SCRATCH")
    if scratch:
        builder = builder.config("spark.local.dir", str(scratch))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if scratch:
        spark.sparkContext.setCheckpointDir(str(Path(scratch) / "checkpoints"))
    return spark
