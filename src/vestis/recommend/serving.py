"""The in-process recommendation service behind the API and the shop pages.

:class:`RecommendationService` loads the active version of every model in the registry
once, with a snapshot of the catalog (titles for reason texts, prices and images for
cards), and answers "recommended for you" and "similar items" from memory. ``reload()``
builds a complete new snapshot first and then swaps one reference, so requests in flight
keep the snapshot they started with and no request ever sees a half-loaded set of models.
A :class:`~vestis.models.watch.PointerWatch` notices within seconds when ``vestis train``
activates new versions, and the next request reloads them; ``reload()`` does it at once.

A model whose active version cannot be loaded (the version is missing, its metadata or
files are unreadable, it holds another kind of model) never stops the others: it is logged
with the reason, listed in :attr:`RecommendationService.failures` for ``/health``, and the
version of it served until then, if any, stays in service.

A customer who was erased (:mod:`vestis.privacy.erasure`) is answered as an anonymous
shopper by every model, even one trained before the erasure: the service checks the
tombstones kept beside the models before each personal answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from vestis.catalog import readers
from vestis.errors import Unavailable, UnknownProduct
from vestis.models import ModelLoadError, ModelRegistry, Version
from vestis.models.watch import INTERVAL_SECONDS, PointerWatch
from vestis.privacy.tombstones import ErasedCustomers
from vestis.recommend import FAMILY, load_model
from vestis.recommend.base import Reason, Recommendation, Recommender
from vestis.vectors import one_blas_thread

SimilarKind = Literal["behaviour", "visual", "content"]
SIMILAR_MODELS: Mapping[str, tuple[str, ...]] = {
    "behaviour": ("itemknn", "ease", "als", "bpr"),
    "visual": ("visual", "vbpr"),
    "content": ("content",),
}
"""For each kind of similarity, the models that can answer it, preferred first."""
PERSONAL_MODELS = ("hybrid", "ease", "als", "itemknn", "bpr", "vbpr", "content", "visual", "popular")
"""Models that can answer "recommended for you", preferred first."""
COLD_START_MODEL = "popular"
SHOWCASE_SIZE = 6
NO_MODELS = "no model trained yet: run `vestis train`"
NO_EVENTS = (
    "recommendations for shoppers need events: import some (vestis import events) and run `vestis train`"
)
ANONYMOUS = ""
"""Who an erased customer is answered as: an id no event carries, new and unsegmented to every model."""

logger = logging.getLogger(__name__)

__all__ = [
    "CatalogItem",
    "LoadFailure",
    "ModelUnavailable",
    "RecommendationService",
    "Shopper",
    "SimilarKind",
    "Suggestion",
    "UnknownProduct",
]


class ModelUnavailable(Unavailable):
    """No trained model can answer this kind of request (the API answers 503)."""


@dataclass(frozen=True)
class CatalogItem:
    """What a recommendation card shows of a product."""

    id: str
    title: str
    brand: str | None = None
    product_type: str | None = None
    price: float | None = None
    currency: str | None = None
    image_path: str | None = None
    image_link: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """One recommended product, its score, the reason as data and as a sentence, and the model that chose it."""

    item: CatalogItem
    score: float
    reason_text: str
    reason: Reason
    model: str


@dataclass(frozen=True)
class LoadFailure:
    """A model whose active version could not be loaded: which, and why in a few words (no paths).

    ``version`` is None when not even the ``ACTIVE`` pointer could be read.
    """

    name: str
    version: str | None
    reason: str


@dataclass(frozen=True)
class Shopper:
    """A shopper to show recommendations for in the demo picker, with a hint of their taste."""

    id: str
    label: str


@dataclass(frozen=True)
class _Snapshot:
    """Everything one generation of the service answers from; never changed after it is built."""

    models: Mapping[str, Recommender] = field(default_factory=dict)
    versions: Mapping[str, Version] = field(default_factory=dict)
    items: Mapping[str, CatalogItem] = field(default_factory=dict)
    titles: Mapping[str, str] = field(default_factory=dict)
    shoppers: Sequence[Shopper] = ()
    failures: Sequence[LoadFailure] = ()


class RecommendationService:
    """Recommendations from the registry's active models, kept in memory; see the module docstring."""

    def __init__(
        self, registry: ModelRegistry, engine: Engine, *, check_interval: float = INTERVAL_SECONDS
    ) -> None:
        self.registry = registry
        self.engine = engine
        self.erased = ErasedCustomers.of(registry.root)
        self._snapshot = _Snapshot()
        self._reloading = threading.Lock()
        self._watch = PointerWatch(registry, lambda: registry.names(family=FAMILY), interval=check_interval)
        self.reload()

    # ----------------------------------------------------------------- public API
    def reload(self) -> list[LoadFailure]:
        """Load the active version of every model and a fresh catalog snapshot, then swap them in.

        A model that fails to load is logged and reported instead of taking the others
        down; if a version of it was being served, that version goes on serving. Returns
        the models that failed (empty when every active version loaded).
        """
        with self._reloading:
            return self._reload()

    @property
    def versions(self) -> dict[str, str]:
        """Model name → the version being served."""
        return {name: version.version for name, version in self._current().versions.items()}

    @property
    def loaded(self) -> list[Version]:
        """The versions being served, by model name."""
        versions = self._current().versions
        return [versions[name] for name in sorted(versions)]

    @property
    def failures(self) -> list[LoadFailure]:
        """The models whose active version could not be loaded at the last (re)load, by model name."""
        return list(self._current().failures)

    @property
    def shoppers(self) -> list[Shopper]:
        """Shoppers with many purchases, each the top buyer of a different category (for the demo picker)."""
        return [shopper for shopper in self._current().shoppers if shopper.id not in self.erased]

    def for_customer(self, customer_id: str, k: int = 12) -> list[Suggestion]:
        """The ``k`` best items for a customer from the hybrid model, or the best model available.

        A customer the model has never seen gets their segment's favourites (or overall
        popular items) from the popularity model: cold start is an answer, not an error.
        """
        k = _check_k(k)
        snapshot = self._current()
        customer_id = ANONYMOUS if customer_id in self.erased else customer_id
        name, model = _personal_model(snapshot, customer_id)
        with (
            one_blas_thread()
        ):  # a request's products are small; spinning BLAS threads would slow the next one
            found = model.recommend([customer_id], k)[0]
        return _suggestions(snapshot, name, found)

    def ranked_ids(self, customer_id: str, k: int = 12) -> list[str]:
        """The ids :meth:`for_customer` would return, best first, without writing their reasons.

        Re-ranking (the shopping guide's personal search) needs only the order, and reasons
        cost most of a recommendation call.
        """
        k = _check_k(k)
        snapshot = self._current()
        customer_id = ANONYMOUS if customer_id in self.erased else customer_id
        name, model = _personal_model(snapshot, customer_id)
        with one_blas_thread():
            if customer_id not in model.users_:
                return [s.item.id for s in _suggestions(snapshot, name, model.recommend([customer_id], k)[0])]
            top, scores = model.recommend_rows(model.users_.rows([customer_id]), k)
        ids = (
            model.items_.id(int(row)) for row, score in zip(top[0], scores[0], strict=True) if score > -np.inf
        )
        return [item_id for item_id in ids if item_id in snapshot.items]

    def similar(self, product_id: str, k: int = 12, kind: SimilarKind = "behaviour") -> list[Suggestion]:
        """The ``k`` products most like ``product_id`` in shoppers' behaviour, looks or description."""
        k = _check_k(k)
        if kind not in SIMILAR_MODELS:
            raise ValueError(f"kind must be one of {', '.join(SIMILAR_MODELS)}; got {kind!r}")
        snapshot = self._current()
        name = next((n for n in SIMILAR_MODELS[kind] if n in snapshot.models), None)
        if name is None:
            needed = " or ".join(SIMILAR_MODELS[kind])
            message = NO_MODELS if not snapshot.models else f"no {kind} model is trained: train {needed}"
            raise ModelUnavailable(message)
        if product_id not in snapshot.items:
            raise UnknownProduct(f"no product with id {product_id!r}")
        with one_blas_thread():
            found = snapshot.models[name].similar_items([product_id], k)[0]
        return _suggestions(snapshot, name, found)

    def has(self, *names: str) -> bool:
        """Whether any of the models ``names`` is being served."""
        return any(name in self._current().models for name in names)

    # ---------------------------------------------------------------- helpers
    def _current(self) -> _Snapshot:
        """The snapshot to answer from, after reloading when an ``ACTIVE`` pointer moved.

        One caller reloads while the others go on answering from the previous snapshot.
        """
        if self._watch.moved() is not None and self._reloading.acquire(blocking=False):
            try:
                self._reload()
            finally:
                self._reloading.release()
        return self._snapshot

    def _reload(self) -> list[LoadFailure]:
        """Build and swap in a new snapshot (the caller holds ``_reloading``); the models that failed."""
        pointers = self._watch.read()
        previous = self._snapshot
        models: dict[str, Recommender] = {}
        versions: dict[str, Version] = {}
        failures: list[LoadFailure] = []
        for name in pointers:
            try:
                loaded = _load_active(self.registry, name)
            except ModelLoadError as error:
                loaded = _served(previous, name)
                failures.append(_failed(error, kept=loaded[0] if loaded else None))
            if loaded is not None:
                versions[name], models[name] = loaded
        items = _catalog_items(self.engine)
        titles = {item_id: item.title for item_id, item in items.items()}
        shoppers = _showcase_shoppers(self.engine) if models else []
        self._snapshot = _Snapshot(models, versions, items, titles, shoppers, failures)
        self._watch.mark(pointers)
        return failures


