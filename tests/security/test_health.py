"""Issue 11, item 7: honest health.

A model whose active version cannot be loaded (the version folder is gone, its metadata or
files are damaged, it holds another kind of model) must not stop the server: the other
models serve, ``/health`` says "degraded" and names the failure in a few words (no paths),
and a reload that meets a broken new version keeps serving the working one and says so.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_api_recommendations import EVENTS, train_models
from tests.unit.test_api_support import KEY, shop_client
from vestis.app import create_app
from vestis.config import Settings
from vestis.models import ModelRegistry
from vestis.recommend.training import ensure_trained

MISSING_VERSION = "20990101T000000000000Z-deadbeef"


def point_at_a_missing_version(registry: ModelRegistry) -> str:
    """ACTIVE names a version that was never there (a typo, a copy from another server)."""
    (registry.root / "itemknn" / "ACTIVE").write_text(MISSING_VERSION + "\n")
    return "its active version is not in the registry"


def delete_the_active_folder(registry: ModelRegistry) -> str:
    """The active version's folder was deleted by hand."""
    shutil.rmtree(active_folder(registry))
    return "its active version is not in the registry"


def damage_the_metadata(registry: ModelRegistry) -> str:
    """``metadata.json`` cut short by a full disk."""
    (active_folder(registry) / "metadata.json").write_text('{"name": "itemk')
    return "its metadata cannot be read"


def damage_the_model_files(registry: ModelRegistry) -> str:
    """The stored arrays cut short by a full disk."""
    (active_folder(registry) / "state.npz").write_bytes(b"truncated by a full disk")
    return "its model files are corrupt or from an incompatible release (ValueError)"


def hold_another_kind_of_model(registry: ModelRegistry) -> str:
    """The itemknn folder's active version is a copy of the popularity model."""
    popular = registry.active("popular")
    assert popular is not None
    impostor = "20990101T000000000000Z-c0ffee00"
    shutil.copytree(popular.path, registry.root / "itemknn" / impostor)
    registry.activate("itemknn", impostor)
    return "it holds a 'popular' model, not 'itemknn'"


BREAKAGES: dict[str, Callable[[ModelRegistry], str]] = {
    "missing version": point_at_a_missing_version,
    "missing folder": delete_the_active_folder,
    "unreadable metadata": damage_the_metadata,
    "corrupt model files": damage_the_model_files,
    "another kind of model": hold_another_kind_of_model,
}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A shop serving the popularity and item-kNN models, asked with the shop's API key."""
    client = shop_client(tmp_path, demo_mode=True)
    client.headers["X-API-Key"] = KEY
    assert client.post("/events", json={"events": EVENTS}).status_code == 200
    train_models(client, "popular", "itemknn")
    assert client.post("/models/reload").status_code == 200
    return client


def registry_of(client: TestClient) -> ModelRegistry:
    """The registry behind the client's app."""
    return ModelRegistry(settings_of(client).models_dir)


def settings_of(client: TestClient) -> Settings:
    """The settings the client's app runs with."""
    app: Any = client.app
    return app.state.settings


def active_folder(registry: ModelRegistry) -> Path:
    """The folder of item-kNN's active version."""
    version = registry.active("itemknn")
    assert version is not None
    return version.path


def pointer(registry: ModelRegistry) -> str:
    """The version item-kNN's ACTIVE file names, read as an operator would."""
    return (registry.root / "itemknn" / "ACTIVE").read_text().strip()


def served(client: TestClient) -> dict[str, str]:
    """Model name → version, as ``GET /models`` lists them."""
    return {m["name"]: m["version"] for m in client.get("/models").json()["data"]}


def assert_no_internals(text: str, home: Path) -> None:
    """A public answer shows no path on the server and no traceback."""
    assert str(home) not in text and "Traceback" not in text and "state.npz" not in text


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_the_server_starts_serves_what_loads_and_says_what_did_not(
    client: TestClient, breakage: str, caplog: pytest.LogCaptureFixture
) -> None:
    registry = registry_of(client)
    popular = served(client)["popular"]
    reason = BREAKAGES[breakage](registry)
    broken = pointer(registry)

    restarted = TestClient(create_app(settings_of(client)), headers={"X-API-Key": KEY})

    health = restarted.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "degraded"
    assert body["models"] == {
        "status": "degraded",
        "loaded": [f"popular@{popular}"],
        "failed": [{"name": "itemknn", "version": broken, "reason": reason, "serving": None}],
    }
    assert_no_internals(health.text, settings_of(client).home)
    recommendations = restarted.get("/customers/u1/recommendations")
    assert recommendations.status_code == 200 and recommendations.json()["model"] == "popular"
    assert restarted.get("/products/p01/similar").status_code == 503  # no behaviour model: a clear 503
    assert f"cannot load itemknn@{broken}: {reason}" in caplog.text  # the details stay in the log


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_failed_reload_keeps_the_working_model_and_says_so(client: TestClient, breakage: str) -> None:
    working = served(client)
    train_models(client, "itemknn")  # a new version, activated
    registry = registry_of(client)
    reason = BREAKAGES[breakage](registry)
    broken = pointer(registry)

    reload = client.post("/models/reload")

    assert reload.status_code == 409
    body = reload.json()
    assert {m["name"]: m["version"] for m in body["data"]} == working and body["count"] == 2
    assert body["failed"] == [
        {"name": "itemknn", "version": broken, "reason": reason, "serving": f"itemknn@{working['itemknn']}"}
    ]
    assert_no_internals(reload.text, settings_of(client).home)
    assert client.get("/customers/u1/recommendations").json()["version"] == working["itemknn"]
    assert client.get("/models").json()["failed"] == body["failed"]
    health = client.get("/health").json()
    assert health["status"] == "degraded" and health["models"]["failed"] == body["failed"]


def test_a_mended_registry_reloads_to_ok(client: TestClient) -> None:
    damage_the_model_files(registry_of(client))
    assert client.post("/models/reload").status_code == 409
    train_models(client, "itemknn")
    reload = client.post("/models/reload")
    assert reload.status_code == 200 and reload.json()["failed"] == []
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["models"]["status"] == "ready"


def test_health_says_when_the_guide_could_not_be_prepared(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app: Any = client.app
    guide = app.state.guide

    def unreadable_index(*args: object, **kwargs: object) -> None:
        raise OSError(f"cannot read {settings_of(client).models_dir}/guide/search/index.npz")

    monkeypatch.setattr(guide, "search", unreadable_index)
    guide.warm_up().join()
    health = client.get("/health")
    assert health.json()["status"] == "degraded"
    assert health.json()["guide"] == {
        "status": "failed",
        "error": "could not load or build the search index (OSError)",
    }
    assert_no_internals(health.text, settings_of(client).home)


def test_serve_demo_does_not_retrain_or_fail_on_a_dangling_pointer(client: TestClient) -> None:
    point_at_a_missing_version(registry_of(client))
    app: Any = client.app
    assert ensure_trained(app.state.engine, settings_of(client), progress=False) == []


def test_pruning_leaves_a_model_with_a_dangling_pointer_alone(client: TestClient) -> None:
    registry = registry_of(client)
    for _ in range(3):
        train_models(client, "itemknn")
    point_at_a_missing_version(registry)
    before = [v.version for v in registry.versions("itemknn")]
    registry.prune(keep=1)
    assert [v.version for v in registry.versions("itemknn")] == before
