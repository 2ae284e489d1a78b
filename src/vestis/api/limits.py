"""Request-size limits enforced as pure ASGI middleware, before any route reads a body.

JSON (and every other non-multipart) body is capped at ``Settings.max_body_bytes`` and
multipart uploads at ``Settings.max_upload_bytes``. A declared ``Content-Length`` over the
limit is refused before a byte of the body is read; bodies sent without one (chunked
transfer) are counted as they stream in and refused as soon as they pass the limit, so a
client can never make the server buffer more than the limit.
"""

from __future__ import annotations

import json

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPART = b"multipart/form-data"


class BodyTooLarge(HTTPException):
    """A request body over its limit; an ``HTTPException`` so FastAPI passes it through untouched."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=f"request body is larger than the {describe_bytes(limit)} limit",
            headers={"Connection": "close"},
        )


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_body_bytes`` (``max_upload_bytes`` for multipart) with 413."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the streamed chunks against the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = (
            self.max_upload_bytes
            if headers.get(b"content-type", b"").lower().startswith(MULTIPART)
            else self.max_body_bytes
        )
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, BodyTooLarge(limit))
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as error:
            if started:
                raise
            await _send_too_large(send, error)


def describe_bytes(size: int) -> str:
    """A byte count as people write limits: ``10 MB``, ``512 KB`` or ``100 bytes``."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


async def _send_too_large(send: Send, error: BodyTooLarge) -> None:
    body = json.dumps({"detail": error.detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
