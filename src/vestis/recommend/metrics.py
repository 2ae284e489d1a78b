"""Top-k ranking metrics: how well recommended lists hit what each user went on to want.

Every metric compares ``top`` — an array (users × list length) of recommended item rows,
best first, where ``-1`` marks an empty slot — with ``relevant``, one collection of item
rows per user (the held-out items). Only the first ``k`` columns of ``top`` count; a list
shorter than ``k`` is scored as if padded with misses. Quality metrics average over the
users that have at least one relevant item (users with an empty set are skipped, as in
the H&M competition) and are 0.0 when no user has any.

With ``hits[u, j] = 1`` when the j-th item (0-based) recommended to ``u`` is relevant,
``R_u`` the relevant set and ``m_u = min(k, |R_u|)``:

- ``precision@k = Σ_j hits[u, j] / k``
- ``recall@k = Σ_j hits[u, j] / |R_u|`` (the hit rate HR@k when one item is held out)
- ``ndcg@k = Σ_j hits[u, j] / log2(j + 2)  ÷  Σ_{j < m_u} 1 / log2(j + 2)``
- ``map@k = Σ_j precision@(j + 1) · hits[u, j] / m_u`` (Kaggle H&M's MAP@12 normalisation)
- ``coverage@k`` = distinct items recommended to anyone ÷ catalog size
- ``popularity_bias@k`` = mean popularity percentile of the recommended items, in [0, 1]
  (1 = the most popular item; ties share their average rank)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
from scipy import stats

Relevant = Sequence[Collection[int]]
"""One collection of relevant item rows per user, aligned with the rows of ``top``."""

__all__ = [
    "Relevant",
    "coverage_at_k",
    "hits_at_k",
    "map_at_k",
    "metric_names",
    "ndcg_at_k",
    "popularity_bias",
    "popularity_percentiles",
    "precision_at_k",
    "ranking_metrics",
    "recall_at_k",
]


def ndcg_at_k(top: np.ndarray, relevant: Relevant, k: int) -> float:
    """Mean normalised discounted cumulative gain of the first ``k`` recommendations."""
    hits, sizes = _prepare(top, relevant, k)
    discounts = 1.0 / np.log2(np.arange(k) + 2.0)
    dcg = hits @ discounts[: hits.shape[1]]
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])[np.minimum(sizes, k)]
    return _mean(dcg, ideal, sizes)


def recall_at_k(top: np.ndarray, relevant: Relevant, k: int) -> float:
    """Mean share of each user's relevant items found in the top ``k`` (HR@k for one held-out item)."""
    hits, sizes = _prepare(top, relevant, k)
    return _mean(hits.sum(axis=1), sizes, sizes)


def precision_at_k(top: np.ndarray, relevant: Relevant, k: int) -> float:
    """Mean share of the ``k`` recommendation slots that hold a relevant item."""
    hits, sizes = _prepare(top, relevant, k)
    return _mean(hits.sum(axis=1), np.full(len(sizes), float(k)), sizes)


def map_at_k(top: np.ndarray, relevant: Relevant, k: int) -> float:
    """Mean average precision at ``k``, each user's AP divided by ``min(k, |relevant|)``."""
    hits, sizes = _prepare(top, relevant, k)
    precision = np.cumsum(hits, axis=1) / np.arange(1, hits.shape[1] + 1)
    return _mean((precision * hits).sum(axis=1), np.minimum(sizes, k), sizes)


def coverage_at_k(top: np.ndarray, n_items: int, k: int) -> float:
    """Share of the ``n_items`` catalog items that appear in anyone's top ``k``."""
    _check_k(k)
    if n_items <= 0:
        raise ValueError(f"n_items must be positive; got {n_items}")
    shown = np.unique(_as_top(top)[:, :k])
    return float(np.count_nonzero(shown >= 0) / n_items)


