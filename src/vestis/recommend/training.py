"""Train the shop's recommenders from the catalog, register every model and activate it.

:func:`train` is what ``vestis train`` and the first ``vestis serve --demo`` run: it reads
the events and products of the store (or the events of a Parquet file), builds shopper
segments for the popularity model from customers who consented to profiling, fits each
requested model that exists in this installation (only those that need no events while the
catalog has none), and stores it in the model registry with a data snapshot (row counts,
newest event, content hash) so a version can be traced back to what it learned from.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from rich.progress import Progress
from sqlalchemy import Engine

from vestis.catalog import readers
from vestis.catalog.db import session_factory
from vestis.config import Settings
from vestis.models import ModelRegistry, Version
from vestis.progress import progress_bar
from vestis.recommend import FAMILY, MODELS, Recommender, make_model, model_class
from vestis.recommend.datasets import Dataset, from_engine
from vestis.recommend.interactions import Interactions
from vestis.recommend.timescales import check_time_scales

DEFAULT_MODELS = ("popular", "itemknn", "ease", "als", "content", "visual", "hybrid")
AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64))
GENDER_WORDS = {"female": "women", "male": "men"}
EVENT_COLUMNS = ("user_id", "item_id", "timestamp", "event_type")

EngineKind = Literal["local", "spark"]
logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MODELS", "data_snapshot", "ensure_trained", "segments", "train"]


def train(
    engine: Engine,
    settings: Settings,
    *,
    models: Sequence[str] = DEFAULT_MODELS,
    engine_kind: EngineKind = "local",
    spark_master: str | None = None,
    parquet: Path | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    progress: bool = True,
) -> list[Version]:
    """Fit, register and activate each of ``models``; returns the new versions in order.

    ``engine_kind="spark"`` trains ALS with Spark MLlib (``spark_master``, default
    ``local[*]``) into the same format as the local ALS model. ``parquet`` reads the events
    (``user_id, item_id, timestamp, event_type``) from that file instead of the store; the
    product catalog always comes from the store. ``params`` overrides hyper-parameters per
    model name. Models whose module is not part of this installation are skipped with a
    warning; an unknown name is a ``ValueError``. A catalog without events (a new shop) trains
    the models that learn from the products alone (content, visual) and skips the others with a
    warning each; they join at the first training after events are imported. A time-decay
    setting that cannot fit the events' time span is logged as a warning.
    """
    # 1. Check inputs.
    unknown = [name for name in models if name not in MODELS]
    if unknown:
        raise ValueError(f"unknown models {unknown}; choose from {', '.join(MODELS)}")
    if engine_kind not in ("local", "spark"):
        raise ValueError(f"engine_kind must be 'local' or 'spark'; got {engine_kind!r}")
    available = [name for name in models if _importable(name)]

    # 2. Load the data once for every model; without events only the catalog models can learn.
    dataset = from_engine(engine, name="store", images_dir=settings.images_dir)
    if parquet is not None:
        dataset = Dataset(f"parquet:{parquet.name}", read_events(parquet), dataset.items)
    if not len(dataset.interactions) and not len(dataset.items):
        raise ValueError(f"{dataset.name}: the catalog holds no products or events to learn from")
    trainable = [name for name in available if len(dataset.interactions) or _learns_from_catalog(name)]
    snapshot = data_snapshot(dataset)
    shopper_segments = segments(engine)

    # 3. Build every model (a bad parameter fails before any training), check its time scales.
    built: dict[str, Recommender] = {}
    for name in trainable:
        options = dict((params or {}).get(name, {}))
        if name == "popular":
            options.setdefault("segments", shopper_segments)
        built[name] = _build(name, options, engine_kind=engine_kind, spark_master=spark_master)
    check_time_scales(dataset.interactions, built)

    # 4. Fit, register and activate each model.
    registry = ModelRegistry(settings.models_dir)
    versions = []
    with _progress(progress, len(built)) as track:
        for name, model in built.items():
            track.start(name)
            started = time.perf_counter()
            model.fit(dataset.interactions, dataset.items)
            seconds = time.perf_counter() - started
            metadata = {
                "family": FAMILY,
                "model": name,
                "params": model.get_params(),
                "engine": engine_kind if name == "als" else "local",
                "data": snapshot,
                "metrics": None,
                "training_seconds": round(seconds, 3),
            }
            version = registry.register(model, name=name, metadata=metadata)
            registry.activate(name, version.version)
            logger.info("trained %s in %.1f s: %s", name, seconds, version.version)
            versions.append(version)
            track.done(name, seconds)
    return versions


def ensure_trained(engine: Engine, settings: Settings, *, progress: bool = True) -> list[Version]:
    """Train the default models unless the registry already has active ones (what ``serve --demo`` runs)."""
    registry = ModelRegistry(settings.models_dir)
    if any(
        registry.pointer(name) for name in registry.names(family=FAMILY)
    ):  # even a broken pointer: report, not retrain
        return []
    return train(engine, settings, progress=progress)


def segments(engine: Engine) -> dict[str, str]:
    """Shopper id → segment label (``"women 25-34"``, ``"men"``, ``"shoppers 45-54"``).

    Only customers who consented to profiling are segmented; the rest get overall popularity.
    """
    with session_factory(engine)() as session:
        rows = readers.consented_demographics(session)
    labels = {}
    for customer_id, gender, age in rows:
        label = segment_label(gender, age)
        if label:
            labels[str(customer_id)] = label
    return labels


def segment_label(gender: str | None, age: int | None) -> str | None:
    """The readable segment of one shopper, or ``None`` when neither gender nor age says anything."""
    who = GENDER_WORDS.get((gender or "").lower())
    band = next((f"{low}-{high}" for low, high in AGE_BANDS if age is not None and low <= age <= high), None)
    if band is None and age is not None and age > AGE_BANDS[-1][1]:
        band = f"{AGE_BANDS[-1][1] + 1}+"
    if who is None and band is None:
        return None
    return " ".join(part for part in (who or "shoppers", band) if part)


def data_snapshot(dataset: Dataset) -> dict[str, Any]:
    """What a model learned from: row counts, the newest event and a content hash of the events."""
    log = dataset.interactions
    digest = hashlib.sha256()
    for column in (log.user_ids, log.item_ids, log.event_types):
        digest.update("\x1f".join(column.tolist()).encode())
    digest.update(log.timestamps.astype("<i8").tobytes())
    newest = int(log.timestamps.max()) if len(log) else None
    return {
        "source": dataset.name,
        "events": len(log),
        "users": len(np.unique(log.user_ids)),
        "items": len(np.unique(log.item_ids)),
        "catalog_items": len(dataset.items),
        "max_event_timestamp": datetime.fromtimestamp(newest, UTC).isoformat() if newest else None,
        "content_hash": digest.hexdigest(),
    }


def read_events(path: Path) -> Interactions:
    """Events from a Parquet file with columns ``user_id, item_id, timestamp, event_type``."""
    if not path.is_file():
        raise ValueError(f"{path}: no such Parquet file")
    frame = pd.read_parquet(path)
    missing = [c for c in EVENT_COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}; expected {', '.join(EVENT_COLUMNS)}")
    return Interactions.from_frame(frame)


def _build(
    name: str, options: dict[str, Any], *, engine_kind: EngineKind, spark_master: str | None
) -> Recommender:
    if name == "als" and engine_kind == "spark":
        from vestis.recommend.spark import SparkALS

        return SparkALS(spark_master=spark_master, **options)
    return make_model(name, **options)


def _learns_from_catalog(name: str) -> bool:
    """Whether model ``name`` can be trained without events; warns and says no otherwise."""
    if model_class(name).needs_events:
        logger.warning("%s needs events: skipped until some are imported", name)
        return False
    return True


def _importable(name: str) -> bool:
    """Whether model ``name`` exists in this installation; warns and says no otherwise."""
    try:
        model_class(name)
    except (ImportError, AttributeError) as error:
        logger.warning("skipping model %r: it is not available here (%s)", name, error)
        return False
    return True


class _Tracker:
    """Shows which model is training and how long each one took."""

    def __init__(self, bar: Progress, total: int) -> None:
        self.bar = bar
        self.task = bar.add_task("training", total=total)

    def start(self, name: str) -> None:
        self.bar.update(self.task, description=f"training {name}")

    def done(self, name: str, seconds: float) -> None:
        if not self.bar.disable:
            self.bar.console.log(f"trained {name} in {seconds:.1f} s")
        self.bar.update(self.task, advance=1, description="training")


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[_Tracker]:
    """A progress bar over the models (silent when ``enabled`` is false)."""
    with progress_bar(disable=not enabled) as bar:
        yield _Tracker(bar, total)
