"""Hybrid product search: BM25 + MiniLM embeddings in an HNSW index, filtered by hard constraints.

One search, in steps:

1. parse the request into a :class:`~vestis.guide.query.Query` (unless one is given);
2. keep only products that satisfy its hard constraints (category, colour, pattern,
   material, gender, price, size, exclusions) — a boolean mask over the catalog;
3. score the admissible products lexically (BM25 over title, description and attributes,
   with the query's canonical catalog words) and/or semantically (cosine similarity of
   all-MiniLM-L6-v2 embeddings: exact over a small admissible set, an hnswlib graph
   otherwise);
4. fuse the two (reciprocal rank fusion by default, or a min-max normalised score mix),
   add soft preferences (occasion and season) and, when asked, a modest personal score;
5. return the top ``k`` as :class:`SearchHit` with the reasons a shopper can read.

The index persists (``save``/``load``) and ``refresh`` re-embeds only products whose
content hash changed, adds new ones and drops deleted ones. The catalog snapshot is saved
too and reused by ``load`` while the catalog is unchanged (see :mod:`vestis.guide.snapshot`).

Searches run while the index refreshes: everything a search reads about the catalog —
products, rows, facets, BM25, vocabulary, the rows' vector labels — is one immutable
:class:`~vestis.guide.snapshot.Snapshot`, replaced whole in one assignment when a refresh is done, and each search takes
it once. The vectors themselves are shared and locked; labels are never reused, so a
snapshot's labels stay valid while a refresh adds and removes products.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import hnswlib
import numpy as np
from sqlalchemy import Engine

from vestis.catalog.currency import symbol as currency_symbol
from vestis.files import atomic_write, replacing
from vestis.guide.query import Query, parse_query, price_phrase
from vestis.guide.snapshot import Snapshot, vectors_digest
from vestis.guide.vocabulary import KIDS, CatalogState, GuideProduct, Vocabulary, load_products
from vestis.text.encoders import MiniLMEncoder, TextEncoder
from vestis.text.tokens import CJK
from vestis.text.tokens import terms as search_terms
from vestis.vectors import one_blas_thread

logger = logging.getLogger(__name__)

__all__ = ["Fusion", "Mode", "Personalise", "ProductSearch", "SearchHit"]

Mode = Literal["hybrid", "lexical", "semantic"]
Fusion = Literal["rrf", "mix"]
Personalise = Callable[[str, Sequence[str]], dict[str, float]]
"""``(user_id, candidate_ids) -> {product_id: score}``; higher means the shopper likes it more."""

FORMAT = 2
"""Version of the saved index; 2 embeds :meth:`GuideProduct.semantic_text` (1 embedded the whole text)."""
EXACT_LIMIT = 20_000
"""An admissible set up to this size is scored exactly (a few milliseconds); a larger one asks HNSW."""
ANN_CANDIDATES = 200
"""How many nearest neighbours the HNSW graph returns per search."""


@dataclass(frozen=True)
class SearchHit:
    """One found product: its id, its score (higher is better) and why it was chosen."""

    product_id: str
    score: float
    reasons: tuple[str, ...]


class ProductSearch:
    """Lexical, semantic and hybrid search over one catalog; see the module docstring.

    Keyword-only parameters: ``encoder`` (default: offline MiniLM); ``fusion`` of the two text
    scores, ``"rrf"`` (reciprocal rank fusion with constant ``rrf_k``) or ``"mix"``
    (``mix_weight`` × min-max BM25 + the rest × min-max cosine); ``soft_weight`` of the
    occasion/season match (in [0, 1]) beside the text score (normalised to max 1);
    ``personal_weight`` of the min-max normalised personal score (modest: it reorders
    near-ties, it does not override the request); ``k1`` and ``b`` of BM25.
    """

    def __init__(
        self,
        *,
        encoder: TextEncoder | None = None,
        fusion: Fusion = "rrf",
        rrf_k: int = 60,
        mix_weight: float = 0.5,
        soft_weight: float = 0.3,
        personal_weight: float = 0.15,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        if fusion not in ("rrf", "mix"):
            raise ValueError(f"fusion must be 'rrf' or 'mix'; got {fusion!r}")
        if not 0.0 <= mix_weight <= 1.0:
            raise ValueError(f"mix_weight must be in [0, 1]; got {mix_weight}")
        self.encoder: TextEncoder = encoder or MiniLMEncoder()
        self.fusion = fusion
        self.rrf_k = rrf_k
        self.mix_weight = mix_weight
        self.soft_weight = soft_weight
        self.personal_weight = personal_weight
        self.k1 = k1
        self.b = b
        self._lock = threading.RLock()
        self._refreshing = threading.Lock()
        self._vectors = _VectorStore()
        self._state = Snapshot.empty()
        self._saved_at: Path | None = None
        self.last_refresh = 0

    # -- building, persisting, refreshing ---------------------------------------------------

    @classmethod
    def build(
        cls, engine: Engine, *, path: Path | None = None, encoder: TextEncoder | None = None, **params: object
    ) -> ProductSearch:
        """Index every product of ``engine``'s catalog (and save to ``path`` when given)."""
        search = cls(encoder=encoder, **params)  # type: ignore[arg-type]
        search.refresh(engine)
        if path is not None:
            search.save(path)
        return search

    @classmethod
    def load(cls, path: Path, engine: Engine, *, encoder: TextEncoder | None = None) -> ProductSearch:
        """Open an index saved with :meth:`save` and bring it up to date with ``engine``'s catalog.

        While the catalog's fingerprint is the one the index was saved at, its saved snapshot
        is used as it is (no product is read). Otherwise stored embeddings of unchanged products
        are reused, changed and new ones embedded, deleted ones dropped (see :meth:`refresh`;
        ``last_refresh`` says how many), and the brought-up-to-date index is saved back to
        ``path`` so the next process need not do that again.
        """
        path = Path(path)
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise FileNotFoundError(f"{path}: no readable search index ({MANIFEST}): {error}") from error
        if manifest.get("format") != FORMAT:
            raise ValueError(f"{path / MANIFEST}: format {manifest.get('format')!r}, expected {FORMAT}")
        settings = manifest["settings"]
        search = cls(encoder=encoder, **settings)
        if manifest["encoder"] != type(search.encoder).__name__:
            raise ValueError(
                f"{path}: built with encoder {manifest['encoder']}, opened with {type(search.encoder).__name__}"
            )
        search._vectors = _VectorStore.load(path, manifest)
        search._saved_at = path
        snapshot = Snapshot.load(
            path / SNAPSHOT,
            search._vectors.labels,
            catalog=CatalogState.of(engine),
            vectors=vectors_digest(search._vectors.hashes),
        )
        if snapshot is not None:
            search._state = snapshot
            return search
        search.refresh(engine)
        try:
            search.save(path)
        except OSError as error:  # a read-only models folder: the next process refreshes again
            logger.warning("could not save the refreshed search index to %s: %s", path, error)
        return search

    def save(self, path: Path) -> Path:
        """Write the embeddings, the HNSW graph, the catalog snapshot and a manifest (last) into folder ``path``.

        Embeddings and graph are rewritten only when they changed since they were last saved
        to or loaded from ``path``. Searches go on meanwhile: saving only reads the vectors, and
        it excludes a concurrent refresh (the one writer) rather than the searches.
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with self._refreshing:
            write = self._saved_at != path or self._vectors.changed
            manifest = self._vectors.save(path, write=write)
            self._saved_at = path
            self._state.save(path / SNAPSHOT, vectors=vectors_digest(manifest["hashes"]))
            manifest |= {
                "format": FORMAT,
                "encoder": type(self.encoder).__name__,
                "settings": {"fusion": self.fusion, "rrf_k": self.rrf_k, "mix_weight": self.mix_weight,
                             "soft_weight": self.soft_weight, "personal_weight": self.personal_weight,
                             "k1": self.k1, "b": self.b},
            }  # fmt: skip
            atomic_write(path / MANIFEST, (json.dumps(manifest) + "\n").encode("utf-8"))
        return path

    def refresh(self, engine: Engine) -> int:
        """Re-read the catalog: embed new and changed products, drop deleted ones; returns how many changed.

        Searches go on meanwhile against the previous snapshot (see the module docstring);
        one refresh runs at a time.
        """
        with self._refreshing:
            catalog = CatalogState.of(engine)  # before reading: a change while reading shows next time
            products = load_products(engine)
            wanted = {p.id: p.content_hash() for p in products}
            with self._lock:
                first = not self._vectors.hashes
                stale = [p for p in products if self._vectors.hashes.get(p.id) != wanted[p.id]]
                gone = [i for i in self._vectors.hashes if i not in wanted]
            if stale:
                if first:  # a first build: encoders that learn (TF-IDF) learn here
                    self.encoder.fit([p.semantic_text() for p in products])
                vectors = self.encoder.encode([p.semantic_text() for p in stale])
            with self._lock:
                if stale:
                    self._vectors.upsert([p.id for p in stale], [wanted[p.id] for p in stale], vectors)
                self._vectors.remove(gone)
                labels = dict(self._vectors.labels)
            self._state = Snapshot.build(products, labels, k1=self.k1, b=self.b, catalog=catalog)
            self.last_refresh = len(stale) + len(gone)
            return self.last_refresh

    @property
    def catalog(self) -> CatalogState | None:
        """The catalog's fingerprint when the indexed products were read (None before the first refresh)."""
        return self._state.catalog

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._state.products)

    @property
    def vocabulary(self) -> Vocabulary:
        """The catalog words of the indexed products (colours, types, …) that requests are parsed with."""
        return self._state.vocabulary

    @property
    def products(self) -> tuple[GuideProduct, ...]:
        """Every indexed product, ordered by id."""
        return self._state.products

    def product(self, product_id: str) -> GuideProduct | None:
        """The indexed product with this id, or ``None``."""
        state = self._state
        row = state.rows.get(product_id)
        return None if row is None else state.products[row]

    def count(self, query: Query) -> int:
        """How many products satisfy the hard constraints of ``query``."""
        state = self._state
        return int(state.admissible(query).sum()) if state.products else 0

    def knows(self, word: str) -> bool:
        """Whether ``word`` occurs in some product's indexed text."""
        terms = self._state.terms
        return any(token in terms for token in search_terms(word))

    def best_similarity(self, text: str) -> float:
        """The highest cosine similarity of ``text`` to any product (exact; 0.0 for an empty index)."""
        state = self._state
        if not state.products:
            return 0.0
        vector = self.encoder.encode([text])[0]
        with self._lock, one_blas_thread():
            return float((self._vectors.matrix[state.labels] @ vector).max())

    def search(
        self,
        query: str | Query,
        *,
        k: int = 12,
        user_id: str | None = None,
        mode: Mode = "hybrid",
        personalise: Personalise | None = None,
    ) -> list[SearchHit]:
        """The best ``k`` admissible products for ``query``; see the module docstring for the steps."""
        # 1. Check inputs and parse.
        if mode not in ("hybrid", "lexical", "semantic"):
            raise ValueError(f"mode must be 'hybrid', 'lexical' or 'semantic'; got {mode!r}")
        if k < 1:
            raise ValueError(f"k must be positive; got {k}")
        state = self._state  # one snapshot for the whole search: a refresh may replace it meanwhile
        parsed = parse_query(query, state.vocabulary) if isinstance(query, str) else query
        if not state.products:
            return []

        # 2. Hard constraints.
        allowed = state.admissible(parsed)
        if not allowed.any():
            return []

        # 3. Text scores over the admissible rows.
        lexical = state.lexical(parsed) if mode != "semantic" else None
        semantic = self._semantic(parsed, state, allowed) if mode != "lexical" else None

        # 4. Fuse, add soft preferences and the personal score.
        text = self._fuse(lexical, semantic, allowed)
        soft = state.soft(parsed)
        score = np.where(allowed, text + self.soft_weight * soft, -np.inf)
        pool = _top(score, max(k * 4, 50))
        personal = np.zeros(len(score))
        if personalise is not None and user_id is not None and len(pool):
            personal = _personal_scores(personalise, user_id, state, pool)
            score = score + self.personal_weight * personal

        # 5. The top k with reasons.
        rows = _top(np.where(allowed, score, -np.inf), k)
        semantic_top = set(_top(np.where(allowed, semantic, -np.inf), 10)) if semantic is not None else set()
        return [
            SearchHit(
                product_id=state.products[row].id,
                score=round(float(score[row]), 6),
                reasons=self._reasons(parsed, state, state.products[row], lexical_hit=lexical is not None and lexical[row] > 0,
                                      similar=row in semantic_top, personal=personal[row] >= 0.75),
            )
            for row in rows
        ]  # fmt: skip

    # -- private -----------------------------------------------------------------------------

    def _semantic(self, query: Query, state: Snapshot, allowed: np.ndarray) -> np.ndarray:
        """Cosine similarity of ``state``'s rows to the query embedding (0 outside the ANN's candidates)."""
        vector = self.encoder.encode([_semantic_text(query)])[0]
        with self._lock, one_blas_thread():  # see one_blas_thread: spinning BLAS threads slow the next encode
            return self._vectors.similarities(vector, state.labels, allowed)

    def _fuse(
        self, lexical: np.ndarray | None, semantic: np.ndarray | None, allowed: np.ndarray
    ) -> np.ndarray:
        """One text score per row in [0, 1] (1 = the best admissible product)."""
        parts = [p for p in (lexical, semantic) if p is not None]
        if len(parts) == 1 or self.fusion == "mix":
            weights = [self.mix_weight, 1 - self.mix_weight] if len(parts) == 2 else [1.0]
            return sum(w * _minmax(p, allowed) for w, p in zip(weights, parts, strict=True))  # type: ignore[return-value]
        fused = np.zeros(len(allowed))
        for part in parts:
            order = [r for r in _top(np.where(allowed & (part > 0), part, -np.inf), int(allowed.sum()))]
            fused[order] += 1.0 / (self.rrf_k + 1 + np.arange(len(order)))
        return fused / fused.max() if fused.max() > 0 else fused

    def _reasons(
        self,
        query: Query,
        state: Snapshot,
        product: GuideProduct,
        *,
        lexical_hit: bool,
        similar: bool,
        personal: bool,
    ) -> tuple[str, ...]:
        reasons = []
        if query.colors:
            reasons.append(f"matches '{product.color}'")
        if query.product_types:
            reasons.append(product.kind)
        reasons += [product.pattern for _ in query.patterns[:1]] + [
            product.material for _ in query.materials[:1]
        ]
        if query.age_group in KIDS:
            reasons.append({"female": "for girls", "male": "for boys"}.get(product.gender, "for kids"))
        elif query.gender:
            reasons.append({"female": "for women", "male": "for men"}.get(product.gender, product.gender))
        if query.price_min is not None or query.price_max is not None:
            sign = currency_symbol(product.currency or state.vocabulary.currency)
            reasons.append(price_phrase(query.price_min, query.price_max, sign))
        if query.size:
            reasons.append(f"size {query.size} available")
        for name in query.exclude_colors + query.exclude_patterns + query.exclude_materials:
            reasons.append(f"not {name}")
        for name in (*query.occasions, *query.seasons):
            preference = state.vocabulary.preferences.get(name)
            if preference is not None and preference.score(product) > 0:
                reasons.append(f"suits '{name}'")
        words = set(search_terms(query.text))
        matched = sorted(words & _document_terms(product)) if words else []
        if lexical_hit and matched:
            reasons.append(f"mentions '{' '.join(matched)}'")
        if similar and query.raw:
            reasons.append(f"similar to '{_shorten(query.raw)}'")
        if personal:
            reasons.append("picked for you")
        return tuple(dict.fromkeys(r for r in reasons if r))


