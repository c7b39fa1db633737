"""One local-mode SparkSession for the whole test run, or a skip saying what is missing."""

from __future__ import annotations

import atexit
import shutil
import tempfile

import pytest

_SESSION = None


def spark_session():
    """The test run's SparkSession (local[2]); skips when pyspark or Java is absent."""
    global _SESSION
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'logicmap[spark]'")
    pytest.importorskip("splink", reason="splink is not installed: pip install 'logicmap[splink]'")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for Spark (Debian: apt-get install openjdk-17-jre-headless)")
    if _SESSION is None:
        from logicmap.dedupe.splink_spark import local_session

        scratch = tempfile.mkdtemp(prefix="logicmap-spark-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        _SESSION = local_session(cores=2, memory="1g", scratch=scratch)
    return _SESSION
