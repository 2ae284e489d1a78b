"""Cross-site request forgery: a browser may only change things from this shop's own pages.

Every POST, PUT, PATCH and DELETE that a browser sends says where it comes from
(``Sec-Fetch-Site``, ``Origin``, else ``Referer``); one that comes from another site, or from
an opaque origin (``Origin: null``), is refused with 403 before any route runs. Requests that
carry an API key (``X-API-Key`` or ``Authorization``) are exempt: a browser cannot add such a
header to a cross-site request without a CORS preflight, which this server never grants.
Scripts and servers (curl, the shop's backend) send none of these headers and pass.
Behind a proxy that rewrites ``Host``, an origin whose host is named in ``VESTIS_ALLOWED_HOSTS``
counts as this shop's own.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from vestis.api.deps import SAFE_METHODS

SAME_SITE_FETCHES = frozenset({b"same-origin", b"none"})


class CrossSiteRequestMiddleware:
    """Refuse state-changing requests that a browser sent from another origin (403)."""

    def __init__(self, app: ASGIApp, *, trusted_hosts: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.trusted_hosts = trusted_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check where an unsafe request comes from, then pass it on or refuse it."""
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = cross_site_reason(dict(scope["headers"]), self.trusted_hosts)
            if reason is not None:
                await _forbid(send, reason)
                return
        await self.app(scope, receive, send)


def cross_site_reason(headers: dict[bytes, bytes], trusted_hosts: frozenset[str] = frozenset()) -> str | None:
    """Why a request with these (lower-case) headers counts as cross-site, or ``None`` when it does not.

    ``trusted_hosts`` are host names (no port) whose pages count as this shop's own.
    """
    if b"x-api-key" in headers or b"authorization" in headers:
        return None
    fetch_site = headers.get(b"sec-fetch-site")
    if fetch_site is not None and fetch_site not in SAME_SITE_FETCHES:
        return f"a {fetch_site.decode(errors='replace')} request may not change anything here"
    host = headers.get(b"host", b"").decode(errors="replace").lower()
    origin = headers.get(b"origin")
    if origin is not None:
        return None if _is_own(origin, host, trusted_hosts) else "the request comes from another origin"
    referer = headers.get(b"referer")
    if referer is not None and not _is_own(referer, host, trusted_hosts):
        return "the request comes from another site"
    return None


def _is_own(url: bytes, host: str, trusted_hosts: frozenset[str]) -> bool:
    netloc = _netloc(url)
    return bool(netloc) and (netloc == host or urlsplit(f"//{netloc}").hostname in trusted_hosts)


def _netloc(url: bytes) -> str:
    """``host[:port]`` of a URL as the Host header writes it; empty for ``null`` and other opaque origins."""
    parts = urlsplit(url.decode(errors="replace").strip())
    return parts.netloc.lower() if parts.scheme in ("http", "https") else ""


async def _forbid(send: Send, reason: str) -> None:
    body = json.dumps({"detail": f"cross-site request refused: {reason}"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
