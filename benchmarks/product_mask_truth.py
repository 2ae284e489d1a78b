"""Ground truth for the product-mask benchmark: real garment cut-outs re-rendered light on light.

A mask is only unambiguous where a garment clearly differs from its paper, so the sources are
dark or coloured garments from ../shared/data on plain backgrounds: H&M catalog photos
(hm-articles-images; garments of the upper, lower and full body, no multi-packs, no light colour
groups, first by article id) and the try-on example garments (VITON-HD and DressCode on white). A
garment's truth is what differs from the border colour by more than ΔE 15, holes filled, largest
part; a photo is kept only when that mask barely moves between ΔE 10 and ΔE 25 (IoU ≥ 0.98: the
edge is a step, not a gradient), the garment lies inside the frame and covers 5-60 % of it.

Each source is then rendered per :data:`SETS`: the garment keeps its shading and texture (its
CIELAB lightness relative to its median, and a little of its chroma variation) on a new base
colour (white, off-white, light grey; or its own colours), over white, near-white or light-grey
paper with a little vignetting, optionally with a soft drop shadow, composited with an
anti-aliased edge and saved as JPEG (quality 88); or as an RGBA PNG whose alpha is the truth.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from PIL import Image
from scipy import ndimage

from vestis.vision.colour import lab_to_rgb, rgb_to_lab
from vestis.vision.filters import weighted_blur

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
HM = DATA / "hm-articles-images"
_GROUPS = {"Garment Upper body": 20, "Garment Lower body": 10, "Garment Full body": 10}
"""H&M product groups and how many photos each gives."""
_LIGHT_COLOURS = re.compile(r"^(White|Off White|Light .*|Beige|Grey|Greyish Beige|Transparent|Other Light)$")
_PACK = re.compile(r"\d\s*-?\s*(pack|pk|p)\b", re.IGNORECASE)
"""Multi-packs ("2-pack", "3PK", "3-P"): several garments in one photo."""
_EXCLUDED = {"051827_1.jpg"}
"""Ripped jeans: the paper shows through the rips, so the true mask is a matter of taste."""
_TRUTH_DISTANCE = 15.0
_STABLE = 0.98


@dataclass(frozen=True)
class Look:
    """How a set renders its garments: base colour (CIELAB, ``None`` = the garment's own), paper, shadow."""

    garment: tuple[float, float, float] | None
    paper: tuple[int, int, int]
    shadow: float
    """Strength of the drop shadow (share of the paper's brightness taken at its darkest); 0 = none."""
    transparent: bool = False


SETS: dict[str, Look] = {
    "coloured on white, drop shadow": Look(None, (255, 255, 255), 0.25),
    "white on white": Look((97.0, 0.0, 1.0), (255, 255, 255), 0.0),
    "white on light grey": Look((97.0, 0.0, 1.0), (236, 236, 234), 0.0),
    "off-white on near-white, drop shadow": Look((94.0, 0.5, 6.0), (248, 247, 245), 0.2),
    "light grey on white, drop shadow": Look((82.0, 0.0, -1.0), (255, 255, 255), 0.2),
    "transparent PNG, white garment": Look((97.0, 0.0, 1.0), (255, 255, 255), 0.0, transparent=True),
}
"""The benchmark's sets, by name."""


@dataclass(frozen=True)
class Sample:
    """One rendered photo: encoded bytes (JPEG or PNG), its true mask, and where it came from."""

    name: str
    data: bytes
    truth: np.ndarray


def sources() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``(name, rgb, truth)`` of every source garment (see the module docstring)."""
    found = []
    taken = dict.fromkeys(_GROUPS, 0)
    for name, path, group in _candidates():
        if group is not None and taken[group] >= _GROUPS[group]:
            continue
        rgb = np.asarray(Image.open(path).convert("RGB"))
        truth = _unambiguous_mask(rgb)
        if truth is not None:
            found.append((name, rgb, truth))
            if group is not None:
                taken[group] += 1
    return found


def samples(set_name: str, garments: list[tuple[str, np.ndarray, np.ndarray]]) -> Iterator[Sample]:
    """Every source garment rendered as ``set_name`` says (reproducibly: seeded by position)."""
    look = SETS[set_name]
    for index, (name, rgb, truth) in enumerate(garments):
        rng = np.random.default_rng(index)
        yield Sample(name=name, data=_render(rgb, truth, look, rng), truth=truth)


# ------------------------------------------------------------------------------ helpers
def _candidates() -> Iterator[tuple[str, Path, str | None]]:
    """``(name, path, H&M product group or None)``: H&M photos of the wanted groups by article id
    (no light colours, no multi-packs), then the try-on example garments."""
    articles = pd.read_csv(HM / "articles.csv", dtype={"article_id": str}).sort_values("article_id")
    for row in articles.itertuples():
        if row.product_group_name not in _GROUPS:
            continue
        if _LIGHT_COLOURS.match(str(row.colour_group_name)) or _PACK.search(str(row.prod_name)):
            continue
        path = HM / "images" / row.article_id[:3] / f"{row.article_id}.jpg"
        if path.is_file():
            yield f"hm/{row.article_id}", path, row.product_group_name
    for path in sorted(DATA.glob("tryon-examples*/garment/*.jpg")):
        if path.name not in _EXCLUDED:
            yield f"{path.parent.parent.name}/{path.name}", path, None


def _unambiguous_mask(rgb: np.ndarray) -> np.ndarray | None:
    """The garment's threshold mask when it is unambiguous (see the module docstring), else ``None``."""
    truth = _threshold_mask(rgb, _TRUTH_DISTANCE)
    loose, strict = _threshold_mask(rgb, 10.0), _threshold_mask(rgb, 25.0)
    stable = (loose & strict).sum() / max(int((loose | strict).sum()), 1) >= _STABLE
    inside = not (truth[0].any() or truth[-1].any() or truth[:, 0].any() or truth[:, -1].any())
    return truth if stable and inside and 0.05 <= truth.mean() <= 0.6 else None


def _threshold_mask(rgb: np.ndarray, distance: float) -> np.ndarray:
    """Pixels over ``distance`` ΔE from the border's median colour, opened, holes filled, largest part."""
    lab = rgb_to_lab(rgb)
    border = np.concatenate(
        [lab[:3], lab[-3:], lab[:, :3].swapaxes(0, 1), lab[:, -3:].swapaxes(0, 1)], axis=1
    )
    far = np.linalg.norm(lab - np.median(border.reshape(-1, 3), axis=0), axis=-1) > distance
    mask = ndimage.binary_fill_holes(ndimage.binary_opening(far))
    labels, count = ndimage.label(mask)
    if count == 0:
        return mask
    sizes = ndimage.sum(mask, labels, index=np.arange(1, count + 1))
    return labels == int(np.argmax(sizes)) + 1


def _render(rgb: np.ndarray, truth: np.ndarray, look: Look, rng: np.random.Generator) -> bytes:
    """The garment of ``rgb`` rendered as ``look`` says, encoded (JPEG, or PNG when transparent)."""
    height, width = truth.shape
    garment = rgb.astype(np.float32) if look.garment is None else _recoloured(rgb, truth, look.garment)
    edge = cv2.GaussianBlur(truth.astype(np.float32), (0, 0), 0.7)
    if look.transparent:
        pixels = np.dstack([np.rint(garment * (edge[..., None] > 0)), np.rint(edge * 255)])
        return _encode(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGBA"), "PNG")
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    vignette = 1.0 - 0.02 * (((xx / width - 0.5) ** 2 + (yy / height - 0.5) ** 2) * 4)
    paper = np.asarray(look.paper, np.float32) * vignette[..., None]
    if look.shadow:
        rows = np.flatnonzero(truth.any(axis=1))
        extent = rows[-1] - rows[0] + 1
        shift = np.rint(np.array([0.02, 0.015]) * extent * rng.uniform(0.6, 1.4)).astype(int)
        cast = cv2.GaussianBlur(
            np.roll(truth, tuple(shift), axis=(0, 1)).astype(np.float32), (0, 0), 0.02 * extent
        )
        paper *= 1.0 - look.shadow * cast[..., None]
    image = edge[..., None] * garment + (1.0 - edge[..., None]) * paper
    return _encode(Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8)), "JPEG")


def _recoloured(rgb: np.ndarray, truth: np.ndarray, base: tuple[float, float, float]) -> np.ndarray:
    """The garment on ``base`` (CIELAB) with its own shading: lightness relative to its median
    (at most 30 below the base), a third of its chroma variation; the edge band takes the shading
    of the fabric just inside it (its pixels are mixed with the old paper)."""
    lab = rgb_to_lab(rgb)
    inside = ndimage.binary_erosion(truth, iterations=2)
    shading = weighted_blur(lab, inside.astype(np.float32), 1.5)
    shading = np.where(inside[..., None], lab, shading)
    median = np.median(lab[inside], axis=0)
    result = np.empty_like(lab)
    result[..., 0] = np.clip(base[0] + (shading[..., 0] - median[0]), base[0] - 30.0, 100.0)
    result[..., 1:] = np.asarray(base[1:], np.float32) + (shading[..., 1:] - median[1:]) / 3.0
    return lab_to_rgb(result)


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=88)
    return buffer.getvalue()
