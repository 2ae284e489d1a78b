"""The shopping guide as the API, the shop pages and the CLI use it: artifacts, freshness, sessions.

:class:`GuideService` owns one generation of the guide's artifacts — the product search
index, the outfit model and the size model — stored in the model registry as the versions of
:data:`GUIDE` (family ``"guide"``), beside the recommenders. It loads the active generation
(or builds one when none exists) on first use, switches to a newly activated one within
seconds (the same :class:`~vestis.models.watch.PointerWatch` the recommenders use), re-indexes
products when the catalog changes (a cheap fingerprint — product count and newest
``updated_at`` — is checked at most every few seconds, and on :meth:`reload`), ranks search
results for a shopper with the recommender's per-user scores, and holds the
:class:`~vestis.guide.conversation.Guide` that keeps the conversations.

The registry writes each generation into place whole and activates it by an atomic rename,
so a reader never sees a half-written generation. The service is thread-safe: one lock
serialises loading, switching generations and re-indexing, while searches and conversation
turns run concurrently (the search index and the session store lock what they change). A large
catalog re-indexes on a background thread while the previous snapshot answers
(:data:`BACKGROUND_REFRESH_FROM`).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine

from vestis.catalog import readers
from vestis.config import Settings
from vestis.errors import Unavailable, UnknownProduct
from vestis.guide.vocabulary import CatalogState
from vestis.models import ModelLoadError, ModelRegistry, Saveable, Version
from vestis.models.registry import METADATA_FILE
from vestis.models.watch import INTERVAL_SECONDS, PointerWatch
from vestis.privacy.tombstones import ErasedCustomers
from vestis.progress import progress_bar

if TYPE_CHECKING:
    from vestis.fit.size import SizeAdvice
    from vestis.guide.conversation import Guide, Reply, SessionStore
    from vestis.guide.outfits import Outfit
    from vestis.guide.search import SearchHit
    from vestis.recommend.serving import RecommendationService

GUIDE = "guide"
"""The guide's name in the model registry, and its family."""
KEEP_GENERATIONS = 2
PERSONAL_CACHE_SIZE = 512
PERSONAL_DEPTH = 60
"""How many of the recommender's best products for a shopper get a personal score (the rest get 0).

Deeper lists cost more per new shopper and hardly change a re-ranking that only reorders near-ties among the search's best candidates.
"""
WARM_UP_QUERY = "dress"
MAX_SESSIONS = 10_000
"""Conversations kept in memory (the least recently used go first; each also expires after 30 minutes)."""

BACKGROUND_REFRESH_FROM = 20_000
"""From this many indexed products, a catalog change is re-indexed on a background thread.

The previous snapshot answers meanwhile. Re-indexing reads every product again: about 1 s at
12,000 products, 3.4 s at 44,000 and 11 s at 100,000 on 2 cores (``benchmarks.catalog_scale``,
"after a change" less "next"), which would hold every search for that long. Below this size
it runs before the answer, so a change shows in the very next search."""

_T = TypeVar("_T")

logger = logging.getLogger(__name__)

__all__ = [
    "BACKGROUND_REFRESH_FROM",
    "GuideService",
    "GuideUnavailable",
    "UnknownProduct",
    "build_guide",
    "ensure_guide",
]


class GuideUnavailable(Unavailable):
    """The guide cannot answer: the catalog has no products yet (the API answers 503)."""


def build_guide(engine: Engine, settings: Settings, *, progress: bool = True) -> Path:
    """Build the search index, outfit model and size model from the catalog and make them active.

    Returns the new generation's folder. What ``vestis guide build`` and ``vestis train`` run.
    """
    from vestis.fit.size import SizeAdvisor
    from vestis.guide.outfits import OutfitBuilder
    from vestis.guide.search import ProductSearch

    started = time.perf_counter()
    state = CatalogState.of(engine)
    steps: dict[str, Callable[[], Saveable]] = {
        "search index": lambda: ProductSearch.build(engine),
        "outfits": lambda: OutfitBuilder().fit(engine),
        "size advice": lambda: SizeAdvisor().fit(engine),
    }
    parts, seconds = {}, {}
    with progress_bar(disable=not progress) as bar:
        task = bar.add_task("shopping guide", total=len(steps))
        for name, step in steps.items():
            bar.update(task, description=f"shopping guide: {name}")
            begun = time.perf_counter()
            parts[_FOLDERS[name]] = step()
            seconds[name] = round(time.perf_counter() - begun, 3)
            bar.advance(task)
    metadata = {
        "family": GUIDE,
        "catalog": {"products": state.products, "updated_at": state.updated_at},
        "build_seconds": seconds,
        "training_seconds": round(sum(seconds.values()), 3),
    }
    registry = ModelRegistry(settings.models_dir)
    version = registry.register(_Generation(parts), name=GUIDE, metadata=metadata)
    registry.activate(GUIDE, version.version)
    registry.prune(KEEP_GENERATIONS, names=[GUIDE])
    _drop_unregistered(version.path.parent)
    logger.info("built the shopping guide %s in %.1f s", version.version, time.perf_counter() - started)
    return version.path


