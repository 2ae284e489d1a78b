"""Signed shopper tokens: how a shop proves to Vestis which customer a browser or app speaks for.

Personal data (a customer's recommendations and their reasons, size advice from their
purchases and returns, a personalised search) is served to an API key or to the customer
named in a valid shopper token. The shop issues tokens for its signed-in shoppers
(``POST /customers/{id}/token`` with an API key, or :func:`issue_shopper_token` in Python)
and hands them to the browser, which sends them back as the ``vestis_shopper`` cookie, a
``X-Shopper-Token`` header (never in a URL, where logs and referrers would keep it). A token is ``<customer id>.<expiry>.<HMAC-SHA256>``
in URL-safe base64, so it is tamper-evident and expires; nothing is stored server-side.

The key is ``VESTIS_SECRET_KEY`` when set, otherwise a random key created once in
``HOME/secret.key`` (mode 0600): tokens then survive restarts but not a new home.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vestis.config import Settings
from vestis.privacy.files import create_private

SHOPPER_TOKEN_SECONDS = 30 * 24 * 3600
"""A shopper token's default lifetime: 30 days."""
SECRET_FILE = "secret.key"


@dataclass(frozen=True)
class ShopperToken:
    """An issued token, the customer it speaks for and when it stops working (Unix seconds)."""

    token: str
    customer_id: str
    expires_at: int


def issue_shopper_token(
    settings: Settings, customer_id: str, *, seconds: int = SHOPPER_TOKEN_SECONDS, now: float | None = None
) -> ShopperToken:
    """A token that lets its bearer read ``customer_id``'s personal data for ``seconds``."""
    if not customer_id:
        raise ValueError("customer_id: a shopper token needs a customer id")
    if seconds <= 0:
        raise ValueError(f"seconds: a token's lifetime must be positive; got {seconds}")
    expires_at = int((time.time() if now is None else now) + seconds)
    payload = f"{_b64(customer_id.encode())}.{expires_at}"
    return ShopperToken(f"{payload}.{_sign(settings, payload)}", customer_id, expires_at)


def verify_shopper_token(settings: Settings, token: str | None, *, now: float | None = None) -> str | None:
    """The customer id a valid, unexpired token speaks for; ``None`` for anything else."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _sign(settings, payload)):
        return None
    if int(parts[1]) < (time.time() if now is None else now):
        return None
    try:
        return base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def secret_key(settings: Settings) -> bytes:
    """The installation's signing key: ``VESTIS_SECRET_KEY``, or ``HOME/secret.key`` made once (0600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    return _file_secret(settings.home / SECRET_FILE)


@lru_cache(maxsize=8)
def _file_secret(path: Path) -> bytes:
    """The key kept at ``path``, made on first use (read once per process); a concurrent creator's key wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path, secrets.token_urlsafe(48).encode())
    return path.read_bytes().strip()


def _sign(settings: Settings, payload: str) -> str:
    digest = hmac.new(secret_key(settings), f"shopper:{payload}".encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
