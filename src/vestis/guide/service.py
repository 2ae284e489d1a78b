"""The shopping guide as the API, the shop pages and the CLI use it: artifacts, freshness, sessions.

:class:`GuideService` owns one generation of the guide's artifacts — the product search
index, the outfit model and the size model — persisted under ``<models dir>/guide``. It
loads the current generation (or builds one when none exists) on first use, re-indexes
products when the catalog changes (a cheap fingerprint — product count and newest
``updated_at`` — is checked at most every few seconds, and on :meth:`reload`), ranks
search results for a shopper with the recommender's per-user scores, and holds the
:class:`~vestis.guide.conversation.Guide` that keeps the conversations.

Artifacts live in versioned folders ``guide/<version>/`` with a ``CURRENT`` pointer that is
replaced atomically, so a reader never sees a half-written generation. The service is
thread-safe: one lock serialises loading, switching generations and re-indexing, while
searches and conversation turns run concurrently (the search index and the session store
lock what they change).
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine

from vestis.catalog import readers
from vestis.config import Settings
from vestis.errors import Unavailable, UnknownProduct
from vestis.files import atomic_write
from vestis.privacy.tombstones import ErasedCustomers
from vestis.progress import progress_bar

if TYPE_CHECKING:
    from vestis.fit.size import SizeAdvice, SizeAdvisor
    from vestis.guide.conversation import Guide, Reply, SessionStore
    from vestis.guide.outfits import Outfit, OutfitBuilder
    from vestis.guide.search import SearchHit
    from vestis.recommend.serving import RecommendationService

GUIDE_FOLDER = "guide"
POINTER_FILE = "CURRENT"
MANIFEST_FILE = "guide.json"
KEEP_GENERATIONS = 2
CHECK_INTERVAL_SECONDS = 5.0
PERSONAL_CACHE_SIZE = 512
PERSONAL_DEPTH = 60
"""How many of the recommender's best products for a shopper get a personal score (the rest get 0).

