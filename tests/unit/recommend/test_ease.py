"""EASE: the closed-form item-to-item model."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.recommend.contract import RecommenderContract, synthetic_shop
from vestis.recommend.ease import EASERecommender


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
