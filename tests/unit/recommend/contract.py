"""The contract every recommender passes, run against each model on a tiny synthetic shop.

Two taste clusters: "red" shoppers interact with red summer items, "blue" shoppers with blue
winter items. A model test subclasses :class:`RecommenderContract` and defines ``make``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from vestis.recommend import ItemCatalog, Reason, Recommender, load_model
from vestis.recommend.base import NotFittedError
from vestis.recommend.interactions import Interactions

CLUSTERS = {"red": "summer dress linen floral", "blue": "winter coat wool checked"}


def synthetic_shop(seed: int = 0) -> tuple[Interactions, ItemCatalog]:
    """40 shoppers and 24 items in two clusters, plus a popular item everyone has seen."""
    rng = np.random.default_rng(seed)
    records = []
    for cluster in CLUSTERS:
        items = [f"{cluster}-{i:02d}" for i in range(12)]
        for u in range(20):
            chosen = rng.choice(items, size=6, replace=False)
            for t, item in enumerate(chosen):
                event = "purchase" if t % 3 == 0 else "view"
                records.append((f"{cluster}-user-{u:02d}", item, 1_700_000_000 + 3600 * (u * 10 + t), event))
            records.append((f"{cluster}-user-{u:02d}", "hit-00", 1_701_000_000 + 99 * u, "view"))
    frame = pd.DataFrame(records, columns=["user_id", "item_id", "timestamp", "event_type"])
    catalog = pd.DataFrame(
        [
            {
                "id": f"{cluster}-{i:02d}",
                "title": f"{cluster} {words.split()[i % 4]} {i}",
                "color": cluster,
                "product_type": words.split()[1],
                "description": f"A {cluster} {words} piece.",
                "price": 20.0 + i,
            }
            for cluster, words in CLUSTERS.items()
            for i in range(12)
        ]
        + [
            {
                "id": "hit-00",
                "title": "bestseller tote",
                "color": "black",
                "product_type": "bag",
                "price": 30.0,
            }
        ]
    )
    return Interactions.from_frame(frame), ItemCatalog.from_frame(catalog)


class RecommenderContract:
    """Protocol tests; ``learns_clusters`` is False for models that ignore who the user is."""

    learns_clusters: ClassVar[bool] = True

    def make(self) -> Recommender:
        raise NotImplementedError

    @pytest.fixture
    def shop(self) -> tuple[Interactions, ItemCatalog]:
        return synthetic_shop()

    @pytest.fixture
    def fitted(self, shop: tuple[Interactions, ItemCatalog]) -> Recommender:
        interactions, items = shop
        return self.make().fit(interactions, items)

    def test_fit_returns_the_model(self, shop: tuple[Interactions, ItemCatalog]) -> None:
        model = self.make()
        assert model.fit(*shop) is model

    def test_recommends_k_unseen_items_best_first(self, fitted: Recommender) -> None:
        (recommendations,) = fitted.recommend(["red-user-00"], k=5)
        assert len(recommendations) == 5
        scores = [r.score for r in recommendations]
        assert scores == sorted(scores, reverse=True)
        assert not {r.item_id for r in recommendations} & set(fitted.history("red-user-00"))
        assert all(isinstance(r.reason, Reason) and r.reason.text() for r in recommendations)

    def test_learns_each_users_taste(self, fitted: Recommender) -> None:
        if not self.learns_clusters:
            pytest.skip("this model does not personalise")
        for cluster in CLUSTERS:
            users = [f"{cluster}-user-{u:02d}" for u in range(20)]
            hits = [r.item_id.startswith(cluster) for recs in fitted.recommend(users, k=3) for r in recs]
            assert np.mean(hits) >= 0.8, f"{cluster}: only {np.mean(hits):.0%} of suggestions in cluster"

    def test_unknown_users_get_popular_items(self, fitted: Recommender) -> None:
        (recommendations,) = fitted.recommend(["never-seen"], k=3)
        assert recommendations[0].item_id == "hit-00"
        assert recommendations[0].reason.code == "popular"

    def test_k_is_checked_and_capped(self, fitted: Recommender) -> None:
        for bad in (0, -3):
            with pytest.raises(ValueError, match="k must be a positive integer"):
                fitted.recommend(["red-user-00"], k=bad)
        (everything,) = fitted.recommend(["red-user-00"], k=10**9, exclude_seen=False)
        assert len(everything) == len(fitted.items_)

    def test_empty_data_is_refused(self) -> None:
        empty = Interactions.from_frame(pd.DataFrame(columns=["user_id", "item_id", "timestamp"]))
        model = self.make()  # one that needs no events still needs a catalog
        reason = "empty interaction log" if model.needs_events else "without events or catalog items"
        with pytest.raises(ValueError, match=reason):
            model.fit(empty)

    def test_a_single_user_is_enough(self) -> None:
        frame = pd.DataFrame(
            {
                "user_id": ["solo"] * 3,
                "item_id": ["a", "b", "c"],
                "timestamp": [1, 2, 3],
                "event_type": "view",
            }
        )
        model = self.make().fit(Interactions.from_frame(frame))
        (recommendations,) = model.recommend(["solo"], k=5, exclude_seen=False)
        assert {r.item_id for r in recommendations} <= {"a", "b", "c"}

    def test_similar_items_exclude_the_item_itself(self, fitted: Recommender) -> None:
        similar, unknown = fitted.similar_items(["red-03", "no-such-item"], k=4)
        assert len(similar) == 4 and "red-03" not in {r.item_id for r in similar}
        assert unknown == []

    def test_save_and_load_give_the_same_answers(self, fitted: Recommender, tmp_path: Path) -> None:
        loaded = load_model(fitted.save(tmp_path / "model"))
        users = ["red-user-01", "blue-user-02", "never-seen"]
        assert loaded.recommend(users, k=4) == fitted.recommend(users, k=4)
        assert loaded.similar_items(["blue-01"], k=3) == fitted.similar_items(["blue-01"], k=3)

    def test_must_be_fitted_first(self) -> None:
        with pytest.raises(NotFittedError):
            self.make().recommend(["u"], k=3)
