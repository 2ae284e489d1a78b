"""The one error type of the try-on pipeline."""

from __future__ import annotations

from vestis.errors import InvalidInput

__all__ = ["TryOnError"]


class TryOnError(InvalidInput):
    """A person or garment photo the pipeline cannot use; the message says why and what to change."""
