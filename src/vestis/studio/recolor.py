"""Colourways without a photo shoot: re-dye a garment, or cover it with a pattern, keeping its shading.

A photographed garment is treated as *albedo × shading*. In CIELAB, multiplying the light that
reaches a surface by ``k`` multiplies ``L* + 16`` (and ``a*``, ``b*``) by ``k^(1/3)``, so the
shading of each pixel is the ratio ``(L + 16) / (L_ref + 16)`` against the garment's reference
lightness. A new colour (or a pattern's per-pixel colour) is given that same ratio, which keeps
folds, seams and the lightness structure of prints. Two guards keep results believable:

* the fold contrast is rescaled by at most :data:`GAIN_RANGE` — a black garment dyed white keeps
  visible folds (contrast ×2 at most) and a white one dyed navy does not go flat (×0.6 at least);
* lightness is rolled off softly towards 0 and 100 instead of clipped, so highlights keep detail.

Only the garment changes: the background (everything outside :func:`garment_mask`, or the
transparent part of an RGBA image) comes back byte for byte.

Examples
--------
>>> from PIL import Image, ImageDraw
>>> photo = Image.new("RGB", (64, 64), "white")
>>> ImageDraw.Draw(photo).rectangle((16, 16, 47, 47), fill=(200, 40, 40))
>>> recolor(photo, to="navy").getpixel((32, 32))
(32, 42, 82)
>>> recolor(photo, to="navy").getpixel((2, 2))
(255, 255, 255)
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageColor
from scipy.cluster.vq import kmeans2

from vestis.studio.errors import StudioError
from vestis.vision.colour import PALETTE, lab_to_rgb, rgb_to_lab
from vestis.vision.io import ImageError, load_image
from vestis.vision.product_mask import product_mask

__all__ = [
    "GAIN_RANGE",
    "PATTERNS",
    "blend_garment",
    "colour_names",
    "garment_mask",
    "parse_colour",
    "pattern_fill",
    "recolor",
]

PATTERNS: tuple[str, ...] = ("stripes", "checks", "dots")
"""Patterns :func:`pattern_fill` draws itself; any other value must be a texture image."""
GAIN_RANGE: tuple[float, float] = (0.6, 2.0)
"""Smallest and largest factor by which the garment's lightness variation (folds) is rescaled."""
_DEFAULT_SCALE = {"stripes": 0.05, "checks": 0.08, "dots": 0.06, "texture": 0.3}
"""Pattern repeat as a share of the garment's height."""
_LIGHTNESS_WEIGHT = 0.5
"""How much lightness counts when grouping garment colours (shading must not split a colour)."""
_CLUSTERS = 6
"""Colour clusters looked for in ``mode="dominant"``."""
_SAME_CHROMA = 14.0
"""Chroma below which a colour counts as neutral (black, grey, white) when matching clusters."""
_SAME_HUE = 30.0
"""Degrees of hue within which a cluster may be the main colour in other light."""
_SHADING_RANGE = 1.8
"""Largest ratio of ``L*+16`` between a cluster and the main colour that is still shading."""
_MEMBERSHIP_SOFTNESS = 4.0
"""ΔE over which a pixel goes from "dominant colour" to "other colour" in ``mode="dominant"``."""
_FEATHER = 2.0
"""Pixels over which the recoloured garment blends into its own original edge."""


def colour_names() -> list[str]:
    """Every colour name :func:`parse_colour` accepts: the catalog palette, then the CSS names."""
    return list(_vocabulary())


