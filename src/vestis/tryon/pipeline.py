"""The try-on pipeline: person photo + garment photo → the person wearing the garment.

:class:`TryOn` checks inputs and hands them to a backend from :data:`BACKENDS`: the main one
today is :class:`WarpBackend` (pose → regions, garment keypoints, thin-plate-spline warp,
shaded composite), which needs no learned weights; ``warp+refine`` mends its composite with the
small network of :mod:`vestis.tryon.refine`. A learned backend plugs in by registering a
class with the same ``render`` signature.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import cv2
import numpy as np
from PIL import Image

from vestis.tryon.body import BodyAnalyser, require_legs
from vestis.tryon.compose import Compositor
from vestis.tryon.errors import TryOnError
from vestis.tryon.garment import GarmentAnalyser, normalise_category
from vestis.tryon.types import BodyMasks, Keypoints
from vestis.tryon.warp import Warper, hem_reach, sleeve_reach
from vestis.vision.io import DEFAULT_MAX_PIXELS

__all__ = [
    "BACKENDS",
    "MIN_SIDE",
    "WORK_PIXELS",
    "TryOn",
    "TryOnBackend",
    "TryOnResult",
    "WarpBackend",
    "save_debug",
    "working_copy",
]

MIN_SIDE = 128
"""Smallest accepted width or height (pixels) of either photo."""
WORK_PIXELS = 768 * 1024
"""Photos above this many pixels (768×1024 at 3:4, the resolution of the VITON-HD try-on data) are
scaled down before rendering: the pose model and garment analysis work at a fraction of it anyway,
a product page shows less, and a 12-megapixel phone photo would otherwise cost fifteen times the
time and memory for no visible gain. JPEGs are decoded straight at a reduced scale (see
:func:`working_copy`), so the input's size barely shows in the time."""


@dataclass
class TryOnResult:
    """What a render returns.

    ``image`` is RGB and the size of the person photo as rendered (:func:`working_copy`: scaled
    down to :data:`WORK_PIXELS` when larger); ``masks`` are boolean H×W arrays (person,
    torso, arms, face, garment_warped, old_clothing, …); ``keypoints`` are body points in
    pixels; ``diagnostics`` hold per-step timings (ms), the category used and coverage numbers;
    ``grid`` is the coarse backward warp map (garment coordinates per grid node) for debugging.
    """

    image: Image.Image
    masks: dict[str, np.ndarray]
    keypoints: Keypoints
    diagnostics: dict[str, float | str]
    grid: np.ndarray | None = field(default=None, repr=False)


class TryOnBackend(Protocol):
    """A way to render a try-on from RGB arrays and a known category name (or ``None``)."""

    def render(self, person: np.ndarray, garment: np.ndarray, category: str | None) -> TryOnResult:
        """Render ``garment`` onto ``person``."""
        ...


