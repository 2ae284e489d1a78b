"""ALS trained on Apache Spark MLlib, stored in exactly the local ALS model's format.

:class:`SparkALS` is an :class:`~vestis.recommend.mf.ALSRecommender` whose factors come
from ``pyspark.ml.recommendation.ALS`` (``implicitPrefs=True``) instead of implicit. It
feeds Spark the same confidence matrix the local model learns from (event-typed weights, a
return cancelling its purchase) keyed by the shared id maps, then copies Spark's user and
item factors back by row. It saves as an ``als`` model, so ``load_model`` and serving read
it as a plain :class:`ALSRecommender`.

Spark runs in local mode (``local[*]``) unless a cluster URL is given, through the project's
one session (:func:`vestis.spark.spark_session`). pyspark is an optional dependency
(``pip install vestis[spark]``) imported only when a fit starts.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from scipy import sparse

from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions
from vestis.recommend.mf import ALSRecommender
from vestis.spark import spark_session

__all__ = ["SparkALS"]

_ALS_PARAMS = tuple(
    p.name for p in inspect.signature(ALSRecommender.__init__).parameters.values() if p.kind is p.KEYWORD_ONLY
)


class SparkALS(ALSRecommender):
    """ALS fitted by Spark MLlib; every other behaviour (and the saved format) is :class:`ALSRecommender`'s.

    Parameters
    ----------
    spark_master : str, optional
        Spark master URL (``spark://host:7077``, ``local[4]`` …); default ``local[*]``.
    **params
        :class:`ALSRecommender` hyper-parameters. ``regularization`` is passed to Spark's
        ``regParam``, which Spark scales by each user's and item's rating count (ALS-WR),
        so the same value regularises more than in implicit.
    """

    def __init__(self, *, spark_master: str | None = None, **params: Any) -> None:
        super().__init__(**params)
        self.spark_master = spark_master

    def get_params(self) -> dict[str, Any]:
        """The ALS hyper-parameters only, so that the saved model loads as a plain ``als``."""
        return {name: getattr(self, name) for name in _ALS_PARAMS}

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        from pyspark.ml.recommendation import ALS

        # The matrix implicit's ALS learns from in FactorRecommender._fit: clipped event-typed confidences.
        confidence = sparse.coo_matrix(self.user_items_)
        triples = list(
            zip(confidence.row.tolist(), confidence.col.tolist(), confidence.data.tolist(), strict=True)
        )
        with spark_session(self.spark_master) as spark:
            ratings = spark.createDataFrame(triples, schema="user INT, item INT, rating FLOAT")
            learner = ALS(
                rank=self.factors,
                maxIter=self.iterations,
                regParam=self.regularization,
                alpha=self.alpha,
                implicitPrefs=True,
                nonnegative=False,
                seed=self.random_state,
                userCol="user",
                itemCol="item",
                ratingCol="rating",
                coldStartStrategy="drop",
                checkpointInterval=5,
            )
            fitted = learner.fit(ratings)
            self.user_factors_ = _factor_rows(fitted.userFactors.collect(), len(self.users_), self.factors)
            self.item_factors_ = _factor_rows(fitted.itemFactors.collect(), len(self.items_), self.factors)


def _factor_rows(rows: list[Any], count: int, rank: int) -> np.ndarray:
    """Spark's ``(id, features)`` rows as a ``count × rank`` float32 array; rows Spark did not learn stay 0."""
    factors = np.zeros((count, rank), dtype=np.float32)
    if rows:
        ids = np.fromiter((row["id"] for row in rows), dtype=np.int64, count=len(rows))
        factors[ids] = np.asarray([row["features"] for row in rows], dtype=np.float32)
    return factors
