"""Run a recipe over a catalog's images on Apache Spark, with the same outputs as a local batch.

The batch is planned on the driver exactly as :func:`vestis.studio.batch.run_recipe` plans
it (same output names, same skipping of finished outputs, same sweep of temporary files);
the jobs are then spread over Spark partitions and each executor runs
:func:`vestis.studio.batch.process_image`, which writes each output atomically. Executors
therefore need the input and output folders at the same paths (one machine in local mode,
a shared file system on a cluster) and vestis installed for the driver's Python. Only a small (input, error) row per image comes back
to the driver, never the pixels.

pyspark is an optional dependency (``pip install vestis[spark]``), imported when a run starts;
the session is the project's :func:`vestis.spark.spark_session`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from vestis.studio.batch import BatchReport, Job, plan_batch, process_image
from vestis.studio.recipes import Recipe

__all__ = ["run_recipe_spark"]

IMAGES_PER_PARTITION = 8
"""Partition size: small enough to balance the cores, large enough to amortise the step imports."""


def run_recipe_spark(
    recipe: Recipe,
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    *,
    master: str | None = None,
    overwrite: bool = False,
) -> BatchReport:
    """Apply ``recipe`` to every image in ``inputs`` on Spark (``master``, default ``local[*]``).

    Same inputs, outputs and report as :func:`vestis.studio.batch.run_recipe`; Spark's own
    progress is the progress display.
    """
    from vestis.spark import spark_session

    jobs, report = plan_batch(recipe, inputs, out_dir, overwrite=overwrite)
    if not jobs:
        return report
    # Python workers must run this interpreter, the one that has vestis and the step libraries.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with spark_session(master) as spark:
        pairs = [(str(job.source), str(job.target)) for job in jobs]
        slices = max(
            1,
            min(
                len(pairs), -(-len(pairs) // IMAGES_PER_PARTITION), spark.sparkContext.defaultParallelism * 4
            ),
        )
        rows = (
            spark.sparkContext.parallelize(pairs, slices).mapPartitions(_partition_runner(recipe)).collect()
        )
    for source, error in rows:
        if error is None:
            report.done.append(Path(source))
        else:
            report.failed.append((Path(source), error))
    return report


def _partition_runner(recipe: Recipe):  # type: ignore[no-untyped-def]
    """The function each partition runs: the recipe travels inside its closure."""

    def run(pairs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str | None]]:
        for source, target in pairs:
            yield source, process_image(recipe, Job(Path(source), Path(target)))

    return run