def parse_colour(value: str | tuple[int, int, int], *, parameter: str = "to") -> tuple[int, int, int]:
    """sRGB of a colour name (palette or CSS, any case/spacing, grey = gray), ``#rrggbb``/``#rgb`` or a triple.

    Palette names (``navy``, ``burgundy``, ``light blue`` …) mean the typical garment colour of
    :data:`vestis.vision.colour.PALETTE`, not the CSS primary: a "blue" T-shirt is not #0000FF.
    Raises :class:`StudioError` naming ``parameter`` and suggesting close names.
    """
    if isinstance(value, tuple | list):
        if len(value) == 3 and all(isinstance(c, int | np.integer) and 0 <= c <= 255 for c in value):
            return (int(value[0]), int(value[1]), int(value[2]))
        raise StudioError(f"{parameter}: an (r, g, b) colour needs three integers 0..255; got {value!r}")
    if not isinstance(value, str) or not value.strip():
        raise StudioError(f"{parameter}: expected a colour name, '#rrggbb' or (r, g, b); got {value!r}")
    text = value.strip()
    if text.startswith("#"):
        if len(text) in (4, 7) and all(c in "0123456789abcdefABCDEF" for c in text[1:]):
            red, green, blue = ImageColor.getrgb(text)[:3]
            return (red, green, blue)
        raise StudioError(f"{parameter}: {value!r} is not a hex colour; write '#rrggbb' (e.g. '#1f3a93')")
    vocabulary = _vocabulary()
    key = _normalise(text)
    if key in vocabulary:
        return vocabulary[key][1]
    close = difflib.get_close_matches(key, list(vocabulary), n=4, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(vocabulary[k][0]) for k in close)}? " if close else ""
    raise StudioError(
        f"{parameter}: unknown colour {value!r}; {hint}use a colour name "
        f"(e.g. {', '.join(list(PALETTE)[:6])}; see colour_names()), '#rrggbb' or (r, g, b)"
    )


def garment_mask(image: Image.Image) -> np.ndarray:
    """Boolean H×W mask of the product: the opaque part of an RGBA image, else found on the plain background."""
    pixels = np.asarray(image)
    if image.mode == "RGBA":
        alpha = pixels[..., 3] > 0
        if not alpha.all():
            return alpha
    return _product_mask(np.ascontiguousarray(pixels[..., :3]))


def blend_garment(
    image: Image.Image, region: np.ndarray, new: np.ndarray, weight: np.ndarray | None = None
) -> Image.Image:
    """``image`` with its garment pixels (``region``, H×W bool) moved towards ``new`` (N×3 RGB, 0..255).

    ``weight`` (N, 0..1) says how far each pixel moves; the garment's edge is feathered over
    a couple of pixels into the original, and pixels outside ``region`` stay exactly as they were.
    """
    pixels = np.array(image)
    old = pixels[..., :3][region].astype(np.float32)
    feather = _feather(region)[region]
    weight = feather if weight is None else weight * feather
    # In place from here on: each N×3 float array of a 12-megapixel garment is about 50 MB.
    blended = np.asarray(new, dtype=np.float32) - old
    blended *= weight[:, None]
    blended += old
    pixels[..., :3][region] = np.clip(np.rint(blended, out=blended), 0, 255, out=blended).astype(np.uint8)
    return Image.fromarray(pixels, mode=image.mode)


def recolor(
    image: Image.Image,
    *,
    to: str | tuple[int, int, int],
    mode: Literal["all", "dominant"] = "all",
    mask: np.ndarray | None = None,
) -> Image.Image:
    """The garment re-dyed to colour ``to``, with its folds, seams and print structure kept.

    ``mode="all"`` dyes the whole garment (prints stay as lightness variation); ``"dominant"``
    dyes only the garment's main colour and leaves trims and prints in their own colours.
    ``mask`` (H×W bool) overrides the automatic garment mask. Pixels outside the garment are
    returned unchanged.
    """
    # 1. Check inputs.
    target = rgb_to_lab(np.array(parse_colour(to, parameter="to"), dtype=np.float32))
    if mode not in ("all", "dominant"):
        raise StudioError(f"mode: expected 'all' or 'dominant'; got {mode!r}")
    rgb, region = _inputs(image, mask)
    if not region.any():
        return image.copy()
    # 2. Find the part to dye and its reference lightness.
    lab = rgb_to_lab(rgb[region])
    if mode == "dominant":
        weight, reference = _dominant_colour(lab)
    else:
        weight, reference = np.ones(len(lab), dtype=np.float32), float(np.median(lab[:, 0]))
    # 3. Give the target colour each pixel's shading, then blend by membership and edge feather.
    dyed = lab_to_rgb(_shade(lab[:, 0], reference, np.broadcast_to(target, lab.shape)))
    del lab  # not needed while blending, the step's largest moment
    return blend_garment(image, region, dyed, weight)


