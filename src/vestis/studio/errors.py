"""The one error type of the studio."""

from __future__ import annotations

from vestis.errors import InvalidInput


class StudioError(InvalidInput):
    """A bad studio request: unknown step, recipe or parameter, or a value out of range.

    The message names the offending step/parameter (and the file or row where it came from)
    and lists the accepted values, so it can be shown to a merchandiser as is.
    """
