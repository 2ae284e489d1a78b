"""The model registry: sorted versions, atomic activation, load round trip, pruning."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.recommend.contract import synthetic_shop
from vestis.models import ModelRegistry, RegistryError
from vestis.recommend import load_model
from vestis.recommend.popular import PopularRecommender


@pytest.fixture
def model() -> PopularRecommender:
    interactions, items = synthetic_shop()
    return PopularRecommender(half_life_days=None).fit(interactions, items)


def test_register_writes_model_files_and_metadata(tmp_path: Path, model: PopularRecommender) -> None:
    registry = ModelRegistry(tmp_path)
    version = registry.register(model, name="popular", metadata={"params": {"a": 1}, "training_seconds": 0.5})
    assert version.path == tmp_path / "popular" / version.version
    assert {p.name for p in version.path.iterdir()} == {"model.json", "state.npz", "metadata.json"}
    assert version.metadata["params"] == {"a": 1}
    assert version.metadata["name"] == "popular"
    assert version.metadata["vestis_version"]
    assert version.metadata["created_at"].startswith(version.version[:4])
    assert registry.names() == ["popular"]
    assert registry.active("popular") is None


def test_versions_sort_oldest_first_and_latest_is_newest(tmp_path: Path, model: PopularRecommender) -> None:
    registry = ModelRegistry(tmp_path)
    made = [registry.register(model, name="popular").version for _ in range(4)]
    assert [v.version for v in registry.versions("popular")] == made == sorted(made)
    assert registry.latest("popular").version == made[-1]  # type: ignore[union-attr]
    assert registry.versions("missing") == [] and registry.latest("missing") is None


def test_activation_moves_the_pointer_atomically(tmp_path: Path, model: PopularRecommender) -> None:
    registry = ModelRegistry(tmp_path)
    first, second = (registry.register(model, name="popular") for _ in range(2))
    registry.activate("popular", first.version)
    registry.activate("popular", second.version)
    assert registry.active("popular").version == second.version  # type: ignore[union-attr]
    # Only the pointer and the version folders: no temporary files left behind.
    assert sorted(p.name for p in (tmp_path / "popular").iterdir()) == sorted(
        ["ACTIVE", first.version, second.version]
    )
    with pytest.raises(RegistryError, match="no version 'nope'"):
        registry.activate("popular", "nope")


def test_load_round_trips_the_model(tmp_path: Path, model: PopularRecommender) -> None:
    registry = ModelRegistry(tmp_path)
    old = registry.register(model, name="popular")
    registry.activate("popular", old.version)
    registry.register(PopularRecommender(half_life_days=3.0).fit(*synthetic_shop()), name="popular")
    loaded = registry.load("popular", loader=load_model)  # the active version, not the newest
    assert loaded.half_life_days is None
    assert loaded.recommend(["red-user-00"], k=5) == model.recommend(["red-user-00"], k=5)
    with pytest.raises(RegistryError, match="no trained versions"):
        registry.load("als", loader=load_model)


def test_a_failed_save_leaves_no_visible_version(tmp_path: Path) -> None:
    class Broken:
        def save(self, directory: Path) -> Path:
            directory.mkdir(parents=True)
            (directory / "half.bin").write_bytes(b"x")
            raise OSError("disk full")

    registry = ModelRegistry(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        registry.register(Broken(), name="als")
    assert registry.versions("als") == []
    assert list((tmp_path / "als").iterdir()) == []


def test_prune_keeps_the_newest_and_the_active(tmp_path: Path, model: PopularRecommender) -> None:
    registry = ModelRegistry(tmp_path)
    made = [registry.register(model, name="popular").version for _ in range(5)]
    registry.activate("popular", made[0])
    removed = registry.prune(keep=2)
    assert [v.version for v in removed] == made[1:3]
    assert [v.version for v in registry.versions("popular")] == [made[0], *made[3:]]
    with pytest.raises(ValueError, match="keep must be at least 1"):
        registry.prune(keep=0)


@pytest.mark.parametrize("name", ["", "../etc", ".hidden", "a/b", "ACTIVE"])
def test_refuses_names_that_escape_the_registry(tmp_path: Path, model: PopularRecommender, name: str) -> None:
    with pytest.raises(RegistryError, match="not a valid"):
        ModelRegistry(tmp_path).register(model, name=name)


def test_families_tell_artifacts_apart(tmp_path: Path, model: PopularRecommender) -> None:
    registry = ModelRegistry(tmp_path)
    registry.register(model, name="popular")  # saved before families: a recommender
    guide = registry.register(model, name="guide", metadata={"family": "guide"})
    assert registry.names() == ["guide", "popular"]
    assert registry.names(family="recommender") == ["popular"]
    assert registry.names(family="guide") == ["guide"] and guide.family == "guide"
    assert registry.family("missing") == "recommender"


def test_prune_can_keep_to_some_names(tmp_path: Path, model: PopularRecommender) -> None:
    registry = ModelRegistry(tmp_path)
    for name in ("popular", "guide"):
        for _ in range(3):
            registry.register(model, name=name)
    assert {v.name for v in registry.prune(keep=1, names=["guide"])} == {"guide"}
    assert len(registry.versions("guide")) == 1 and len(registry.versions("popular")) == 3
