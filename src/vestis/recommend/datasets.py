"""Where evaluation and training data come from: the store, or a public data set's files.

Public data sets go through the regular importers into a temporary catalog, so there is
one parser per format; ``load_dataset("movielens:DIR")`` therefore accepts exactly what
``vestis import movielens DIR`` accepts (``events:FILE`` what ``vestis import events FILE``
does, ``fit-feedback:FILE`` what ``vestis import fit-feedback FILE`` does, ``amazon:FILE`` what
``vestis import amazon FILE`` does, and ``products=FEED`` what ``vestis import merchant-feed
FEED`` does), except that a bad record stops the load instead of being skipped: an
evaluation must not silently measure a different data set.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vestis.catalog import readers
from vestis.catalog.db import make_engine, schema_is_current, session_factory, transaction, upgrade
from vestis.data.importing import ImportFailed
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions

SPECS = (
    "store",
    "store:URL",
    "movielens:DIR",
    "hm:DIR",
    "demo:DIR",
    "events:FILE",
    "fit-feedback:FILE",
    "amazon:FILE",
)
"""The data set specs :func:`load_dataset` reads, as its error for an unknown one lists them."""


@dataclass(frozen=True)
class Dataset:
    """Interactions plus the item catalog they refer to."""

    name: str
    interactions: Interactions
    items: ItemCatalog


def load_dataset(
    spec: str, *, engine: Engine | None = None, images_dir: Path | None = None, products: Path | None = None
) -> Dataset:
    """The interactions and items a data set spec names; a data set without events is a ``ValueError``.

    ``store`` is the configured catalog (``engine``) and ``store:URL`` any catalog database
    (a SQLAlchemy URL such as ``sqlite:///shop.db``, at the newest schema). Public data sets
    are read by their importer: ``movielens:DIR``, ``hm:DIR`` and ``demo:DIR`` name folders,
    ``events:FILE`` a shop's event CSV (``user_id, item_id, timestamp, event_type``, as
    ``vestis import events`` reads), ``fit-feedback:FILE`` a RentTheRunway/ModCloth file (JSON
    lines or parquet; each rental or purchase an interaction) and ``amazon:FILE`` an Amazon
    review file (each review a purchase). ``products`` is a Merchant Center product feed read
    into the same temporary catalog first (what the content and visual models learn from), for
    any spec but the stores, which hold their own. File data sets are read strictly: the first
    bad record raises a ``ValueError`` naming its file and line.

    For ``store``, ``images_dir`` is where the catalog keeps its images. For files, product
    photos are validated and copied into ``images_dir`` when it is given (visual models need
    them) and skipped into a scratch folder otherwise.
    """
    kind, _, location = spec.partition(":")
    if kind == "store":
        if products is not None:
            raise ValueError(f"{spec}: a catalog database holds its own products; products apply to files")
        dataset = _from_store(location, engine=engine, images_dir=images_dir)
    else:
        dataset = _from_files(spec, products=products, images_dir=images_dir)
    if not len(dataset.interactions):
        raise ValueError(f"{dataset.name}: the catalog holds no events to learn from")
    return dataset


def from_engine(engine: Engine, *, name: str, images_dir: Path | None) -> Dataset:
    """Every event and product of a catalog database (a new shop's catalog may hold no events)."""
    frame = readers.event_frame(engine)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    with session_factory(engine)() as session:
        items = ItemCatalog.from_products(readers.products(session), images_dir=images_dir)
    return Dataset(name, Interactions.from_frame(frame), items)


def _from_files(spec: str, *, products: Path | None, images_dir: Path | None) -> Dataset:
    """A public data set or a shop's files, read by their importers into a temporary catalog."""
    kind, _, location = spec.partition(":")
    if kind not in LOADERS or not location:
        raise ValueError(f"unknown data set {spec!r}; expected {', '.join(SPECS)}")
    loader, wants_folder = LOADERS[kind]
    path = Path(location)
    if wants_folder and not path.is_dir():
        raise ValueError(f"{spec}: {path} is not a folder")
    if not wants_folder and not path.is_file():
        raise ValueError(f"{spec}: {path} is not a file")
    if products is not None and not products.is_file():
        raise ValueError(f"products: {products} is not a file")
    with tempfile.TemporaryDirectory(prefix="vestis-dataset-") as scratch:
        temporary = make_engine(f"sqlite:///{Path(scratch) / 'catalog.db'}")
        upgrade(temporary)
        images = images_dir or Path(scratch) / "images"
        try:
            with transaction(temporary) as session:
                if products is not None:
                    _import_products(session, products, images)
                loader(session, path, images)
        except ImportFailed as error:
            raise ValueError(f"{spec}: {error.errors[0] if error.errors else error}") from None
        dataset = from_engine(temporary, name=f"{kind}:{path.name}", images_dir=images_dir)
        temporary.dispose()
    return dataset


def _from_store(url: str, *, engine: Engine | None, images_dir: Path | None) -> Dataset:
    """The configured catalog (``store``) or the catalog database at ``url`` (``store:URL``)."""
    if not url:
        if engine is None:
            raise ValueError("the 'store' data set needs a catalog engine")
        return from_engine(engine, name="store", images_dir=images_dir)
    try:
        other = make_engine(url)
        current = schema_is_current(other)
    except SQLAlchemyError as error:
        raise ValueError(f"store:{url}: not a readable catalog database ({error})") from None
    name = f"store:{other.url.render_as_string(hide_password=True)}"
    try:
        if not current:
            raise ValueError(
                f"{name}: not a Vestis catalog at the newest schema (run vestis db upgrade on it)"
            )
        return from_engine(other, name=name, images_dir=images_dir)
    finally:
        other.dispose()


def _import_products(session: Session, path: Path, images: Path) -> None:
    from vestis.data.merchant_feed import import_merchant_feed

    import_merchant_feed(session, path, images_dir=images, strict=True, progress=False)


def _import_events(session: Session, path: Path, _images: Path) -> None:
    from vestis.data.events import import_events

    import_events(session, path, strict=True, progress=False)


def _import_movielens(session: Session, directory: Path, _images: Path) -> None:
    from vestis.data.movielens import import_movielens

    import_movielens(session, directory, progress=False)


def _import_hm(session: Session, directory: Path, images: Path) -> None:
    from vestis.data.hm import import_hm

    import_hm(session, directory, images_dir=images, progress=False)


def _import_demo(session: Session, directory: Path, images: Path) -> None:
    from vestis.data.demo import load_demo

    load_demo(session, directory, images_dir=images, progress=False)


def _import_fit_feedback(session: Session, path: Path, _images: Path) -> None:
    from vestis.data.fit_feedback import import_fit_feedback

    import_fit_feedback(session, path, strict=True, progress=False)


def _import_amazon(session: Session, path: Path, _images: Path) -> None:
    from vestis.data.amazon import import_amazon_reviews

    import_amazon_reviews(session, path, strict=True, progress=False)


LOADERS: dict[str, tuple[Callable[[Session, Path, Path], object], bool]] = {
    "movielens": (_import_movielens, True),
    "hm": (_import_hm, True),
    "demo": (_import_demo, True),
    "events": (_import_events, False),
    "fit-feedback": (_import_fit_feedback, False),
    "amazon": (_import_amazon, False),
}
"""Data set kind → (its importer, whether the spec names a folder rather than a file)."""
