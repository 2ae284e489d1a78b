"""Issue 11, item 3: an erased shopper is nowhere in the database, on disk or in served answers."""

from __future__ import annotations

import json
import sqlite3
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.event import listen
from typer.testing import CliRunner

from tests.unit.test_api_support import KEY, event, png_bytes, shop_client
from vestis.api.deps import SHOPPER_COOKIE
from vestis.catalog import store
from vestis.catalog.db import transaction
from vestis.catalog.models import Customer, Event
from vestis.cli import app as cli
from vestis.guide.service import build_guide
from vestis.models import ModelRegistry
from vestis.privacy.erasure import erase_customer
from vestis.privacy.tombstones import ERASED_FILE
from vestis.recommend import make_model
from vestis.recommend.datasets import from_engine
from vestis.recommend.serving import RecommendationService
from vestis.recommend.training import train
from vestis.signing import issue_shopper_token
from vestis.tryon import service as tryon

AUTH = {"X-API-Key": KEY}
ERASED = "shopper-alice-7Q2x"
KEPT = "shopper-bob-9K4z"
OTHERS = [f"shopper-{n}" for n in range(6)]


def events_of(customer: str, first: int) -> list[dict[str, Any]]:
    """Four purchases in size M, a view and, for the erased shopper, a return."""
    rows = [
        event(user_id=customer, item_id=f"p{first + 2 * j:02d}", timestamp=f"2024-05-{j + 1:02d}T12:00:00Z",
              event_type="purchase", size="M")
        for j in range(4)
    ] + [event(user_id=customer, item_id=f"p{first + 9:02d}", timestamp="2024-05-09T12:00:00Z")]  # fmt: skip
    if customer == ERASED:
        rows.append(event(user_id=customer, item_id=f"p{first:02d}", timestamp="2024-05-20T12:00:00Z",
                          event_type="return", size="M", fit_feedback="small"))  # fmt: skip
    return rows


def profile(customer: str) -> dict[str, Any]:
    return {"id": customer, "consent_profile": True, "consent_photos": True, "gender": "female", "age": 30,
            "height_cm": 171.0, "waist_cm": 73.0, "hips_cm": 99.0,
            "attributes": {"note": customer}}  # fmt: skip


class FakeTryOn:
    """A pipeline that hands the person photo back: enough to exercise keeping without the pose model."""

    def render(
        self, person: Image.Image, garment: Image.Image, category: str | None = None
    ) -> SimpleNamespace:
        return SimpleNamespace(image=person)


@pytest.fixture(autouse=True)
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tryon, "_pipeline", FakeTryOn)


def open_shop(home: Path, *, models: bool = True) -> TestClient:
    """Two profiled shoppers (six more with events only), kept try-ons; trained models and guide if asked."""
    client = shop_client(home)
    app: Any = client.app
    listen(app.state.engine, "connect", _like_a_sqlite_without_secure_delete)
    app.state.engine.dispose()
    with transaction(app.state.engine) as session:
        store.upsert_customers(session, rows=[profile(ERASED), profile(KEPT)])
    customers = [ERASED, KEPT, *OTHERS]
    rows = [row for n, customer in enumerate(customers) for row in events_of(customer, n % 2)]
    assert client.post("/events", json={"events": rows}, headers=AUTH).status_code == 200
    tryon.keep(home / "tryon", Image.new("RGB", (8, 8), "red"), png_bytes(), owner=ERASED)
    tryon.keep(home / "tryon", Image.new("RGB", (8, 8), "blue"), png_bytes(), owner=KEPT)
    tryon.keep(home / "tryon", Image.new("RGB", (8, 8), "green"), png_bytes())  # kept without an owner
    files = {"person": ("me.png", png_bytes(size=(20, 20)), "image/png")}
    kept = client.post(
        "/tryon", files=files, data={"product_id": "p00", "keep": "true", "customer_id": ERASED}, headers=AUTH
    )
    assert kept.status_code == 200, kept.text
    if models:
        train(app.state.engine, app.state.settings, models=["popular", "itemknn", "hybrid"], progress=False)
        build_guide(app.state.engine, app.state.settings, progress=False)
        assert client.post("/models/reload", headers=AUTH).status_code == 200
        client.get("/products/p03/size-advice", params={"user": ERASED}, headers=AUTH)  # the guide is loaded
    return client


