"""Training on a tiny demo shop registers, activates and serves every available model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from vestis.catalog.db import open_catalog, transaction
from vestis.config import Settings
from vestis.data.demo import generate_demo, load_demo
from vestis.models import ModelRegistry
from vestis.recommend import load_model
from vestis.recommend.serving import RecommendationService
from vestis.recommend.training import DEFAULT_MODELS, ensure_trained, segment_label, train

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Engine]:
    """The demo shop at its smallest useful size, loaded into a fresh catalog."""
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    generate_demo(settings.demo_dir, products=60, customers=150, days=60, progress=False)
    engine = open_catalog(settings)
    with transaction(engine) as session:
        load_demo(session, settings.demo_dir, images_dir=settings.images_dir, progress=False)
    return settings, engine


def test_trains_registers_and_activates_every_model(shop: tuple[Settings, Engine]) -> None:
    settings, engine = shop
    versions = train(engine, settings, progress=False)
    registry = ModelRegistry(settings.models_dir)
    names = [v.name for v in versions]
    assert names == list(DEFAULT_MODELS)
    for version in versions:
        assert registry.active(version.name) == version
        metadata = version.metadata
        assert metadata["params"] and metadata["training_seconds"] >= 0
        data = metadata["data"]
        assert data["source"] == "store" and data["catalog_items"] == 60 and data["events"] > 0
        assert data["max_event_timestamp"].startswith("2026-10-31")
        assert len(data["content_hash"]) == 64
    assert len({v.metadata["data"]["content_hash"] for v in versions}) == 1

    service = RecommendationService(registry, engine)
    assert set(service.versions) == set(names)
    shopper = service.shoppers[0]
    assert shopper.label.startswith("mostly buys ")
    suggestions = service.for_customer(shopper.id, 5)
    assert len(suggestions) == 5 and all(s.reason_text for s in suggestions)
    assert service.ranked_ids(shopper.id, 5) == [s.item.id for s in suggestions]
    newcomer = [s.item.id for s in service.for_customer("never-seen", 5)]
    assert service.ranked_ids("never-seen", 5) == newcomer and len(newcomer) == 5

    # A second start finds active models and trains nothing.
    assert ensure_trained(engine, settings, progress=False) == []


def test_popular_segments_come_from_consenting_customers(shop: tuple[Settings, Engine]) -> None:
    settings, engine = shop
    (popular,) = train(engine, settings, models=("popular",), progress=False)
    segments = ModelRegistry(settings.models_dir).load("popular", popular.version, loader=load_model).segments
    assert segments and all(" " in label or label in {"women", "men"} for label in segments.values())


def test_rejects_unknown_models_and_engines(shop: tuple[Settings, Engine]) -> None:
    settings, engine = shop
    with pytest.raises(ValueError, match="unknown models \\['gpt'\\]"):
        train(engine, settings, models=("gpt",), progress=False)
    with pytest.raises(ValueError, match="engine_kind must be"):
        train(engine, settings, engine_kind="dask", progress=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("gender", "age", "label"),
    [
        ("female", 29, "women 25-34"),
        ("male", None, "men"),
        ("non-binary", 70, "shoppers 65+"),
        (None, None, None),
    ],
)
def test_segment_labels(gender: str | None, age: int | None, label: str | None) -> None:
    assert segment_label(gender, age) == label


def test_reads_events_from_parquet(shop: tuple[Settings, Engine], tmp_path: Path) -> None:
    import pandas as pd

    settings, engine = shop
    frame = pd.DataFrame(
        {
            "user_id": ["a", "a", "b"],
            "item_id": ["vs-00001", "vs-00002", "vs-00001"],
            "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True),
            "event_type": ["view", "purchase", "view"],
        }
    )
    frame.to_parquet(tmp_path / "events.parquet")
    (version,) = train(
        engine, settings, models=("popular",), parquet=tmp_path / "events.parquet", progress=False
    )
    assert version.metadata["data"]["events"] == 3
    assert version.metadata["data"]["source"] == "parquet:events.parquet"
