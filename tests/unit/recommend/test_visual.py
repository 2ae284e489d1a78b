"""Visually similar items and VBPR, on shops whose product photos the tests draw."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.unit.recommend.contract import RecommenderContract, synthetic_shop
from tests.unit.test_vision_features import draw_product
from vestis.recommend import Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions
from vestis.recommend.visual import VBPRRecommender, VisualRecommender, photo_features

LOOKS = {
    "red": ("floral", "red", "dress"),
    "blue": ("checks", "navy", "tee"),
    "hit": ("solid", "yellow", "tee"),
}


def photographed_shop(folder: Path) -> tuple[Interactions, ItemCatalog]:
    """The contract's shop with a drawn photo per item: red floral dresses, navy checked tees."""
    interactions, items = synthetic_shop()
    folder.mkdir(parents=True, exist_ok=True)
    frame = items.frame.copy()
    for seed, item in enumerate(frame.index):
        pattern, colour, shape = LOOKS[item.split("-")[0]]
        path = folder / f"{item}.png"
        draw_product(pattern, colour, shape=shape, seed=seed).save(path)
        frame.loc[item, "image_path"] = str(path)
    return interactions, ItemCatalog.from_frame(frame)


class TestVisualContract(RecommenderContract):
    """Photos missing: the listed colour stands in (the contract's own catalog has no images)."""

    def make(self) -> VisualRecommender:
        return VisualRecommender()


class PhotographedContract(RecommenderContract):
    """The contract on :func:`photographed_shop`, drawn and fitted once per class.

    Fitting maps every drawn photo, the most of these tests' time; the contract's tests only
    read the fitted model (``test_fit_returns_the_model`` still fits its own).
    """

    @pytest.fixture(scope="class")
    def shop(self, tmp_path_factory: pytest.TempPathFactory) -> tuple[Interactions, ItemCatalog]:
        return photographed_shop(tmp_path_factory.mktemp("images"))

    @pytest.fixture(scope="class")
    def fitted(self, shop: tuple[Interactions, ItemCatalog]) -> Recommender:
        return self.make().fit(*shop)


class TestVisualContractWithPhotos(PhotographedContract):
    def make(self) -> VisualRecommender:
        return VisualRecommender()


class TestVBPRContract(PhotographedContract):
    def make(self) -> VBPRRecommender:
        return VBPRRecommender(factors=8, visual_factors=4, epochs=40, learning_rate=0.05)


def _with_new_photo(folder: Path) -> tuple[Interactions, ItemCatalog]:
    interactions, items = photographed_shop(folder)
    draw_product("floral", "red", shape="dress", seed=99).save(folder / "new.png")
    arrival = pd.DataFrame(
        [{"id": "new-dress", "title": "new arrival", "image_path": str(folder / "new.png")}]
    )
    catalog = ItemCatalog.from_frame(pd.concat([items.frame.reset_index(), arrival], ignore_index=True))
    return interactions, catalog


def test_similar_items_explain_which_look_matches(tmp_path: Path) -> None:
    interactions, catalog = _with_new_photo(tmp_path)
    model = VisualRecommender().fit(interactions, catalog)
    (similar,) = model.similar_items(["new-dress"], k=5)
    assert all(r.item_id.startswith("red") for r in similar)
    text = similar[0].reason.text(catalog.titles())
    assert text.startswith("Same colour and pattern") and text.endswith("as new arrival")


def test_items_without_a_readable_photo_fall_back_to_their_listed_colour(tmp_path: Path) -> None:
    interactions, catalog = photographed_shop(tmp_path)
    frame = catalog.frame.copy()
    Path(frame.loc["red-04", "image_path"]).write_bytes(b"corrupt")
    frame.loc["red-05", "image_path"] = None
    model = VisualRecommender().fit(interactions, ItemCatalog.from_frame(frame))
    assert not model.has_image_[model.items_.rows(["red-04", "red-05"])].any()
    (similar,) = model.similar_items(["red-04"], k=3)
    assert {r.item_id.split("-")[0] for r in similar} == {"red"}
    assert similar[0].reason.detail == "listed in the same colour"


def test_vbpr_scores_a_new_item_by_its_photo(tmp_path: Path) -> None:
    interactions, catalog = _with_new_photo(tmp_path)
    model = VBPRRecommender(factors=8, visual_factors=4, epochs=40, learning_rate=0.05).fit(
        interactions, catalog
    )
    new = model.items_.row("new-dress")
    red_users = model.users_.rows([f"red-user-{u:02d}" for u in range(20)])
    blue_users = model.users_.rows([f"blue-user-{u:02d}" for u in range(20)])
    assert model._score_users(red_users)[:, new].mean() > model._score_users(blue_users)[:, new].mean()