def _load_active(registry: ModelRegistry, name: str) -> tuple[Version, Recommender] | None:
    """The active version of ``name`` and its model; None when none is active.

    :class:`ModelLoadError` when it cannot be served, including a folder that holds another
    kind of model (the service picks models by their registry name).
    """
    version = registry.active(name)
    if version is None:
        return None
    model = registry.load(name, version.version, loader=load_model)
    if not isinstance(model, Recommender) or model.name != name:
        kind = getattr(model, "name", type(model).__name__)
        raise ModelLoadError(name, version.version, f"it holds a {kind!r} model, not {name!r}")
    return version, model


def _failed(error: ModelLoadError, *, kept: Version | None) -> LoadFailure:
    """``error`` as a failure to report, logged with its details (paths included) for the operator."""
    fallback = f"still serving {kept.label}" if kept else "serving without it"
    logger.warning("%s; %s", error, fallback)
    logger.debug("why %s could not be loaded", error.name, exc_info=error)
    return LoadFailure(error.name, error.version, error.reason)


def _served(snapshot: _Snapshot, name: str) -> tuple[Version, Recommender] | None:
    """The version of ``name`` that ``snapshot`` serves and its model, if any."""
    if name not in snapshot.models:
        return None
    return snapshot.versions[name], snapshot.models[name]


