"""Warp-composite artefacts simulated on a real photo: the training pairs of the try-on refiner.

No photo exists of a person wearing a garment *and* of the warp backend's composite of the same
garment on the same person. Such a pair can be made from any photo of a person, though: treat
their own top as the new garment, perturb it as the warp does and paste it back the way the
compositor does, with its typical faults; the untouched photo is what the refiner
(:mod:`vestis.tryon.refine`) should make of that composite. :func:`simulate_composite` does:

1. **old clothing** a little larger than the garment (and now and then the whole arms, as when a
   short-sleeved top replaces a long-sleeved one): what the new garment leaves of it is *filled*;
2. **fill** it as the compositor does: the person's skin colour carrying the old clothing's
   shading, or an inpainted smear, often leaving a sliver of the old clothing (a colour of its
   own, white as a product background, or the old colour) along the garment's edge;
3. **the garment** extended beyond its outline with its own edge colours (a product photo's
   garment is larger than the body), its outline pushed out by a smooth random displacement, a
   small shift and scale, sometimes rasterised coarsely (a staircase), with a light
   product-background halo inside the edge, and pasted with a hard or barely feathered edge.
   Face and hands stay in front, as the compositor keeps them.

The pasted garment always covers the true one, so what is filled was never the garment: in a
real render the filled old clothing is to become skin or background, and a refiner taught that
fills hide garment would paint the garment's colour into them.

The garment's own colour and shading are left as they are: the refiner only changes a band
along the outline and the fills, so mending the whole garment's colour there would draw a ring
around it; that stays the compositor's job. Flat shading is simulated where the refiner works,
in the skin fills.

Sizes are fractions of the garment's height, so a call makes the same artefacts, relative to the
garment, at any resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

__all__ = ["SimulatedComposite", "dilate", "erode", "garment_height", "simulate_composite"]

_FIELD_NODES = 5
"""Displacement field control nodes per side (a smooth field: a few bends over the garment)."""
_EDGE_MOVE = (0.003, 0.015)
"""Standard deviation of the outline's displacement, in garment heights."""
_TEXTURE_MOVE = 0.25
"""Share of the outline's displacement the garment's texture follows (the rest would only blur)."""
_SHIFT, _SCALE = 0.01, 0.03
_GROWTH = (0.01, 0.05)
"""How far the old clothing reaches beyond the garment, in garment heights."""
_WHOLE_ARMS = 0.3
"""Chance that the old clothing covers the arms (a long-sleeved top replaced)."""
_SLIVER = (0.004, 0.015)
_HALO = (0.003, 0.012)
_JAGGED = (0.005, 0.012)
_FEATHER = 0.004
_SMALL_HOLE = 0.01
"""Largest hole in the garment mask, as a share of its area, taken for part of the garment."""


@dataclass(frozen=True)
class SimulatedComposite:
    """A simulated warp composite: ``rgb`` (H×W×3 uint8), the pasted ``garment`` and the ``filled`` old clothing."""

    rgb: np.ndarray
    garment: np.ndarray
    filled: np.ndarray


