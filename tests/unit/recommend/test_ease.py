"""EASE: the closed-form item-to-item model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.unit.recommend.contract import RecommenderContract, synthetic_shop
from vestis.recommend.ease import EASERecommender
from vestis.recommend.interactions import Interactions


class TestEASEContract(RecommenderContract):
    def make(self) -> EASERecommender:
        return EASERecommender(l2=5.0)


def test_weights_solve_the_constrained_ridge_problem() -> None:
    interactions, _ = synthetic_shop()
    model = EASERecommender(l2=3.0).fit(interactions)
    history = model.user_items_.copy()
    history.data[:] = 1.0
    gram = (history.T @ history).toarray()
    weights = model.weights_.astype(np.float64)
    assert np.allclose(np.diag(weights), 0.0)
    # Stationarity off the diagonal: (G + l2·I) B = G everywhere but the diagonal.
    residual = (gram + 3.0 * np.eye(len(gram))) @ weights - gram
    off_diagonal = ~np.eye(len(gram), dtype=bool)
    assert np.abs(residual[off_diagonal]).max() < 1e-3


def test_too_many_items_are_refused_with_advice() -> None:
    interactions, _ = synthetic_shop()
    with pytest.raises(ValueError, match="max_items is 10 .*itemknn or als"):
        EASERecommender(max_items=10).fit(interactions)


@pytest.mark.parametrize("l2", [0.0, -1.0])
def test_l2_must_be_positive(l2: float) -> None:
    interactions, _ = synthetic_shop()
    with pytest.raises(ValueError, match="l2 must be positive"):
        EASERecommender(l2=l2).fit(interactions)


def test_min_users_models_only_items_enough_shoppers_touched() -> None:
    interactions, _ = synthetic_shop()
    model = EASERecommender(l2=3.0, min_users=10).fit(interactions)
    rare = model.popularity_ < 10
    assert rare.any() and (~rare).any()
    assert np.array_equal(model.modelled_, np.flatnonzero(~rare))
    scores = model._score_users(np.arange(len(model.users_)))
    assert np.isneginf(scores[:, rare]).all()
    assert np.isfinite(scores[:, ~rare]).all()
    # The modelled items get exactly the closed form over their own columns of the history.
    history = model.user_items_.copy()
    history.data[:] = 1.0
    kept = history[:, model.modelled_]
    gram = (kept.T @ kept).toarray() + 3.0 * np.eye(len(model.modelled_))
    inverse = np.linalg.inv(gram)
    expected = -inverse / np.diag(inverse)
    np.fill_diagonal(expected, 0.0)
    assert np.allclose(model.weights_, expected, atol=1e-5)
    similar = model._score_items(np.array([np.flatnonzero(rare)[0], model.modelled_[0]]))
    assert np.isneginf(similar[0]).all() and np.isfinite(similar[1, ~rare]).all()


def test_recent_half_life_weighs_the_profile_by_how_many_items_came_after() -> None:
    log = Interactions.from_frame(
        pd.DataFrame(
            {
                "user_id": ["a", "a", "a", "b", "b", "c", "c"],
                "item_id": ["shirt", "tie", "shoe", "shirt", "tie", "tie", "shoe"],
                "timestamp": [1, 2, 3, 1, 2, 1, 2],
            }
        )
    )
    model = EASERecommender(l2=1.0, recent_half_life=1.0).fit(log)
    row = model.users_.rows(["a"])[0]
    weights = dict(zip(model.items_.ids[model.profile_[row].indices], model.profile_[row].data, strict=True))
    assert weights == pytest.approx({"shoe": 1.0, "tie": 0.5, "shirt": 0.25})
    plain = EASERecommender(l2=1.0).fit(log)
    assert np.allclose(model.weights_, plain.weights_)
    expected = model.profile_[[row]] @ model.weights_
    assert np.allclose(model._score_users(np.array([row])), expected)


def test_recency_and_pruning_survive_save_and_load(tmp_path: Path) -> None:
    interactions, _ = synthetic_shop()
    model = EASERecommender(l2=3.0, min_users=10, recent_half_life=2.0).fit(interactions)
    loaded = EASERecommender.load(model.save(tmp_path / "ease"))
    rows = np.arange(len(model.users_))
    assert np.array_equal(loaded._score_users(rows), model._score_users(rows))


@pytest.mark.parametrize(("param", "value"), [("min_users", 0), ("recent_half_life", 0.0)])
def test_min_users_and_recent_half_life_are_checked(param: str, value: float) -> None:
    interactions, _ = synthetic_shop()
    with pytest.raises(ValueError, match=param):
        EASERecommender(**{param: value}).fit(interactions)