def _like_a_sqlite_without_secure_delete(connection: Any, _record: Any) -> None:
    """Many SQLite builds leave deleted rows in free pages; this one may not: make every connection do so."""
    connection.execute("PRAGMA secure_delete = OFF")


def rows_mentioning(engine: Engine, needle: str) -> list[str]:
    """``table.column`` of each value holding ``needle`` in every table, reflected (not only the ORM's)."""
    tables = MetaData()
    tables.reflect(engine)
    found = []
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                found += [
                    f"{table.name}.{column}" for column, value in row._mapping.items() if needle in str(value)
                ]
    return found


def files_mentioning(home: Path, needle: str) -> list[str]:
    """Every file under ``home`` holding ``needle`` as UTF-8, UTF-16 or UTF-32 bytes, inside archives too."""
    encodings = [needle.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-32-le")]
    found = []
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        chunks = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                chunks += [archive.read(name) for name in archive.namelist()]
        if any(code in chunk for chunk in chunks for code in encodings):
            found.append(str(path.relative_to(home)))
    return found


def reasons(client: TestClient, customer: str) -> list[str]:
    response = client.get(f"/customers/{customer}/recommendations", headers=AUTH)
    assert response.status_code == 200, response.text
    return [item["reason"] for item in response.json()["data"]]


@pytest.fixture(scope="module")
def erased(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A trained shop before and after ``DELETE /customers/<ERASED>``: its client, home and answers."""
    home = tmp_path_factory.mktemp("erasure-shop")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tryon, "_pipeline", FakeTryOn)
        client = open_shop(home)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    before = SimpleNamespace(
        rows=rows_mentioning(engine, ERASED),
        files=files_mentioning(home, ERASED),
        reasons=reasons(client, ERASED),
        sizes=client.get("/products/p03/size-advice", params={"user": ERASED}, headers=AUTH).json(),
    )
    stranger = client.delete(f"/customers/{ERASED}")
    response = client.delete(f"/customers/{ERASED}", headers=AUTH)
    return SimpleNamespace(
        client=client, home=home, engine=engine, before=before, stranger=stranger, response=response
    )


def test_the_api_erases_a_customer_and_reports_what_it_removed(erased: SimpleNamespace) -> None:
    assert erased.stranger.status_code == 401
    assert erased.response.status_code == 200, erased.response.text
    report = erased.response.json()
    assert report["customer_id"] == ERASED
    assert (report["customers"], report["events"], report["kept_try_ons"]) == (1, 6, 2)
    assert report["model_files"] >= 5  # popular, itemknn, hybrid and its components, outfits, sizes
    assert report["database_compacted"] is True
    again = erased.client.delete(f"/customers/{ERASED}", headers=AUTH)
    assert again.status_code == 404 and "nothing is held" in again.json()["detail"]


def test_no_table_holds_the_erased_customer(erased: SimpleNamespace) -> None:
    assert {"customers.id", "events.user_id"} <= set(erased.before.rows)  # the scan finds what is there
    assert rows_mentioning(erased.engine, ERASED) == []


def test_no_file_under_the_home_holds_the_erased_customer(erased: SimpleNamespace) -> None:
    before = set(erased.before.files)
    assert "vestis.db" in before or "vestis.db-wal" in before
    assert any(name.endswith("size_advisor.json") for name in before)
    assert any(name.endswith("state.npz") for name in before)
    assert files_mentioning(erased.home, ERASED) == []
    tombstone = erased.home / "models" / ERASED_FILE
    assert tombstone.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(tombstone.read_text())) == {"format", "key", "erased"}


def test_served_models_answer_the_erased_customer_as_an_anonymous_shopper(erased: SimpleNamespace) -> None:
    assert any(reason.startswith("Because you") for reason in erased.before.reasons)
    anonymous = reasons(erased.client, "never-seen-before")
    assert reasons(erased.client, ERASED) == anonymous
    assert not any("Because you" in reason or "women" in reason for reason in anonymous)
    service: RecommendationService = erased.client.app.state.recommendations  # type: ignore[attr-defined]
    assert ERASED not in {shopper.id for shopper in service.shoppers}
    restarted = RecommendationService(service.registry, erased.engine)
    assert [s.item.id for s in restarted.for_customer(ERASED)] == [
        s.item.id for s in service.for_customer("x")
    ]


def test_a_model_trained_before_the_erasure_and_restored_later_still_filters(tmp_path: Path) -> None:
    client = open_shop(tmp_path, models=False)
    app: Any = client.app
    dataset = from_engine(app.state.engine, name="store", images_dir=app.state.settings.images_dir)
    before_erasure = make_model("itemknn").fit(dataset.interactions)
    assert client.delete(f"/customers/{ERASED}", headers=AUTH).status_code == 200
    registry = ModelRegistry(app.state.settings.models_dir)
    restored = registry.register(before_erasure, name="itemknn")  # say, from a backup
    registry.activate("itemknn", restored.version)
    assert client.post("/models/reload", headers=AUTH).status_code == 200
    assert not any("Because you" in reason for reason in reasons(client, ERASED))
    assert any("Because you" in reason for reason in reasons(client, KEPT))


def test_the_other_customer_is_intact(erased: SimpleNamespace) -> None:
    client = erased.client
    with transaction(erased.engine) as session:
        bob = session.get(Customer, KEPT)
        assert bob is not None and bob.waist_cm == 73.0
        assert session.scalars(select(Event).where(Event.user_id == KEPT)).all()
    assert any(reason.startswith("Because you") for reason in reasons(client, KEPT))
    kept = [folder for folder in (erased.home / "tryon").iterdir() if folder.is_dir()]
    assert len(kept) == 2  # the other customer's photo and the one kept without an owner
    assert any(name.endswith("size_advisor.json") for name in files_mentioning(erased.home, KEPT))


def test_the_guide_forgets_the_erased_customers_sizes(erased: SimpleNamespace) -> None:
    client = erased.client
    anonymous = client.get("/products/p03/size-advice").json()
    assert erased.before.sizes != anonymous  # their purchases and return shaped the advice
    assert client.get("/products/p03/size-advice", params={"user": ERASED}, headers=AUTH).json() == anonymous


def test_retraining_after_an_erasure_learns_without_them(erased: SimpleNamespace) -> None:
    result = CliRunner().invoke(
        cli, ["--home", str(erased.home), "train", "--models", "popular,itemknn", "--no-guide", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert files_mentioning(erased.home / "models", ERASED) == []
    assert files_mentioning(erased.home / "models", KEPT)  # the other shopper is still learnt from


def test_the_cli_asks_before_erasing_and_prints_the_report(tmp_path: Path) -> None:
    client = open_shop(tmp_path, models=False)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    runner = CliRunner()
    command = ["--home", str(tmp_path), "customers", "delete", ERASED]
    declined = runner.invoke(cli, command, input="n\n")
    assert declined.exit_code == 1 and "Erase everything held about customer" in declined.output
    assert rows_mentioning(engine, ERASED)
    confirmed = runner.invoke(cli, command, input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "events" in confirmed.output and "6" in confirmed.output
    assert rows_mentioning(engine, ERASED) == [] and files_mentioning(tmp_path, ERASED) == []
    again = runner.invoke(cli, [*command, "--yes"])
    assert again.exit_code == 1 and "nothing is held" in again.output


def test_an_interrupted_erasure_is_finished_by_asking_again(tmp_path: Path) -> None:
    client = open_shop(tmp_path, models=False)
    with transaction(client.app.state.engine) as session:  # type: ignore[attr-defined]
        store.delete_customer(session, ERASED)  # the rows went, then the process died
    response = client.delete(f"/customers/{ERASED}", headers=AUTH)
    assert response.status_code == 200 and response.json()["kept_try_ons"] == 2
    assert files_mentioning(tmp_path, ERASED) == []


def test_an_unknown_customer_is_a_404_and_nothing_is_recorded(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=2)
    response = client.delete("/customers/nobody-at-all", headers=AUTH)
    assert response.status_code == 404 and "'nobody-at-all'" in response.json()["detail"]
    assert not (tmp_path / "models" / ERASED_FILE).exists()


def test_kept_photos_are_private_and_name_their_owner_only_by_pseudonym(tmp_path: Path) -> None:
    kept_id = tryon.keep(tmp_path / "tryon", Image.new("RGB", (8, 8)), png_bytes(), owner=ERASED)
    folder = tmp_path / "tryon" / kept_id
    assert len(kept_id) == 32 and int(kept_id, 16) >= 0
    assert (tmp_path / "tryon").stat().st_mode & 0o777 == 0o700
    assert folder.stat().st_mode & 0o777 == 0o700
    assert sorted(path.name for path in folder.iterdir()) == ["owner.json", "person.png", "result.png"]
    for path in [*folder.iterdir(), tmp_path / "tryon" / tryon.OWNER_KEY_FILE]:
        assert path.stat().st_mode & 0o777 == 0o600, path
    assert files_mentioning(tmp_path, ERASED) == []
    assert tryon.forget_owner(tmp_path / "tryon", KEPT) == 0
    assert tryon.forget_owner(tmp_path / "tryon", ERASED) == 1 and not folder.exists()


def test_the_web_form_shows_a_kept_photos_id_and_deletes_it(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=2)
    files = {"person": ("me.png", png_bytes(size=(20, 20)), "image/png")}
    page = client.post("/shop/p00/try-on", files=files, data={"keep": "true"})
    assert page.status_code == 200, page.text
    (kept_id,) = [folder.name for folder in (tmp_path / "tryon").iterdir() if folder.is_dir()]
    assert f"<code>{kept_id}</code>" in page.text
    assert f'<form method="post" action="/kept/{kept_id}/delete">' in page.text
    deleted = client.post(f"/kept/{kept_id}/delete")
    assert deleted.status_code == 200 and "Your photo is deleted" in deleted.text
    assert not (tmp_path / "tryon" / kept_id).exists()
    assert client.post(f"/kept/{kept_id}/delete").status_code == 404
    assert client.post("/kept/..%2F..%2Fvestis.db/delete").status_code == 404
    token = issue_shopper_token(client.app.state.settings, ERASED).token  # type: ignore[attr-defined]
    signed_in = TestClient(client.app, cookies={SHOPPER_COOKIE: token})
    assert signed_in.post("/shop/p00/try-on", files=files, data={"keep": "true"}).status_code == 200
    assert tryon.forget_owner(tmp_path / "tryon", ERASED) == 1  # a signed-in shopper owns what they keep


def test_a_long_read_delays_the_log_checkpoint_but_not_the_erasure(tmp_path: Path) -> None:
    client = open_shop(tmp_path, models=False)
    app: Any = client.app
    reader = sqlite3.connect(tmp_path / "vestis.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()  # holds the snapshot from before the erasure
    try:
        started = time.monotonic()
        report = erase_customer(app.state.engine, app.state.settings, ERASED)
        assert time.monotonic() - started < 10
    finally:
        reader.close()
    assert report.events == 6 and report.database_compacted is False
    assert rows_mentioning(app.state.engine, ERASED) == []