def ensure_guide(engine: Engine, settings: Settings, *, progress: bool = True) -> Path | None:
    """Build the guide unless a generation is active (what ``serve --demo`` runs); the new folder or None."""
    if ModelRegistry(settings.models_dir).pointer(GUIDE) is not None:
        return None
    if CatalogState.of(engine).products == 0:
        return None
    return build_guide(engine, settings, progress=progress)


class GuideService:
    """The guide behind the API, pages and CLI; see the module docstring.

    Nothing heavy happens in the constructor: artifacts are loaded (or built) on first use
    or by :meth:`warm_up`, so creating the app stays instant.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        recommendations: RecommendationService | None = None,
        check_interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.recommendations = recommendations
        self.check_interval = check_interval
        self.registry = ModelRegistry(settings.models_dir)
        self._watch = PointerWatch(self.registry, lambda: [GUIDE], interval=0.0)  # _fresh_guide throttles
        self._lock = threading.RLock()
        self._cache_lock = threading.Lock()
        self._guide: Guide | None = None
        self._path: Path | None = None
        self._version: Version | None = None
        self._checked_at = 0.0
        self.failure: str | None = None  # why the warm-up failed, in a few words without paths (for /health)
        self.erased = recommendations.erased if recommendations else ErasedCustomers.of(settings.models_dir)
        self._sessions: SessionStore | None = None
        self._incomplete: Guide | None = None  # loaded without its outfit and size models (see _complete)
        self._reindexing: threading.Thread | None = (
            None  # a background re-index (see BACKGROUND_REFRESH_FROM)
        )
        self._personal: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], dict[str, float]] = OrderedDict()

    # ----------------------------------------------------------------- public API
    def warm_up(self) -> threading.Thread:
        """Load (or build) the artifacts and the sentence encoder on a background thread; requests wait for it."""
        thread = threading.Thread(target=self._warm, name="guide-warm-up", daemon=True)
        thread.start()
        return thread

    def reload(self) -> Path:
        """Load the active generation (building one if there is none), then re-index changes."""
        with self._lock:
            self._guide = None
            with self._cache_lock:
                self._personal.clear()
            return self._ready_guide()[1]

    def refresh(self) -> int:
        """Re-index the products that changed since the index was built; returns how many."""
        with self._lock:
            guide, _ = self._ready_guide()
            return self._refresh(guide)

    @property
    def is_ready(self) -> bool:
        """Whether the artifacts are loaded, so a call answers without building or loading anything."""
        return self._guide is not None

    @property
    def reindexing(self) -> bool:
        """Whether a background re-index of a changed catalog is running (see :data:`BACKGROUND_REFRESH_FROM`)."""
        return self._reindexing is not None and self._reindexing.is_alive()

    @property
    def path(self) -> Path | None:
        """The generation folder being served, once loaded."""
        return self._path

    @property
    def version(self) -> Version | None:
        """The registry version being served, once loaded."""
        return self._version

    def switch(self) -> bool:
        """Load the active generation now if it is not the one being served; whether it switched.

        What ``POST /models/reload`` runs: a guide not loaded yet, or with no active
        generation, is left to load on first use (building it can take minutes).
        """
        with self._lock:
            active = self.registry.pointer(GUIDE)
            if (
                self._guide is None
                or active is None
                or self._version is None
                or active == self._version.version
            ):
                return False
            self.reload()
            return True

    def search(self, query: str, *, k: int = 12, user_id: str | None = None) -> list[SearchHit]:
        """Products for a shopper's words, best first, re-ranked for ``user_id`` when given."""
        guide = self._fresh_guide()
        return guide.search.search(query, k=k, user_id=self._known(user_id), personalise=self.personalise)

    def ask(self, session_id: str | None, message: str, *, user_id: str | None = None) -> Reply:
        """One turn of a conversation; a new or unknown ``session_id`` starts a conversation."""
        return self._complete(self._fresh_guide()).ask(session_id, message, user_id=self._known(user_id))

    def complete_the_look(self, product_id: str, *, k: int = 3, user_id: str | None = None) -> list[Outfit]:
        """Up to ``k`` outfits built around ``product_id``; :class:`UnknownProduct` when it does not exist."""
        guide = self._complete(self._fresh_guide())
        self._require(product_id)
        if guide.outfits is None:
            return []
        return guide.outfits.complete_the_look(product_id, k=k, user_id=self._known(user_id))

    def size_advice(self, product_id: str, *, user_id: str | None = None) -> SizeAdvice | None:
        """The size ``user_id`` should take in ``product_id`` (with confidence and reason), or None without a size model."""
        guide = self._complete(self._fresh_guide())
        self._require(product_id)
        if guide.sizes is None:
            return None
        return guide.sizes.advise(product_id, user_id=self._known(user_id))

    def personalise(self, user_id: str, product_ids: Sequence[str]) -> dict[str, float]:
        """How much ``user_id`` should like each product, from the served recommender, in [0, 1].

        The recommender's :data:`PERSONAL_DEPTH` best products for the shopper are fetched once
        per model version (cached for the most recent shoppers); an item's score is 1 for their
        best match falling linearly towards 0 down the list, and 0 for items not on it (already
        bought, unknown, or further down).
        """
        ranking = self._ranking(user_id)
        return {product_id: ranking.get(product_id, 0.0) for product_id in product_ids}

    # ---------------------------------------------------------------- helpers
    def _known(self, user_id: str | None) -> str | None:
        """``user_id``, or ``None`` for an erased customer: answered as an anonymous shopper.

        The tombstones are checked on every call, so an erasure by the CLI reaches a running
        server at once, before the guide's files (already scrubbed) are reloaded.
        """
        return None if user_id is None or user_id in self.erased else user_id

    def _warm(self) -> None:
        try:
            self.search(WARM_UP_QUERY, k=1)  # loads the artifacts and the sentence encoder
            self._complete(self._fresh_guide())
        except GuideUnavailable:
            logger.info("the shopping guide waits for products")
        except Exception as error:  # a failed warm-up must not take the server down; requests will retry
            self.failure = f"could not load or build the search index ({type(error).__name__})"
            logger.exception("could not prepare the shopping guide")

    def _fresh_guide(self) -> Guide:
        """The guide, up to date: a newer generation on disk is loaded, changed products re-indexed.

        Both are checked at most every ``check_interval`` seconds, so ``vestis guide build`` or
        ``vestis train`` and catalog imports reach a running server without a restart. The
        loaded guide itself is safe to share: its search and session store lock what they change.
        """
        guide = self._guide
        if guide is not None and time.monotonic() - self._checked_at < self.check_interval:
            return guide
        with self._lock:
            guide, _ = self._ready_guide()
            if time.monotonic() - self._checked_at < self.check_interval:
                return guide
            moved = self._watch.moved()
            if moved is not None and moved[GUIDE] is not None:
                self._guide = None
                with self._cache_lock:
                    self._personal.clear()
                return self._ready_guide()[0]
            self._refresh(guide, wait=len(guide.search) < BACKGROUND_REFRESH_FROM)
            return guide

    def _ready_guide(self) -> tuple[Guide, Path]:
        if self._guide is not None and self._path is not None:
            return self._guide, self._path
        pointers = self._watch.read()
        version = self._active()
        if version is None:
            if CatalogState.of(self.engine).products == 0:
                raise GuideUnavailable("the catalog has no products yet: import some, then ask again")
            build_guide(self.engine, self.settings, progress=False)
            pointers, version = self._watch.read(), self._active(strict=True)
        try:
            guide = self._load(version.path, strict=True)  # loading brings the index up to date
        except Exception:  # written by another release, or damaged: build afresh rather than limp on
            logger.warning(
                "could not load the shopping guide %s; rebuilding it", version.label, exc_info=True
            )
            build_guide(self.engine, self.settings, progress=False)
            pointers, version = self._watch.read(), self._active(strict=True)
            guide = self._load(version.path, strict=False)
        self._guide, self._path, self._version = guide, version.path, version
        self._checked_at = time.monotonic()
        self._watch.mark(pointers)
        return guide, version.path

    def _active(self, *, strict: bool = False) -> Version | None:
        """The active generation; None when there is none or it cannot be read (then it is rebuilt), unless ``strict``."""
        try:
            return self.registry.active(GUIDE)
        except ModelLoadError:
            if strict:
                raise
            logger.warning("the active shopping guide cannot be read; rebuilding it", exc_info=True)
            return None

    def _load(self, path: Path, *, strict: bool) -> Guide:
        """The guide in generation ``path``, its outfit and size models left for :meth:`_complete`.

        A search needs neither (at 100,000 products they take over a second to read), so a
        CLI search or a server's first search does not wait for them. ``strict``: a missing
        part raises (the generation is then rebuilt) rather than leaving the guide without it.
        """
        from vestis.guide.conversation import Guide, SessionStore
        from vestis.guide.search import ProductSearch

        if strict:
            for folder in ("outfits", "sizes"):
                if not (path / folder).is_dir():
                    raise FileNotFoundError(f"{path / folder}: missing from the shopping guide's generation")
        search = ProductSearch.load(path / "search", self.engine)
        self._sessions = self._sessions or SessionStore(max_sessions=MAX_SESSIONS)
        guide = Guide(
            search,
            search.vocabulary,
            engine=self.engine,
            personalise=self.personalise,
            sessions=self._sessions,
        )
        self._incomplete = guide
        return guide

    def _complete(self, guide: Guide) -> Guide:
        """``guide`` with its outfit and size models, read on first use; one that fails to load is left out (logged)."""
        from vestis.fit.size import SizeAdvisor
        from vestis.guide.outfits import OutfitBuilder

        with self._lock:
            if self._incomplete is guide and self._path is not None:
                path = self._path
                guide.outfits = _component(OutfitBuilder.load, path / "outfits")
                guide.sizes = _component(lambda p: SizeAdvisor.load(p, engine=self.engine), path / "sizes")
                self._incomplete = None
        return guide

    def _refresh(self, guide: Guide, *, wait: bool = True) -> int:
        """Re-index if the catalog fingerprint moved; returns the number of products re-indexed.

        Unless ``wait``, the re-index runs on a background thread (one at a time) while the
        current snapshot keeps answering, and 0 is returned.
        """
        self._checked_at = time.monotonic()
        if CatalogState.of(self.engine) == guide.search.catalog:
            return 0
        folder = None if self._path is None else self._path / "search"
        if wait:
            return self._reindex(guide, folder)
        if self._reindexing is None or not self._reindexing.is_alive():
            self._reindexing = threading.Thread(
                target=self._reindex_logged, args=(guide, folder), name="guide-reindex", daemon=True
            )
            self._reindexing.start()
        return 0

    def _reindex(self, guide: Guide, folder: Path | None) -> int:
        changed = guide.search.refresh(self.engine)
        if folder is not None and folder.is_dir() and self._guide is guide:  # not into a replaced generation
            guide.search.save(folder)  # the next process starts from this snapshot and embeds nothing again
        logger.info("shopping guide: re-indexed %d changed products", changed)
        return changed

    def _reindex_logged(self, guide: Guide, folder: Path | None) -> None:
        try:
            self._reindex(guide, folder)
        except Exception:  # the previous snapshot keeps answering; the next check tries again
            logger.exception("could not re-index the shopping guide")

    def _require(self, product_id: str) -> None:
        if not readers.product_exists(self.engine, product_id=product_id):
            raise UnknownProduct(f"no product with id {product_id!r}")

    def _ranking(self, user_id: str) -> dict[str, float]:
        from vestis.recommend.serving import ModelUnavailable

        service = self.recommendations
        if service is None:
            return {}
        key = (user_id, tuple(sorted(service.versions.items())))
        with self._cache_lock:
            cached = self._personal.get(key)
            if cached is not None:
                self._personal.move_to_end(key)
                return cached
        try:
            ranked = service.ranked_ids(user_id, PERSONAL_DEPTH)
        except ModelUnavailable:  # nothing trained yet: search is simply not personalised
            ranked = []
        ranking = {item_id: 1.0 - rank / len(ranked) for rank, item_id in enumerate(ranked)}
        with self._cache_lock:
            self._personal[key] = ranking
            while len(self._personal) > PERSONAL_CACHE_SIZE:
                self._personal.popitem(last=False)
        return ranking


