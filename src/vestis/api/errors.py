"""Database errors as answers a client can act on, instead of a 500.

A write that waits longer than ``db_busy_timeout_seconds`` for a catalog another writer
holds (a long ``vestis import``, say) fails with SQLite's "database is locked". That is
not the client's fault nor a server fault: it is answered 503 with ``Retry-After``, and the
client sends the same request again. Every other database error stays a 500.
"""

from __future__ import annotations

import logging
import sqlite3

from fastapi import Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

__all__ = ["BUSY_MESSAGE", "RETRY_AFTER_SECONDS", "database_busy_handler", "is_busy"]

RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "the catalog is busy with another write; retry shortly"

logger = logging.getLogger(__name__)


async def database_busy_handler(request: Request, exc: Exception) -> JSONResponse:
    """503 with ``Retry-After`` when the catalog was too busy to write; other database errors are re-raised."""
    if not isinstance(exc, OperationalError) or not is_busy(exc):
        raise exc
    logger.warning(
        "%s %s: the catalog stayed locked by another writer; answered 503", request.method, request.url.path
    )
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": BUSY_MESSAGE},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def is_busy(error: OperationalError) -> bool:
    """Whether ``error`` says the database was locked by another connection (SQLite) or a lock wait timed out (PostgreSQL)."""
    cause = error.orig
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    if getattr(cause, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
        return True
    return any(phrase in str(cause).lower() for phrase in _BUSY_PHRASES)


_LOCK_NOT_AVAILABLE = "55P03"
_BUSY_PHRASES = ("database is locked", "database is busy", "database table is locked")
