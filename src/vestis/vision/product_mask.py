"""The one product mask: the garment in a product photo, for the studio, try-on and visual features.

Every cut-out of a product in Vestis goes through :func:`product_cutout` (a mask at a working
size) or :func:`product_alpha` / :func:`product_mask` (a soft matte / a mask at the photo's
size). It picks, per photo, the cheapest method that can be trusted:

1. **Transparency.** A photo with an alpha channel that has transparent pixels is cut out
   already: its alpha is the mask.
2. **Colour** (:func:`vestis.vision.classical_mask.coloured_mask`, a few milliseconds). A garment
   that clearly stands out from its background — a coloured garment on white or grey paper — is
   what differs from the paper's colour, holes filled; kept when it is in one piece, its rim
   clearly differs from the paper and nothing faint lies around it
   (:func:`vestis.vision.classical_mask.stands_out`), and the caller has no doubt of its own
   (try-on doubts an outline that is far from left-right symmetric).
3. **U²-Net-p** (:mod:`vestis.vision.u2net`, ~100 ms on two cores) where colour is not enough: a
   white or light-grey garment on white or near-white paper, a white band or hem, a drop shadow.
   Where its mask leaves faint fabric outside or takes in a region of paper, the full classical
   segmentation is run too and taken, or added, where it explains the photo better
   (:func:`_trusted`).
4. **The full classical segmentation** (:func:`vestis.vision.classical_mask.classical_mask`:
   faint regions with sharp edges, outlines, GrabCut) when U²-Net-p is not installed.

``method`` (or the ``VESTIS_PRODUCT_MASK`` setting) forces one: ``"classical"`` (steps 2 and 4),
``"u2net"`` (U²-Net-p's mask alone; the classical steps when the model is missing) or ``"auto"``
(the default). ``docs/benchmarks.md`` ("Product mask") has the measured IoU and time of each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from vestis.config import get_settings
from vestis.vision import u2net
from vestis.vision.classical_mask import (
    Separation,
    classical_mask,
    coloured_mask,
    faint_outside,
    fill_garment_holes,
    paper_distance,
    separate,
    stands_out,
)
from vestis.vision.segment import WORK_SIZE, check_rgb, keep_large_components, reduced, refine_alpha

__all__ = ["METHODS", "Cutout", "Method", "opaque", "product_alpha", "product_cutout", "product_mask"]

Method = Literal["auto", "u2net", "classical"]
METHODS: tuple[str, ...] = ("auto", "u2net", "classical")
"""Accepted ``method`` values (and of the ``VESTIS_PRODUCT_MASK`` setting)."""
_OPAQUE = 255
_INCOMPLETE = 0.3
"""Faint area just outside U²-Net-p's mask (share of its area) above which the mask looks incomplete."""
_COMPLETE = 0.05
"""Faint area outside the classical mask (share of its area) up to which it looks complete."""
_SAME_AREA = 0.9
"""Least ratio of the classical mask's area to U²-Net-p's (either way) for the two to agree."""
_HOLDS = 0.97
"""Share of U²-Net-p's mask inside a larger, complete classical mask for the classical one to come first."""
_PAPER_REGION = 0.002
"""Smallest region of paper-coloured pixels inside U²-Net-p's mask (share of the photo) that questions it."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cutout:
    """A product photo reduced to a working size, the product's mask on it and how it was found."""

    rgb: np.ndarray
    """The reduced photo, H×W×3 uint8 (transparent pixels of an RGBA photo made white)."""
    mask: np.ndarray
    """The product, H×W bool."""
    method: str
    """``"alpha"``, ``"colour"``, ``"u2net"`` or ``"classical"``: the step that gave the mask."""
    separation: Separation | None
    """The photo measured against its background model (``None`` for a transparent photo)."""


