"""Matrix factorisation: each shopper and item becomes a short vector; their dot product ranks items.

Two learners from implicit's CPU models share one wrapper, :class:`FactorRecommender`:

* :class:`ALSRecommender` — weighted alternating least squares (Hu, Koren & Volinsky 2008).
  The event-typed confidence matrix, scaled by ``alpha``, says how sure we are that a
  shopper likes an item.
* :class:`BPRRecommender` — Bayesian personalised ranking (Rendle et al. 2009): learns to
  rank each shopper's items above random others. implicit's BPR uses the matrix only as a
  set of positive pairs, so event weights decide *which* pairs count (a return cancels its
  purchase) but not how much.

A return lowers a pair's summed confidence (with the default weights it cancels exactly its
purchase, leaving the view and cart signal). implicit's ALS could also take a net negative
confidence as "disliked", but with the default weights none arise: on the demo shop (142,970
events, 1,991 returns) not one of 62,465 pairs nets below zero, so the model learns from the
clipped matrix and there is no switch for it.

The default hyper-parameters are the winners of :func:`vestis.recommend.tune.tune` (40 random
trials each, NDCG@10) on a validation split carved from the training part of MovieLens
latest-small (leave-last-out; the test split was never seen). With 610 users the validation
score's standard error is about 0.006, larger than most differences between trials, so the
defaults are a sound region rather than a sharp optimum.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Mapping

import numpy as np
from implicit.cpu.als import AlternatingLeastSquares
from implicit.cpu.bpr import BayesianPersonalizedRanking
from implicit.cpu.matrix_factorization_base import MatrixFactorizationBase
from threadpoolctl import threadpool_limits

from vestis.recommend.base import Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions
from vestis.recommend.itemknn import check_num_threads

__all__ = ["ALSRecommender", "BPRRecommender", "FactorRecommender"]

_BLAS_SETTING = threading.Lock()


class FactorRecommender(Recommender):
    """What ALS and BPR share: fit an implicit model, keep its float32 factors, score by dot product.

    Subclasses store ``factors``, ``regularization``, ``iterations``, ``random_state``,
    ``num_threads`` and ``show_progress`` and build the implicit model in :meth:`_learner`.
    ``similar_items`` ranks by the cosine of item vectors.
    """

    factors: int
    regularization: float
    iterations: int
    random_state: int
    num_threads: int
    show_progress: bool

    def _check_params(self) -> None:
        super()._check_params()
        for name in ("factors", "iterations"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value <= 0:
                raise ValueError(f"{self.name}: {name} must be a positive integer; got {value!r}")
        if self.regularization < 0:
            raise ValueError(f"{self.name}: regularization must be non-negative; got {self.regularization!r}")
        check_num_threads(self.name, self.num_threads)

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        # implicit parallelises over users itself; a multi-threaded BLAS underneath slows it badly.
        # The BLAS setting is process-wide: fits on two threads (the hybrid's) take turns, or the
        # later one to finish would restore the earlier one's limit of 1 for good.
        with _BLAS_SETTING, threadpool_limits(1, "blas"):
            learner = self._learner()
            learner.fit(self.user_items_, show_progress=self.show_progress)
        self.user_factors_ = np.ascontiguousarray(learner.user_factors, dtype=np.float32)
        self.item_factors_ = np.ascontiguousarray(learner.item_factors, dtype=np.float32)

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        return self.user_factors_[user_rows] @ self.item_factors_.T

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(self.item_factors_, axis=1)
        unit = self.item_factors_ / np.where(norms > 0, norms, 1.0)[:, None]
        return unit[item_rows] @ unit.T

    def _state(self) -> dict[str, np.ndarray]:
        return {"user_factors": self.user_factors_, "item_factors": self.item_factors_}

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.user_factors_ = arrays["user_factors"]
        self.item_factors_ = arrays["item_factors"]

    @abstractmethod
    def _learner(self) -> MatrixFactorizationBase:
        """The unfitted implicit model with this model's hyper-parameters."""


class ALSRecommender(FactorRecommender):
    """Implicit-feedback matrix factorisation by alternating least squares.

    Parameters
    ----------
    factors : int
        Length of each user and item vector.
    regularization : float
        L2 penalty on the vectors; larger values generalise more and fit less.
    alpha : float
        Multiplies every confidence: how much more an observed pair counts than an unobserved one.
    iterations : int
        ALS sweeps (each solves all users, then all items).
    random_state : int
        Seed for the initial vectors.
    num_threads : int
        Threads for fitting; 0 uses every core.
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
    >>> model = ALSRecommender(factors=8, iterations=5).fit(log)
    >>> model.item_factors_.shape, model.item_factors_.dtype
    ((2, 8), dtype('float32'))
    """

    name = "als"

    def __init__(
        self,
        *,
        factors: int = 32,
        regularization: float = 1.0,
        alpha: float = 10.0,
        iterations: int = 30,
        random_state: int = 0,
        num_threads: int = 0,
        show_progress: bool = False,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads
        self.show_progress = show_progress

    def _check_params(self) -> None:
        super()._check_params()
        if self.alpha <= 0:
            raise ValueError(f"als: alpha must be positive; got {self.alpha!r}")

    def _learner(self) -> AlternatingLeastSquares:
        return AlternatingLeastSquares(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            num_threads=self.num_threads,
            random_state=self.random_state,
        )


class BPRRecommender(FactorRecommender):
    """Matrix factorisation trained to rank each shopper's items above the ones they ignored.

    implicit's BPR learns an item bias as one extra factor, so ``item_factors_`` has
    ``factors + 1`` columns (the users' last column is 1).

    Parameters
    ----------
    factors : int
        Length of each user and item vector (plus the bias column).
    learning_rate : float
        SGD step size.
    regularization : float
        L2 penalty on the vectors.
    iterations : int
        Passes over the positive pairs.
    random_state : int
        Seed for the initial vectors and the negative sampling; fits with ``num_threads=1``
        are reproducible, parallel SGD is not bit-for-bit.
    num_threads, show_progress, event_weights
        As for :class:`ALSRecommender`.
    """

    name = "bpr"

    def __init__(
        self,
        *,
        factors: int = 64,
        learning_rate: float = 0.01,
        regularization: float = 0.01,
        iterations: int = 100,
        random_state: int = 0,
        num_threads: int = 0,
        show_progress: bool = False,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads
        self.show_progress = show_progress

    def _check_params(self) -> None:
        super()._check_params()
        if self.learning_rate <= 0:
            raise ValueError(f"bpr: learning_rate must be positive; got {self.learning_rate!r}")

    def _learner(self) -> BayesianPersonalizedRanking:
        return BayesianPersonalizedRanking(
            factors=self.factors,
            learning_rate=self.learning_rate,
            regularization=self.regularization,
            iterations=self.iterations,
            num_threads=self.num_threads,
            random_state=self.random_state,
        )
