"""The one error type of the try-on pipeline."""

from __future__ import annotations

__all__ = ["TryOnError"]


class TryOnError(ValueError):
    """A person or garment photo the pipeline cannot use; the message says why and what to change."""