def product_cutout(
    image: np.ndarray,
    *,
    size: int = WORK_SIZE,
    method: Method | None = None,
    doubtful: Callable[[np.ndarray], bool] | None = None,
) -> Cutout:
    """The product in an H×W×3 (or ×4) uint8 photo, on a copy whose long side is at most ``size``.

    ``doubtful`` is the caller's own test of a mask (try-on: an outline far from symmetric): a
    colour mask it doubts goes on to the next step, as one that does not stand out does, and of
    U²-Net-p's and the classical mask the one it does not doubt is taken. When it doubts both,
    the more trusted one is returned (see :func:`_trusted`).
    """
    image = _check_image(image)
    small = reduced(image, size)
    if _transparent(small):
        return Cutout(rgb=opaque(small), mask=small[..., 3] >= 128, method="alpha", separation=None)
    small = opaque(small)
    chosen = _resolve(method)
    separation = separate(small)

    def cutout(found: tuple[str, np.ndarray]) -> Cutout:
        return Cutout(rgb=small, mask=found[1], method=found[0], separation=separation)

    learned = chosen != "classical" and u2net.available()
    if chosen == "u2net" and learned:
        return cutout(("u2net", _u2net_mask(image, separation)))
    colour = coloured_mask(separation)
    if stands_out(separation, colour) and not (doubtful and doubtful(colour)):
        return cutout(("colour", colour))
    if not learned:
        return cutout(("classical", classical_mask(separation)))
    return cutout(_learned(image, separation, doubtful))


def product_alpha(image: np.ndarray, *, method: Method | None = None) -> np.ndarray:
    """Soft H×W float32 matte (1 = product, 0 = background) of a product photo at its own size.

    An RGBA photo with transparent pixels gives its own alpha; otherwise the mask of
    :func:`product_cutout` is brought to full size along the photo's edges
    (:func:`vestis.vision.segment.refine_alpha`), and its soft edge leaves out every pixel as close
    to the paper's colour as the paper's own noise (the studio keeps them exactly background).
    """
    image = _check_image(image)
    if _transparent(image):
        return image[..., 3].astype(np.float32) / 255.0
    rgb = np.ascontiguousarray(image[..., :3])
    cutout = product_cutout(rgb, method=method)
    alpha = refine_alpha(rgb, cutout.mask)
    # The soft edge never takes in a pixel that is the paper itself (within the paper's noise).
    ys, xs = np.nonzero((alpha > 0) & (alpha < 1))
    paper = paper_distance(cutout.separation, rgb[ys, xs], ys, xs, alpha.shape) <= cutout.separation.floor
    alpha[ys[paper], xs[paper]] = 0.0
    return alpha


def product_mask(image: np.ndarray, *, method: Method | None = None) -> np.ndarray:
    """Boolean H×W mask of the product in an H×W×3 (or ×4) uint8 photo on a plain background."""
    return product_alpha(image, method=method) >= 0.5


def opaque(image: np.ndarray) -> np.ndarray:
    """An H×W×3 uint8 photo: ``image`` itself, or an RGBA one composited over white (as a product page shows it)."""
    if image.shape[-1] == 3:
        return image
    weight = image[..., 3:].astype(np.float32) / 255.0
    return np.rint(image[..., :3] * weight + 255.0 * (1.0 - weight)).astype(np.uint8)


# ------------------------------------------------------------------------------ helpers
def _check_image(image: np.ndarray) -> np.ndarray:
    """``image`` as a contiguous H×W×3 or H×W×4 uint8 array; raises ValueError naming it if unusable."""
    check_rgb(image)
    return np.ascontiguousarray(image)


def _resolve(method: Method | None) -> str:
    """``method``, or the configured one; raises ValueError on an unknown name."""
    chosen = method or get_settings().product_mask
    if chosen not in METHODS:
        raise ValueError(f"method: must be one of {', '.join(METHODS)}; got {chosen!r}")
    if chosen == "u2net" and not u2net.available():
        logger.warning("product mask: U²-Net-p was asked for but is not installed; using the classical one")
    return chosen


def _transparent(image: np.ndarray) -> bool:
    """Whether ``image`` has an alpha channel with any pixel not fully opaque."""
    return image.shape[-1] == 4 and int(image[..., 3].min()) < _OPAQUE


