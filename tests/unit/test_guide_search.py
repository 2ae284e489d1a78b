"""Product search on the demo catalog: hard constraints, labelled-set quality, persistence, refresh."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from benchmarks.guide_search import demo_catalog, judge, load_labelled, mean_ndcg, ranker
from sqlalchemy import Engine, delete

from vestis.catalog import store
from vestis.catalog.db import transaction
from vestis.catalog.models import Product
from vestis.guide import search as search_module
from vestis.guide.bm25 import bm25_matrix, bm25_scores
from vestis.guide.query import Query, parse_query
from vestis.guide.search import ProductSearch
from vestis.guide.vocabulary import load_products
from vestis.text.encoders import TextEncoder

pytestmark = pytest.mark.slow
MODES = ("lexical", "semantic", "hybrid")


class CountingEncoder:
    """Wraps an encoder (sharing its cache, so tests embed each text once) and records every text asked for."""

    def __init__(self, inner: TextEncoder) -> None:
        self.inner = inner
        self.seen: list[str] = []

    def fit(self, texts: Sequence[str]) -> CountingEncoder:
        self.inner.fit(texts)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return demo_catalog(tmp_path_factory.mktemp("guide-search"))


@pytest.fixture(scope="module")
def search(engine: Engine) -> ProductSearch:
    return ProductSearch.build(engine)


def test_labelled_set_is_explicit_and_matches_its_rules(engine: Engine) -> None:
    labelled = load_labelled()
    assert len(labelled) >= 60
    products = load_products(engine)
    for item in labelled:
        judged = {p.id: grade for p in products if (grade := judge(item.rules, p)) > 0}
        assert judged == item.relevant, item.query
        assert 2 in judged.values(), f"{item.query!r} has no exact match in the demo catalog"


def test_every_result_of_every_labelled_query_satisfies_its_hard_constraints(search: ProductSearch) -> None:
    for item in load_labelled():
        parsed = parse_query(item.query, search.vocabulary)
        for mode in MODES:
            for hit in search.search(parsed, k=12, mode=mode):
                product = search.product(hit.product_id)
                assert product is not None
                assert parsed.admits(product), (item.query, mode, hit.product_id, parsed.violations(product))


def test_hybrid_is_at_least_as_good_as_each_single_mode(search: ProductSearch) -> None:
    labelled = load_labelled()
    scores = {mode: mean_ndcg(ranker(search, mode), labelled) for mode in MODES}
    raw_hybrid = mean_ndcg(ranker(search, "hybrid", parse=False), labelled)
    assert scores["hybrid"] >= max(scores["lexical"], scores["semantic"]) - 0.01, scores
    assert scores["hybrid"] > raw_hybrid + 0.05, (scores, raw_hybrid)  # query understanding pays off
    assert scores["hybrid"] > 0.8, scores


def test_hits_explain_themselves(search: ProductSearch) -> None:
    hits = search.search("a red dress under 80 euros in size M", k=3)
    assert hits
    for hit in hits:
        assert (
            "matches 'red'" in hit.reasons
            and "under €80" in hit.reasons
            and "size M available" in hit.reasons
        )
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_ann_agrees_with_exact_search(search: ProductSearch, monkeypatch: pytest.MonkeyPatch) -> None:
    vector = search.encoder.encode(["light summer clothes for the beach"])[0]
    labels = search._state.labels
    exact = search._vectors.matrix[labels] @ vector
    everything = np.ones(len(search), dtype=bool)
    approximate = search._vectors.similarities(vector, labels, everything)  # unfiltered: the HNSW graph
    assert len(set(np.argsort(-exact)[:10]) & set(np.argsort(-approximate)[:10])) >= 9
    dresses = search._state.admissible(Query(product_types=("Dresses",)))
    monkeypatch.setattr(search_module, "EXACT_LIMIT", 0)  # filtered sets of any size go through the graph
    filtered = search._vectors.similarities(vector, labels, dresses)
    assert not filtered[~dresses].any()
    top = np.argsort(-np.where(dresses, exact, -np.inf))[:10]
    assert len(set(top) & set(np.argsort(-filtered)[:10])) >= 9


def test_personal_scores_reorder_without_breaking_constraints(search: ProductSearch) -> None:
    query = parse_query("black jeans", search.vocabulary)
    plain = [h.product_id for h in search.search(query, k=12)]
    favourite = plain[-1]
    boosted = search.search(
        query, k=12, user_id="u1", personalise=lambda user, ids: {i: float(i == favourite) for i in ids}
    )
    ids = [h.product_id for h in boosted]
    assert set(ids) == set(plain) and ids.index(favourite) < plain.index(favourite)
    assert "picked for you" in boosted[ids.index(favourite)].reasons
    assert search.search(query, k=12, personalise=lambda *_: {favourite: 1.0}) == search.search(query, k=12)


def test_save_load_and_refresh_re_embed_only_what_changed(search: ProductSearch, tmp_path: Path) -> None:
    engine = demo_catalog(tmp_path / "catalog")
    encoder = CountingEncoder(search.encoder)
    built = ProductSearch.build(engine, path=tmp_path / "index", encoder=encoder)
    assert len(encoder.seen) == len(built) == 360
    before = [h.product_id for h in built.search("cozy winter sweater", k=5)]

    again = ProductSearch.load(tmp_path / "index", engine, encoder=CountingEncoder(search.encoder))
    assert again.last_refresh == 0 and len(again.encoder.seen) == 0  # type: ignore[attr-defined]
    assert [h.product_id for h in again.search("cozy winter sweater", k=5)] == before

    with transaction(engine) as session:
        changed = session.get(Product, "vs-00001")
        assert changed is not None
        changed.title = "Aster regular-fit viscose t-shirt in olive with a parrot print"
        session.execute(delete(Product).where(Product.id == "vs-00002"))
        store.upsert_products(session, rows=[{"id": "new-1", "title": "Sparkly sequin party top", "price": 49.0,
                                               "product_type": "Tops", "color": "yellow", "size": ["S", "M"]}])  # fmt: skip
    seen = len(again.encoder.seen)  # type: ignore[attr-defined]
    assert again.refresh(engine) == 3
    embedded = again.encoder.seen[seen:]  # type: ignore[attr-defined]
    assert (
        len(embedded) == 2 and any("parrot" in t for t in embedded) and any("sequin" in t for t in embedded)
    )
    assert again.product("vs-00002") is None and len(again) == 360
    assert again.search("sparkly sequin top", k=1)[0].product_id == "new-1"
    assert all(h.product_id != "vs-00002" for h in again.search(Query(colors=("beige",), raw="beige"), k=50))
    again.save(tmp_path / "index")
    reopened = ProductSearch.load(tmp_path / "index", engine, encoder=CountingEncoder(search.encoder))
    assert reopened.last_refresh == 0 and reopened.search("sparkly sequin top", k=1)[0].product_id == "new-1"


def test_bm25_scores_are_bm25s_lucene_scores() -> None:
    """Our BM25 is Lucene's: bm25s's scores times its left-out k1 + 1; a repeated query term counts again."""
    bm25s = pytest.importorskip("bm25s")
    documents = [["red", "dress"], ["red", "red", "shirt"], ["blue", "linen", "shirt", "shirt"], ["dress"]]
    matrix, terms = bm25_matrix(documents, k1=1.2, b=0.75)
    peer = bm25s.BM25(k1=1.2, b=0.75, method="lucene", dtype="float64")
    peer.index(documents, show_progress=False)
    for query in (["red"], ["red", "shirt"], ["shirt", "shirt", "dress"], ["linen", "unknown"]):
        ours = bm25_scores(matrix, [terms[t] for t in query if t in terms])
        np.testing.assert_allclose(ours, peer.get_scores(query) * 2.2, rtol=1e-12)
    assert not bm25_scores(matrix, []).any()


def test_bad_arguments_are_refused(search: ProductSearch, tmp_path: Path, engine: Engine) -> None:
    with pytest.raises(ValueError, match="mode"):
        search.search("dress", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be positive"):
        search.search("dress", k=0)
    with pytest.raises(FileNotFoundError, match="no readable search index"):
        ProductSearch.load(tmp_path / "missing", engine)
    assert search.search("size 99 dress") == []
