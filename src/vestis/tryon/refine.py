"""Learned refinement of the warp composite: a small U-Net that mends seams, slivers, halos and fills.

The warp backend pastes a product photo's garment onto the person; its faults lie along the
garment's outline (hard or jagged edges, a light halo of product background, slivers of the old
clothing) and in the old clothing it fills with skin or inpainting. :class:`RefinerNet` sees the
composite, the pasted garment, the filled area and the band it may change, and predicts an RGB
*residual* that is added only inside that band (:func:`band`): face, hands, the garment's inside
and the background away from it are never touched. It was trained self-supervised on person
photos (:mod:`vestis.tryon.train_refiner`, corruptions from :mod:`vestis.tryon.artefacts`) with
an L1, gradient and SSIM loss and a small adversarial term from a PatchGAN discriminator.

The network runs on the band's bounding box scaled so the garment is at most
:data:`WORK_HEIGHT` pixels tall; its residual is scaled back up and added at full resolution.
Weights ship as ``weights/refiner.npz`` (no pickle) with the validation numbers they were
measured with; ``TryOn(backend="warp+refine")`` uses them, for tops (:data:`REFINED_CATEGORIES`).
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional

from vestis.files import replacing
from vestis.tryon.artefacts import dilate, erode, garment_height
from vestis.tryon.pipeline import TryOnResult, WarpBackend

__all__ = [
    "BACKEND_NAME",
    "BAND",
    "REFINED_CATEGORIES",
    "WEIGHTS",
    "WORK_HEIGHT",
    "RefinedBackend",
    "Refiner",
    "RefinerNet",
    "band",
    "load_weights",
    "network_input",
    "save_weights",
]

BACKEND_NAME = "warp+refine"
REFINED_CATEGORIES = ("upper",)
"""Garment categories the refiner was trained for; other renders pass through unchanged."""
WEIGHTS = Path(__file__).with_name("weights") / "refiner.npz"
WORK_HEIGHT = 256
"""Garment height (pixels) at which the network runs; smaller garments run at their own size."""
BAND = 0.04
"""Half-width of the band around the garment's outline that may change, in garment heights."""
_SOFTNESS = 0.35
"""Gaussian σ of the band's fading edge, as a share of its half-width."""
_CONTEXT = 24
"""Pixels (at the working scale) of photo around the band the network sees."""
_LEVELS = 4
_SLOPE = 0.2
"""Negative slope of the LeakyReLU activations."""


