"""One reload path: services notice newly activated versions through the registry's pointers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.unit.recommend.contract import synthetic_shop
from tests.unit.test_api_recommendations import EVENTS, train_models
from tests.unit.test_api_support import KEY, shop_client
from vestis.guide.service import GUIDE, GuideService, build_guide
from vestis.models import ModelRegistry
from vestis.models.watch import PointerWatch
from vestis.recommend.popular import PopularRecommender
from vestis.recommend.serving import RecommendationService


def test_the_watch_reports_a_moved_pointer_until_it_is_marked(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    model = PopularRecommender(half_life_days=None).fit(*synthetic_shop())
    first, second = (registry.register(model, name="popular") for _ in range(2))
    registry.activate("popular", first.version)
    watch = PointerWatch(registry, registry.names, interval=0.0)
    seen = watch.moved()
    assert seen == {"popular": first.version}  # nothing marked yet
    watch.mark(seen)
    assert watch.moved() is None
    registry.activate("popular", second.version)
    assert watch.moved() == {"popular": second.version}
    assert watch.moved() == {"popular": second.version}  # a failed reload is retried
    watch.mark(watch.read())
    assert watch.moved() is None


def test_the_watch_reads_the_disk_at_most_once_an_interval(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    version = registry.register(PopularRecommender().fit(*synthetic_shop()), name="popular")
    watch = PointerWatch(registry, registry.names, interval=60.0)
    watch.mark({})
    registry.activate("popular", version.version)
    assert watch.moved() is None  # marked a moment ago: not read again yet
    watch.interval = 0.0
    assert watch.moved() == {"popular": version.version}


def test_recommendations_switch_to_a_new_version_without_a_reload(tmp_path: Path) -> None:
    client = shop_client(tmp_path, demo_mode=True)
    assert client.post("/events", json={"events": EVENTS}, headers={"X-API-Key": KEY}).status_code == 200
    app: Any = client.app
    train_models(client, "popular")
    service = RecommendationService(
        ModelRegistry(app.state.settings.models_dir), app.state.engine, check_interval=0.0
    )
    before = service.versions["popular"]
    build_guide(app.state.engine, app.state.settings, progress=False)  # another family: not a recommender
    train_models(client, "popular", "itemknn")  # what `vestis train` does while the server runs
    assert service.versions["popular"] > before and "itemknn" in service.versions
    assert service.failures == []
    assert service.similar("p01", 3)[0].model == "itemknn"


def test_the_guide_is_a_registry_artifact_listed_and_switched_with_the_models(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=6)
    app: Any = client.app
    first = build_guide(app.state.engine, app.state.settings, progress=False)
    app.state.guide.reload()
    listed = client.get("/models").json()["data"]
    assert [(m["name"], m["family"], m["version"]) for m in listed] == [("guide", "guide", first.name)]
    second = build_guide(app.state.engine, app.state.settings, progress=False)
    assert app.state.guide.path == first  # the guide checks at most every 5 s
    reloaded = client.post("/models/reload", headers={"X-API-Key": KEY})
    assert reloaded.status_code == 200
    assert [m["version"] for m in reloaded.json()["data"]] == [second.name]
    assert app.state.guide.path == second


def test_a_new_guide_generation_replaces_the_old_layout(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=4)
    app: Any = client.app
    folder = app.state.settings.models_dir / GUIDE
    old = folder / "20240101T000000000000Z-abcdef12"
    (old / "search").mkdir(parents=True)
    (old / "guide.json").write_text("{}")
    (folder / "CURRENT").write_text(old.name + "\n")
    built = build_guide(app.state.engine, app.state.settings, progress=False)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["ACTIVE", built.name])
    service = GuideService(app.state.settings, app.state.engine, check_interval=0.0)
    assert service.reload() == built and service.version is not None and service.version.family == GUIDE


def test_a_guide_built_by_another_process_reaches_a_running_guide(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=4)
    app: Any = client.app
    service = GuideService(app.state.settings, app.state.engine, check_interval=0.05)
    first = service.reload()
    second = build_guide(app.state.engine, app.state.settings, progress=False)
    time.sleep(0.1)
    service.search("dress")
    assert service.path == second != first
