"""Body-size limits: declared lengths, streamed chunks, JSON versus multipart limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from tests.unit.test_api_support import KEY, event, shop_client
from vestis.api.limits import BodyLimitMiddleware, describe_bytes

AUTH = {"X-API-Key": KEY}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A shop whose JSON limit (2 KB) is smaller than its upload limit (8 KB)."""
    return shop_client(tmp_path, products=0, max_body_bytes=2048, max_upload_bytes=8192)


def test_an_oversized_json_body_is_413(client: TestClient) -> None:
    response = client.post("/events", json={"events": [event(user_id="u" * 100)] * 30}, headers=AUTH)
    assert response.status_code == 413
    assert response.json() == {"detail": "request body is larger than the 2 KB limit"}
    assert response.headers["connection"] == "close"


def test_the_limit_applies_without_credentials(client: TestClient) -> None:
    response = client.post("/events", content=b"x" * 4096, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_streamed_body_without_content_length_is_counted(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield from (b" " * 1024 for _ in range(4))

    response = client.post("/events", content=chunks(), headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 413


def test_multipart_uploads_get_the_upload_limit(client: TestClient) -> None:
    within = client.post("/events", files={"file": ("a.png", b"x" * 4096, "image/png")}, headers=AUTH)
    assert within.status_code == 422
    over = client.post("/events", files={"file": ("a.png", b"x" * 9000, "image/png")}, headers=AUTH)
    assert over.status_code == 413
    assert over.json() == {"detail": "request body is larger than the 8 KB limit"}


def test_the_default_json_limit_reads_10_mb(tmp_path: Path) -> None:
    client = shop_client(tmp_path, products=0)
    response = client.post(
        "/events", content=b"x" * (10 * 1024 * 1024 + 1), headers={**AUTH, "content-type": "application/json"}
    )
    assert response.json()["detail"] == "request body is larger than the 10 MB limit"


def test_middleware_stops_reading_at_the_limit() -> None:
    """No Content-Length: the app sees chunks until the limit, then the client gets 413."""
    pulled: list[int] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive()).get("more_body"):
            pass

    async def receive() -> Message:
        pulled.append(1)
        return {"type": "http.request", "body": b"x" * 100, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodyLimitMiddleware(app, max_body_bytes=250, max_upload_bytes=10_000)
    scope = {"type": "http", "method": "POST", "headers": [(b"content-type", b"application/json")]}
    asyncio.run(middleware(scope, receive, send))
    assert len(pulled) == 3
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {"detail": "request body is larger than the 250 bytes limit"}


def test_middleware_refuses_a_declared_length_without_reading() -> None:
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not be called")

    async def receive() -> Message:
        raise AssertionError("the body must not be read")

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodyLimitMiddleware(app, max_body_bytes=10, max_upload_bytes=10)
    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"11")]}
    asyncio.run(middleware(scope, receive, send))
    assert sent[0]["status"] == 413


@pytest.mark.parametrize(
    ("size", "text"),
    [(10 * 1024 * 1024, "10 MB"), (20 * 1024 * 1024, "20 MB"), (1536, "1.5 KB"), (250, "250 bytes")],
)
def test_describe_bytes(size: int, text: str) -> None:
    assert describe_bytes(size) == text