def _personal_model(snapshot: _Snapshot, customer_id: str) -> tuple[str, Recommender]:
    """The best personal model served, or the cold-start model for a customer it has never seen.

    A shop whose models learned from its catalog alone (no events yet) has no popularity to
    offer a stranger, so that is a :class:`ModelUnavailable` rather than an arbitrary list.
    """
    name = next((n for n in PERSONAL_MODELS if n in snapshot.models), None)
    if name is None:
        raise ModelUnavailable(NO_MODELS)
    model = snapshot.models[name]
    if customer_id in model.users_:
        return name, model
    if COLD_START_MODEL in snapshot.models:
        return COLD_START_MODEL, snapshot.models[COLD_START_MODEL]
    if not model.popularity_.any():
        raise ModelUnavailable(NO_EVENTS)
    return name, model


def _suggestions(snapshot: _Snapshot, model: str, results: Sequence[Recommendation]) -> list[Suggestion]:
    """Results as cards, dropping items that are no longer in the catalog."""
    return [
        Suggestion(snapshot.items[r.item_id], r.score, r.reason.text(snapshot.titles), r.reason, model)
        for r in results
        if r.item_id in snapshot.items
    ]


def _catalog_items(engine: Engine) -> dict[str, CatalogItem]:
    return {row.id: CatalogItem(*row) for row in readers.product_summaries(engine)}


def _showcase_shoppers(engine: Engine, size: int = SHOWCASE_SIZE) -> list[Shopper]:
    """The top buyer of each of the ``size`` most bought categories, labelled with that category."""
    counts = pd.DataFrame(readers.purchase_counts_by_type(engine), columns=["user", "category", "purchases"])
    if counts.empty:
        return []
    counts = counts.sort_values(["purchases", "user"], ascending=[False, True])
    favourite = counts.drop_duplicates("user")
    categories = counts.groupby("category")["purchases"].sum().sort_values(ascending=False).index
    shoppers = []
    for category in categories[:size]:
        buyers = favourite[favourite["category"] == category]
        if len(buyers):
            shoppers.append(Shopper(str(buyers.iloc[0]["user"]), f"mostly buys {category}"))
    return shoppers


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
        raise ValueError(f"k must be a positive integer; got {k!r}")
    return k
