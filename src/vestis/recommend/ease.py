"""EASE: a closed-form linear item-to-item model ("embarrassingly shallow autoencoder").

Steck (WWW 2019) showed that learning a full item × item weight matrix ``B`` that
reconstructs each shopper's history from the rest of it, with ``diag(B) = 0`` and an L2
penalty ``l2``, has a closed-form solution from the inverse of the item Gram matrix. No
library we depend on implements it; it is a few lines of linear algebra and, on the data
we measured (see docs/benchmarks.md), ranks better than matrix factorisation. Its cost is
an n_items × n_items dense matrix, so it is meant for catalogs up to a few tens of
thousands of active items.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vestis.recommend.base import Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions

__all__ = ["EASERecommender"]


class EASERecommender(Recommender):
    """Scores items by a learned linear combination of the shopper's whole history.

    Parameters
    ----------
    l2 : float
        Ridge penalty added to the Gram matrix's diagonal; larger values pull the weights
        towards zero (more popularity-like), smaller ones fit co-occurrence more closely.
    binary : bool
        Learn from "interacted or not" (True) or from the event-weighted confidences.
    max_items : int
        Refuse catalogs with more active items than this: memory grows as its square
        (4 bytes × n²; 30,000 items ≈ 3.6 GB).
    event_weights : mapping, optional
        Confidence per event type; with ``binary=True`` it only decides what counts as a positive.

    Examples
    --------
    >>> import pandas as pd
    >>> from vestis.recommend import Interactions
    >>> log = Interactions.from_frame(pd.DataFrame({"user_id": list("aabbc"), "timestamp": range(5),
    ...     "item_id": ["shirt", "tie", "shirt", "tie", "shirt"]}))
    >>> [r.item_id for r in EASERecommender(l2=1.0).fit(log).recommend(["c"], k=1)[0]]
    ['tie']
    """

    name = "ease"

    def __init__(
        self,
        *,
        l2: float = 50.0,
        binary: bool = True,
        max_items: int = 30_000,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.l2 = l2
        self.binary = binary
        self.max_items = max_items

    def _check_params(self) -> None:
        super()._check_params()
        if not self.l2 > 0:
            raise ValueError(f"ease: l2 must be positive; got {self.l2!r}")
        if self.max_items < 1:
            raise ValueError(f"ease: max_items must be at least 1; got {self.max_items!r}")

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        if len(self.items_) > self.max_items:
            raise ValueError(
                f"ease: {len(self.items_):,} items need a {len(self.items_):,}² weight matrix; "
                f"max_items is {self.max_items:,} (use itemknn or als for catalogs this large)"
            )
        history = self._history()
        gram = (history.T @ history).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += self.l2
        inverse = np.linalg.inv(gram)
        weights = -inverse / np.diag(inverse)
        np.fill_diagonal(weights, 0.0)
        self.weights_ = weights.astype(np.float32)

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        return np.asarray(self._history()[user_rows] @ self.weights_)

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        return self.weights_[item_rows]

    def _history(self):  # type: ignore[no-untyped-def]
        history = self.user_items_.copy()
        if self.binary:
            history.data[:] = 1.0
        return history

    def _state(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights_}

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.weights_ = arrays["weights"]
