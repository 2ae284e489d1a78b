"""Where evaluation and training data come from: the store, or a public data set's files.

Public data sets go through the regular importers into a temporary catalog, so there is
one parser per format; ``load_dataset("movielens:DIR")`` therefore accepts exactly what
``vestis import movielens DIR`` accepts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from vestis.catalog.db import make_engine, session_factory, transaction, upgrade
from vestis.catalog.models import Event, Product
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions


@dataclass(frozen=True)
class Dataset:
    """Interactions plus the item catalog they refer to."""

    name: str
    interactions: Interactions
    items: ItemCatalog


def load_dataset(spec: str, *, engine: Engine | None = None, images_dir: Path | None = None) -> Dataset:
    """``store`` (the configured catalog), ``movielens:DIR``, ``hm:DIR`` or ``demo:DIR``.

    For ``store``, ``images_dir`` is where the catalog keeps its images. For files, product
    photos are validated and copied into ``images_dir`` when it is given (visual models need
    them) and skipped into a scratch folder otherwise.
    """
    kind, _, location = spec.partition(":")
    if kind == "store":
        if engine is None:
            raise ValueError("the 'store' data set needs a catalog engine")
        return from_engine(engine, name="store", images_dir=images_dir)
    loaders: dict[str, Callable[[Session, Path, Path], object]] = {
        "movielens": _import_movielens,
        "hm": _import_hm,
        "demo": _import_demo,
    }
    if kind not in loaders or not location:
        raise ValueError(f"unknown data set {spec!r}; expected store, movielens:DIR, hm:DIR or demo:DIR")
    directory = Path(location)
    if not directory.is_dir():
        raise ValueError(f"{spec}: {directory} is not a folder")
    with tempfile.TemporaryDirectory(prefix="vestis-dataset-") as scratch:
        temporary = make_engine(f"sqlite:///{Path(scratch) / 'catalog.db'}")
        upgrade(temporary)
        images = images_dir or Path(scratch) / "images"
        with transaction(temporary) as session:
            loaders[kind](session, directory, images)
        dataset = from_engine(temporary, name=f"{kind}:{directory.name}", images_dir=images_dir)
        temporary.dispose()
    return dataset


def from_engine(engine: Engine, *, name: str, images_dir: Path | None) -> Dataset:
    """Every event and product of a catalog database."""
    columns = [Event.user_id, Event.item_id, Event.timestamp, Event.event_type, Event.value]
    with engine.connect() as connection:
        frame = pd.read_sql(select(*columns), connection)
    if frame.empty:
        raise ValueError(f"{name}: the catalog holds no events to learn from")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    with session_factory(engine)() as session:
        items = ItemCatalog.from_products(session.scalars(select(Product)), images_dir=images_dir)
    return Dataset(name, Interactions.from_frame(frame), items)


def _import_movielens(session: Session, directory: Path, _images: Path) -> None:
    from vestis.data.movielens import import_movielens

    import_movielens(session, directory, progress=False)


def _import_hm(session: Session, directory: Path, images: Path) -> None:
    from vestis.data.hm import import_hm

    import_hm(session, directory, images_dir=images, progress=False)


def _import_demo(session: Session, directory: Path, images: Path) -> None:
    from vestis.data.demo import load_demo

    load_demo(session, directory, images_dir=images, progress=False)
