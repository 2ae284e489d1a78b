"""A new shop with products but no events: similar items from the catalog alone, the rest once events arrive."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_api_recommendations import EVENTS
from tests.unit.test_api_support import KEY, shop_client
from vestis.guide.service import build_guide
from vestis.models import ModelRegistry
from vestis.recommend import FAMILY
from vestis.recommend.serving import RecommendationService
from vestis.recommend.training import DEFAULT_MODELS, ensure_trained, train

pytestmark = pytest.mark.slow
BEHAVIOUR = ["popular", "itemknn", "ease", "als", "hybrid"]
"""The default models that need events."""


@pytest.fixture
def shop(tmp_path: Path) -> TestClient:
    """The sixteen products :data:`EVENTS` refer to (four without a photo), no events, asked with the shop's key."""
    client = shop_client(tmp_path, products=16)
    client.headers["X-API-Key"] = KEY
    return client


def test_train_fits_the_catalog_models_and_skips_the_rest_with_a_warning(
    shop: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app: Any = shop.app
    with caplog.at_level(logging.WARNING, logger="vestis.recommend.training"):
        versions = train(app.state.engine, app.state.settings, progress=False)
    assert [v.name for v in versions] == ["content", "visual"]
    assert [v.metadata["data"]["events"] for v in versions] == [0, 0]
    skipped = [r.getMessage() for r in caplog.records if "needs events" in r.getMessage()]
    assert skipped == [f"{name} needs events: skipped until some are imported" for name in BEHAVIOUR]
    assert set(BEHAVIOUR) | {"content", "visual"} == set(DEFAULT_MODELS)
    registry = ModelRegistry(app.state.settings.models_dir)
    assert {name for name in registry.names(family=FAMILY) if registry.active(name)} == {"content", "visual"}
    assert build_guide(app.state.engine, app.state.settings, progress=False).is_dir()


def test_similar_items_are_served_by_content_and_visual(shop: TestClient) -> None:
    app: Any = shop.app
    train(app.state.engine, app.state.settings, progress=False)
    assert shop.post("/models/reload").status_code == 200
    for kind in ("content", "visual"):
        response = shop.get("/products/p00/similar", params={"kind": kind, "k": 4})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model"] == kind and len(body["data"]) == 4
        assert "p00" not in [item["id"] for item in body["data"]]
        assert all(item["reason"] for item in body["data"])
    behaviour = shop.get("/products/p00/similar")
    assert behaviour.status_code == 503 and "no behaviour model is trained" in behaviour.json()["detail"]
    personal = shop.get("/customers/u1/recommendations")
    assert personal.status_code == 503 and "need events" in personal.json()["detail"]


def test_ensure_trained_does_not_fail_without_events(shop: TestClient) -> None:
    app: Any = shop.app
    names = [v.name for v in ensure_trained(app.state.engine, app.state.settings, progress=False)]
    assert names == ["content", "visual"]


def test_training_again_after_events_arrive_adds_the_behaviour_models(shop: TestClient) -> None:
    app: Any = shop.app
    train(app.state.engine, app.state.settings, models=("itemknn", "content"), progress=False)
    assert shop.post("/events", json={"events": EVENTS}).status_code == 200
    versions = train(app.state.engine, app.state.settings, models=("itemknn", "content"), progress=False)
    assert [v.name for v in versions] == ["itemknn", "content"]
    service = RecommendationService(ModelRegistry(app.state.settings.models_dir), app.state.engine)
    assert service.similar("p00", 3, kind="behaviour") and service.for_customer("u1", 3)


def test_an_empty_catalog_is_a_clear_error(tmp_path: Path) -> None:
    app: Any = shop_client(tmp_path, products=0).app
    with pytest.raises(ValueError, match="holds no products or events"):
        train(app.state.engine, app.state.settings, progress=False)
