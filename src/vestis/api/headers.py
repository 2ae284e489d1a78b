"""Security headers on every response, and ``private, no-store`` on every personal one.

Pages allow only this server's own scripts, styles and images (plus ``data:`` images, which
try-on and studio results are sent as), may not be framed by another site, and never let a
browser sniff a download into something executable. A response is personal when a route
marked it so (:func:`vestis.api.deps.mark_personal`) or when it answers a request carrying a
shopper token: shared caches and the browser's back-forward cache must not keep it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; object-src 'none'; frame-ancestors 'none'"
)
"""The OpenAPI pages load Swagger UI / ReDoc from their CDN with an inline starter script."""
DOCS_PATHS = ("/docs", "/redoc")
PRIVATE = b"private, no-store"


class SecurityHeadersMiddleware:
    """Add CSP, ``nosniff``, frame and referrer rules to every HTTP response; no-store personal ones."""

    def __init__(self, app: ASGIApp, *, shopper_cookie: str, shopper_header: str) -> None:
        self.app = app
        self.shopper_cookie = shopper_cookie.encode()
        self.shopper_header = shopper_header.lower().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and amend the response's headers as it starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"].startswith(DOCS_PATHS)
        credentialed = self._has_shopper_credential(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OWNED]
                personal = credentialed or bool(scope.get("state", {}).get("personal"))
                headers += _security_headers(docs=docs, personal=personal)
                if not personal:
                    headers += [
                        (k, v) for k, v in message.get("headers", []) if k.lower() == b"cache-control"
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _has_shopper_credential(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == self.shopper_header or (name == b"cookie" and self.shopper_cookie + b"=" in value):
                return True
        return False


_OWNED = frozenset(
    {
        b"content-security-policy",
        b"x-content-type-options",
        b"x-frame-options",
        b"referrer-policy",
        b"cache-control",
    }
)


def _security_headers(*, docs: bool, personal: bool) -> list[tuple[bytes, bytes]]:
    policy = DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY
    headers = [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    ]
    if personal:
        headers.append((b"cache-control", PRIVATE))
    return headers
