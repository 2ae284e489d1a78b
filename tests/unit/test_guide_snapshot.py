"""A saved search index answers without re-reading an unchanged catalog, and never trusts a stale snapshot."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks.guide_search import demo_catalog
from sqlalchemy import Engine

from tests.unit.test_api_support import add_products, shop_client
from vestis.catalog.db import transaction
from vestis.catalog.models import Product
from vestis.fit.size import SizeAdvisor
from vestis.guide import search as search_module
from vestis.guide import service as service_module
from vestis.guide.outfits import OutfitBuilder
from vestis.guide.search import MANIFEST, SNAPSHOT, ProductSearch
from vestis.guide.service import GuideService, build_guide
from vestis.guide.snapshot import FACETS
from vestis.text.encoders import MiniLMEncoder

pytestmark = pytest.mark.slow

REQUESTS = (
    "a red dress under 80 euros in size M",
    "cozy winter sweater for women",
    "blue jeans for men",
    "linen shirt for a summer wedding, not white",
)


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return MiniLMEncoder()  # one cache for the module: each text is embedded once


@pytest.fixture
def catalog(tmp_path: Path) -> Engine:
    return demo_catalog(tmp_path / "catalog")


def test_an_unchanged_catalog_is_answered_from_the_snapshot_alone(
    catalog: Engine, encoder: MiniLMEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = ProductSearch.build(catalog, path=tmp_path / "index", encoder=encoder)
    assert (tmp_path / "index" / SNAPSHOT).is_file()

    def no_reading(engine: Engine) -> None:
        raise AssertionError("an unchanged catalog must not be read again")

    monkeypatch.setattr(search_module, "load_products", no_reading)
    loaded = ProductSearch.load(tmp_path / "index", catalog, encoder=encoder)
    assert loaded.catalog == built.catalog is not None and loaded.products == built.products
    assert loaded.vocabulary == built.vocabulary
    for name in FACETS:
        np.testing.assert_array_equal(loaded._state.facets[name].codes, built._state.facets[name].codes)
        assert loaded._state.facets[name].index == built._state.facets[name].index
    assert (loaded._state.bm25 != built._state.bm25).nnz == 0 and loaded._state.terms == built._state.terms
    for request in REQUESTS:
        assert loaded.search(request, k=8) == built.search(request, k=8), request


def test_a_changed_catalog_is_refreshed_once_and_saved_back(
    catalog: Engine, encoder: MiniLMEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ProductSearch.build(catalog, path=tmp_path / "index", encoder=encoder)
    vectors_written = (tmp_path / "index" / "vectors.npy").stat().st_mtime_ns
    with transaction(catalog) as session:
        product = session.get(Product, "vs-00001")
        assert product is not None
        product.title = "Marigold hand-embroidered kaftan"  # the store's write bumps updated_at
    refreshed = ProductSearch.load(tmp_path / "index", catalog, encoder=encoder)
    assert refreshed.last_refresh == 1
    assert refreshed.search("embroidered kaftan", k=1)[0].product_id == "vs-00001"
    assert (
        tmp_path / "index" / "vectors.npy"
    ).stat().st_mtime_ns != vectors_written  # one vector re-embedded

    monkeypatch.setattr(search_module, "load_products", lambda engine: pytest.fail("read the catalog again"))
    again = ProductSearch.load(tmp_path / "index", catalog, encoder=encoder)
    assert again.last_refresh == 0 and again.search("embroidered kaftan", k=1)[0].product_id == "vs-00001"


def test_a_damaged_snapshot_or_one_beside_other_vectors_is_rebuilt_not_trusted(
    catalog: Engine, encoder: MiniLMEncoder, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    built = ProductSearch.build(catalog, path=index, encoder=encoder)
    expected = built.search(REQUESTS[0], k=8)

    whole = (index / SNAPSHOT).read_bytes()
    for damage in (b"not a snapshot", whole[: len(whole) // 2]):
        (index / SNAPSHOT).write_bytes(damage)
        damaged = ProductSearch.load(index, catalog, encoder=encoder)
        assert damaged.search(REQUESTS[0], k=8) == expected
        assert (index / SNAPSHOT).read_bytes() != damage  # written again for the next process

    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    manifest["hashes"]["vs-00003"] = "0" * 40  # as if the vectors were saved by another writer meanwhile
    (index / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    mismatched = ProductSearch.load(index, catalog, encoder=encoder)
    assert mismatched.last_refresh == 1  # the snapshot was not used: the odd vector is embedded again
    assert mismatched.search(REQUESTS[0], k=8) == expected


def test_a_guide_search_reads_neither_outfits_nor_sizes_until_they_are_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = shop_client(tmp_path, products=8)
    app: Any = shop.app
    built = build_guide(app.state.engine, app.state.settings, progress=False)
    loads: list[str] = []
    for model, name in ((OutfitBuilder, "outfits"), (SizeAdvisor, "sizes")):
        original = model.load

        def counted(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            loads.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(model, "load", counted)
    service = GuideService(app.state.settings, app.state.engine, check_interval=0.0)
    assert service.search("dress", k=3)
    assert loads == []
    service.complete_the_look("p00")
    service.size_advice("p01")
    service.ask(None, "a red dress")
    assert loads == ["outfits", "sizes"]  # once each, on first use

    add_products(app, 10)  # a refresh keeps the loaded models
    assert service.search("dress", k=3) and loads == ["outfits", "sizes"]
    shutil.rmtree(built / "sizes")  # a generation missing a part is rebuilt whole, not served half
    fresh = service.reload()
    assert fresh != built and (fresh / "sizes").is_dir()


def test_a_large_catalog_is_re_indexed_in_the_background_while_the_old_snapshot_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = shop_client(tmp_path, products=8)
    app: Any = shop.app
    build_guide(app.state.engine, app.state.settings, progress=False)
    monkeypatch.setattr(service_module, "BACKGROUND_REFRESH_FROM", 0)  # as if the catalog were large
    service = GuideService(app.state.settings, app.state.engine, check_interval=0.0)
    assert service.search("dress", k=20)
    release = threading.Event()
    refresh = ProductSearch.refresh

    def held(search: ProductSearch, engine: Engine) -> int:
        assert release.wait(30)
        return refresh(search, engine)

    monkeypatch.setattr(ProductSearch, "refresh", held)
    add_products(app, 10)  # p08 and p09 are new
    during = {hit.product_id for hit in service.search("dress", k=20)}  # answers while the re-index waits
    running = service._reindexing
    assert "p09" not in during and running is not None and running.is_alive()
    service.search("dress", k=20)
    assert service._reindexing is running  # a second check does not start a second re-index
    release.set()
    service._reindexing.join(30)
    assert "p09" in {hit.product_id for hit in service.search("dress", k=20)}
    monkeypatch.setattr(search_module, "load_products", lambda engine: pytest.fail("read the catalog again"))
    reopened = GuideService(app.state.settings, app.state.engine)
    assert "p09" in {hit.product_id for hit in reopened.search("dress", k=20)}  # the re-index was saved
