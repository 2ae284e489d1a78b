"""Hybrid recommender: contract, cold start, new items, honest ranker training, the ranker's arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_info

from tests.unit.recommend.contract import RecommenderContract, synthetic_shop
from vestis.recommend import ItemCatalog, load_model
from vestis.recommend.evaluate import leave_last_out
from vestis.recommend.hybrid import HybridRecommender
from vestis.recommend.interactions import Interactions
from vestis.recommend.ranker import GBDT_PARAMS, Ranker, component_features

FAST = {"als": {"factors": 8, "iterations": 5, "num_threads": 1}, "bpr": {"iterations": 10, "num_threads": 1}}


def hybrid(**params: object) -> HybridRecommender:
    """A hybrid whose factor models are small enough for unit tests."""
    return HybridRecommender(candidates_per_model=10, component_params=FAST, **params)  # type: ignore[arg-type]


class TestHybridContract(RecommenderContract):
    def make(self) -> HybridRecommender:
        return hybrid()


@pytest.fixture(scope="module")
def shop_with_new_item() -> tuple[Interactions, ItemCatalog]:
    """The synthetic shop plus ``red-new``: a red summer dress in the catalog that nobody has touched."""
    interactions, items = synthetic_shop()
    frame = items.frame.reset_index(names="id")
    twin = frame[frame["id"] == "red-03"].assign(id="red-new")
    return interactions, ItemCatalog.from_frame(pd.concat([frame, twin], ignore_index=True))


@pytest.fixture(scope="module")
def fitted(shop_with_new_item: tuple[Interactions, ItemCatalog]) -> HybridRecommender:
    return hybrid().fit(*shop_with_new_item)


def test_session_suggestions_come_from_the_sessions_neighbourhood(fitted: HybridRecommender) -> None:
    session = ["blue-01", "blue-05"]
    suggestions = fitted.recommend_for_session(session, k=6, exclude=["blue-02"])
    assert len(suggestions) == 6
    assert all(s.item_id.startswith("blue-") for s in suggestions)
    assert not {s.item_id for s in suggestions} & {*session, "blue-02"}
    assert {s.reason.code for s in suggestions} == {"session"}
    assert {s.reason.anchor for s in suggestions} <= set(session)
    assert "just looked at" in suggestions[0].reason.text()


def test_a_session_of_unknown_items_gets_popular_items(fitted: HybridRecommender) -> None:
    (first, *_) = fitted.recommend_for_session(["no-such-item"], k=3)
    assert first.item_id == "hit-00" and first.reason.code == "popular"


def test_a_new_catalog_item_is_similar_to_its_look_alike(fitted: HybridRecommender) -> None:
    (similar,) = fitted.similar_items(["red-03"], k=6)
    assert "red-new" in {s.item_id for s in similar}
    (of_new,) = fitted.similar_items(["red-new"], k=5)
    assert of_new[0].item_id == "red-03"
    assert all(s.item_id.startswith("red-") for s in of_new)
    assert all(s.reason.code not in {"popular", "popular_in_segment"} for s in of_new)


def test_a_new_item_can_reach_shoppers_of_its_taste(fitted: HybridRecommender) -> None:
    users = [f"red-user-{u:02d}" for u in range(20)]
    suggested = {r.item_id for recs in fitted.recommend(users, k=12) for r in recs}
    assert "red-new" in suggested


def test_segments_drive_cold_start(shop_with_new_item: tuple[Interactions, ItemCatalog]) -> None:
    model = hybrid(components=("popular", "itemknn"), segments={"newcomer": "women"}).fit(*shop_with_new_item)
    (suggestions,) = model.recommend(["newcomer"], k=2)
    assert suggestions[0].reason.text() in {"Popular with women", "Popular right now"}
    assert model.recommend_for_session([], k=2)[0].reason.code == "popular"


def test_the_validation_slice_is_each_users_last_training_item() -> None:
    interactions, _ = synthetic_shop(seed=3)
    train = leave_last_out(interactions).train
    rest, held = hybrid().validation_split(train)
    inner = leave_last_out(train)
    expected = set(zip(inner.test.user_ids.tolist(), inner.test.item_ids.tolist(), strict=True))
    assert set(held.itertuples(index=False, name=None)) == expected
    left = set(zip(rest.user_ids.tolist(), rest.item_ids.tolist(), strict=True))
    assert not left & expected
    assert len(rest) + int(
        np.isin(train.user_ids + "|" + train.item_ids, list(map("|".join, expected))).sum()
    ) == len(train)


def test_no_ranker_is_learned_from_one_held_out_bestseller() -> None:
    interactions, items = synthetic_shop()
    _, held = hybrid().validation_split(interactions)
    assert held["item_id"].unique().tolist() == ["hit-00"]
    model = hybrid().fit(interactions, items)
    assert not model.ranker_.arrays, "a ranker trained on one item learns that item, not taste"
    for cluster in ("red", "blue"):
        (recommendations,) = model.recommend([f"{cluster}-user-00"], k=3)
        assert all(r.item_id.startswith(cluster) for r in recommendations)


@pytest.mark.parametrize("ranker", ["logistic", "gbdt"])
def test_the_ranker_learns_from_training_data_only(ranker: str, tmp_path: Path) -> None:
    interactions, items = synthetic_shop(seed=1)
    split = leave_last_out(interactions)
    first = hybrid(ranker=ranker, holdout=2).fit(split.train, items)
    second = hybrid(ranker=ranker, holdout=2).fit(split.train, items)
    assert first.ranker_.arrays, "the validation slice should have trained a ranker"
    assert first.ranker_.arrays.keys() == second.ranker_.arrays.keys()
    for key, value in first.ranker_.arrays.items():
        np.testing.assert_array_equal(value, second.ranker_.arrays[key])
    loaded = load_model(first.save(tmp_path / "hybrid"))
    assert isinstance(loaded, HybridRecommender)
    users = sorted(set(split.test.user_ids.tolist()))[:5]
    assert loaded.recommend(users, k=5) == first.recommend(users, k=5)


def test_reasons_come_from_the_components(fitted: HybridRecommender) -> None:
    (suggestions,) = fitted.recommend(["red-user-04"], k=5)
    assert all(r.reason.text() for r in suggestions)
    assert {r.reason.code for r in suggestions} - {"popular", "popular_in_segment"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"components": ("popular", "nope")}, "components"),
        ({"components": ()}, "components"),
        ({"candidates_per_model": 0}, "candidates_per_model"),
        ({"ranker": "forest"}, "ranker"),
        ({"validation_fraction": 0.0}, "validation_fraction"),
        ({"holdout": 0}, "holdout"),
        ({"similar_weight": 1.5}, "similar_weight"),
    ],
)
def test_bad_parameters_are_named(params: dict[str, object], message: str) -> None:
    interactions, items = synthetic_shop()
    with pytest.raises(ValueError, match=message):
        HybridRecommender(**params).fit(interactions, items)  # type: ignore[arg-type]


def test_tree_ranker_arrays_reproduce_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(600, 5))
    labels = (features[:, 0] + 0.5 * features[:, 3] * features[:, 1] + rng.normal(size=600) > 0.8).astype(int)
    ranker = Ranker("gbdt").fit(features, labels, np.arange(600) // 20)
    reference = HistGradientBoostingClassifier(**GBDT_PARAMS, random_state=0).fit(features, labels)
    np.testing.assert_allclose(ranker.decision(features), reference.decision_function(features), rtol=1e-9)


def test_component_features_put_missing_items_last() -> None:
    scores = np.array([[3.0, -np.inf, 1.0, 2.0], [5.0, 5.0, -np.inf, 4.0], [-np.inf] * 4], dtype=np.float32)
    rows, columns = np.repeat(np.arange(3), 4), np.tile(np.arange(4), 3)
    z, log_rank, raw = component_features(scores, rows, columns).T.reshape(3, 3, 4)
    assert np.expm1(log_rank).round().tolist() == [[0, 3, 2, 1], [0, 0, 3, 2], [0, 0, 0, 0]]
    assert z[0, 1] == z[0].min() and raw[0, 1] == 1.0
    finite = scores[0][np.isfinite(scores[0])]
    np.testing.assert_allclose(z[0, [0, 2, 3]], (finite - finite.mean()) / finite.std(), rtol=1e-6)
    assert raw[1, 2] == 4.0 and z[1, 2] == z[1].min()
    assert not z[2].any() and not raw[2].any()

    some = component_features(scores, np.array([0, 1]), np.array([2, 1]))
    assert np.expm1(some[:, 1]).round().tolist() == [2, 0]


def test_fitting_on_two_threads_leaves_the_blas_threads_as_they_were() -> None:
    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    interactions, items = synthetic_shop(seed=1)
    for _ in range(3):
        hybrid(holdout=2).fit(interactions, items)
    assert blas_threads() == before