Deeper lists cost more per new shopper and hardly change a re-ranking that only reorders near-ties among the search's best candidates.
"""
WARM_UP_QUERY = "dress"
MAX_SESSIONS = 10_000
"""Conversations kept in memory (the least recently used go first; each also expires after 30 minutes)."""

_T = TypeVar("_T")

logger = logging.getLogger(__name__)

__all__ = [
    "CatalogState",
    "GuideService",
    "GuideUnavailable",
    "UnknownProduct",
    "build_guide",
    "ensure_guide",
]


class GuideUnavailable(Unavailable):
    """The guide cannot answer: the catalog has no products yet (the API answers 503)."""


@dataclass(frozen=True)
class CatalogState:
    """A cheap fingerprint of the products: when it changes, the search index is refreshed."""

    products: int
    updated_at: str | None

    @classmethod
    def of(cls, engine: Engine) -> CatalogState:
        """The fingerprint of the catalog behind ``engine`` now."""
        count, newest = readers.catalog_fingerprint(engine)
        return cls(count, newest.isoformat() if newest is not None else None)


def build_guide(engine: Engine, settings: Settings, *, progress: bool = True) -> Path:
    """Build the search index, outfit model and size model from the catalog and make them current.

    Returns the new generation's folder. What ``vestis guide build`` and ``vestis train`` run.
    """
    from vestis.fit.size import SizeAdvisor
    from vestis.guide.outfits import OutfitBuilder
    from vestis.guide.search import ProductSearch

    root = settings.models_dir / GUIDE_FOLDER
    root.mkdir(parents=True, exist_ok=True)
    version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    staging = root / f".tmp-{version}"
    started = time.perf_counter()
    try:
        state = CatalogState.of(engine)
        steps: list[tuple[str, Callable[[], object]]] = [
            ("search index", lambda: ProductSearch.build(engine, path=staging / "search")),
            ("outfits", lambda: OutfitBuilder().fit(engine).save(staging / "outfits")),
            ("size advice", lambda: SizeAdvisor().fit(engine).save(staging / "sizes")),
        ]
        seconds = {}
        with progress_bar(disable=not progress) as bar:
            task = bar.add_task("shopping guide", total=len(steps))
            for name, step in steps:
                bar.update(task, description=f"shopping guide: {name}")
                begun = time.perf_counter()
                step()
                seconds[name] = round(time.perf_counter() - begun, 3)
                bar.advance(task)
        manifest = {
            "version": version,
            "created_at": datetime.now(UTC).isoformat(),
            "catalog": {"products": state.products, "updated_at": state.updated_at},
            "build_seconds": seconds,
        }
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        staging.rename(root / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_at(root, version)
    _prune(root, keep=KEEP_GENERATIONS)
    logger.info("built the shopping guide %s in %.1f s", version, time.perf_counter() - started)
    return root / version


def ensure_guide(engine: Engine, settings: Settings, *, progress: bool = True) -> Path | None:
    """Build the guide unless a current generation exists (what ``serve --demo`` runs); the new folder or None."""
    if _current(settings.models_dir / GUIDE_FOLDER) is not None:
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
        check_interval: float = CHECK_INTERVAL_SECONDS,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.recommendations = recommendations
        self.check_interval = check_interval
        self._lock = threading.RLock()
        self._cache_lock = threading.Lock()
        self._guide: Guide | None = None
        self._path: Path | None = None
        self._state: CatalogState | None = None
        self._checked_at = 0.0
        self.failure: str | None = None  # why the warm-up failed, in a few words without paths (for /health)
        self.erased = recommendations.erased if recommendations else ErasedCustomers.of(settings.models_dir)
        self._sessions: SessionStore | None = None
        self._personal: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], dict[str, float]] = OrderedDict()

    # ----------------------------------------------------------------- public API
    def warm_up(self) -> threading.Thread:
        """Load (or build) the artifacts and the sentence encoder on a background thread; requests wait for it."""
        thread = threading.Thread(target=self._warm, name="guide-warm-up", daemon=True)
        thread.start()
        return thread

    def reload(self) -> Path:
        """Load the current generation from disk (building one if there is none), then re-index changes."""
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
    def path(self) -> Path | None:
        """The generation folder being served, once loaded."""
        return self._path

    def search(self, query: str, *, k: int = 12, user_id: str | None = None) -> list[SearchHit]:
        """Products for a shopper's words, best first, re-ranked for ``user_id`` when given."""
        guide = self._fresh_guide()
        return guide.search.search(query, k=k, user_id=self._known(user_id), personalise=self.personalise)

    def ask(self, session_id: str | None, message: str, *, user_id: str | None = None) -> Reply:
        """One turn of a conversation; a new or unknown ``session_id`` starts a conversation."""
        return self._fresh_guide().ask(session_id, message, user_id=self._known(user_id))

    def complete_the_look(self, product_id: str, *, k: int = 3, user_id: str | None = None) -> list[Outfit]:
        """Up to ``k`` outfits built around ``product_id``; :class:`UnknownProduct` when it does not exist."""
        guide = self._fresh_guide()
        self._require(product_id)
        if guide.outfits is None:
            return []
        return guide.outfits.complete_the_look(product_id, k=k, user_id=self._known(user_id))

    def size_advice(self, product_id: str, *, user_id: str | None = None) -> SizeAdvice | None:
        """The size ``user_id`` should take in ``product_id`` (with confidence and reason), or None without a size model."""
        guide = self._fresh_guide()
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
            guide, path = self._ready_guide()
            if time.monotonic() - self._checked_at < self.check_interval:
                return guide
            newest = _current(self.settings.models_dir / GUIDE_FOLDER)
            if newest is not None and newest != path:
                self._guide = None
                with self._cache_lock:
                    self._personal.clear()
                return self._ready_guide()[0]
            self._refresh(guide)
            return guide

    def _ready_guide(self) -> tuple[Guide, Path]:
        if self._guide is not None and self._path is not None:
            return self._guide, self._path
        root = self.settings.models_dir / GUIDE_FOLDER
        path = _current(root)
        if path is None:
            if CatalogState.of(self.engine).products == 0:
                raise GuideUnavailable("the catalog has no products yet: import some, then ask again")
            path = build_guide(self.engine, self.settings, progress=False)
        state = CatalogState.of(self.engine)
        try:
            guide = self._load(path, strict=True)  # loading brings the index up to date
        except Exception:  # written by another release, or damaged: build afresh rather than limp on
            logger.warning("could not load the shopping guide in %s; rebuilding it", path, exc_info=True)
            path = build_guide(self.engine, self.settings, progress=False)
            guide = self._load(path, strict=False)
        self._guide, self._path = guide, path
        self._state, self._checked_at = state, time.monotonic()
        return guide, path

    def _load(self, path: Path, *, strict: bool) -> Guide:
        """The guide in generation ``path``; unless ``strict``, without an outfit or size model that fails to load."""
        from vestis.fit.size import SizeAdvisor
        from vestis.guide.conversation import Guide, SessionStore
        from vestis.guide.outfits import OutfitBuilder
        from vestis.guide.search import ProductSearch

        search = ProductSearch.load(path / "search", self.engine)
        outfits: OutfitBuilder | None = _component(OutfitBuilder.load, path / "outfits", strict=strict)
        sizes: SizeAdvisor | None = _component(
            lambda p: SizeAdvisor.load(p, engine=self.engine), path / "sizes", strict=strict
        )
        self._sessions = self._sessions or SessionStore(max_sessions=MAX_SESSIONS)
        return Guide(
            search,
            search.vocabulary,
            outfits=outfits,
            sizes=sizes,
            engine=self.engine,
            personalise=self.personalise,
            sessions=self._sessions,
        )

    def _refresh(self, guide: Guide) -> int:
        """Re-index if the catalog fingerprint moved; returns the number of products re-indexed."""
        self._checked_at = time.monotonic()
        state = CatalogState.of(self.engine)
        if state == self._state:
            return 0
        changed = guide.search.refresh(self.engine)
        self._state = state
        if changed and self._path is not None:
            guide.search.save(self._path / "search")  # the next start need not embed them again
        logger.info("shopping guide: re-indexed %d changed products", changed)
        return changed

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


def _component(load: Callable[[Path], _T], path: Path, *, strict: bool) -> _T | None:
    """A model loaded from ``path``; unless ``strict``, None (logged) when it is missing or unreadable."""
    if strict:
        return load(path)
    try:
        return load(path)
    except Exception:  # one unreadable model must not stop the guide's search and conversation
        logger.exception("could not load %s; the guide answers without it", path)
        return None


def _current(root: Path) -> Path | None:
    """The generation ``CURRENT`` names, or None when there is none (or it is incomplete)."""
    try:
        version = (root / POINTER_FILE).read_text().strip()
    except FileNotFoundError:
        return None
    path = root / version
    return path if version and (path / MANIFEST_FILE).is_file() else None


def _point_at(root: Path, version: str) -> None:
    atomic_write(root / POINTER_FILE, f"{version}\n".encode("ascii"))


def _prune(root: Path, *, keep: int) -> None:
    """Delete all but the ``keep`` newest generations (never the current one)."""
    current = _current(root)
    generations = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in generations[:-keep]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
