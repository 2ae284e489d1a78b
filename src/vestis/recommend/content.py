"""Content-based recommendations: items described by their text and attributes.

An item's vector joins a text embedding (TF-IDF, MiniLM or both) with one-hot attributes
(product type, colour, pattern, material, gender, brand); a shopper's profile is the
confidence- and recency-weighted mean of their history's vectors, and every score is a
cosine. Items nobody has touched yet (new arrivals in the catalog) are scored like any
other, which is what this model is for. Item vectors are saved with the model, so loading
never re-encodes the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from vestis.recommend.base import Reason, Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions
from vestis.recommend.memo import catalog_cache
from vestis.text.encoders import make_encoder
from vestis.vectors import unit_rows

ATTRIBUTES = ("product_type", "color", "pattern", "material", "gender", "brand")
"""Catalog fields that become one-hot features and "same …" explanations."""
_SPOKEN = {
    "product_type": "type",
    "color": "colour",
    "pattern": "pattern",
    "material": "material",
    "gender": "fit",
    "brand": "brand",
}
_EXPLAINED = ("color", "pattern", "material", "product_type", "brand")
_TIE_BREAK = 1e-4
"""Popularity's share of a score: only orders items the content cannot tell apart."""


class ContentRecommender(Recommender):
    """Cosine similarity of text + attribute vectors; scores cold-start catalog items.

    ``encoder``: ``"tfidf"`` (fitted on the catalog), ``"minilm"`` (offline sentence
    transformer) or ``"both"``. ``attribute_weight`` (0..1) is the attributes' share of the
    similarity, the rest being text. ``half_life_days`` makes older events count less in a
    profile (``None``: no decay). It needs no events: fitted on a catalog alone (a new shop),
    it answers :meth:`similar_items` from the item vectors.
    """

    name = "content"
    uses_catalog = True
    needs_events = False
    time_scales = ("half_life_days",)

    def __init__(
        self,
        *,
        encoder: str = "tfidf",
        attribute_weight: float = 0.4,
        half_life_days: float | None = 90.0,
        progress: bool = False,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.encoder = encoder
        self.attribute_weight = attribute_weight
        self.half_life_days = half_life_days
        self.progress = progress

    def _check_params(self) -> None:
        super()._check_params()
        if self.encoder not in ("tfidf", "minilm", "both"):
            raise ValueError(f"content: encoder must be 'tfidf', 'minilm' or 'both'; got {self.encoder!r}")
        if not 0.0 <= self.attribute_weight <= 1.0:
            raise ValueError(f"content: attribute_weight must be in [0, 1]; got {self.attribute_weight}")
        if self.half_life_days is not None and self.half_life_days <= 0:
            raise ValueError(f"content: half_life_days must be positive or None; got {self.half_life_days}")

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        catalog = _aligned(items, self.items_.ids)
        text = self._encode(catalog)
        attributes = _one_hot(catalog)
        self.item_vectors_ = np.hstack(
            [text * np.sqrt(1.0 - self.attribute_weight), attributes * np.sqrt(self.attribute_weight)]
        ).astype(np.float32)
        self.attributes_ = catalog.frame[list(ATTRIBUTES)].astype(str).to_numpy().astype(str)
        profile = interactions.matrix(
            self.users_, self.items_, event_weights=self.event_weights, half_life_days=self.half_life_days
        )
        self.user_vectors_ = unit_rows(np.asarray(profile @ self.item_vectors_, dtype=np.float32))
        self._set_tie_break()

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        return self.user_vectors_[user_rows] @ self.item_vectors_.T + self.tie_break_

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        return self.item_vectors_[item_rows] @ self.item_vectors_.T + self.tie_break_

    def _user_reasons(self, user_row: int, item_rows: np.ndarray) -> list[Reason]:
        history = self.user_items_[user_row].indices
        if not len(history) or not len(item_rows):
            return [Reason("popular")] * len(item_rows)
        similarity = self.item_vectors_[history] @ self.item_vectors_[item_rows].T
        anchors = history[np.argmax(similarity, axis=0)]
        return [Reason("similar_description", anchor=self.items_.id(int(a))) for a in anchors]

    def _item_reasons(self, anchor_row: int, item_rows: np.ndarray) -> list[Reason]:
        anchor = self.items_.id(anchor_row)
        reasons = []
        for row in item_rows:
            shared = [
                _SPOKEN[field]
                for field in _EXPLAINED
                if self.attributes_[anchor_row, ATTRIBUTES.index(field)]
                and self.attributes_[anchor_row, ATTRIBUTES.index(field)]
                == self.attributes_[row, ATTRIBUTES.index(field)]
            ][:2]
            if shared:
                reasons.append(Reason("same_look", anchor=anchor, detail=f"same {' and '.join(shared)}"))
            else:
                reasons.append(Reason("similar_description", anchor=anchor))
        return reasons

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "item_vectors": self.item_vectors_,
            "user_vectors": self.user_vectors_,
            "attributes": self.attributes_,
        }

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.item_vectors_ = arrays["item_vectors"]
        self.user_vectors_ = arrays["user_vectors"]
        self.attributes_ = arrays["attributes"].astype(str)
        self._set_tie_break()

    # ------------------------------------------------------------------ helpers
    def _encode(self, catalog: ItemCatalog) -> np.ndarray:
        """Text vectors of every item; ``both`` gives each encoder half the weight."""
        names = ["tfidf", "minilm"] if self.encoder == "both" else [self.encoder]
        texts = tuple(catalog.texts())
        return np.hstack([encoded_text(name, texts, self.progress) / np.sqrt(len(names)) for name in names])

    def _set_tie_break(self) -> None:
        self.tie_break_ = (_TIE_BREAK * self.popularity_ / max(float(self.popularity_.max()), 1.0)).astype(
            np.float32
        )


