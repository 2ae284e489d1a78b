"""The engine's errors: what went wrong, in words a person can act on, and the HTTP status it means.

Every capability raises a subclass of one of three kinds, so a caller (the API, the web
pages, the CLI, a retailer's batch job) can handle them by kind without knowing each
module:

* :class:`InvalidInput` — the request or file is wrong; the message names the field, row or
  file. HTTP 422. Also a ``ValueError``, as Python callers expect of bad arguments.
* :class:`NotFound` — something named does not exist (a product, a customer, a model
  version). HTTP 404. Also a ``LookupError``.
* :class:`Unavailable` — the request is fine but the part that answers it is not ready
  (no trained model, the guide still building, no generator). HTTP 503. Also a
  ``RuntimeError``.

The API turns any of them into its status with :func:`vestis.api.errors.vestis_error_handler`
(an :class:`InvalidInput` that names a ``field`` becomes the app's standard 422 naming it),
so routes only catch what they answer differently.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["InvalidInput", "NotFound", "Unavailable", "UnknownCustomer", "UnknownProduct", "VestisError"]


class VestisError(Exception):
    """Base of the engine's errors; ``status_code`` is the HTTP status it is answered with."""

    status_code: ClassVar[int] = 500

    @property
    def public_detail(self) -> str:
        """What an HTTP client is told: the message, unless it may hold server paths (then a summary)."""
        return str(self) if self.status_code < 500 or isinstance(self, Unavailable) else "internal error"


class InvalidInput(VestisError, ValueError):
    """Bad input; ``field`` (when known) names the request field it is about."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(VestisError, LookupError):
    """Something the request names does not exist."""

    status_code = 404


class Unavailable(VestisError, RuntimeError):
    """The part of the engine that would answer is not ready (not trained, still building, switched off)."""

    status_code = 503


class UnknownProduct(NotFound):
    """A product id that the catalog, or the model answering, does not know."""


class UnknownCustomer(NotFound):
    """A customer id with no data held about it."""
