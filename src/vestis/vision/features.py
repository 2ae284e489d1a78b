"""Hand-crafted, download-free features of a product photo on a plain background.

A photo becomes three named blocks so a match can be explained ("same colour and pattern"):

* ``colour``  — how much of the garment is each palette colour (soft assignment in CIELAB,
  square-rooted so the cosine of two blocks is their Bhattacharyya coefficient);
* ``pattern`` — texture inside the garment: orientation spectrum of the gradients aligned to
  the dominant direction (stripes: one peak, checks: two at 90°, florals: flat), local binary
  patterns, FFT periodicity and colour variation (solid garments have almost none);
* ``shape``   — the silhouette: bounding-box aspect, fill, Hu moments and a coarse 8×8 grid.

The garment is separated from the background by the project's one product mask
(:func:`vestis.vision.product_mask.product_cutout`) on a copy downscaled to ``size`` pixels on
the long side: a garment that stands out from its paper by colour costs a few milliseconds, a
white one on white paper goes through U²-Net-p (~160 ms); a transparent PNG's alpha is its mask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from vestis.progress import track
from vestis.vectors import unit_rows
from vestis.vision.colour import PALETTE_LAB, PALETTE_NAMES, rgb_to_lab
from vestis.vision.io import ImageError, load_image
from vestis.vision.product_mask import product_cutout

__all__ = [
    "BLOCKS",
    "LAYOUT",
    "ImageFeatures",
    "block_similarities",
    "extract_features",
    "feature_matrix",
    "image_features",
    "similarity_space",
]

BLOCKS: tuple[str, ...] = ("colour", "pattern", "shape")
_ORIENTATIONS = 12
_LBP_BINS = 10
_GRID = 8
_SIZES = {
    "colour": len(PALETTE_NAMES),
    "pattern": _ORIENTATIONS + _LBP_BINS + 4 + 4 + 4,
    "shape": 3 + 7 + _GRID**2,
}
LAYOUT: dict[str, slice] = {}
"""Where each block sits in :meth:`ImageFeatures.vector` and :func:`feature_matrix` rows."""
_start = 0
for _name in BLOCKS:
    LAYOUT[_name] = slice(_start, _start + _SIZES[_name])
    _start += _SIZES[_name]
DIMENSION = _start

_COLOUR_SIGMA = 14.0
"""Width (ΔE) of a palette colour's soft bin."""


@dataclass(frozen=True)
class ImageFeatures:
    """The feature blocks of one image, its dominant colour name and how much of it is garment."""

    colour: np.ndarray
    pattern: np.ndarray
    shape: np.ndarray
    colour_name: str
    mask_fraction: float

    def vector(self) -> np.ndarray:
        """All blocks concatenated (see :data:`LAYOUT`), float32."""
        return np.concatenate([self.colour, self.pattern, self.shape]).astype(np.float32)


def image_features(path: Path, *, size: int = 160) -> ImageFeatures:
    """Features of the image file at ``path`` (loaded safely through :func:`load_image`)."""
    return extract_features(load_image(path), size=size)


def extract_features(image: Image.Image | np.ndarray, *, size: int = 160) -> ImageFeatures:
    """Features of one product photo (PIL image or H×W×3/4 uint8 array)."""
    if size < 32:
        raise ValueError(f"size must be at least 32 pixels; got {size}")
    pil = Image.fromarray(np.asarray(image, dtype=np.uint8)) if isinstance(image, np.ndarray) else image
    pixels = np.asarray(pil.convert("RGBA" if pil.mode in ("RGBA", "LA", "PA") else "RGB"))
    # 1. Separate the garment from the background, on a copy downscaled so the work is bounded.
    cutout = product_cutout(pixels, size=size)
    mask, lab = cutout.mask, rgb_to_lab(cutout.rgb)
    fraction = float(mask.mean())
    if mask.sum() < 16:
        mask = np.ones(mask.shape, dtype=bool)
    # 2. Describe colour, texture and silhouette.
    colour = _colour_block(lab[mask])
    return ImageFeatures(
        colour=colour,
        pattern=_pattern_block(lab, mask),
        shape=_shape_block(mask),
        colour_name=PALETTE_NAMES[int(np.argmax(colour))],
        mask_fraction=fraction,
    )


