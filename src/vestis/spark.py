"""The one Spark session of the project, for the work that outgrows one machine.

Recommender training (:mod:`vestis.recommend.spark`) and studio batches
(:mod:`vestis.studio.spark`) run on it. Spark runs in local mode (``local[*]``) unless a
cluster URL is given; it is kept quiet (log level WARN) and small (2 GB driver, 4 shuffle
partitions), and checkpoints go to a temporary folder so iterative jobs do not overflow the
JVM's stack. pyspark is an optional dependency (``pip install vestis[spark]``), imported
only when a session starts.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = ["SPARK_CONFIG", "spark_session"]

SPARK_CONFIG = {
    "spark.driver.memory": "2g",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}
"""Spark settings of every session: a small driver, few partitions, no UI."""


@contextmanager
def spark_session(master: str | None = None, config: Mapping[str, str] = SPARK_CONFIG) -> Iterator[Any]:
    """A quiet Spark session on ``master`` (default ``local[*]``); stopped afterwards if this call started it."""
    from pyspark.sql import SparkSession

    if master is None or master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode stays on loopback
    existing = SparkSession.getActiveSession()
    builder = SparkSession.builder.master(master or "local[*]").appName("vestis")
    for key, value in config.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    with tempfile.TemporaryDirectory(prefix="vestis-spark-checkpoints-") as checkpoints:
        # Without checkpoints, ALS's lineage grows with every iteration until the JVM overflows its stack.
        if not spark.sparkContext.getCheckpointDir():
            spark.sparkContext.setCheckpointDir(checkpoints)
        try:
            yield spark
        finally:
            if existing is None:
                spark.stop()