@catalog_cache
def encoded_text(name: str, texts: tuple[str, ...], progress: bool) -> np.ndarray:
    """``texts`` encoded by a fresh ``name`` encoder fitted on them (read-only).

    Remembered for the last two catalogs: the vectors depend on the catalog text alone, so a
    refit on new events (the hybrid's two fits, a tuning run's trials) encodes only once.
    """
    params = {"progress": progress} if name == "minilm" else {}
    vectors = make_encoder(name, **params).fit_encode(texts)
    vectors.flags.writeable = False
    return vectors


def _aligned(items: ItemCatalog | None, ids: np.ndarray) -> ItemCatalog:
    """The catalog in the model's row order; items it lacks get their id as their only text."""
    frame = items.frame if items is not None else pd.DataFrame(index=pd.Index([], dtype=str))
    aligned = frame.reindex(ids)
    aligned["title"] = aligned.get("title", pd.Series(index=aligned.index, dtype=object)).fillna(
        pd.Series(ids, index=aligned.index)
    )
    return ItemCatalog.from_frame(aligned.rename_axis("id"))


def _one_hot(catalog: ItemCatalog) -> np.ndarray:
    """Dense one-hot attributes, each field weighing the same; values on one item only are dropped."""
    blocks = []
    for field in ATTRIBUTES:
        values = catalog.frame[field].astype(str).str.strip().str.lower()
        counts = values.value_counts()
        kept = [v for v in counts.index if v and v != "none" and counts[v] >= 2]
        if kept:
            position = {v: i for i, v in enumerate(kept)}
            block = np.zeros((len(values), len(kept)), dtype=np.float32)
            rows = [(r, position[v]) for r, v in enumerate(values) if v in position]
            if rows:
                block[tuple(np.array(rows).T)] = 1.0
            blocks.append(block)
    if not blocks:
        return np.zeros((len(catalog), 0), dtype=np.float32)
    return unit_rows(np.hstack(blocks))
