"""Plain library models to measure Vestis's recommenders against, on the same split.

Each peer calls an ``implicit`` model with the library's defaults (only ``random_state``
fixed) and ranks through the library's own ``recommend``, so a ratio to it answers "what do
I gain over the obvious baseline a retailer would try first". ``vestis evaluate`` scores
``implicit-als`` beside every run unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from vestis.recommend.base import Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions

__all__ = ["PEERS", "ImplicitALS", "ImplicitBPR", "make_peer"]


class ImplicitPeer(Recommender):
    """An ``implicit`` model called with its defaults; ranking goes through its own ``recommend``."""

    factory: ClassVar[Callable[[], Any]]

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        self.model_ = type(self).factory()
        self.model_.fit(self.user_items_, show_progress=False)

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        return self.model_.user_factors[user_rows] @ self.model_.item_factors.T

    def recommend_rows(
        self, user_rows: np.ndarray, k: int, *, exclude_seen: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """The library's batched ``recommend`` (filtering the user's training items)."""
        ids, scores = self.model_.recommend(
            user_rows, self.user_items_[user_rows], N=k, filter_already_liked_items=exclude_seen
        )
        return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float32)


class ImplicitALS(ImplicitPeer):
    """``implicit.cpu.als.AlternatingLeastSquares()`` with default hyper-parameters."""

    name = "implicit-als"

    @staticmethod
    def factory() -> Any:
        from implicit.cpu.als import AlternatingLeastSquares

        return AlternatingLeastSquares(random_state=0)


class ImplicitBPR(ImplicitPeer):
    """``implicit.cpu.bpr.BayesianPersonalizedRanking()`` with default hyper-parameters."""

    name = "implicit-bpr"

    @staticmethod
    def factory() -> Any:
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        return BayesianPersonalizedRanking(random_state=0)


PEERS: dict[str, type[ImplicitPeer]] = {"implicit-als": ImplicitALS, "implicit-bpr": ImplicitBPR}
"""Peer name → class."""


def make_peer(name: str) -> ImplicitPeer:
    """A new, unfitted peer by name."""
    if name not in PEERS:
        raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(PEERS)} or 'none'")
    return PEERS[name]()
