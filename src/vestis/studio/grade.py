"""Colour grading for lifestyle images: a deliberate warm or cool tone shift.

White balance (:mod:`vestis.studio.enhance`) removes a cast; a grade adds one on purpose, as
photographers warm a lifestyle shot. :func:`tone_shift` moves CIELAB ``b*`` (blue → yellow)
by ``warmth`` and ``a*`` (green → magenta) by ``tint``, scaled by each pixel's lightness so
that shadows stay neutral and highlights take the tone, like a warming filter.

Examples
--------
>>> from PIL import Image
>>> tone_shift(Image.new("RGB", (4, 4), (128, 128, 128)), warmth=10).getpixel((0, 0))
(132, 128, 119)
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from vestis.studio.errors import StudioError
from vestis.vision.colour import lab_to_rgb, rgb_to_lab

__all__ = ["MAX_SHIFT", "tone_shift"]

MAX_SHIFT = 30.0
"""Largest ``warmth`` or ``tint`` accepted, in CIELAB units (30 is already a strong filter)."""


def tone_shift(image: Image.Image, *, warmth: float = 8.0, tint: float = 0.0) -> Image.Image:
    """The image warmer (``warmth`` > 0) or cooler (< 0), optionally tinted; alpha kept.

    ``warmth`` and ``tint`` are the ``b*`` and ``a*`` shifts, in CIELAB units, that a white
    pixel receives (a mid-grey gets about half).
    """
    for name, value in (("warmth", warmth), ("tint", tint)):
        if not -MAX_SHIFT <= value <= MAX_SHIFT:
            raise StudioError(
                f"{name}: expected a shift between {-MAX_SHIFT:g} and {MAX_SHIFT:g}; got {value!r}"
            )
    pixels = np.asarray(image)
    lab = rgb_to_lab(pixels[..., :3])
    weight = lab[..., 0] / 100.0
    lab[..., 1] += tint * weight
    lab[..., 2] += warmth * weight
    shifted = np.clip(np.rint(lab_to_rgb(lab)), 0, 255).astype(np.uint8)
    if image.mode == "RGBA":
        return Image.fromarray(np.dstack([shifted, pixels[..., 3]]), "RGBA")
    return Image.fromarray(shifted, "RGB")
