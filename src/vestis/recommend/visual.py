"""Recommenders that look at product photos: "visually similar" and VBPR.

Both describe every item by the hand-crafted colour / pattern / shape blocks of
:mod:`vestis.vision.features` (``features="handmade"``), by the ImageNet EfficientNet-Lite0
embedding of :mod:`vestis.vision.embeddings` (``"learned"``), or by both side by side
(``"both"``, the learned block weighted by ``learned_weight``). An item whose photo is missing
or unreadable falls back to its listed colour (the ``color`` attribute mapped onto the
palette; it has no learned block) and its reasons say so; nothing crashes on a broken image.
Reasons always come from the hand-made blocks, so the colour words stay honest whichever
features rank the items.

* :class:`VisualRecommender` — cosine similarity in the weighted block space; a shopper's
  profile is the weighted mean of their history. Reasons name the matching blocks
  ("Same colour and pattern as …").
* :class:`VBPRRecommender` — pairwise ranking (He & McAuley, 2016): the score of item i for
  user u is ``γ_u·γ_i + θ_u·(E f_i) + β_i + β'·f_i``, with ``E`` projecting the visual
  features, so colour and style taste is learned from behaviour and new items with a photo
  are scored through their look alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vestis.progress import track
from vestis.recommend.base import Reason, Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import Interactions
from vestis.recommend.memo import catalog_cache
from vestis.vision.colour import PALETTE_NAMES
from vestis.vision.embeddings import ImageEmbedder
from vestis.vision.features import (
    BLOCKS,
    LAYOUT,
    block_similarities,
    feature_matrix,
    similarity_space,
    unit_rows,
)

_SAME = {"colour": 0.92, "pattern": 0.6, "shape": 0.6}
"""Per-block cosine above which two items count as having the same colour / pattern / shape."""
_TIE_BREAK = 1e-4
_TORCH_SETTING = threading.Lock()
FEATURES: tuple[str, ...] = ("handmade", "learned", "both")
"""What the photos are described by: hand-made blocks, the learned embedding, or both."""


@dataclass(frozen=True)
class VisualSpace:
    """Item rows in the similarity space, their hand-made blocks and whether each had a readable photo.

    ``vectors`` rank the items (dot product = weighted mean of block cosines); ``blocks`` hold
    the hand-made colour / pattern / shape blocks (see :data:`~vestis.vision.features.LAYOUT`)
    that reasons are read from; ``learned`` says whether the learned embedding took part.
    """

    vectors: np.ndarray
    blocks: np.ndarray
    has_image: np.ndarray
    learned: bool = False

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        items: ItemCatalog | None,
        weights: Mapping[str, float],
        *,
        features: str = "both",
        size: int,
        progress: bool,
    ) -> VisualSpace:
        """Features of every item's photo (listed colour where there is none), weighted by block.

        ``weights`` maps ``colour`` / ``pattern`` / ``shape`` and, for ``features="both"``,
        ``learned`` to each block's share of the similarity.
        """
        frame = items.frame.reindex(ids) if items is not None else None
        paths = [
            None if frame is None or not isinstance(p, str) or not p else p
            for p in (frame["image_path"] if frame is not None else [None] * len(ids))
        ]
        files = _files(paths)
        raw, has_image = photo_features(files, size, progress)
        raw = raw.copy()
        if frame is not None:
            listed = frame["color"].fillna("").astype(str).to_numpy()
            for row in np.flatnonzero(~has_image):
                raw[row, LAYOUT["colour"]] = _listed_colour(listed[row])
        embedded = None
        if features == "learned" or (features == "both" and has_image.any()):
            embedded, readable = photo_embeddings(files, progress)
            has_image = has_image & readable
        elif features == "both":
            features = "handmade"  # no photo to embed: the learned block would be all zeros
        return cls.from_features(raw, has_image, embedded, weights, features=features)

    @classmethod
    def from_features(
        cls,
        raw: np.ndarray,
        has_image: np.ndarray,
        embedded: np.ndarray | None,
        weights: Mapping[str, float],
        *,
        features: str,
    ) -> VisualSpace:
        """The space from hand-made feature rows (:func:`feature_matrix`) and learned embeddings.

        ``embedded`` (unit rows, zero where there is no photo) is needed unless ``features`` is
        ``"handmade"``.
        """
        if features not in FEATURES:
            raise ValueError(f"features must be one of {', '.join(FEATURES)}; got {features!r}")
        reference = has_image if has_image.any() else None
        blocks = similarity_space(raw, {name: 1.0 for name in BLOCKS}, reference=reference)
        if features == "handmade":
            return cls(similarity_space(raw, weights, reference=reference), blocks, has_image)
        if embedded is None:
            raise ValueError(f"features={features!r} needs the learned embeddings; got none")
        learned = unit_rows(embedded.astype(np.float32))
        if features == "learned":
            return cls(learned, blocks, has_image, learned=True)
        handmade = {name: max(weights.get(name, 0.0), 0.0) for name in BLOCKS}
        total = sum(handmade.values()) + max(weights.get("learned", 0.0), 0.0)
        if total <= 0:
            raise ValueError(f"block weights must include a positive weight; got {dict(weights)}")
        share = max(weights.get("learned", 0.0), 0.0) / total
        parts = [learned * np.sqrt(share)]
        if share < 1.0:
            parts.insert(0, similarity_space(raw, handmade, reference=reference) * np.sqrt(1.0 - share))
        return cls(np.hstack(parts).astype(np.float32), blocks, has_image, learned=True)

    def reasons(self, ids: np.ndarray, anchor: int, rows: np.ndarray) -> list[Reason]:
        """ "Same colour and pattern as <anchor>" from the hand-made blocks that match best.

        When the learned embedding ranked the items and no block is a clear match, the reason
        says "similar style" instead of naming a block that merely scored highest.
        """
        if not len(rows):
            return []
        similarity = block_similarities(self.blocks, anchor, rows)
        reasons = []
        for position, row in enumerate(rows):
            scores = {name: float(similarity[name][position]) for name in BLOCKS}
            same = [name for name in BLOCKS if scores[name] >= _SAME[name]]
            detail = f"same {' and '.join(same)}" if same else "similar style"
            if not same and not self.learned:
                detail = f"same {max(scores, key=scores.__getitem__)}"
            if not (self.has_image[anchor] and self.has_image[row]):
                detail = (
                    "listed in the same colour" if scores["colour"] >= _SAME["colour"] else "similar look"
                )
            reasons.append(Reason("same_look", anchor=str(ids[anchor]), detail=detail))
        return reasons


class VisualRecommender(Recommender):
    """Visually similar items by the product photos' features.

    ``features`` picks them (:data:`FEATURES`): the hand-made blocks, whose
    ``colour_weight``, ``pattern_weight`` and ``shape_weight`` set each block's share of the
    similarity, the learned embedding, or both with ``learned_weight`` as the learned block's
    share beside the three others; ``image_size`` is the long side photos are reduced to
    before the hand-made analysis. The default, ``"both"`` at an equal share (2.5 beside
    1 + 1 + 0.5), finds items of the same product type and colour group more often than
    either alone on real H&M and Myntra photos (``benchmarks/visual_features.py``). It needs no
    events: fitted on a catalog alone (a new shop), it answers :meth:`similar_items` from the photos.
    """

    name = "visual"
    uses_catalog = True
    needs_events = False

    def __init__(
        self,
        *,
        colour_weight: float = 1.0,
        pattern_weight: float = 1.0,
        shape_weight: float = 0.5,
        features: str = "both",
        learned_weight: float = 2.5,
        image_size: int = 160,
        progress: bool = False,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.colour_weight = colour_weight
        self.pattern_weight = pattern_weight
        self.shape_weight = shape_weight
        self.features = features
        self.learned_weight = learned_weight
        self.image_size = image_size
        self.progress = progress

    def _check_params(self) -> None:
        super()._check_params()
        _check_visual_params(self.name, self._weights(), self.image_size, self.features)

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        _photo_space(self, items)
        profile = self.user_items_.multiply(1.0 / self.user_items_.sum(axis=1).clip(1e-9)).tocsr()
        self.user_vectors_ = np.asarray(profile @ self.item_vectors_, dtype=np.float32)
        self.tie_break_ = _tie_break(self.popularity_)

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        return self.user_vectors_[user_rows] @ self.item_vectors_.T + self.tie_break_

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        return self.item_vectors_[item_rows] @ self.item_vectors_.T + self.tie_break_

    def _user_reasons(self, user_row: int, item_rows: np.ndarray) -> list[Reason]:
        history = self.user_items_[user_row].indices
        if not len(history) or not len(item_rows):
            return [Reason("popular")] * len(item_rows)
        anchors = history[np.argmax(self.item_vectors_[history] @ self.item_vectors_[item_rows].T, axis=0)]
        space = self._space()
        return [
            space.reasons(self.items_.ids, int(a), np.array([r]))[0]
            for a, r in zip(anchors, item_rows, strict=True)
        ]

    def _item_reasons(self, anchor_row: int, item_rows: np.ndarray) -> list[Reason]:
        return self._space().reasons(self.items_.ids, anchor_row, item_rows)

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "item_vectors": self.item_vectors_,
            "item_blocks": self.item_blocks_,
            "user_vectors": self.user_vectors_,
            "has_image": self.has_image_,
        }

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.item_vectors_ = arrays["item_vectors"]
        self.item_blocks_ = _saved_blocks(arrays)
        self.user_vectors_ = arrays["user_vectors"]
        self.has_image_ = arrays["has_image"]
        self.tie_break_ = _tie_break(self.popularity_)

    def _space(self) -> VisualSpace:
        return VisualSpace(
            self.item_vectors_, self.item_blocks_, self.has_image_, learned=self.features != "handmade"
        )

    def _weights(self) -> dict[str, float]:
        return {
            "colour": self.colour_weight,
            "pattern": self.pattern_weight,
            "shape": self.shape_weight,
            "learned": self.learned_weight,
        }


class VBPRRecommender(Recommender):
    """Visual Bayesian personalised ranking, trained with torch on the CPU.

    ``factors`` latent dimensions come from behaviour alone, ``visual_factors`` from the
    projected photo features (``features`` and ``learned_weight`` as for
    :class:`VisualRecommender`, the hand-made blocks weighted equally); ``regularization`` is
    the L2 penalty on every factor. Items with a photo but no interactions are scored by
    ``θ_u·(E f_i) + β'·f_i``.
    """

    name = "vbpr"
    uses_catalog = True

    def __init__(
        self,
        *,
        factors: int = 32,
        visual_factors: int = 16,
        learning_rate: float = 0.01,
        regularization: float = 0.001,
        epochs: int = 30,
        batch_size: int = 1024,
        random_state: int = 0,
        features: str = "both",
        learned_weight: float = 2.5,
        image_size: int = 160,
        progress: bool = False,
        event_weights: Mapping[str, float] | None = None,
    ) -> None:
        super().__init__(event_weights=event_weights)
        self.factors = factors
        self.visual_factors = visual_factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.epochs = epochs
        self.batch_size = batch_size
        self.random_state = random_state
        self.features = features
        self.learned_weight = learned_weight
        self.image_size = image_size
        self.progress = progress

    def _check_params(self) -> None:
        super()._check_params()
        for name in ("factors", "visual_factors", "epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"vbpr: {name} must be a positive integer; got {value!r}")
        if self.learning_rate <= 0 or self.regularization < 0:
            raise ValueError(
                f"vbpr: learning_rate must be positive and regularization non-negative; "
                f"got {self.learning_rate}, {self.regularization}"
            )
        _check_visual_params(self.name, self._weights(), self.image_size, self.features)

    def _fit(self, interactions: Interactions, items: ItemCatalog | None) -> None:
        _photo_space(self, items)
        learned = _train_vbpr(self, self.item_vectors_)
        self.user_factors_, self.item_factors_, self.user_visual_, self.item_visual_, self.item_bias_ = (
            learned
        )

    def _score_users(self, user_rows: np.ndarray) -> np.ndarray:
        return (
            self.user_factors_[user_rows] @ self.item_factors_.T
            + self.user_visual_[user_rows] @ self.item_visual_.T
            + self.item_bias_
        )

    def _score_items(self, item_rows: np.ndarray) -> np.ndarray:
        embedding = unit_rows(np.hstack([self.item_factors_, self.item_visual_]))
        return embedding[item_rows] @ embedding.T

    def _item_reasons(self, anchor_row: int, item_rows: np.ndarray) -> list[Reason]:
        return self._space().reasons(self.items_.ids, anchor_row, item_rows)

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "item_vectors": self.item_vectors_,
            "item_blocks": self.item_blocks_,
            "has_image": self.has_image_,
            "user_factors": self.user_factors_,
            "item_factors": self.item_factors_,
            "user_visual": self.user_visual_,
            "item_visual": self.item_visual_,
            "item_bias": self.item_bias_,
        }

    def _set_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.item_vectors_, self.has_image_ = arrays["item_vectors"], arrays["has_image"]
        self.item_blocks_ = _saved_blocks(arrays)
        self.user_factors_, self.item_factors_ = arrays["user_factors"], arrays["item_factors"]
        self.user_visual_, self.item_visual_ = arrays["user_visual"], arrays["item_visual"]
        self.item_bias_ = arrays["item_bias"]

    def _space(self) -> VisualSpace:
        return VisualSpace(
            self.item_vectors_, self.item_blocks_, self.has_image_, learned=self.features != "handmade"
        )

    def _weights(self) -> dict[str, float]:
        return {**{name: 1.0 for name in BLOCKS}, "learned": self.learned_weight}


@catalog_cache
def photo_features(
    files: tuple[tuple[str, int] | None, ...], size: int, progress: bool
) -> tuple[np.ndarray, ...]:
    """Hand-made feature rows and "has a readable photo" of each ``(path, mtime_ns)`` (read-only).

    Remembered for the last two catalogs, keyed by path and modification time, so a refit
    reads each photo once and a replaced photo is read again.
    """
    raw, has_image, _ = feature_matrix(_paths(files), size=size, progress=progress)
    return _read_only(raw), _read_only(has_image)


@catalog_cache
def photo_embeddings(files: tuple[tuple[str, int] | None, ...], progress: bool) -> tuple[np.ndarray, ...]:
    """EfficientNet-Lite0 embeddings and readability of each ``(path, mtime_ns)``, remembered the same way."""
    embedded, readable = ImageEmbedder(progress=progress).embed_files(_paths(files))
    return _read_only(embedded), _read_only(readable)


# ------------------------------------------------------------------------------ helpers
def _files(paths: list[str | None]) -> tuple[tuple[str, int] | None, ...]:
    """Each photo path with its modification time; ``None`` where there is no file."""
    files: list[tuple[str, int] | None] = []
    for path in paths:
        try:
            files.append((path, os.stat(path).st_mtime_ns) if path else None)
        except OSError:
            files.append(None)
    return tuple(files)


def _paths(files: tuple[tuple[str, int] | None, ...]) -> list[Path | None]:
    return [Path(f[0]) if f else None for f in files]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _photo_space(model: VisualRecommender | VBPRRecommender, items: ItemCatalog | None) -> None:
    """Map the model's items' photos and keep their vectors, blocks and which have a photo on it."""
    space = VisualSpace.build(
        model.items_.ids,
        items,
        model._weights(),
        features=model.features,
        size=model.image_size,
        progress=model.progress,
    )
    model.item_vectors_, model.item_blocks_, model.has_image_ = space.vectors, space.blocks, space.has_image


def _train_vbpr(model: VBPRRecommender, features: np.ndarray) -> tuple[np.ndarray, ...]:
    """Minibatch Adam on the BPR loss; returns user/item factors, visual parts and item biases."""
    import torch

    with _TORCH_SETTING:  # process-wide: concurrent fits must not restore each other's setting
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # the tensors are small: extra threads only contend
        try:
            return _bpr_loop(model, features, torch)
        finally:
            torch.set_num_threads(threads)


def _bpr_loop(model: VBPRRecommender, features: np.ndarray, torch: Any) -> tuple[np.ndarray, ...]:
    generator = torch.Generator().manual_seed(model.random_state)
    rng = np.random.default_rng(model.random_state)
    n_users, n_items = model.user_items_.shape
    coo = model.user_items_.tocoo()
    users, positives = coo.row.astype(np.int64), coo.col.astype(np.int64)

    def parameter(*shape: int, scale: float = 0.01) -> torch.nn.Parameter:
        return torch.nn.Parameter(torch.randn(*shape, generator=generator) * scale)

    gamma_u, gamma_i = parameter(n_users, model.factors), parameter(n_items, model.factors)
    theta_u = parameter(n_users, model.visual_factors)
    projection = parameter(features.shape[1], model.visual_factors, scale=0.1)
    beta_i, beta_visual = parameter(n_items, scale=0.0), parameter(features.shape[1], scale=0.0)
    f = torch.from_numpy(features.astype(np.float32))
    params = [gamma_u, gamma_i, theta_u, projection, beta_i, beta_visual]
    optimiser = torch.optim.Adam(params, lr=model.learning_rate)

    def score(u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        visual = f[i] @ projection
        return (
            (gamma_u[u] * gamma_i[i]).sum(1) + (theta_u[u] * visual).sum(1) + beta_i[i] + f[i] @ beta_visual
        )

    for _ in track(
        range(model.epochs), description="vbpr epochs", disable=not model.progress, transient=True
    ):
        order = rng.permutation(len(users))
        negatives = rng.integers(0, n_items, size=len(users))
        for start in range(0, len(order), model.batch_size):
            batch = order[start : start + model.batch_size]
            u = torch.from_numpy(users[batch])
            i, j = torch.from_numpy(positives[batch]), torch.from_numpy(negatives[batch])
            margin = score(u, i) - score(u, j)
            penalty = sum(t.pow(2).sum() for t in (gamma_u[u], gamma_i[i], gamma_i[j], theta_u[u]))
            penalty = penalty + beta_i[j].pow(2).sum() + projection.pow(2).sum()
            loss = -torch.nn.functional.logsigmoid(margin).sum() + model.regularization * penalty
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    with torch.no_grad():
        unseen = torch.from_numpy(model.popularity_ == 0)
        gamma_i[unseen] = 0.0  # never trained: their random start would be noise
        beta_i[unseen] = beta_i[~unseen].mean() if (~unseen).any() else 0.0
        visual_bias = f @ beta_visual
        item_visual = torch.cat([f @ projection, torch.ones(n_items, 1)], dim=1)
        user_visual = torch.cat([theta_u, torch.zeros(n_users, 1)], dim=1)
        return tuple(
            t.detach().numpy().astype(np.float32)
            for t in (gamma_u, gamma_i, user_visual, item_visual, beta_i + visual_bias)
        )


def _listed_colour(name: str) -> np.ndarray:
    """The colour block of an item known only by its colour name (a palette one-hot, or zeros)."""
    block = np.zeros(len(PALETTE_NAMES), dtype=np.float32)
    words = name.strip().lower()
    if words in PALETTE_NAMES:
        block[PALETTE_NAMES.index(words)] = 1.0
    elif words:
        block[[i for i, palette in enumerate(PALETTE_NAMES) if palette in words] or []] = 1.0
    return block


def _saved_blocks(arrays: Mapping[str, np.ndarray]) -> np.ndarray:
    """The hand-made blocks of a saved model; models saved before they were kept apart ranked by them."""
    return arrays["item_blocks"] if "item_blocks" in arrays else arrays["item_vectors"]


def _check_visual_params(name: str, weights: Mapping[str, float], image_size: int, features: str) -> None:
    if features not in FEATURES:
        raise ValueError(f"{name}: features must be one of {', '.join(FEATURES)}; got {features!r}")
    handmade = [weights[block] for block in BLOCKS]
    if any(w < 0 for w in weights.values()) or (features == "handmade" and not any(w > 0 for w in handmade)):
        raise ValueError(f"{name}: block weights must be non-negative with one positive; got {dict(weights)}")
    if features == "both" and not any(w > 0 for w in weights.values()):
        raise ValueError(f"{name}: block weights must include a positive one; got {dict(weights)}")
    if not isinstance(image_size, int) or image_size < 32:
        raise ValueError(f"{name}: image_size must be an integer of at least 32; got {image_size!r}")


def _tie_break(popularity: np.ndarray) -> np.ndarray:
    return (_TIE_BREAK * popularity / max(float(popularity.max()), 1.0)).astype(np.float32)
