"""Issue 11, items 2 and 3 from the shopper's side: tokens issued by the shop, self-service access and erasure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.security.test_erasure import AUTH, ERASED, KEPT, FakeTryOn, open_shop
from vestis.api.deps import SHOPPER_HEADER
from vestis.cli import app as cli
from vestis.signing import verify_shopper_token
from vestis.tryon import service as tryon


@pytest.fixture(autouse=True)
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tryon, "_pipeline", FakeTryOn)


@pytest.fixture
def shop(tmp_path: Path) -> TestClient:
    return open_shop(tmp_path, models=False)


def issue(client: TestClient, customer: str, **body: Any) -> str:
    response = client.post(f"/customers/{customer}/token", json=body or None, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def test_only_the_shop_issues_shopper_tokens(shop: TestClient) -> None:
    assert shop.post(f"/customers/{ERASED}/token").status_code == 401
    own = {SHOPPER_HEADER: issue(shop, ERASED)}
    assert shop.post(f"/customers/{ERASED}/token", headers=own).status_code == 401  # a token mints no tokens
    short = shop.post(f"/customers/{ERASED}/token", json={"seconds": 120}, headers=AUTH).json()
    assert verify_shopper_token(shop.app.state.settings, short["token"]) == ERASED  # type: ignore[attr-defined]
    too_long = shop.post(f"/customers/{ERASED}/token", json={"seconds": 10**9}, headers=AUTH)
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["field"] == "seconds"


def test_a_shopper_reads_all_their_data_and_nobody_elses(shop: TestClient) -> None:
    path = f"/customers/{ERASED}/data"
    assert shop.get(path).status_code == 401
    assert shop.get(path, headers={SHOPPER_HEADER: issue(shop, KEPT)}).status_code == 403
    response = shop.get(path, headers={SHOPPER_HEADER: issue(shop, ERASED)})
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    data = response.json()
    assert data["customer_id"] == ERASED and data["profile"]["waist_cm"] is not None
    assert len(data["events"]) == 6 and {e["event_type"] for e in data["events"]} >= {"purchase"}
    assert len(data["kept_try_ons"]) == 2
    assert shop.get("/customers/nobody/data", headers=AUTH).status_code == 404


def test_a_shopper_erases_themselves_with_their_token(shop: TestClient) -> None:
    other = shop.delete(f"/customers/{ERASED}", headers={SHOPPER_HEADER: issue(shop, KEPT)})
    assert other.status_code == 403
    cross_site = shop.delete(
        f"/customers/{ERASED}", headers={SHOPPER_HEADER: issue(shop, ERASED), "Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403 and "cross-site" in cross_site.json()["detail"]
    own = shop.delete(f"/customers/{ERASED}", headers={SHOPPER_HEADER: issue(shop, ERASED)})
    assert own.status_code == 200, own.text
    assert own.json()["events"] == 6
    assert shop.get(f"/customers/{KEPT}/data", headers=AUTH).status_code == 200  # the other shopper is intact


def test_the_cli_exports_a_customer_and_prints_tokens(shop: TestClient, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "export.json"
    exported = runner.invoke(cli, ["--home", str(tmp_path), "customers", "export", ERASED, "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    document = json.loads(out.read_text())
    assert document["customer_id"] == ERASED and len(document["events"]) == 6
    unknown = runner.invoke(cli, ["--home", str(tmp_path), "customers", "export", "nobody"])
    assert unknown.exit_code == 1 and "nothing is held" in unknown.output
    printed = runner.invoke(cli, ["--home", str(tmp_path), "customers", "token", KEPT, "--days", "1"])
    assert printed.exit_code == 0
    assert verify_shopper_token(shop.app.state.settings, printed.output.strip()) == KEPT  # type: ignore[attr-defined]


def test_a_cli_erasure_reaches_a_running_servers_guide_at_once(tmp_path: Path) -> None:
    shop = open_shop(tmp_path)
    anonymous = shop.get("/products/p03/size-advice").json()
    assert shop.get("/products/p03/size-advice", params={"user": ERASED}, headers=AUTH).json() != anonymous
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "customers", "delete", ERASED, "--yes"])
    assert result.exit_code == 0, result.output
    assert shop.get("/products/p03/size-advice", params={"user": ERASED}, headers=AUTH).json() == anonymous
    search = shop.get("/guide/search", params={"q": "dress", "user": ERASED}, headers=AUTH).json()
    assert search == shop.get("/guide/search", params={"q": "dress"}).json()