def pattern_fill(
    image: Image.Image,
    *,
    pattern: str | Path | Image.Image = "stripes",
    colour: str | tuple[int, int, int] = "navy",
    ground: str | tuple[int, int, int] | None = None,
    scale: float | None = None,
    angle: float = 0.0,
    mask: np.ndarray | None = None,
) -> Image.Image:
    """The garment covered with a pattern that follows its shading (folds stay visible).

    ``pattern`` is ``"stripes"``, ``"checks"`` (gingham), ``"dots"`` or a texture image (a file's
    ``Path`` or a PIL image, tiled). Drawn patterns use ``colour`` for the ink and ``ground``
    between it (``None`` keeps the garment as it is there). ``scale`` is the repeat as a share of the
    garment's height (default: 0.05 stripes, 0.08 checks, 0.06 dots, 0.3 texture); ``angle``
    turns the pattern (degrees). Pixels outside the garment are returned unchanged.
    """
    # 1. Check inputs.
    texture = _texture(pattern)
    kind = "texture" if texture is not None else str(pattern)
    scale = _DEFAULT_SCALE[kind] if scale is None else scale
    if not 0.005 <= scale <= 2.0:
        raise StudioError(f"scale: the repeat as a share of the garment's height, 0.005..2; got {scale!r}")
    rgb, region = _inputs(image, mask)
    if not region.any():
        return image.copy()
    # 2. Lay the pattern out over the garment's bounding box.
    rows, cols = np.flatnonzero(region.any(axis=1)), np.flatnonzero(region.any(axis=0))
    period = max(2.0, scale * (rows[-1] - rows[0] + 1))
    lab = rgb_to_lab(rgb[region])
    reference = float(np.median(lab[:, 0]))
    if texture is not None:
        tiled = _tile(texture, period, rgb.shape[:2], origin=(rows[0], cols[0]))
        albedo, coverage = rgb_to_lab(tiled[region]), np.ones(len(lab), dtype=np.float32)
    else:
        ink = rgb_to_lab(np.array(parse_colour(colour, parameter="colour"), dtype=np.float32))
        albedo = np.broadcast_to(ink, lab.shape)
        coverage = _coverage(kind, region, period, angle, origin=(rows[0], cols[0]))
    # 3. Shade the pattern (and a new ground) like the garment, then compose.
    painted = lab_to_rgb(_shade(lab[:, 0], reference, albedo))
    if ground is not None:
        base = rgb_to_lab(np.array(parse_colour(ground, parameter="ground"), dtype=np.float32))
        painted_ground = lab_to_rgb(_shade(lab[:, 0], reference, np.broadcast_to(base, lab.shape)))
        painted = coverage[:, None] * painted + (1 - coverage[:, None]) * painted_ground
        coverage = np.ones_like(coverage)
    return blend_garment(image, region, painted, coverage)


# ------------------------------------------------------------------------------ helpers
def _product_mask(rgb: np.ndarray) -> np.ndarray:
    """The one place the garment is separated from its plain background."""
    return product_mask(rgb)


def _normalise(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum()).replace("gray", "grey")


def _vocabulary() -> dict[str, tuple[str, tuple[int, int, int]]]:
    """Normalised name → (display name, sRGB); the catalog palette wins over CSS names."""
    vocabulary: dict[str, tuple[str, tuple[int, int, int]]] = {}
    for name, rgb in PALETTE.items():
        vocabulary[_normalise(name)] = (name, rgb)
    for name in ImageColor.colormap:
        red, green, blue = ImageColor.getrgb(name)[:3]
        vocabulary.setdefault(_normalise(name), (name, (red, green, blue)))
    return vocabulary