def _u2net_mask(image: np.ndarray, separation: Separation) -> np.ndarray:
    """U²-Net-p's mask at the working size of ``separation``: saliency above one half, the
    garment's holes filled (never the open background between legs), specks dropped, and its edge
    shaved of pixels as close to the paper as the paper's own noise (its map is coarser than the
    photo), from the working copy, or from the photo itself where that copy is smaller than the
    network's input (visual features work at 160 pixels; U²-Net-p at 160 loses striped garments)."""
    height, width = separation.rgb.shape[:2]
    source = separation.rgb if max(height, width) >= u2net.INPUT_SIZE else image[..., :3]
    saliency = cv2.resize(u2net.saliency(source), (width, height), interpolation=cv2.INTER_LINEAR)
    mask = fill_garment_holes(saliency >= 0.5, separation)
    reach = max(2, round(max(height, width) / u2net.INPUT_SIZE))
    inner = cv2.erode(mask.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)) > 0
    return keep_large_components(mask & (inner | (separation.full_distance > separation.floor)))


def _learned(
    image: np.ndarray, separation: Separation, doubtful: Callable[[np.ndarray], bool] | None
) -> tuple[str, np.ndarray]:
    """The step that gave it and the mask of a photo colour cannot settle: U²-Net-p's, or the
    classical one (or their union) where that is to be trusted more (:func:`_trusted`), or the
    other of the two when ``doubtful`` doubts that one and not the other, and the other leaves no
    faint fabric outside it (more than :data:`_INCOMPLETE`)."""
    found = _u2net_mask(image, separation)
    classical = classical_mask(separation) if _questionable(found, separation) else None
    trusted = ("u2net", found) if classical is None else _trusted(found, classical, separation)
    if doubtful is None or not doubtful(trusted[1]):
        return trusted
    if trusted[0] == "classical":
        other = ("u2net", found)
    else:
        other = ("classical", classical if classical is not None else classical_mask(separation))
    # The other one only if it is a whole product too: not a print of a white garment it doubts.
    complete = faint_outside(separation, other[1]) <= _INCOMPLETE
    return other if complete and not doubtful(other[1]) else trusted


def _questionable(learned: np.ndarray, separation: Separation) -> bool:
    """Whether U²-Net-p's mask may be wrong in a way the classical mask can show: faint fabric just
    outside it (:func:`faint_outside` above :data:`_INCOMPLETE`: part of a white garment missed), or
    a region of paper inside it (at least :data:`_PAPER_REGION` of the photo: the gap between a
    sleeve and the body filled). Otherwise the classical mask is not computed at all."""
    if faint_outside(separation, learned) > _INCOMPLETE:
        return True
    paper = (learned & (separation.full_distance <= separation.faint)).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    return bool((stats[1:, cv2.CC_STAT_AREA] >= _PAPER_REGION * paper.size).any())


def _trusted(learned: np.ndarray, classical: np.ndarray, separation: Separation) -> tuple[str, np.ndarray]:
    """Of U²-Net-p's questionable mask and the classical one, the one to trust.

    Where adding the classical mask halves the faint fabric outside U²-Net-p's, the union; where
    the classical mask is complete (faint area outside it at most :data:`_COMPLETE`) and about as
    large (within :data:`_SAME_AREA`), the classical one, its gaps and edges being the photo's, as
    where it is larger and holds U²-Net-p's (:data:`_HOLDS` of it: U²-Net-p kept part of a striped
    garment only); otherwise U²-Net-p's. Measured on the benchmark's light garments and the 51 hand-checked
    try-on garments (docs/benchmarks.md, "Product mask").
    """
    missing = faint_outside(separation, learned)
    if missing > _INCOMPLETE:
        union = learned | classical
        if faint_outside(separation, union) <= missing / 2:
            return "u2net", union
    ratio = classical.sum() / max(int(learned.sum()), 1)
    holds = (learned & classical).sum() / max(int(learned.sum()), 1) >= _HOLDS
    if faint_outside(separation, classical) <= _COMPLETE and (_SAME_AREA <= ratio <= 1 / _SAME_AREA or holds):
        return "classical", classical
    return "u2net", learned
