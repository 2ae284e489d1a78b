"""The small 2× super-resolution network of :mod:`vestis.studio.upscale` (PyTorch, CPU-friendly).

An ESPCN-style network with a global bicubic skip: the convolutions work at the low
resolution and only predict the *detail* that bicubic interpolation misses, which a
PixelShuffle layer rearranges into the 2× grid. Learning the residual instead of the whole
image lets ~30k parameters train in minutes on a CPU and keeps inference at 1024 px fast.

Weights are stored as ``.npz`` (no pickle) together with the validation numbers measured
when they were trained, so callers can decide whether the network is worth using.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from vestis.files import replacing

__all__ = ["SCALE", "SuperResolutionNet", "load_weights", "save_weights", "super_resolve"]

SCALE = 2
_TILE = 128
"""Low-resolution tile side for inference: bounds memory, and lets flat tiles skip the network."""
_HALO = 8
"""Context around each tile; larger than the network's receptive-field radius (5 pixels)."""
_FLAT = 3.0 / 255.0
"""A tile whose values span at most this range (3 grey levels) is plain background."""


class SuperResolutionNet(nn.Module):
    """RGB in, 2× RGB out: ``bicubic(x) + PixelShuffle(convs(x))``; values in 0..1."""

    def __init__(self, channels: int = 24, depth: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(3, channels, 5, padding=2), nn.PReLU(channels)]
        for _ in range(depth - 1):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.PReLU(channels)]
        layers += [nn.Conv2d(channels, 3 * SCALE**2, 3, padding=1), nn.PixelShuffle(SCALE)]
        self.body = nn.Sequential(*layers)
        self.channels, self.depth = channels, depth

    def forward(self, low: torch.Tensor) -> torch.Tensor:
        """Upscale a batch ``N×3×H×W`` to ``N×3×2H×2W`` (not clamped)."""
        return self.base(low) + self.body(low)

    @staticmethod
    def base(low: torch.Tensor) -> torch.Tensor:
        """The bicubic 2× upscale the network adds its detail to."""
        return functional.interpolate(low, scale_factor=SCALE, mode="bicubic", align_corners=False)


def save_weights(net: SuperResolutionNet, path: Path, metrics: dict[str, float]) -> None:
    """Write the weights and ``metrics`` (validation numbers) to ``path`` atomically as ``.npz``."""
    arrays = {f"param:{name}": value.detach().cpu().numpy() for name, value in net.state_dict().items()}
    arrays |= {f"metric:{name}": np.float64(value) for name, value in metrics.items()}
    arrays["shape"] = np.array([net.channels, net.depth])
    with replacing(path) as temporary:
        np.savez_compressed(temporary, **arrays)


def load_weights(path: Path) -> tuple[SuperResolutionNet, dict[str, float]]:
    """The network stored at ``path`` (in eval mode) and the metrics it was saved with."""
    with np.load(path, allow_pickle=False) as data:
        channels, depth = (int(v) for v in data["shape"])
        net = SuperResolutionNet(channels, depth)
        state = {
            k.removeprefix("param:"): torch.from_numpy(data[k]) for k in data.files if k.startswith("param:")
        }
        metrics = {k.removeprefix("metric:"): float(data[k]) for k in data.files if k.startswith("metric:")}
    net.load_state_dict(state, strict=True)
    return net.eval(), metrics


def super_resolve(net: SuperResolutionNet, rgb: np.ndarray) -> np.ndarray:
    """2× upscale an H×W×3 uint8 array in overlapping tiles; returns uint8 ``2H×2W×3``."""
    height, width = rgb.shape[:2]
    low = torch.from_numpy(np.array(rgb, dtype=np.uint8)).permute(2, 0, 1)[None].float() / 255.0
    padded = functional.pad(low, (_HALO, _HALO, _HALO, _HALO), mode="replicate")
    out = np.empty((height * SCALE, width * SCALE, 3), dtype=np.uint8)
    with torch.inference_mode():
        for top in range(0, height, _TILE):
            for left in range(0, width, _TILE):
                bottom, right = min(top + _TILE, height), min(left + _TILE, width)
                tile = padded[..., top : bottom + 2 * _HALO, left : right + 2 * _HALO]
                # Plain background has no detail to restore: bicubic is the network's answer there.
                model = net if float(tile.amax() - tile.amin()) > _FLAT else net.base
                result = model(tile)[0, :, _HALO * SCALE : -_HALO * SCALE, _HALO * SCALE : -_HALO * SCALE]
                pixels = (result.clamp(0, 1) * 255.0 + 0.5).to(torch.uint8).permute(1, 2, 0).numpy()
                out[top * SCALE : bottom * SCALE, left * SCALE : right * SCALE] = pixels
    return out
