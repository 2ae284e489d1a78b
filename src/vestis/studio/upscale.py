"""2× (and 4×) upscaling: a small super-resolution network trained on catalog photos, or Lanczos.

The network (:mod:`vestis.studio.srnet`, ~15k parameters) ships with the package as
``weights/upscale2x.npz`` together with the PSNR it and Lanczos reached on held-out photos
when it was trained (``python -m vestis.studio.train_upscaler``). A shop that retrains it on
its own photos (``--register``) gets a version of :data:`UPSCALER` in the model registry;
once that is active it replaces the shipped file (checked on every call: a file read). ``method="auto"`` uses the
network only when those weights load *and* it beat Lanczos there, and only for photos up to
:data:`AUTO_NETWORK_PIXELS` (the small photos upscaling is for; its cost grows with the pixels
while its gain over Lanczos on an already sharp large photo does not); otherwise, and for
factors that are not powers of two, Lanczos. PyTorch is imported only when the network runs.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from vestis.config import get_settings
from vestis.models import ModelLoadError, ModelRegistry
from vestis.studio.errors import StudioError
from vestis.studio.steps import MAX_PIXELS

__all__ = [
    "AUTO_NETWORK_PIXELS",
    "FACTORS",
    "METHODS",
    "UPSCALER",
    "WEIGHTS",
    "network_metrics",
    "upscale",
    "upscaled_size",
    "weights_path",
]

UpscaleMethod = Literal["auto", "network", "lanczos"]
METHODS: tuple[str, ...] = ("auto", "network", "lanczos")
FACTORS: tuple[int, ...] = (2, 3, 4)
WEIGHTS = Path(__file__).with_name("weights") / "upscale2x.npz"
UPSCALER = "upscaler"
"""The registry name, and family, of retrained upscaler weights."""
logger = logging.getLogger(__name__)

AUTO_NETWORK_PIXELS = 1_500_000
"""``method="auto"`` runs the network on inputs up to this many pixels (about 0.9 s on 2 cores)."""


def upscale(image: Image.Image, *, factor: int = 2, method: UpscaleMethod = "auto") -> Image.Image:
    """``image`` ``factor`` times larger on each side, in the same mode (RGB or RGBA).

    The network upscales the colour channels (4× = the network twice); an alpha channel is
    always resized with Lanczos, which keeps cut-out edges clean.
    """
    size = upscaled_size(image.size, factor=factor)
    if method not in METHODS:
        raise StudioError(f"method: must be one of {', '.join(METHODS)}; got {method!r}")
    if size[0] * size[1] > MAX_PIXELS:
        raise StudioError(
            f"factor: {image.width}x{image.height} × {factor} would be {size[0]}x{size[1]} pixels; "
            f"the limit is {MAX_PIXELS:,}"
        )
    if method == "network" and factor == 3:
        raise StudioError("factor: the network upscales by 2 or 4; use method='lanczos' for 3")
    loaded = _load(weights_path())  # the weights in use, looked up once per call
    if method == "network" and loaded is None:
        raise StudioError("method: 'network' needs the upscaler's weights, which are missing or unreadable")
    small = image.width * image.height <= AUTO_NETWORK_PIXELS
    use_network = factor != 3 and (
        method == "network" or (method == "auto" and small and _network_wins(loaded))
    )
    if not use_network:
        return image.resize(size, Image.Resampling.LANCZOS)
    from vestis.studio.srnet import super_resolve

    rgb = np.asarray(image.convert("RGB"))
    for _ in range(factor // 2):
        rgb = super_resolve(loaded[0], rgb)  # type: ignore[index]
    result = Image.fromarray(rgb, "RGB")
    if image.mode == "RGBA":
        result.putalpha(image.getchannel("A").resize(size, Image.Resampling.LANCZOS))
    return result


def upscaled_size(size: tuple[int, int], *, factor: int, **_: object) -> tuple[int, int]:
    """The (width, height) :func:`upscale` makes from a ``size`` image; recipes check it before running."""
    if factor not in FACTORS:
        raise StudioError(f"factor: must be one of {', '.join(map(str, FACTORS))}; got {factor!r}")
    return (size[0] * factor, size[1] * factor)


def network_metrics() -> dict[str, float] | None:
    """Validation numbers stored with the weights in use (PSNR in dB, SSIM), or ``None`` without weights."""
    loaded = _load(weights_path())
    return None if loaded is None else dict(loaded[1])


def weights_path(models_dir: Path | None = None) -> Path:
    """The weights upscaling uses: the registry's active :data:`UPSCALER` version, else the shipped file.

    ``models_dir`` defaults to the configured one. A registry whose active version cannot be
    read is logged and passed over, so upscaling keeps working on the shipped weights.
    """
    registry = ModelRegistry(models_dir or get_settings().models_dir)
    try:
        version = registry.active(UPSCALER)
    except ModelLoadError:
        logger.warning("the active upscaler cannot be read; using the shipped weights", exc_info=True)
        return WEIGHTS
    return WEIGHTS if version is None else version.path / WEIGHTS.name


# ------------------------------------------------------------------------------ helpers
@cache
def _load(path: Path):  # noqa: ANN202 - returns (SuperResolutionNet, metrics); torch types stay lazy
    if not path.is_file():
        return None
    from vestis.studio.srnet import load_weights

    try:
        return load_weights(path)
    except (OSError, ValueError, KeyError, RuntimeError):
        logger.warning("cannot read the upscaler's weights in %s", path, exc_info=True)
        return None


def _network_wins(loaded) -> bool:  # noqa: ANN001 - (SuperResolutionNet, metrics) or None
    """Whether the weights in use beat Lanczos on their validation photos."""
    if loaded is None:
        return False
    metrics = loaded[1]
    return metrics.get("psnr_network", 0.0) > metrics.get("psnr_lanczos", np.inf)