def _inputs(image: Image.Image, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The image's RGB pixels and the garment region, validated."""
    if image.mode not in ("RGB", "RGBA"):
        raise StudioError(f"image: expected mode 'RGB' or 'RGBA'; got {image.mode!r}")
    rgb = np.asarray(image)[..., :3]
    if mask is None:
        return rgb, garment_mask(image)
    mask = np.asarray(mask)
    if mask.shape != rgb.shape[:2]:
        raise StudioError(
            f"mask: expected shape {rgb.shape[:2]} (the image's height × width); got {mask.shape}"
        )
    return rgb, mask.astype(bool)


def _shade(lightness: np.ndarray, reference: float, albedo: np.ndarray) -> np.ndarray:
    """CIELAB of ``albedo`` colours (N×3) lit like pixels of ``lightness`` around ``reference``.

    The shading ratio ``(L+16)/(L_ref+16)`` is raised to a power chosen so the fold contrast
    changes by the physical factor ``(L_target+16)/(L_ref+16)`` clamped to :data:`GAIN_RANGE`.
    """
    base = albedo[:, 0]
    physical = (float(base.mean()) + 16.0) / (reference + 16.0)
    exponent = float(np.clip(physical, *GAIN_RANGE)) / physical
    ratio = np.maximum(lightness + 16.0, 1.0) / (reference + 16.0)
    new_lightness = _soft_limits((base + 16.0) * ratio**exponent - 16.0, base)
    # Chroma follows the light (darker → less chroma); highlights fade towards white.
    darker = (new_lightness + 16.0) / (base + 16.0)
    lighter = (100.0 - new_lightness) / np.maximum(100.0 - base, 1.0)
    chroma_scale = np.clip(np.minimum(darker, np.sqrt(np.clip(lighter, 0.0, None))), 0.0, 1.0)
    return np.stack(
        [new_lightness, albedo[:, 1] * chroma_scale, albedo[:, 2] * chroma_scale], axis=-1
    ).astype(np.float32)


def _soft_limits(lightness: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Roll lightness off smoothly towards 0 and 100 (slope 1 inside, continuous at the knees)."""
    high = base + 0.5 * (100.0 - base)
    low = 0.5 * base
    headroom, footroom = np.maximum(100.0 - high, 1e-3), np.maximum(low, 1e-3)
    rolled_high = high + headroom * (1.0 - np.exp(-np.maximum(lightness - high, 0.0) / headroom))
    rolled_low = low - footroom * (1.0 - np.exp(-np.maximum(low - lightness, 0.0) / footroom))
    return np.where(lightness > high, rolled_high, np.where(lightness < low, rolled_low, lightness))


def _dominant_colour(lab: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-pixel membership (0..1) of the garment's main colour and that colour's lightness.

    The garment's colours are clustered; clusters that are the main colour in more or less
    light (same chromaticity, lightness within :data:`_SHADING_RANGE`) join it, so folds and
    highlights are dyed with it while trims and prints are not.
    """
    weights = np.array([_LIGHTNESS_WEIGHT, 1.0, 1.0], dtype=np.float32)
    points = lab * weights
    sample = points[:: max(1, len(points) // 20000)]
    centres, labels = kmeans2(sample.astype(np.float64), _CLUSTERS, minit="++", seed=0)
    centres = centres.astype(np.float32)
    counts = np.bincount(labels, minlength=len(centres))
    main = int(np.argmax(counts))
    centre_lab = centres / weights
    light = (centre_lab[:, 0] + 16.0) / (centre_lab[main, 0] + 16.0)
    lit = centre_lab[:, 1:] / light[:, None]
    if np.linalg.norm(centre_lab[main, 1:]) < _SAME_CHROMA:
        # A neutral main colour: the others must be neutral too.
        hue_match = np.linalg.norm(lit - centre_lab[main, 1:], axis=1) < _SAME_CHROMA
    else:
        # A chromatic one: same hue, and chroma that shading or a sheen (lower) can explain.
        cosine = (lit @ centre_lab[main, 1:]) / (
            np.linalg.norm(lit, axis=1) * np.linalg.norm(centre_lab[main, 1:]) + 1e-6
        )
        chroma = np.linalg.norm(lit, axis=1) / np.linalg.norm(centre_lab[main, 1:])
        hue_match = (cosine > np.cos(np.deg2rad(_SAME_HUE))) & (chroma > 0.4) & (chroma < 1.6)
    same = hue_match & (light > 1 / _SHADING_RANGE) & (light < _SHADING_RANGE) & (counts > 0)
    distance = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=-1)
    own = distance[:, same].min(axis=1)
    others = distance[:, ~same].min(axis=1) if (~same).any() else own + 1e3
    membership = 1.0 / (1.0 + np.exp(np.clip((own - others) / _MEMBERSHIP_SOFTNESS, -50, 50)))
    reference = float(np.median(sample[np.isin(labels, np.flatnonzero(same)), 0]) / _LIGHTNESS_WEIGHT)
    return membership.astype(np.float32), reference


def _feather(region: np.ndarray) -> np.ndarray:
    """Weight 0..1 rising over :data:`_FEATHER` pixels inside the garment's edge (exact Euclidean distance)."""
    distance = cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    distance /= _FEATHER
    return np.clip(distance, 0.0, 1.0, out=distance)


def _texture(pattern: str | Path | Image.Image) -> np.ndarray | None:
    """The RGB pixels of a texture (an image or a file's ``Path``), or ``None`` for a drawn pattern's name.

    Text is a pattern name only, never a file, so text from a request cannot read server files.
    """
    if isinstance(pattern, Image.Image):
        return np.asarray(pattern.convert("RGB"))
    if not isinstance(pattern, Path):
        if pattern in PATTERNS:
            return None
        raise StudioError(
            f"pattern: expected one of {', '.join(PATTERNS)} or a texture image; got {pattern!r}"
        )
    try:
        return np.asarray(load_image(pattern).convert("RGB"))
    except ImageError as error:
        raise StudioError(f"pattern: {error}") from None


def _tile(
    texture: np.ndarray, period: float, shape: tuple[int, int], *, origin: tuple[int, int]
) -> np.ndarray:
    """The texture resized to ``period`` pixels high and repeated over an image of ``shape``."""
    height, width = texture.shape[:2]
    size = (max(1, round(period * width / height)), max(1, round(period)))
    tile = np.asarray(Image.fromarray(texture).resize(size, Image.Resampling.LANCZOS))
    reps = (shape[0] // tile.shape[0] + 2, shape[1] // tile.shape[1] + 2, 1)
    tiled = np.tile(tile, reps)
    dy, dx = (-origin[0]) % tile.shape[0], (-origin[1]) % tile.shape[1]
    return tiled[dy : dy + shape[0], dx : dx + shape[1]]


def _coverage(
    kind: str, region: np.ndarray, period: float, angle: float, *, origin: tuple[int, int]
) -> np.ndarray:
    """Ink coverage (0..1, anti-aliased) of a drawn pattern at each garment pixel."""
    yy, xx = np.nonzero(region)
    y, x = yy - origin[0], xx - origin[1]
    theta = np.deg2rad(angle)
    u = x * np.cos(theta) + y * np.sin(theta)
    v = -x * np.sin(theta) + y * np.cos(theta)
    if kind == "stripes":
        return _bands(v, period)
    if kind == "checks":
        return 0.5 * (_bands(u, period) + _bands(v, period))
    # Polka dots on a staggered lattice, radius a quarter of the repeat.
    row = np.floor(v / period)
    shifted = u + (row % 2) * period / 2
    du = (shifted / period - np.round(shifted / period)) * period
    dv = (v / period - (row + 0.5)) * period
    return np.clip(period / 4 - np.hypot(du, dv) + 0.5, 0.0, 1.0).astype(np.float32)


def _bands(position: np.ndarray, period: float) -> np.ndarray:
    """Anti-aliased bands half a period wide."""
    distance = np.abs(position / period - np.floor(position / period) - 0.5) * period
    return np.clip(period / 4 - distance + 0.5, 0.0, 1.0).astype(np.float32)