@pytest.mark.parametrize("features", ["learned", "both"])
def test_learned_features_find_the_look_and_survive_save_and_load(
    tmp_path: Path, learned_home: Path, features: str
) -> None:
    interactions, catalog = _with_new_photo(tmp_path / "images")
    model = VisualRecommender(features=features).fit(interactions, catalog)
    assert model.item_vectors_.shape[1] >= 1280 and model.item_blocks_.shape[1] < 1280
    (similar,) = model.similar_items(["new-dress"], k=5)
    assert all(r.item_id.startswith("red") for r in similar)
    assert "colour" in similar[0].reason.detail  # the words still come from the hand-made colour block
    loaded = VisualRecommender.load(model.save(tmp_path / "model"))
    assert loaded.features == features and loaded.learned_weight == model.learned_weight
    assert np.array_equal(loaded.item_blocks_, model.item_blocks_)
    (again,) = loaded.similar_items(["new-dress"], k=5)
    assert [(r.item_id, r.reason) for r in again] == [(r.item_id, r.reason) for r in similar]


def test_vbpr_on_learned_features_saves_and_loads(tmp_path: Path, learned_home: Path) -> None:
    interactions, catalog = _with_new_photo(tmp_path / "images")
    model = VBPRRecommender(
        features="learned", factors=8, visual_factors=4, epochs=40, learning_rate=0.05
    ).fit(interactions, catalog)
    new = model.items_.row("new-dress")
    red_users = model.users_.rows([f"red-user-{u:02d}" for u in range(20)])
    blue_users = model.users_.rows([f"blue-user-{u:02d}" for u in range(20)])
    assert model._score_users(red_users)[:, new].mean() > model._score_users(blue_users)[:, new].mean()
    loaded = VBPRRecommender.load(model.save(tmp_path / "model"))
    assert loaded.features == "learned"
    assert np.allclose(loaded._score_users(red_users), model._score_users(red_users))


def test_a_model_saved_before_learned_features_still_explains(tmp_path: Path) -> None:
    interactions, catalog = _with_new_photo(tmp_path / "images")
    folder = VisualRecommender().fit(interactions, catalog).save(tmp_path / "model")
    with np.load(folder / "state.npz") as arrays:
        older = {key: arrays[key] for key in arrays.files if key != "m_item_blocks"}
    np.savez_compressed(folder / "state.npz", **older)
    (similar,) = VisualRecommender.load(folder).similar_items(["new-dress"], k=5)
    assert similar[0].reason.detail.startswith("same colour and pattern")


def test_bad_parameters_are_named() -> None:
    interactions, catalog = synthetic_shop()
    with pytest.raises(ValueError, match="block weights"):
        VisualRecommender(features="handmade", colour_weight=0, pattern_weight=0, shape_weight=0).fit(
            interactions, catalog
        )
    with pytest.raises(ValueError, match="visual_factors"):
        VBPRRecommender(visual_factors=0).fit(interactions, catalog)
    with pytest.raises(ValueError, match="features must be one of"):
        VisualRecommender(features="clip").fit(interactions, catalog)
    with pytest.raises(ValueError, match="block weights"):
        VisualRecommender(features="both", learned_weight=-1.0).fit(interactions, catalog)
    assert np.isfinite(VisualRecommender().fit(interactions, catalog).item_vectors_).all()


def test_a_refit_reads_each_photo_once_and_a_replaced_photo_again(tmp_path: Path) -> None:
    interactions, catalog = photographed_shop(tmp_path)
    photo_features.cache_clear()
    first = VisualRecommender(features="handmade").fit(interactions, catalog)
    VisualRecommender(features="handmade").fit(interactions.take(np.arange(len(interactions) // 2)), catalog)
    assert photo_features.cache_info().misses == 1 and photo_features.cache_info().hits == 1

    path = Path(catalog.frame.loc["red-00", "image_path"])
    draw_product("checks", "navy", shape="tee", seed=5).save(path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    again = VisualRecommender(features="handmade").fit(interactions, catalog)
    assert photo_features.cache_info().misses == 2
    row = first.items_.row("red-00")
    assert not np.array_equal(again.item_blocks_[row], first.item_blocks_[row])
