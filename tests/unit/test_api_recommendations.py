"""GET /customers/{id}/recommendations, GET /products/{id}/similar, /models, POST /models/reload, /health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_api_support import KEY, event, shop_client
from vestis.catalog import store
from vestis.catalog.db import transaction
from vestis.recommend.training import train

# Shoppers u0..u9 each look at five of eight shirts (even ids) or dresses (odd ids) and buy one.
EVENTS = [
    event(user_id=f"u{u}", item_id=f"p{(u % 2) + 2 * ((u // 2 + j) % 8):02d}", timestamp=f"2024-05-{j + 1:02d}T12:00:00Z",
          event_type="purchase" if j == 0 else "view")
    for u in range(10)
    for j in range(5)
]  # fmt: skip


def train_models(client: TestClient, *models: str) -> None:
    """Train ``models`` on the client's catalog (not yet served: the app needs a reload)."""
    app: Any = client.app
    train(app.state.engine, app.state.settings, models=models, progress=False)


@pytest.fixture
def empty(tmp_path: Path) -> TestClient:
    """A demo-mode shop with products and events but no trained model, asked with the shop's API key."""
    client = shop_client(tmp_path, demo_mode=True)
    client.headers["X-API-Key"] = KEY  # personal endpoints need it (tests/security covers shopper tokens)
    assert client.post("/events", json={"events": EVENTS}, headers={"X-API-Key": KEY}).status_code == 200
    with transaction(client.app.state.engine) as session:  # type: ignore[attr-defined]
        store.upsert_customers(
            session, rows=[{"id": "new-shopper", "consent_profile": True, "gender": "female", "age": 29}]
        )
    return client


@pytest.fixture
def client(empty: TestClient) -> TestClient:
    """The same shop serving popular and item-kNN models."""
    train_models(empty, "popular", "itemknn")
    assert empty.post("/models/reload", headers={"X-API-Key": KEY}).status_code == 200
    return empty


def test_without_models_recommendations_answer_503_and_health_says_so(empty: TestClient) -> None:
    for path in ("/customers/u1/recommendations", "/products/p01/similar"):
        response = empty.get(path)
        assert response.status_code == 503
        assert response.json()["detail"] == "no model trained yet: run `vestis train`"
    assert empty.get("/health").json()["models"] == {"status": "none trained", "loaded": [], "failed": []}


def test_recommends_for_a_known_customer_with_reasons(client: TestClient) -> None:
    body = client.get("/customers/u1/recommendations", params={"k": 3}).json()
    assert body["count"] == len(body["data"]) == 3
    assert body["model"] == "itemknn" and body["version"]
    seen = {e["item_id"] for e in EVENTS if e["user_id"] == "u1"}
    for item in body["data"]:
        assert item["id"] not in seen
        assert int(item["id"][1:]) % 2 == 1  # a dress shopper gets dresses
        assert item["reason"].startswith("Because you ")
        assert item["title"] and item["price"] is not None and item["reason_code"] == "because_you"
    assert {item["image_url"] for item in body["data"]} <= {f"/products/p{i:02d}/image" for i in range(30)}


def test_a_cold_start_customer_gets_popular_items_with_a_reason(client: TestClient) -> None:
    segment = client.get("/customers/new-shopper/recommendations").json()
    assert segment["model"] == "popular"
    assert segment["data"][0]["reason"] == "Popular with women 25-34"
    stranger = client.get("/customers/nobody-at-all/recommendations", params={"k": 2}).json()
    assert [item["reason"] for item in stranger["data"]] == ["Popular right now"] * 2


@pytest.mark.parametrize("k", [0, 101, "many"])
def test_rejects_a_bad_k(client: TestClient, k: object) -> None:
    for path in ("/customers/u1/recommendations", "/products/p01/similar"):
        response = client.get(path, params={"k": k})
        assert response.status_code == 422
        assert response.json()["message"].startswith("k: ")


def test_similar_products_by_behaviour(client: TestClient) -> None:
    body = client.get("/products/p01/similar", params={"k": 4}).json()
    assert body["model"] == "itemknn"
    assert body["data"] and all(int(item["id"][1:]) % 2 == 1 for item in body["data"])
    assert body["data"][0]["reason"].startswith("Often bought with Blue dress 1")


def test_similar_errors_name_the_problem(client: TestClient) -> None:
    missing = client.get("/products/nope/similar")
    assert missing.status_code == 404 and missing.json()["detail"] == "no product with id 'nope'"
    visual = client.get("/products/p01/similar", params={"kind": "visual"})
    assert (
        visual.status_code == 503
        and visual.json()["detail"] == "no visual model is trained: train visual or vbpr"
    )
    assert client.get("/products/p01/similar", params={"kind": "smell"}).status_code == 422


def test_reload_requires_a_key_and_swaps_to_new_versions(client: TestClient) -> None:
    before = client.get("/models").json()
    assert {m["name"] for m in before["data"]} == {"popular", "itemknn"}
    assert client.post("/models/reload", headers={"X-API-Key": ""}).status_code == 401
    assert client.post("/models/reload", headers={"X-API-Key": "wrong"}).status_code == 403
    train_models(client, "itemknn")
    assert client.get("/models").json() == before  # nothing changes before the reload or the 5 s watch
    after = client.post("/models/reload", headers={"X-API-Key": KEY}).json()
    versions = {m["name"]: m["version"] for m in after["data"]}
    old = {m["name"]: m["version"] for m in before["data"]}
    assert versions["popular"] == old["popular"] and versions["itemknn"] > old["itemknn"]
    assert client.get("/customers/u1/recommendations").json()["version"] == versions["itemknn"]


def test_health_lists_the_loaded_versions(client: TestClient) -> None:
    models = client.get("/health").json()["models"]
    versions = {m["name"]: m["version"] for m in client.get("/models").json()["data"]}
    assert models == {
        "status": "ready",
        "loaded": [f"{n}@{v}" for n, v in sorted(versions.items())],
        "failed": [],
    }


def test_a_model_that_cannot_load_keeps_the_loaded_version(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    state = next(settings.models_dir.glob("itemknn/*/state.npz"))
    state.write_bytes(b"truncated by a full disk")
    reload = client.post("/models/reload", headers={"X-API-Key": KEY})
    assert reload.status_code == 409  # tests/security/test_health.py covers the other failures
    assert [m["name"] for m in reload.json()["data"]] == ["itemknn", "popular"]
    assert [f["name"] for f in reload.json()["failed"]] == ["itemknn"]
    assert client.get("/customers/u1/recommendations").json()["model"] == "itemknn"
    assert client.get("/health").json()["models"]["status"] == "degraded"


def test_shop_pages_show_the_recommendation_rows(client: TestClient) -> None:
    home = client.get("/", params={"shopper": "u1"}).text
    assert "Recommended for you" in home and 'value="u1" selected' in home and "Because you " in home
    assert 'name="shopper" value="u1"' in home  # the filters keep the chosen shopper
    product = client.get("/shop/p01").text
    assert "Similar items" in product and "Often bought with Blue dress 1" in product
    assert "Looks like this" not in product  # no visual model trained


def test_shop_pages_without_models_hide_the_rows(empty: TestClient) -> None:
    assert "Recommended for you" not in empty.get("/").text
    assert "Similar items" not in empty.get("/shop/p01").text
