"""Item-to-item nearest neighbours: "shoppers who bought this also bought that".

The similarity matrix comes from implicit's nearest-neighbour models (cosine, BM25 or
TF-IDF weighting of the user × item confidence matrix, keeping each item's ``neighbours``
closest items); this module only wires it into the :class:`~vestis.recommend.base.Recommender`
protocol. A user's score for an item is the sum, over the items in their history, of
their confidence in that history item times its similarity to the candidate, so a purchase
pulls its neighbours up more than a view does.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import ClassVar

import numpy as np
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender, TFIDFRecommender
from implicit.utils import ParameterWarning
from scipy import sparse

from vestis.recommend.base import Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions

__all__ = ["ItemKNNRecommender"]


class ItemKNNRecommender(Recommender):
    """Recommends items that co-occur with what the shopper bought or viewed.

    Parameters
    ----------
    similarity : {"cosine", "bm25", "tfidf"}
        How co-occurrence counts become similarities. ``bm25`` and ``tfidf`` damp shoppers
        who touch very many items, so heavy browsers do not make everything look alike.
    neighbours : int
        How many most-similar items each item keeps; the rest count as unrelated.
    bm25_k1, bm25_b : float
        BM25 saturation and length normalisation (used only with ``similarity="bm25"``).
    num_threads : int
        Threads for the similarity computation; 0 uses every core.
    show_progress : bool
        Show implicit's progress bar while fitting.
    event_weights : mapping, optional
        Confidence per event type (see :data:`~vestis.recommend.interactions.EVENT_WEIGHTS`).

    Examples
    --------
    >>> import pandas as pd
    >>> from vestis.recommend import Interactions
    >>> log = Interactions.from_frame(pd.DataFrame({"user_id": list("aabbc"), "timestamp": range(5),
    ...     "item_id": ["shirt", "tie", "shirt", "tie", "shirt"]}))
    >>> model = ItemKNNRecommender().fit(log)
    >>> [(r.item_id, r.reason.text()) for r in model.recommend(["c"], k=1)[0]]
    [('tie', 'Because you viewed shirt')]
    """

    name = "itemknn"
    SIMILARITIES: ClassVar[tuple[str, ...]] = ("cosine", "bm25", "tfidf")

    def __init__(
        self,
        *,
        similarity: str = "cosine",
        neighbours: int = 100,
        bm25_k1: float = 1.2,
        bm25_b: float = 0.75,
        num_threads: int = 0,
        show_progress: bool = False,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.similarity = similarity
        self.neighbours = neighbours
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b
        self.num_threads = num_threads
        self.show_progress = show_progress

    def _check_params(self) -> None:
        super()._check_params()
        if self.similarity not in self.SIMILARITIES:
            raise ValueError(
                f"itemknn: similarity must be one of {', '.join(self.SIMILARITIES)}; got {self.similarity!r}"
            )
        if not isinstance(self.neighbours, int | np.integer) or self.neighbours <= 0:
            raise ValueError(f"itemknn: neighbours must be a positive integer; got {self.neighbours!r}")
        if self.bm25_k1 < 0:
            raise ValueError(f"itemknn: bm25_k1 must be non-negative; got {self.bm25_k1!r}")
        if not 0 <= self.bm25_b <= 1:
            raise ValueError(f"itemknn: bm25_b must lie in [0, 1]; got {self.bm25_b!r}")
        check_num_threads(self.name, self.num_threads)

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        knn = self._implicit_model()
        with warnings.catch_warnings():
            # implicit's own BM25/TF-IDF/cosine weighting hands its kNN a COO matrix and warns about it.
            warnings.filterwarnings("ignore", "Method expects CSR input", ParameterWarning)
            knn.fit(self.user_items_, show_progress=self.show_progress)
        self.similarity_ = sparse.csr_matrix(knn.similarity, dtype=np.float32)

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        return (self.user_items_[user_rows] @ self.similarity_).toarray()

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        return self.similarity_[item_rows].toarray()

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "sim_data": self.similarity_.data,
            "sim_indices": self.similarity_.indices,
            "sim_indptr": self.similarity_.indptr,
        }

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        size = len(self.items_)
        self.similarity_ = sparse.csr_matrix(
            (arrays["sim_data"], arrays["sim_indices"], arrays["sim_indptr"]), shape=(size, size)
        )

    def _implicit_model(self) -> CosineRecommender | BM25Recommender | TFIDFRecommender:
        """The implicit model for the chosen similarity (it computes the neighbour matrix)."""
        if self.similarity == "bm25":
            return BM25Recommender(
                K=self.neighbours, K1=self.bm25_k1, B=self.bm25_b, num_threads=self.num_threads
            )
        kind = CosineRecommender if self.similarity == "cosine" else TFIDFRecommender
        return kind(K=self.neighbours, num_threads=self.num_threads)


def check_num_threads(model: str, num_threads: int) -> None:
    """Refuse a thread count implicit cannot use (0 means every core)."""
    if not isinstance(num_threads, int | np.integer) or num_threads < 0:
        raise ValueError(
            f"{model}: num_threads must be a non-negative integer (0 = all cores); got {num_threads!r}"
        )