def garment_height(mask: np.ndarray) -> int:
    """Rows from the garment's top to its bottom (0 for an empty mask): the unit of artefact sizes."""
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def simulate_composite(
    rgb: np.ndarray,
    rng: np.random.Generator,
    *,
    garment: np.ndarray,
    person: np.ndarray,
    protected: np.ndarray,
    skin: np.ndarray,
    arms: np.ndarray,
) -> SimulatedComposite:
    """The photo ``rgb`` recomposed, warp-style, with its own ``garment`` (see the module docstring).

    The masks are H×W booleans as :class:`~vestis.tryon.body.BodyAnalyser` finds them: the garment
    (its ``old_clothing``), the ``person``, what stays in front (``protected``: face and hands), the
    ``skin`` whose colour fills bared clothing, and the ``arms`` the old clothing covers now and then.
    Pixels away from the garment and its old clothing are returned unchanged.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"rgb: expected an H×W×3 uint8 array; got {rgb.dtype} {rgb.shape}")
    masks = {"garment": garment, "person": person, "protected": protected, "skin": skin, "arms": arms}
    for name, mask in masks.items():
        if mask.shape != rgb.shape[:2]:
            raise ValueError(f"{name}: mask shape {mask.shape} does not match the photo's {rgb.shape[:2]}")
    unit = garment_height(garment)
    if unit < 8:
        raise ValueError(f"garment: the mask spans {unit} rows; at least 8 are needed")
    # 1. Old clothing: the garment grown a little, sometimes with the arms.
    garment = _solid(garment)
    old = _grown(garment, person, unit, rng)
    if rng.random() < _WHOLE_ARMS:
        old |= arms & person
    old &= ~protected
    # 3. (first, as the fill needs its outline) The pasted garment: outline and texture.
    field = _field(garment.shape, unit, rng)
    pasted = _remap(garment.astype(np.float32), field) > 0.5
    if rng.random() < 0.5:
        pasted = _staircase(pasted, max(2, round(rng.uniform(*_JAGGED) * unit)))
    pasted = (pasted | garment) & ~protected  # it overhangs, never bares the garment: fills are never garment
    texture = _remap(_extended(rgb, garment).astype(np.float32), field * _TEXTURE_MOVE)
    texture = _haloed(texture, pasted, unit, rng)
    # 2. Fill what the pasted garment leaves of the old clothing.
    filled = old & ~pasted
    base = _filled(rgb, filled, pasted, skin & ~old, protected, unit, rng)
    # Paste, hard or barely feathered; face and hands stay in front.
    alpha = pasted.astype(np.float32)
    sigma = rng.uniform(0.0, _FEATHER) * unit
    if sigma > 0.3:
        alpha = np.where(dilate(pasted, 2), cv2.GaussianBlur(alpha, (0, 0), sigma), 0.0)
    alpha = alpha[..., None]
    out = base.astype(np.float32) * (1 - alpha) + texture * alpha
    out[protected] = rgb[protected]
    return SimulatedComposite(rgb=np.clip(out + 0.5, 0, 255).astype(np.uint8), garment=pasted, filled=filled)


def dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    """``mask`` grown by ``pixels`` in every direction (a square structuring element)."""
    size = 2 * pixels + 1
    return cv2.dilate(mask.astype(np.uint8), np.ones((size, size), np.uint8)) > 0


def erode(mask: np.ndarray, pixels: int) -> np.ndarray:
    """``mask`` shrunk by ``pixels`` from every side (a square structuring element)."""
    size = 2 * pixels + 1
    return cv2.erode(mask.astype(np.uint8), np.ones((size, size), np.uint8)) > 0


# ------------------------------------------------------------------------------ helpers
def _grown(garment: np.ndarray, person: np.ndarray, unit: int, rng: np.random.Generator) -> np.ndarray:
    """The garment grown by a random distance with a wavy outline, within the person."""
    reach = rng.uniform(*_GROWTH) * unit
    distance = ndimage.distance_transform_edt(~garment)
    wave = cv2.resize(
        rng.uniform(0.2, 1.0, (_FIELD_NODES, _FIELD_NODES)).astype(np.float32),
        garment.shape[::-1],
        interpolation=cv2.INTER_CUBIC,
    )
    return garment | ((distance <= reach * wave) & person)


def _field(shape: tuple[int, int], unit: int, rng: np.random.Generator) -> np.ndarray:
    """H×W×2 backward displacement (pixels): a smooth random bend, a shift and a scale about the centre."""
    height, width = shape
    nodes = rng.normal(0.0, rng.uniform(*_EDGE_MOVE) * unit, (_FIELD_NODES, _FIELD_NODES, 2))
    field = cv2.resize(nodes.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    scale = rng.uniform(-_SCALE, _SCALE)
    field[..., 0] += (xs - width / 2) * scale + rng.uniform(-_SHIFT, _SHIFT) * unit
    field[..., 1] += (ys - height / 2) * scale + rng.uniform(-_SHIFT, _SHIFT) * unit
    return field


def _remap(image: np.ndarray, field: np.ndarray) -> np.ndarray:
    height, width = field.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return cv2.remap(
        image, xs + field[..., 0], ys + field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _staircase(mask: np.ndarray, cell: int) -> np.ndarray:
    """``mask`` rasterised on a grid ``cell`` pixels wide: the jagged outline of a coarse mask scaled up."""
    height, width = mask.shape
    small = cv2.resize(
        mask.astype(np.float32), (max(1, width // cell), max(1, height // cell)), interpolation=cv2.INTER_AREA
    )
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST) > 0.5


def _extended(rgb: np.ndarray, garment: np.ndarray) -> np.ndarray:
    """``rgb`` with every pixel outside the garment taken from the nearest garment pixel."""
    _, (rows, cols) = ndimage.distance_transform_edt(~garment, return_indices=True)
    return rgb[rows, cols]


def _haloed(texture: np.ndarray, pasted: np.ndarray, unit: int, rng: np.random.Generator) -> np.ndarray:
    """The pasted garment, half the time with a light product-background halo inside its edge."""
    if rng.random() < 0.5:
        ring = pasted & ~erode(pasted, max(1, round(rng.uniform(*_HALO) * unit)))
        light = rng.uniform(215.0, 255.0)
        strength = rng.uniform(0.4, 1.0)
        texture[ring] = texture[ring] * (1 - strength) + light * strength
    return texture


def _solid(garment: np.ndarray) -> np.ndarray:
    """``garment`` with its small holes filled (a print read as skin); large ones (between arm and body) stay."""
    holes, count = ndimage.label(ndimage.binary_fill_holes(garment) & ~garment)
    if count == 0:
        return garment
    sizes = ndimage.sum_labels(np.ones_like(holes), holes, index=np.arange(1, count + 1))
    small = np.flatnonzero(sizes < _SMALL_HOLE * garment.sum()) + 1
    return garment | np.isin(holes, small)


def _filled(
    rgb: np.ndarray,
    region: np.ndarray,
    pasted: np.ndarray,
    skin: np.ndarray,
    protected: np.ndarray,
    unit: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``rgb`` with ``region`` filled like the compositor: flat skin with the old shading, or inpainting,
    and often a sliver of the old clothing left along the ``pasted`` garment.

    ``skin`` is where the person's colour is sampled (bare skin outside the old clothing; the face
    when there is none).
    """
    out = rgb.astype(np.float32)
    if not region.any():
        return out
    if rng.random() < 0.6:
        source = skin if skin.sum() >= 20 else protected
        colour = np.median(rgb[source], axis=0) if source.any() else rng.uniform(120, 220, 3)
        luminance = rgb.mean(axis=2).astype(np.float32)
        median = max(float(np.median(luminance[region])), 1.0)
        shade = np.clip(cv2.GaussianBlur(luminance, (0, 0), max(1.0, 0.03 * unit)) / median, 0.55, 1.25)
        shade = shade ** rng.uniform(0.2, 0.6)
        grain = rng.normal(0.0, rng.uniform(0.0, 2.0), region.shape).astype(np.float32)
        out[region] = colour * shade[region][:, None] + grain[region][:, None]
    else:
        height, width = region.shape
        small = (max(1, width // 4), max(1, height // 4))
        mask = cv2.dilate(cv2.resize(region.astype(np.uint8), small, interpolation=cv2.INTER_NEAREST), None)
        smear = cv2.inpaint(cv2.resize(rgb, small, interpolation=cv2.INTER_AREA), mask, 5, cv2.INPAINT_TELEA)
        out[region] = cv2.resize(smear, (width, height), interpolation=cv2.INTER_LINEAR)[region]
    if rng.random() < 0.6:
        sliver = region & dilate(pasted, max(1, round(rng.uniform(*_SLIVER) * unit)))
        kind = rng.random()
        if kind < 0.4:
            colour = np.full(3, rng.uniform(225.0, 255.0))
        elif kind < 0.7:
            colour = rgb[region].mean(axis=0)
        else:
            colour = rng.uniform(0, 255, 3)
        out[sliver] = colour
    return out