class WarpBackend:
    """Classical try-on: body regions, garment keypoints, TPS warp and a shaded composite."""

    def __init__(
        self,
        *,
        body: BodyAnalyser | None = None,
        garment: GarmentAnalyser | None = None,
        warper: Warper | None = None,
        compositor: Compositor | None = None,
    ) -> None:
        self.body = body or BodyAnalyser()
        self.garment = garment or GarmentAnalyser()
        self.warper = warper or Warper()
        self.compositor = compositor or Compositor()

    def render(self, person: np.ndarray, garment: np.ndarray, category: str | None) -> TryOnResult:
        """Render ``garment`` (H×W×3 uint8) onto ``person`` (H×W×3 uint8); see :meth:`TryOn.render`."""
        timings: dict[str, float] = {}
        start = clock = time.perf_counter()

        def lap(step: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[f"ms_{step}"] = round((now - clock) * 1000, 2)
            clock = now

        # 1. Analyse the person (pose, regions, the clothing to replace) on a second core while
        #    this thread analyses the garment; the garment's refusal, if any, comes first.
        person_future = _ANALYSIS.submit(_timed, self.body.analyse, person)
        shape = self.garment.analyse(garment, category)
        lap("garment")
        body, timings["ms_body"] = person_future.result()
        if shape.category != "upper":
            require_legs(body, hem_reach(shape, body), _GARMENT_NAMES[shape.category])
        clock = time.perf_counter()
        # 2. Warp the garment onto the body.
        warp = self.warper.warp(shape, body, person.shape[:2])
        lap("warp")
        # 3. Compose it into the photo.
        reach = sleeve_reach(shape, body) if shape.category != "lower" else 0.0
        composite = self.compositor.compose(
            person,
            body,
            warp,
            long_sleeves=reach > 1.1,
            category=shape.category,
            skirt=shape.category == "dress" or "right_hem" in shape.keypoints,
        )
        lap("compose")
        # 4. Report.
        masks = body.masks.by_name()
        masks["garment_warped"] = composite.painted
        masks["filled"] = composite.filled
        masks["skin_filled"] = composite.skin
        torso = body.masks.torso
        # Sleeves on the arms beside the torso are no part of covering it (over it they are).
        beside = np.zeros_like(torso) if warp.sleeves is None else warp.sleeves & ~torso
        garment_body = composite.painted & ~beside
        union = (garment_body | torso).sum()
        diagnostics: dict[str, float | str] = {
            "backend": "warp",
            "category": shape.category,
            "torso_iou": float((garment_body & torso).sum() / max(union, 1)),
            "torso_coverage": float((composite.painted & torso).sum() / max(torso.sum(), 1)),
            "outline_coverage": _outline_coverage(garment_body, torso),
            **(
                {"skin_delta_e": round(composite.skin_delta_e, 2)}
                if composite.skin_delta_e is not None
                else {}
            ),
            "tps_regulariser": warp.regulariser,
            "tps_min_jacobian": warp.min_jacobian,
            "sleeve_reach": reach,
            **_lower_coverage(shape.category, body.masks, body.keypoints, garment_body),
            **timings,
            "ms_total": round((time.perf_counter() - start) * 1000, 2),
        }
        return TryOnResult(
            image=Image.fromarray(composite.rgb),
            masks=masks,
            keypoints=body.keypoints,
            diagnostics=diagnostics,
            grid=warp.grid,
        )


_GARMENT_NAMES = {"lower": "lower garment", "dress": "dress"}
_ANALYSIS = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1), thread_name_prefix="vestis-body")
"""Threads the person is analysed on beside the garment (MediaPipe, OpenCV and onnxruntime free
the GIL: the two analyses overlap on two cores, 370 → 290 ms measured)."""

_T = TypeVar("_T")


def _timed(call: Callable[[np.ndarray], _T], image: np.ndarray) -> tuple[_T, float]:
    """``call(image)`` and the milliseconds it took."""
    began = time.perf_counter()
    value = call(image)
    return value, round((time.perf_counter() - began) * 1000, 2)