def _component(load: Callable[[Path], _T], path: Path) -> _T | None:
    """A model loaded from ``path``, or None (logged) when it is missing or unreadable."""
    try:
        return load(path)
    except Exception:  # one unreadable model must not stop the guide's search and conversation
        logger.exception("could not load %s; the guide answers without it", path)
        return None


class _Generation:
    """A guide generation's parts, each saved into its own folder of one registry version."""

    def __init__(self, parts: Mapping[str, Saveable]) -> None:
        self.parts = parts

    def save(self, directory: Path) -> Path:
        """Write every part into ``directory``/<its folder>."""
        for folder, part in self.parts.items():
            part.save(directory / folder)
        return directory


def _drop_unregistered(folder: Path) -> None:
    """Delete what releases before the registry held the guide left in ``folder``: a ``CURRENT`` file, generations without metadata."""
    (folder / _OLD_POINTER).unlink(missing_ok=True)
    for old in folder.iterdir():
        if old.is_dir() and (old / _OLD_MANIFEST).is_file() and not (old / METADATA_FILE).is_file():
            shutil.rmtree(old, ignore_errors=True)


_OLD_POINTER, _OLD_MANIFEST = "CURRENT", "guide.json"
_FOLDERS = {"search index": "search", "outfits": "outfits", "size advice": "sizes"}
"""Each build step's folder within a generation."""