def popularity_bias(top: np.ndarray, percentiles: np.ndarray, k: int) -> float:
    """Mean popularity percentile (see :func:`popularity_percentiles`) of the items in the top ``k``.

    Near 1 means the model mostly recommends bestsellers; about 0.5 means it recommends
    items as popular as a typical catalog item. Empty slots are ignored; 0.0 when all are empty.
    """
    _check_k(k)
    shown = _as_top(top)[:, :k]
    shown = shown[shown >= 0]
    return float(np.asarray(percentiles)[shown].mean()) if len(shown) else 0.0


def popularity_percentiles(popularity: np.ndarray) -> np.ndarray:
    """Each item's popularity rank scaled to (0, 1]: 1 for the most popular, ties averaged."""
    popularity = np.asarray(popularity, dtype=float)
    if popularity.ndim != 1 or not len(popularity):
        raise ValueError(f"popularity must be a non-empty 1-D array; got shape {popularity.shape}")
    return stats.rankdata(popularity, method="average") / len(popularity)


def hits_at_k(top: np.ndarray, relevant: Relevant, k: int) -> np.ndarray:
    """A 0/1 array (users × min(k, list length)): 1 where a recommended item is relevant."""
    return _prepare(top, relevant, k)[0]


def ranking_metrics(
    top: np.ndarray,
    relevant: Relevant,
    ks: Iterable[int],
    *,
    n_items: int,
    percentiles: np.ndarray | None = None,
) -> dict[str, float]:
    """Every metric at every cut-off in ``ks``, named ``"<metric>@<k>"`` (e.g. ``"ndcg@10"``)."""
    results: dict[str, float] = {}
    for k in sorted(set(ks)):
        results.update(
            {
                f"ndcg@{k}": ndcg_at_k(top, relevant, k),
                f"recall@{k}": recall_at_k(top, relevant, k),
                f"precision@{k}": precision_at_k(top, relevant, k),
                f"map@{k}": map_at_k(top, relevant, k),
                f"coverage@{k}": coverage_at_k(top, n_items, k),
            }
        )
        if percentiles is not None:
            results[f"popularity_bias@{k}"] = popularity_bias(top, percentiles, k)
    return results


def metric_names(results: Mapping[str, float]) -> list[str]:
    """The distinct metric names (before ``@``) in a :func:`ranking_metrics` result, in order."""
    return list(dict.fromkeys(key.partition("@")[0] for key in results if "@" in key))


# --------------------------------------------------------------------------- helpers
def _prepare(top: np.ndarray, relevant: Relevant, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The hits matrix of the first ``k`` columns and the size of each user's relevant set."""
    _check_k(k)
    top = _as_top(top)[:, :k]
    if len(relevant) != len(top):
        raise ValueError(
            f"relevant must hold one set per row of top: {len(relevant)} sets for {len(top)} rows"
        )
    sizes = np.fromiter((len(r) for r in relevant), dtype=np.int64, count=len(relevant))
    items = np.fromiter((int(i) for r in relevant for i in r), dtype=np.int64, count=int(sizes.sum()))
    if len(items) and items.min() < 0:
        raise ValueError("relevant item rows must be non-negative")
    # Encode (user, item) pairs as one integer so membership is a single sorted search.
    width = int(max(items.max(initial=-1), top.max(initial=-1))) + 1
    pairs = np.unique(np.repeat(np.arange(len(sizes)), sizes) * width + items)
    keys = np.arange(len(top))[:, None] * width + top
    hits = (top >= 0) & np.isin(keys, pairs)
    return hits.astype(np.float64), sizes


def _mean(numerator: np.ndarray, denominator: np.ndarray, sizes: np.ndarray) -> float:
    """Mean of numerator / denominator over users with a non-empty relevant set."""
    scored = sizes > 0
    if not scored.any():
        return 0.0
    return float(np.mean(numerator[scored] / denominator[scored]))


def _as_top(top: np.ndarray) -> np.ndarray:
    top = np.asarray(top)
    if top.ndim != 2:
        raise ValueError(f"top must be a 2-D array (users × list length); got shape {top.shape}")
    return top.astype(np.int64, copy=False)


def _check_k(k: int) -> None:
    if not isinstance(k, int | np.integer) or k <= 0:
        raise ValueError(f"k must be a positive integer; got {k!r}")