def feature_matrix(
    paths: Sequence[Path | None], *, size: int = 160, progress: bool = True
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Feature rows for many image files: ``(matrix, readable, colour_names)``.

    A missing or unreadable image gives a zero row, ``readable=False`` and colour name ``""``;
    it never raises, because one broken photo must not stop a catalog.
    """
    matrix = np.zeros((len(paths), DIMENSION), dtype=np.float32)
    readable = np.zeros(len(paths), dtype=bool)
    names = [""] * len(paths)
    for row, path in track(
        list(enumerate(paths)), description="image features", disable=not progress, transient=True
    ):
        if path is None or not Path(path).is_file():
            continue
        try:
            features = image_features(Path(path), size=size)
        except ImageError:
            continue
        matrix[row], readable[row], names[row] = features.vector(), True, features.colour_name
    return matrix, readable, names


def similarity_space(
    matrix: np.ndarray, weights: Mapping[str, float], *, reference: np.ndarray | None = None
) -> np.ndarray:
    """Rows whose dot product is the ``weights``-weighted mean of per-block cosines.

    ``pattern`` and ``shape`` hold quantities on different scales, so each of their columns is
    standardised over ``reference`` rows (default: all) first; ``colour`` histograms are kept
    as they are. Rows that are all zero stay zero.
    """
    total = sum(max(w, 0.0) for w in weights.values())
    if total <= 0:
        raise ValueError(f"block weights must include a positive weight; got {dict(weights)}")
    reference = np.ones(len(matrix), dtype=bool) if reference is None else reference
    blocks = []
    for name in BLOCKS:
        block = matrix[:, LAYOUT[name]].astype(np.float32)
        if name != "colour" and reference.any():
            centre = block[reference].mean(axis=0)
            spread = block[reference].std(axis=0) + 1e-3
            block = np.where(reference[:, None], (block - centre) / spread, 0.0)
        blocks.append(unit_rows(block) * np.sqrt(max(weights.get(name, 0.0), 0.0) / total))
    return np.concatenate(blocks, axis=1).astype(np.float32)


def block_similarities(space: np.ndarray, anchor: int, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Cosine of each block between row ``anchor`` and ``rows`` of a :func:`similarity_space`."""
    result = {}
    for name in BLOCKS:
        block = space[:, LAYOUT[name]]
        result[name] = unit_rows(block[rows]) @ unit_rows(block[anchor : anchor + 1])[0]
    return result


# ------------------------------------------------------------------------------ helpers
def _colour_block(lab_pixels: np.ndarray) -> np.ndarray:
    """Soft palette histogram (sums to one), square-rooted."""
    if len(lab_pixels) > 6000:
        lab_pixels = lab_pixels[:: len(lab_pixels) // 6000 + 1]
    distance = ((lab_pixels[:, None, :] - PALETTE_LAB[None, :, :]) ** 2).sum(axis=-1)
    affinity = np.exp(-(distance - distance.min(axis=1, keepdims=True)) / (2 * _COLOUR_SIGMA**2))
    histogram = (affinity / affinity.sum(axis=1, keepdims=True)).mean(axis=0)
    return np.sqrt(histogram).astype(np.float32)


def _pattern_block(lab: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Orientation spectrum, LBP histogram, FFT periodicity and colour spread inside the garment."""
    inside = ndimage.binary_erosion(mask, iterations=3)
    if inside.sum() < 64:
        inside = mask
    lightness = lab[..., 0] / 100.0
    gx, gy = ndimage.sobel(lightness, axis=1), ndimage.sobel(lightness, axis=0)
    magnitude = np.hypot(gx, gy)[inside]
    angle = np.mod(np.arctan2(gy, gx)[inside], np.pi)
    bins = np.minimum((angle / np.pi * _ORIENTATIONS).astype(np.int64), _ORIENTATIONS - 1)
    orientation = np.bincount(bins, weights=magnitude, minlength=_ORIENTATIONS)
    # Mean gradient energy per direction (not shares: a plain garment's noise must stay near zero),
    # rolled so the dominant direction comes first: horizontal and vertical stripes look alike.
    orientation = np.sqrt(np.roll(orientation, -int(np.argmax(orientation))) / len(magnitude))
    edges = np.array(
        [np.log1p(magnitude.mean() * 10), (magnitude > 0.2).mean(), (magnitude > 0.6).mean(), magnitude.std()]
    )
    chroma = lab[..., 1:][inside]
    spread = np.array(
        [
            lightness[inside].std(),
            np.linalg.norm(chroma.std(axis=0)) / 50.0,
            *_lightness_modes(lightness[inside]),
        ]
    )
    return np.concatenate(
        [orientation, _lbp_histogram(lightness, inside), edges, _periodicity(lightness, inside), spread]
    ).astype(np.float32)


def _lightness_modes(values: np.ndarray) -> tuple[float, float]:
    """Share of pixels far below and far above the median lightness (two-tone patterns)."""
    median = np.median(values)
    return float((values < median - 0.15).mean()), float((values > median + 0.15).mean())


def _lbp_histogram(lightness: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Rotation-invariant uniform local binary patterns (radius 2, 8 neighbours): 10 bins."""
    padded = np.pad(lightness, 2, mode="edge")
    height, width = lightness.shape
    offsets = [(-2, 0), (-1, 1), (0, 2), (1, 1), (2, 0), (1, -1), (0, -2), (-1, -1)]
    bits = np.stack(
        [padded[2 + dy : 2 + dy + height, 2 + dx : 2 + dx + width] > lightness + 0.03 for dy, dx in offsets]
    )[:, inside]
    ones = bits.sum(axis=0)
    transitions = (bits != np.roll(bits, 1, axis=0)).sum(axis=0)
    codes = np.where(transitions <= 2, ones, _LBP_BINS - 1)
    return np.bincount(codes, minlength=_LBP_BINS) / max(len(codes), 1)


def _periodicity(lightness: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """How much texture energy sits in a few spectral peaks (periodic prints) and at which scale."""
    rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    patch = lightness[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    patch_inside = inside[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    mean = patch[patch_inside].mean()
    signal = np.where(patch_inside, patch - mean, 0.0)
    window = np.outer(np.hanning(signal.shape[0]), np.hanning(signal.shape[1]))
    power = np.abs(np.fft.fftshift(np.fft.fft2(signal * window))) ** 2
    cy, cx = power.shape[0] // 2, power.shape[1] // 2
    yy, xx = np.mgrid[: power.shape[0], : power.shape[1]]
    radius = np.hypot((yy - cy) / max(cy, 1), (xx - cx) / max(cx, 1))
    power[radius < 0.06] = 0.0  # the silhouette's own low frequencies say nothing about the print
    total = power.sum() + 1e-9
    top = np.sort(power.ravel())[-8:].sum() / total
    high = power[radius > 0.25].sum() / total
    return np.array([top, high, np.log1p(total / patch_inside.sum()), np.log1p(power.max() / total * 100)])


def _shape_block(mask: np.ndarray) -> np.ndarray:
    """Aspect, fill, mask share, Hu moments (log scale) and an 8×8 occupancy grid of the bounding box."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    box = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = box.shape
    grid_image = Image.fromarray(box.astype(np.uint8) * 255).resize((_GRID, _GRID), Image.Resampling.BOX)
    grid = np.asarray(grid_image, dtype=np.float32).ravel() / 255.0
    basics = [np.log(height / width), box.mean(), mask.mean()]
    return np.concatenate([basics, _hu_moments(box[::2, ::2]), grid]).astype(np.float32)


def _hu_moments(mask: np.ndarray) -> np.ndarray:
    """The seven Hu invariants of a binary shape, as ``-sign·log10|h|`` (comparable magnitudes)."""
    y, x = np.nonzero(mask)
    area = float(len(x))
    dx, dy = x - x.mean(), y - y.mean()

    def eta(p: int, q: int) -> float:
        return float((dx**p * dy**q).sum() / area ** (1 + (p + q) / 2))

    n20, n02, n11 = eta(2, 0), eta(0, 2), eta(1, 1)
    n30, n03, n21, n12 = eta(3, 0), eta(0, 3), eta(2, 1), eta(1, 2)
    a, b = n30 + n12, n21 + n03
    hu = np.array(
        [
            n20 + n02,
            (n20 - n02) ** 2 + 4 * n11**2,
            (n30 - 3 * n12) ** 2 + (3 * n21 - n03) ** 2,
            a**2 + b**2,
            (n30 - 3 * n12) * a * (a**2 - 3 * b**2) + (3 * n21 - n03) * b * (3 * a**2 - b**2),
            (n20 - n02) * (a**2 - b**2) + 4 * n11 * a * b,
            (3 * n21 - n03) * a * (a**2 - 3 * b**2) - (n30 - 3 * n12) * b * (3 * a**2 - b**2),
        ]
    )
    return -np.sign(hu) * np.log10(np.abs(hu) + 1e-12) / 10.0