class RefinerNet(nn.Module):
    """Composite (RGB, centred on 0) + garment, filled and band masks → RGB residual (0..1 units).

    A four-level U-Net (two 3×3 convolutions a level, average-pool down, bilinear up, skip
    concatenation); ``widths`` are the channels per level.
    """

    inputs = 6

    def __init__(self, widths: tuple[int, ...] = (12, 24, 32, 64)) -> None:
        super().__init__()
        if len(widths) != _LEVELS:
            raise ValueError(f"widths: expected {_LEVELS} channel counts; got {widths}")
        self.widths = tuple(widths)
        channels = [self.inputs, *widths]
        self.down = nn.ModuleList(_block(channels[i], channels[i + 1]) for i in range(_LEVELS))
        self.up = nn.ModuleList(
            _block(widths[i + 1] + widths[i], widths[i]) for i in reversed(range(_LEVELS - 1))
        )
        self.head = nn.Conv2d(widths[0], 3, 3, padding=1)
        # He initialisation, so that the signal keeps its scale down and up the levels.
        for layer in self.modules():
            if isinstance(layer, nn.Conv2d):
                nn.init.kaiming_normal_(layer.weight, a=_SLOPE)
                nn.init.zeros_(layer.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual ``N×3×H×W`` for input ``N×6×H×W`` (H and W multiples of 8)."""
        skips = []
        for level, block in enumerate(self.down):
            x = block(functional.avg_pool2d(x, 2) if level else x)
            skips.append(x)
        for block, skip in zip(self.up, reversed(skips[:-1]), strict=True):
            x = functional.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return self.head(x)


def band(garment: np.ndarray, filled: np.ndarray, protected: np.ndarray, height: int) -> np.ndarray:
    """H×W float32 weights (0..1) of where the refiner may change the composite.

    A ring :data:`BAND` × ``height`` pixels either side of the pasted ``garment``'s outline, plus
    the ``filled`` old clothing and the same distance around it, with a soft edge; zero on
    ``protected`` pixels (face, hands) and everywhere else.
    """
    width = max(1, round(BAND * height))
    ring = dilate(garment, width) & ~erode(garment, width)
    region = (ring | dilate(filled, width)) & ~protected
    sigma = max(0.5, _SOFTNESS * width)
    weights = cv2.GaussianBlur(region.astype(np.float32), (0, 0), sigma)
    weights[protected] = 0.0
    return np.clip(weights, 0.0, 1.0)


def network_input(
    rgb: np.ndarray, garment: np.ndarray, filled: np.ndarray, weights: np.ndarray
) -> torch.Tensor:
    """The network's ``1×6×H×W`` input: RGB centred on 0, the two masks and the band ``weights``."""
    planes = np.concatenate(
        [
            rgb.astype(np.float32) / 255.0 - 0.5,
            garment[..., None].astype(np.float32),
            filled[..., None].astype(np.float32),
            weights[..., None].astype(np.float32),
        ],
        axis=2,
    )
    return torch.from_numpy(np.ascontiguousarray(planes.transpose(2, 0, 1)))[None]


class Refiner:
    """The trained network and how to apply it to a composite at any resolution.

    Examples
    --------
    >>> import numpy as np
    >>> refiner = Refiner(RefinerNet())
    >>> image = np.full((64, 48, 3), 200, np.uint8)
    >>> garment = np.zeros((64, 48), bool); garment[16:48, 12:36] = True
    >>> no = np.zeros_like(garment)
    >>> refiner(image, garment=garment, filled=no, protected=no).shape
    (64, 48, 3)
    """

    def __init__(self, net: RefinerNet) -> None:
        self.net = net.eval()

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Refiner:
        """The refiner with the weights stored at ``path``."""
        return cls(load_weights(path)[0])

    def __call__(
        self, rgb: np.ndarray, *, garment: np.ndarray, filled: np.ndarray, protected: np.ndarray
    ) -> np.ndarray:
        """``rgb`` (H×W×3 uint8 composite) refined inside :func:`band`; identical elsewhere."""
        # 1. Check inputs.
        for name, mask in (("garment", garment), ("filled", filled), ("protected", protected)):
            if mask.shape != rgb.shape[:2]:
                raise ValueError(
                    f"{name}: mask shape {mask.shape} does not match the image's {rgb.shape[:2]}"
                )
        height = garment_height(garment) or garment_height(filled)
        if height == 0:
            return rgb.copy()
        # 2. The band at full resolution, and the box around it the network needs to see.
        weights = band(garment, filled, protected, height)
        if not weights.any():
            return rgb.copy()
        scale = min(1.0, WORK_HEIGHT / height)
        top, bottom, left, right = _box(weights > 0, round(_CONTEXT / scale), rgb.shape[:2])
        crop = (slice(top, bottom), slice(left, right))
        # 3. Scale the box to the working size and run the network there.
        size = (max(8, round((right - left) * scale)), max(8, round((bottom - top) * scale)))
        small = [cv2.resize(rgb[crop], size, interpolation=cv2.INTER_AREA)]
        small += [
            cv2.resize(m[crop].astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.5
            for m in (garment, filled)
        ]
        small_weights = cv2.resize(weights[crop], size, interpolation=cv2.INTER_AREA)
        residual = self.residual(network_input(*small, small_weights))
        # 4. Add the residual, scaled back up, inside the full-resolution band.
        residual = cv2.resize(residual, (right - left, bottom - top), interpolation=cv2.INTER_LINEAR)
        out = rgb.copy()
        patch = rgb[crop].astype(np.float32) + weights[crop][..., None] * residual * 255.0
        out[crop] = np.clip(patch + 0.5, 0, 255).astype(np.uint8)
        return out

    def residual(self, x: torch.Tensor) -> np.ndarray:
        """The network's H×W×3 residual for one input (padded to a multiple of 8 and cropped back)."""
        height, width = x.shape[-2:]
        step = 2 ** (_LEVELS - 1)
        pad = (0, -width % step, 0, -height % step)
        with torch.inference_mode():
            out = self.net(functional.pad(x, pad, mode="replicate"))[0, :, :height, :width]
        return out.permute(1, 2, 0).numpy()


class RefinedBackend:
    """The warp backend's render, then :class:`Refiner` on its composite of a top (backend ``warp+refine``)."""

    def __init__(self, *, warp: WarpBackend | None = None, refiner: Refiner | None = None) -> None:
        self.warp = warp or WarpBackend()
        self.refiner = refiner or Refiner.load()

    def render(self, person: np.ndarray, garment: np.ndarray, category: str | None) -> TryOnResult:
        """Render as :class:`~vestis.tryon.pipeline.WarpBackend` does and refine the composite of a top.

        Lower garments and dresses pass through as the warp backend rendered them: the network was
        trained on tops only, and on the large skin fills of bared legs it smears dark rims.
        """
        result = self.warp.render(person, garment, category)
        clock = time.perf_counter()
        masks = result.masks
        image = np.asarray(result.image)
        if result.diagnostics["category"] in REFINED_CATEGORIES:
            image = self.refiner(
                image,
                garment=masks["garment_warped"],
                filled=masks["filled"],
                protected=masks["face"] | masks["hands"],
            )
        elapsed = round((time.perf_counter() - clock) * 1000, 2)
        diagnostics = result.diagnostics | {
            "backend": BACKEND_NAME,
            "ms_refine": elapsed,
            "ms_total": round(float(result.diagnostics["ms_total"]) + elapsed, 2),
        }
        return TryOnResult(
            image=Image.fromarray(image),
            masks=masks,
            keypoints=result.keypoints,
            diagnostics=diagnostics,
            grid=result.grid,
        )


def save_weights(net: RefinerNet, path: Path, metrics: dict[str, float]) -> None:
    """Write the weights and ``metrics`` (validation numbers) to ``path`` atomically as ``.npz``."""
    arrays = {f"param:{name}": value.detach().cpu().numpy() for name, value in net.state_dict().items()}
    arrays |= {f"metric:{name}": np.float64(value) for name, value in metrics.items()}
    arrays["widths"] = np.array(net.widths)
    with replacing(path) as temporary:
        np.savez_compressed(temporary, **arrays)


def load_weights(path: Path = WEIGHTS) -> tuple[RefinerNet, dict[str, float]]:
    """The network stored at ``path`` (in eval mode) and the metrics it was saved with.

    Raises ``ValueError`` naming the file when it is missing, is not a refiner's weights, or its
    arrays do not fit the network they describe.
    """
    if not path.is_file():
        raise ValueError(
            f"{path}: no refiner weights there (train them with python -m vestis.tryon.train_refiner)"
        )
    with np.load(path, allow_pickle=False) as data:
        if "widths" not in data.files:
            raise ValueError(f"{path}: not refiner weights (no 'widths' array)")
        net = RefinerNet(tuple(int(v) for v in data["widths"]))
        state = {
            k.removeprefix("param:"): torch.from_numpy(data[k]) for k in data.files if k.startswith("param:")
        }
        metrics = {k.removeprefix("metric:"): float(data[k]) for k in data.files if k.startswith("metric:")}
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise ValueError(f"{path}: the weights do not fit the refiner network: {error}") from None
    return net.eval(), metrics


# ------------------------------------------------------------------------------ helpers
def _block(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=1),
        nn.LeakyReLU(_SLOPE),
        nn.Conv2d(outputs, outputs, 3, padding=1),
        nn.LeakyReLU(_SLOPE),
    )


def _box(mask: np.ndarray, margin: int, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """``mask``'s bounding box (top, bottom, left, right; exclusive ends) grown by ``margin``, in the image."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (
        max(0, int(rows[0]) - margin),
        min(shape[0], int(rows[-1]) + 1 + margin),
        max(0, int(cols[0]) - margin),
        min(shape[1], int(cols[-1]) + 1 + margin),
    )
