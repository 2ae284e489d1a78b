"""A photo's border: where product photos show their background, so where its colour is read.

Catalog photos put the product in the middle of a studio or flat-lay background, so the
pixels along the edges tell the background's colour: the studio pads a photo square with it,
try-on tells the garment from the paper by it, the product box is found against it.

Examples
--------
>>> import numpy as np
>>> photo = np.full((4, 6, 3), 250, np.uint8); photo[1:3, 2:4] = 30
>>> border_pixels(photo).shape, border_colour(photo).tolist()
((20, 3), [250.0, 250.0, 250.0])
>>> square_on_border(photo).shape
(6, 6, 3)
"""

from __future__ import annotations

import numpy as np

__all__ = ["border_colour", "border_pixels", "square_on_border"]


def border_pixels(image: np.ndarray, *, width: int = 1, columns: bool = True) -> np.ndarray:
    """The pixels of the outer ``width`` rows (and, with ``columns``, columns) as ``(n, channels)`` rows.

    Without ``columns`` only the top and bottom are read: a garment photographed edge to edge
    (a hanging shirt's sleeves) touches the sides, rarely the top and bottom. Corner pixels
    count in both their row and their column.
    """
    channels = image.shape[-1] if image.ndim == 3 else 1
    parts = [image[:width], image[-width:]]
    if columns:
        parts += [image[:, :width], image[:, -width:]]
    return np.concatenate([part.reshape(-1, channels) for part in parts])


def border_colour(image: np.ndarray, *, width: int = 1, columns: bool = True) -> np.ndarray:
    """The median colour of :func:`border_pixels`: the background's colour, shadows and specks aside."""
    return np.median(border_pixels(image, width=width, columns=columns), axis=0)


def square_on_border(pixels: np.ndarray) -> np.ndarray:
    """An H×W×3 uint8 photo centred on a square canvas filled with its border's median colour.

    Product photos are rarely square; padding with the studio background (rather than
    cropping) keeps the whole garment and adds no edge a network could mistake for content.
    """
    height, width = pixels.shape[:2]
    side = max(height, width)
    square = np.empty((side, side, 3), dtype=np.uint8)
    square[:] = border_colour(pixels).astype(np.uint8)
    top, left = (side - height) // 2, (side - width) // 2
    square[top : top + height, left : left + width] = pixels
    return square
