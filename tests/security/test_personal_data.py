"""Issue 11, item 2: a shopper's personal data is served only to an API key or to that shopper's token."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.test_api_support import KEY, event, shop_client
from vestis.api.deps import SHOPPER_COOKIE, SHOPPER_HEADER
from vestis.guide.service import build_guide
from vestis.recommend.training import train
from vestis.signing import issue_shopper_token, verify_shopper_token

EVENTS = [
    event(
        user_id=f"u{u}",
        item_id=f"p{(u % 2) + 2 * j:02d}",
        timestamp=f"2024-05-{j + 1:02d}T12:00:00Z",
        size="M",
    )
    for u in range(1, 7)
    for j in range(4)
] + [event(user_id="u1", item_id="p01", timestamp="2024-06-01T12:00:00Z", event_type="return", size="M")]

PERSONAL_GETS = [
    "/customers/u1/recommendations",
    "/products/p03/size-advice?user=u1",
    "/products/p01/outfits?user=u1",
    "/guide/search?q=dress&user=u1",
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """A shop with purchases, a return, trained recommenders and a built guide; no credentials by default."""
    client = shop_client(tmp_path_factory.mktemp("personal-shop"))
    assert client.post("/events", json={"events": EVENTS}, headers={"X-API-Key": KEY}).status_code == 200
    app: Any = client.app
    train(app.state.engine, app.state.settings, models=["popular", "itemknn"], progress=False)
    assert client.post("/models/reload", headers={"X-API-Key": KEY}).status_code == 200
    build_guide(app.state.engine, app.state.settings, progress=False)
    return client


def token_for(client: TestClient, customer_id: str) -> str:
    return issue_shopper_token(client.app.state.settings, customer_id).token  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PERSONAL_GETS)
def test_personal_reads_need_a_key_or_the_shoppers_own_token(shop: TestClient, path: str) -> None:
    stranger = shop.get(path)
    assert stranger.status_code == 401, stranger.text
    assert "shopper token" in stranger.json()["detail"]
    assert "Because you" not in stranger.text and "cm" not in stranger.text
    other = shop.get(path, headers={SHOPPER_HEADER: token_for(shop, "u2")})
    assert other.status_code == 403
    assert shop.get(path, headers={"X-API-Key": "wrong"}).status_code == 403
    for credentials in ({SHOPPER_HEADER: token_for(shop, "u1")}, {"X-API-Key": KEY}):
        allowed = shop.get(path, headers=credentials)
        assert allowed.status_code == 200, allowed.text
        assert allowed.headers["cache-control"] == "private, no-store"
    cookie = TestClient(shop.app, cookies={SHOPPER_COOKIE: token_for(shop, "u1")})
    assert cookie.get(path).status_code == 200


def test_the_recommendation_reasons_are_only_shown_to_their_shopper(shop: TestClient) -> None:
    body = shop.get("/customers/u1/recommendations", headers={SHOPPER_HEADER: token_for(shop, "u1")}).json()
    assert any("Because you" in item["reason"] for item in body["data"])


def test_chat_personalised_for_a_user_needs_their_token(shop: TestClient) -> None:
    message = {"message": "a dress in size M", "user_id": "u1"}
    assert shop.post("/guide/chat", json=message).status_code == 401
    assert (
        shop.post("/guide/chat", json=message, headers={SHOPPER_HEADER: token_for(shop, "u3")}).status_code
        == 403
    )
    own = shop.post("/guide/chat", json=message, headers={SHOPPER_HEADER: token_for(shop, "u1")})
    assert own.status_code == 200 and own.headers["cache-control"] == "private, no-store"
    anonymous = shop.post("/guide/chat", json={"message": "a dress in size M"})
    assert anonymous.status_code == 200  # without a user the guide stays open to every shopper


def test_anonymous_answers_stay_open(shop: TestClient) -> None:
    for path in ("/products/p03/size-advice", "/products/p01/outfits", "/guide/search?q=dress", "/products"):
        response = shop.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers.get("cache-control") != "private, no-store"


def test_forged_expired_and_altered_tokens_are_refused(shop: TestClient) -> None:
    settings = shop.app.state.settings  # type: ignore[attr-defined]
    good = issue_shopper_token(settings, "u1")
    assert verify_shopper_token(settings, good.token) == "u1"
    expired = issue_shopper_token(settings, "u1", seconds=60, now=1_000_000)
    payload, expiry, signature = good.token.split(".")
    other_id = issue_shopper_token(settings, "u2").token.split(".")[0]
    forged = [
        expired.token,
        f"{other_id}.{expiry}.{signature}",  # someone else's id under u1's signature
        f"{payload}.{int(expiry) + 10**6}.{signature}",  # a longer life
        f"{payload}.{expiry}.{signature[:-2]}AA",
        "u1",
        "",
    ]
    for token in forged:
        assert verify_shopper_token(settings, token) is None
        assert shop.get("/customers/u1/recommendations", headers={SHOPPER_HEADER: token}).status_code == 401
    other_home = settings.model_copy(update={"secret_key": "another installation"})
    assert verify_shopper_token(other_home, good.token) is None


def test_the_key_file_is_made_once_and_only_the_owner_can_read_it(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=1)
    token = token_for(client, "u1")
    key_file = tmp_path / "secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert verify_shopper_token(client.app.state.settings, token) == "u1"  # type: ignore[attr-defined]


def test_the_home_page_lists_no_customers_outside_demo_mode(shop: TestClient, tmp_path: Path) -> None:
    for client in (shop, shop_client(tmp_path, products=2, read_requires_key=True)):
        page = client.get("/", params={"shopper": "u1"}, headers={"X-API-Key": KEY})
        assert page.status_code == 200
        assert 'name="shopper"' not in page.text and "Shopping as" not in page.text
        assert not re.search(r"\bu[1-6]\b", page.text), "a customer id leaked into the home page"
        assert SHOPPER_COOKIE not in page.headers.get("set-cookie", "")


def test_the_home_page_recommends_for_the_shopper_whose_token_the_browser_holds(shop: TestClient) -> None:
    browser = TestClient(shop.app, cookies={SHOPPER_COOKIE: token_for(shop, "u1")})
    page = browser.get("/")
    assert "Recommended for you" in page.text and 'data-shopper="u1"' in page.text
    assert page.headers["cache-control"] == "private, no-store"
    assert 'name="shopper"' not in page.text  # still no picker


def test_the_demo_picker_hands_out_the_chosen_demo_shoppers_token(tmp_path: Path, shop: TestClient) -> None:
    app: Any = shop.app
    demo = shop_client(
        tmp_path, products=0, demo_mode=True, database_url=app.state.settings.resolved_database_url
    )
    demo.app.state.recommendations = app.state.recommendations  # type: ignore[attr-defined]
    page = demo.get("/", params={"shopper": "u2"})
    assert 'name="shopper"' in page.text and 'value="u2" selected' in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{SHOPPER_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert page.headers["cache-control"] == "private, no-store"
    assert demo.get("/products/p03/size-advice", params={"user": "u2"}).status_code == 200  # the cookie
    assert demo.get("/products/p03/size-advice", params={"user": "u1"}).status_code == 403


def test_the_access_log_keeps_no_customer_ids_or_search_text(
    shop: TestClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        shop.get("/customers/u1/recommendations", headers={"X-API-Key": KEY})
        shop.get("/guide/search", params={"q": "red silk dress", "user": "u1"}, headers={"X-API-Key": KEY})
        shop.get("/products", params={"limit": 2})
    lines = [record.getMessage() for record in caplog.records if record.name == "uvicorn.access"]
    assert len(lines) == 3, lines
    assert "/customers/…/recommendations" in lines[0] and "u1" not in lines[0]
    assert "red" not in lines[1] and "u1" not in lines[1] and "q=…" in lines[1]
    assert "/products?limit=2" in lines[2]

    caplog.clear()
    verbose = shop_client(tmp_path, products=1, log_personal_data=True)
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        verbose.get("/guide/search", params={"q": "red", "user": "u9"}, headers={"X-API-Key": KEY})
    assert any("q=red&user=u9" in record.getMessage() for record in caplog.records)
