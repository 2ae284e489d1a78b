"""A recipe run on Spark (local mode) writes exactly what the local batch writes, and resumes the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from vestis.studio.batch import run_recipe
from vestis.studio.recipes import Recipe, RecipeStep

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

NAVY = Recipe("navy", (RecipeStep("recolor", {"to": "navy"}),), "png")


def test_spark_run_matches_the_local_batch(tmp_path: Path) -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install vestis[spark])")
    from vestis.studio.spark import run_recipe_spark

    photos = tmp_path / "in"
    photos.mkdir()
    for index in range(10):
        image = Image.new("RGB", (48, 64), (238, 238, 236))
        image.paste((25 * index, 160, 60), (12, 12, 36, 52))
        image.save(photos / f"item{index:02d}.jpg")
    (photos / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n nothing else")

    local = run_recipe(NAVY, [photos], tmp_path / "local", workers=1, progress=False)
    (tmp_path / "spark").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "spark" / "item00.png")  # finished by an earlier run
    spark = run_recipe_spark(NAVY, [photos], tmp_path / "spark", master="local[2]")

    assert spark.skipped == [photos / "item00.jpg"]
    assert sorted(spark.done) == sorted(set(local.done) - {photos / "item00.jpg"})
    assert [(p.name, "broken.png" in m) for p, m in spark.failed] == [("broken.png", True)]
    for path in sorted((tmp_path / "local").glob("item0[1-9].png")):
        assert (tmp_path / "spark" / path.name).read_bytes() == path.read_bytes()
    assert not list((tmp_path / "spark").glob(".*"))  # no temporary files left