def _outline_coverage(painted: np.ndarray, region: np.ndarray) -> float:
    """Share of ``region`` inside the outer outline of ``painted`` that ``painted`` covers.

    How a top that leaves part of the torso bare by design (a camisole's straps, a crop top) is
    judged: the old clothing or skin may show outside its outline, never inside it (a hole, a
    sliver between sleeve and body).
    """
    contours, _ = cv2.findContours(painted.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = np.zeros(painted.shape, np.uint8)
    cv2.drawContours(outline, contours, -1, 1, thickness=cv2.FILLED)
    inside = region & (outline > 0)
    return float((painted & inside).sum() / max(int(inside.sum()), 1))


def _lower_coverage(
    category: str,
    masks: BodyMasks,
    keypoints: Keypoints,
    painted: np.ndarray,
) -> dict[str, float]:
    """IoU and coverage of the warped garment with the body part a lower garment or dress must cover.

    Lower garments: ``lower_body`` (the person from the waist line to the feet, arms left out)
    down to the garment's own lowest row, so that shorts are held to their length. Dresses:
    torso and hips, compared above the crotch (a skirt's length and flare are its own). ``painted``
    leaves out sleeves on the arms beside the torso, as the top's torso IoU does.
    """
    if category == "upper" or not painted.any():
        return {}
    rows = np.arange(painted.shape[0])[:, None]
    if category == "lower":
        region = masks.lower_body & (rows <= np.nonzero(painted.any(axis=1))[0][-1])
        garment = painted
    else:
        region = masks.torso | masks.hips
        garment = painted & (rows <= keypoints.crotch[1])
    overlap = float((garment & region).sum())
    return {
        f"{category}_iou": overlap / max(float((garment | region).sum()), 1.0),
        f"{category}_coverage": overlap / max(float(region.sum()), 1.0),
    }


def _refined_backend() -> TryOnBackend:
    """The warp backend followed by the learned refiner (:mod:`vestis.tryon.refine`, which imports torch)."""
    from vestis.tryon.refine import RefinedBackend

    return RefinedBackend()


BACKENDS: dict[str, Callable[[], TryOnBackend]] = {"warp": WarpBackend, "warp+refine": _refined_backend}
"""Backend name → factory; register a learned backend here when its weights exist locally."""


class TryOn:
    """Virtual try-on: ``TryOn(backend="warp").render(person, garment, category)``.

    Examples
    --------
    >>> from vestis.tryon import TryOn
    >>> TryOn().backend_name
    'warp'
    """

    def __init__(self, backend: str = "warp") -> None:
        if backend not in BACKENDS:
            raise TryOnError(f"unknown try-on backend {backend!r}; available: {', '.join(sorted(BACKENDS))}")
        self.backend_name = backend
        self.backend = BACKENDS[backend]()

    def render(self, person: Image.Image, garment: Image.Image, category: str | None = None) -> TryOnResult:
        """The ``person`` photo wearing ``garment`` (a product photo on a plain background).

        ``category`` is ``upper``/``lower``/``dress`` or a common alias (``top``, ``shirt``, …);
        ``None`` guesses it from the garment's silhouette. Raises :class:`TryOnError` with the
        reason when a photo cannot be used. Photos over :data:`WORK_PIXELS` are scaled down first,
        so the result has the person photo's proportions at the size it was rendered.
        """
        # 1. Check inputs.
        normalise_category(category)  # an unknown name is refused before any work
        for label, image in (("person", person), ("garment", garment)):
            check_image(image, label)
        # 2. Render with the backend, at the working size.
        return self.backend.render(_rgb(working_copy(person)), _rgb(working_copy(garment)), category)


def check_image(image: Image.Image, label: str) -> None:
    """Raise :class:`TryOnError` when ``image`` is smaller than :data:`MIN_SIDE` or above the pixel limit."""
    width, height = image.size
    if min(width, height) < MIN_SIDE:
        raise TryOnError(
            f"the {label} photo is {width}x{height}; both sides must be at least {MIN_SIDE} pixels"
        )
    if width * height > DEFAULT_MAX_PIXELS:
        raise TryOnError(
            f"the {label} photo is {width}x{height} = {width * height:,} pixels; the limit is {DEFAULT_MAX_PIXELS:,}"
        )


def working_copy(image: Image.Image) -> Image.Image:
    """``image`` scaled down, proportions kept, to at most :data:`WORK_PIXELS` (itself when within).

    Neither side is taken below :data:`MIN_SIDE`, so a photo that passed :func:`check_image` still
    does. A JPEG not decoded yet (fresh from ``Image.open``) is decoded at the smallest DCT scale
    that still covers the target (``Image.draft``): a 4096-pixel photo then costs about what a
    1024-pixel one does.
    """
    pixels = image.width * image.height
    if pixels <= WORK_PIXELS:
        return image
    scale = (WORK_PIXELS / pixels) ** 0.5
    width, height = (max(int(side * scale), min(side, MIN_SIDE)) for side in image.size)
    image.draft(None, (width, height))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)


def save_debug(result: TryOnResult, directory: Path) -> list[Path]:
    """Write every mask, a keypoint overlay and a warp-grid overlay as PNGs; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, mask in result.masks.items():
        path = directory / f"mask_{name}.png"
        Image.fromarray(mask.astype(np.uint8) * 255).save(path)
        written.append(path)
    canvas = np.array(result.image)
    radius = max(3, canvas.shape[1] // 150)
    for x, y in result.keypoints.by_name().values():
        cv2.circle(canvas, (round(x), round(y)), radius, (255, 0, 0), thickness=-1)
    written.append(directory / "keypoints.png")
    Image.fromarray(canvas).save(written[-1])
    if result.grid is not None:
        canvas = np.array(result.image)
        height, width = canvas.shape[:2]
        full = cv2.resize(result.grid, (width, height), interpolation=cv2.INTER_LINEAR)
        lines = (np.abs((full + 16) % 32 - 16) < 1.0).any(axis=-1) & result.masks["garment_warped"]
        canvas[lines] = (0, 255, 0)
        written.append(directory / "warp_grid.png")
        Image.fromarray(canvas).save(written[-1])
    return written


def _rgb(image: Image.Image) -> np.ndarray:
    """H×W×3 uint8 RGB array; transparent pixels become white (as on a product page)."""
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return np.asarray(image.convert("RGB"))
