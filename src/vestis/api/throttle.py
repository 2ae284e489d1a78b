"""Slow down key guessing: a client that sends too many wrong credentials is told to wait.

Every wrong API key or invalid shopper token counts against the client's address; after
:data:`MAX_FAILURES` within :data:`WINDOW_SECONDS` the client gets 429 with ``Retry-After``
for every credentialed request until the window has passed, even with a right key.
The counts live in memory (one process), which is what a single self-hosted server needs.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import HTTPException, status

MAX_FAILURES = 20
WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000
"""Addresses remembered at once; the oldest are forgotten first, so memory stays bounded."""


class AuthFailures:
    """Recent credential failures per client address, and the check that turns them into 429s."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise 429 with ``Retry-After`` while ``client`` is over its budget of failures."""
        now = time.monotonic()
        with self._lock:
            recent = self._recent(client, now)
            if len(recent) >= self.max_failures:
                wait = max(1, int(recent[0] + self.window_seconds - now) + 1)
                raise HTTPException(
                    status.HTTP_429_TOO_MANY_REQUESTS,
                    detail=f"too many wrong credentials from this address; try again in {wait} s",
                    headers={"Retry-After": str(wait)},
                )

    def record(self, client: str) -> None:
        """Count one failure for ``client``."""
        now = time.monotonic()
        with self._lock:
            self._recent(client, now).append(now)
            while len(self._failures) > MAX_CLIENTS:
                self._failures.pop(next(iter(self._failures)))

    def _recent(self, client: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(client, deque())
        while recent and recent[0] <= now - self.window_seconds:
            recent.popleft()
        return recent
