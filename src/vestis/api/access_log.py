"""The access log, without the shoppers in it.

Uvicorn's own access log writes every path and query string, so it would keep customer ids
(``/customers/123/recommendations``, ``?user=123``) and what shoppers search and say
(``?q=…``). ``vestis serve`` turns it off and this middleware writes the same line to the
same ``uvicorn.access`` logger with those parts replaced by ``…`` — unless the operator sets
``VESTIS_LOG_PERSONAL_DATA=true``. Client addresses are logged as uvicorn does.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PERSONAL_QUERY_FIELDS = frozenset({"user", "user_id", "shopper", "q", "message", "token", "customer_id"})
"""Query parameters that name a shopper or carry their words."""
PERSONAL_PATH = re.compile(r"^(/customers/)[^/]+")
REDACTED = "…"

logger = logging.getLogger("uvicorn.access")


class AccessLogMiddleware:
    """Write one uvicorn-style access line per request, personal parts redacted unless configured."""

    def __init__(self, app: ASGIApp, *, log_personal_data: bool = False) -> None:
        self.app = app
        self.log_personal_data = log_personal_data

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; log its line once the response has started."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start" and logger.isEnabledFor(logging.INFO):
                logger.info(
                    '%s - "%s %s HTTP/%s" %d',
                    _client(scope),
                    scope["method"],
                    self.loggable_path(scope),
                    scope.get("http_version", "1.1"),
                    message["status"],
                )
            await send(message)

        await self.app(scope, receive, logging_send)

    def loggable_path(self, scope: Scope) -> str:
        """The path and query string as the log may keep them."""
        path = scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")
        if not self.log_personal_data:
            path = redact_path(path)
            query = redact_query(query)
        return f"{path}?{query}" if query else path


def redact_path(path: str) -> str:
    """``/customers/123/recommendations`` → ``/customers/…/recommendations``."""
    return PERSONAL_PATH.sub(rf"\g<1>{REDACTED}", path)


def redact_query(query: str) -> str:
    """The query string with every personal field's value replaced by ``…``."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(
        f"{quote_plus(k)}={REDACTED if k in PERSONAL_QUERY_FIELDS else quote_plus(v)}" for k, v in pairs
    )


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"
