"""Virtual try-on: render a garment product photo onto a photo of a person.

>>> from vestis.tryon import TryOn
>>> result = TryOn(backend="warp").render(person, garment, category="upper")  # doctest: +SKIP
"""

from vestis.tryon.errors import TryOnError
from vestis.tryon.pipeline import BACKENDS, TryOn, TryOnResult, save_debug

__all__ = ["BACKENDS", "TryOn", "TryOnError", "TryOnResult", "save_debug"]
