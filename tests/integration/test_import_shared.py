"""The MovieLens and H&M importers on the real data sets in ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.unit.test_import_support import counts, run
from vestis.catalog.db import session_factory
from vestis.catalog.images import product_image_file
from vestis.catalog.models import Product
from vestis.data.hm import import_hm
from vestis.data.movielens import import_movielens


@pytest.mark.parametrize(
    ("folder", "movies", "ratings"),
    [("movielens-latest-small", 9_742, 100_836), ("movielens-100k", 1_682, 100_000)],
)
def test_movielens_imports_every_movie_and_rating(
    engine: Engine, shared_data: Path, folder: str, movies: int, ratings: int
) -> None:
    report = run(engine, import_movielens, shared_data / folder)

    assert report.errors == [] and report.rows_read == movies + ratings
    assert counts(engine) == {"products": movies, "customers": 0, "events": ratings, "size_charts": 0}


def test_hm_head_imports_articles_customers_and_purchases(
    engine: Engine, shared_data: Path, tmp_path: Path
) -> None:
    report = run(engine, import_hm, shared_data / "hm-head", images_dir=tmp_path / "images")

    assert report.errors == [] and report.rows_read == 4_903 + 10_000 + 10_000
    # 965 of the 10,000 transactions repeat a (customer, article, day) already seen that day.
    assert report.rows_ignored == 965
    assert counts(engine) == {"products": 4_903, "customers": 10_000, "events": 9_035, "size_charts": 0}


@pytest.mark.slow
def test_hm_articles_images_stores_the_photos(engine: Engine, shared_data: Path, tmp_path: Path) -> None:
    images = tmp_path / "images"
    report = run(engine, import_hm, shared_data / "hm-articles-images", images_dir=images)

    assert report.errors == []
    assert counts(engine)["products"] == 11_800 and counts(engine)["customers"] == 12_737
    with session_factory(engine)() as session:
        paths = session.scalars(select(Product.image_path).where(Product.image_path.is_not(None))).all()
    assert len(paths) == 1_500
    assert all(product_image_file(images, path) is not None for path in paths)
