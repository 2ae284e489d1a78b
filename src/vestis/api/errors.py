"""Errors as answers a client can act on: the engine's errors, bad requests and a busy database.

* :func:`vestis_error_handler` answers any :class:`vestis.errors.VestisError` with its status
  (422 bad input, 404 not found, 503 unavailable) and a detail free of server paths.
* :func:`validation_error_handler` gives every 422 one shape, naming each offending field as
  clients write it (``events[3].event_type``).
* :func:`database_busy_handler`: a write that waits longer than ``db_busy_timeout_seconds`` for a catalog another writer
holds (a long ``vestis import``, say) fails with SQLite's "database is locked". That is
not the client's fault nor a server fault: it is answered 503 with ``Retry-After``, and the
client sends the same request again. Every other database error stays a 500.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError

from vestis.errors import InvalidInput, VestisError

__all__ = [
    "BUSY_MESSAGE",
    "RETRY_AFTER_SECONDS",
    "database_busy_handler",
    "field_path",
    "is_busy",
    "validation_error_handler",
    "vestis_error_handler",
]

RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "the catalog is busy with another write; retry shortly"

logger = logging.getLogger(__name__)


async def vestis_error_handler(request: Request, exc: Exception) -> Response:
    """The engine's errors as their HTTP status (:mod:`vestis.errors`); bad input naming a field as the standard 422."""
    assert isinstance(exc, VestisError)
    if isinstance(exc, InvalidInput) and exc.field:
        message = str(exc).removeprefix(f"{exc.field}: ")
        problem = {"loc": ("body", exc.field), "msg": message, "type": "value_error"}
        return await validation_error_handler(request, RequestValidationError([problem]))
    if exc.status_code >= 500:
        logger.warning("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(status_code=exc.status_code, content={"detail": exc.public_detail})


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 whose errors name the offending field as clients write it: ``events[3].event_type``."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": list(error["loc"]),
            "field": field_path(error["loc"]),
            "msg": str(error["msg"]).removeprefix("Value error, "),
            "type": error["type"],
        }
        for error in exc.errors()
    ]
    message = "; ".join(f"{e['field']}: {e['msg']}" if e["field"] else e["msg"] for e in errors[:5])
    if len(errors) > 5:
        message += f"; and {len(errors) - 5} more"
    return JSONResponse(status_code=422, content={"detail": errors, "message": message})


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "events", 3, "event_type")`` as ``events[3].event_type``."""
    path = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


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
