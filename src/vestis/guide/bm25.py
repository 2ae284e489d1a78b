"""BM25 (Lucene's variant) as a sparse matrix: built once per catalog snapshot, scored per request."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

__all__ = ["bm25_matrix", "bm25_scores"]


def bm25_matrix(
    documents: Sequence[Sequence[str]], *, k1: float, b: float
) -> tuple[sparse.csc_matrix, dict[str, int]]:
    """Documents × terms matrix of BM25 term weights, IDF ``log(1 + (N − df + 0.5) / (df + 0.5))``.

    That IDF (Lucene's) is never negative, so a term in most products still adds a little.
    Kept rather than ``bm25s`` (``method="lucene"``: the same scores but for its constant
    factor ``k1 + 1``): this builds faster, scores (with :func:`bm25_scores`) at least as
    fast and needs no extra dependency; see "BM25 scorer vs bm25s" in docs/benchmarks.md.
    """
    terms: dict[str, int] = {}
    rows, columns = [], []
    for row, document in enumerate(documents):
        for token in document:
            rows.append(row)
            columns.append(terms.setdefault(token, len(terms)))
    n = len(documents)
    counts = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(n, len(terms)))
    counts.sum_duplicates()
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    frequency = np.bincount(counts.indices, minlength=len(terms))
    idf = np.log(1.0 + (n - frequency + 0.5) / (frequency + 0.5))
    norm = k1 * (1 - b + b * lengths / max(lengths.mean(), 1e-9)) if n else lengths
    tf = counts.data
    row_of = np.repeat(np.arange(n), np.diff(counts.indptr))
    counts.data = idf[counts.indices] * tf * (k1 + 1) / (tf + norm[row_of])
    return counts.tocsc(), terms


def bm25_scores(matrix: sparse.csc_matrix, columns: Sequence[int]) -> np.ndarray:
    """BM25 of every document for a query of term ``columns`` (a repeated term counts again).

    Adds up only the query's columns rather than multiplying the whole matrix by a count
    vector, so a search touches the postings of its own terms, not every term weight.
    """
    scores = np.zeros(matrix.shape[0])
    for column in columns:
        start, end = matrix.indptr[column], matrix.indptr[column + 1]
        np.add.at(scores, matrix.indices[start:end], matrix.data[start:end])
    return scores