MANIFEST = "manifest.json"
VECTORS = "vectors.npy"
GRAPH = "hnsw.bin"
SNAPSHOT = "snapshot.npz"


class _VectorStore:
    """Embeddings by product id under stable integer labels, mirrored in an hnswlib inner-product graph.

    Labels are never reused: a changed product keeps its label (hnswlib updates the vector in
    place), a deleted one is marked deleted in the graph, a new one gets the next label.
    """

    def __init__(self) -> None:
        self.labels: dict[str, int] = {}
        self.hashes: dict[str, str] = {}
        self.next_label = 0
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.graph: hnswlib.Index | None = None
        self.changed = False
        """Whether vectors were added, changed or removed since the store was last saved or loaded."""

    def upsert(self, ids: Sequence[str], hashes: Sequence[str], vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        for product_id in ids:
            if product_id not in self.labels:
                self.labels[product_id] = self.next_label
                self.next_label += 1
        if self.graph is None:
            self.matrix = np.zeros((0, vectors.shape[1]), dtype=np.float32)
            self.graph = hnswlib.Index(space="ip", dim=vectors.shape[1])
            self.graph.init_index(
                max_elements=max(self.next_label, 64), M=16, ef_construction=100, random_seed=0
            )
        if self.next_label > self.matrix.shape[0]:
            capacity = max(self.next_label, 2 * self.matrix.shape[0], 64)
            grown = np.zeros((capacity, self.matrix.shape[1]), dtype=np.float32)
            grown[: self.matrix.shape[0]] = self.matrix
            self.matrix = grown
            self.graph.resize_index(capacity)
        labels = np.array([self.labels[i] for i in ids], dtype=np.int64)
        self.matrix[labels] = vectors
        self.graph.add_items(
            vectors, labels, num_threads=-1
        )  # every core: the build's slowest step after embedding
        self.hashes.update(zip(ids, hashes, strict=True))
        self.changed = True

    def remove(self, ids: Sequence[str]) -> None:
        for product_id in ids:
            label = self.labels.pop(product_id)
            self.hashes.pop(product_id, None)
            self.matrix[label] = 0.0
            if self.graph is not None:
                self.graph.mark_deleted(label)
            self.changed = True

    def similarities(self, vector: np.ndarray, labels: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """Cosine similarity per row: exact over an admissible set up to :data:`EXACT_LIMIT`, else from HNSW.

        The graph is asked without a filter for as many neighbours as it takes to expect
        :data:`ANN_CANDIDATES` admissible ones among them (a filter would call back into Python
        for every node the search visits); rows outside its answer score 0. ``labels`` come
        from the caller's snapshot: products added since have no row in it.
        """
        scores = np.zeros(len(labels))
        count = int(allowed.sum())
        if self.graph is None or count <= EXACT_LIMIT:
            scores[allowed] = self.matrix[labels[allowed]] @ vector
            return scores
        asked = min(len(self.labels), int(np.ceil(ANN_CANDIDATES * len(labels) / count)))
        self.graph.set_ef(max(asked, 100))
        try:
            found, distances = self.graph.knn_query(vector[None, :], k=asked, num_threads=1)
        except RuntimeError:  # hnswlib found fewer than ``asked`` live neighbours
            scores[allowed] = self.matrix[labels[allowed]] @ vector
            return scores
        row_of = np.full(self.matrix.shape[0], -1, dtype=np.int64)
        row_of[labels] = np.arange(len(labels))
        rows = row_of[found[0]]
        known = rows >= 0  # products added after the caller's snapshot have no row in it
        scores[rows[known]] = 1.0 - distances[0][known]
        scores[~allowed] = 0.0
        return scores

    def save(self, path: Path, *, write: bool = True) -> dict[str, Any]:
        """The manifest entries; the vectors and graph are written to ``path`` too when ``write``."""
        if write:
            with replacing(path / VECTORS) as temporary, temporary.open("wb") as handle:
                np.save(handle, self.matrix, allow_pickle=False)
            if self.graph is not None:
                with replacing(path / GRAPH) as temporary:
                    self.graph.save_index(str(temporary))
            self.changed = False
        return {"labels": self.labels, "hashes": self.hashes, "next_label": self.next_label}

    @classmethod
    def load(cls, path: Path, manifest: Mapping[str, Any]) -> _VectorStore:
        store = cls()
        store.labels = {str(k): int(v) for k, v in manifest["labels"].items()}
        store.hashes = {str(k): str(v) for k, v in manifest["hashes"].items()}
        store.next_label = int(manifest["next_label"])
        store.matrix = np.load(path / VECTORS, allow_pickle=False)
        if store.matrix.size:
            store.graph = hnswlib.Index(space="ip", dim=store.matrix.shape[1])
            store.graph.load_index(str(path / GRAPH), max_elements=store.matrix.shape[0])
        return store


def _semantic_text(query: Query) -> str:
    """What to embed: the request as typed, or its English reading when it is written in Chinese.

    The MiniLM model is English-only; the parsed catalog words carry the Chinese request's meaning.
    """
    if query.raw and not CJK.search(query.raw):
        return query.raw
    words = (*query.colors, *query.patterns, *query.materials, *query.product_types,
             *query.occasions, *query.seasons, query.text)  # fmt: skip
    return " ".join(w for w in words if w) or query.raw


def _personal_scores(personalise: Personalise, user_id: str, state: Snapshot, pool: np.ndarray) -> np.ndarray:
    """The callback's scores for the candidate pool, min-max normalised to [0, 1]."""
    ids = [state.products[row].id for row in pool]
    given = personalise(user_id, ids) or {}
    values = np.array([float(given.get(i, 0.0)) for i in ids])
    scores = np.zeros(len(state.products))
    if values.max() > values.min():
        scores[pool] = (values - values.min()) / (values.max() - values.min())
    return scores


def _minmax(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    if not allowed.any():
        return np.zeros(len(values))
    low, high = values[allowed].min(), values[allowed].max()
    return (values - low) / (high - low) if high > low else np.zeros(len(values))


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Row indices of the ``k`` highest finite scores, best first (ties by row)."""
    finite = np.flatnonzero(np.isfinite(scores))
    order = finite[np.lexsort((finite, -scores[finite]))]
    return order[:k]


@lru_cache(maxsize=4096)
def _document_terms(product: GuideProduct) -> frozenset[str]:
    """The terms BM25 indexed for ``product`` (recomputed for the few products a search explains)."""
    return frozenset(search_terms(product.text()))


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
