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
import pandas as pd
from scipy import sparse
from scipy.linalg import lapack

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
    min_users : int
        Model only items at least this many shoppers engaged with. The weight matrix and its
        inversion shrink with the cube of the items kept, and an item one shopper touched
        says little about anyone else; the others score ``-inf`` (never suggested by this model).
    recent_half_life : float, optional
        Recency of the shopper's profile: a history item's weight halves for every
        ``recent_half_life`` items the shopper engaged with after it, so the next suggestion
        follows what they are into now. ``None`` weighs the whole history equally. Only the
        scoring uses it; the weights learned are the same.
    max_items : int
        Refuse catalogs with more modelled items than this: memory grows as its square
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
        min_users: int = 1,
        recent_half_life: float | None = None,
        max_items: int = 30_000,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.l2 = l2
        self.binary = binary
        self.min_users = min_users
        self.recent_half_life = recent_half_life
        self.max_items = max_items

    def _check_params(self) -> None:
        super()._check_params()
        if not self.l2 > 0:
            raise ValueError(f"ease: l2 must be positive; got {self.l2!r}")
        if not isinstance(self.min_users, int | np.integer) or self.min_users < 1:
            raise ValueError(f"ease: min_users must be a positive integer; got {self.min_users!r}")
        if self.recent_half_life is not None and not self.recent_half_life > 0:
            raise ValueError(
                f"ease: recent_half_life must be positive or None; got {self.recent_half_life!r}"
            )
        if self.max_items < 1:
            raise ValueError(f"ease: max_items must be at least 1; got {self.max_items!r}")

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        self.modelled_ = np.flatnonzero(self.popularity_ >= self.min_users)
        if len(self.modelled_) > self.max_items:
            raise ValueError(
                f"ease: {len(self.modelled_):,} items need a {len(self.modelled_):,}² weight matrix; "
                f"max_items is {self.max_items:,} (raise min_users, or use itemknn or als for catalogs this large)"
            )
        self.profile_ = self._history()
        if self.recent_half_life is not None:
            self.profile_ = self.profile_.multiply(self._recency(interactions)).tocsr()
        history = self._history()[:, self.modelled_].astype(np.float32)
        gram = (history.T @ history).toarray()
        gram[np.diag_indices_from(gram)] += self.l2
        weights = _spd_inverse(gram)
        weights /= -np.diag(weights)
        np.fill_diagonal(weights, 0.0)
        self.weights_ = weights

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        scores = np.full((len(user_rows), len(self.items_)), -np.inf, dtype=np.float32)
        profile = self.profile_[user_rows][:, self.modelled_]
        scores[:, self.modelled_] = np.asarray(profile @ self.weights_)
        return scores

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        scores = np.full((len(item_rows), len(self.items_)), -np.inf, dtype=np.float32)
        position = np.full(len(self.items_), -1)
        position[self.modelled_] = np.arange(len(self.modelled_))
        anchors = position[item_rows]
        known = np.flatnonzero(anchors >= 0)
        scores[np.ix_(known, self.modelled_)] = self.weights_[anchors[known]]
        return scores

    def _history(self):  # type: ignore[no-untyped-def]
        history = self.user_items_.copy()
        if self.binary:
            history.data[:] = 1.0
        return history

    def _recency(self, interactions: Interactions) -> sparse.csr_matrix:
        """Users × items: 0.5 ** (items the user engaged with after this one ÷ ``recent_half_life``)."""
        pairs = pd.DataFrame(
            {
                "user": self.users_.rows(interactions.user_ids),
                "item": self.items_.rows(interactions.item_ids),
                "t": interactions.timestamps,
            }
        )
        last = pairs[(pairs["user"] >= 0) & (pairs["item"] >= 0)].groupby(["user", "item"])["t"].max()
        last = last.reset_index().sort_values(["user", "t", "item"], ascending=[True, False, False])
        after = last.groupby("user").cumcount().to_numpy()
        weights = np.power(0.5, after / float(self.recent_half_life or 1.0))
        shape = (len(self.users_), len(self.items_))
        return sparse.csr_matrix((weights, (last["user"].to_numpy(), last["item"].to_numpy())), shape=shape)

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "weights": self.weights_,
            "modelled": self.modelled_,
            "profile_data": self.profile_.data,
            "profile_indices": self.profile_.indices,
            "profile_indptr": self.profile_.indptr,
        }

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.weights_ = arrays["weights"]
        self.modelled_ = arrays["modelled"] if "modelled" in arrays else np.arange(len(self.weights_))
        self.profile_ = (
            sparse.csr_matrix(
                (arrays["profile_data"], arrays["profile_indices"], arrays["profile_indptr"]),
                shape=self.user_items_.shape,
            )
            if "profile_data" in arrays
            else self._history()
        )


def _spd_inverse(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a symmetric positive-definite float32 matrix, computed in its place.

    A Cholesky inverse does half the work of a general one, and single precision halves it
    again and the memory with it; the ridge on the diagonal keeps the matrix well conditioned.
    """
    if not matrix.size:
        return matrix
    factor, info = lapack.spotrf(matrix, lower=False, overwrite_a=True, clean=True)
    if info == 0:
        factor, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(
            f"ease: the item Gram matrix is not positive definite (LAPACK info {info})"
        )
    factor += np.triu(factor, 1).T
    return factor
