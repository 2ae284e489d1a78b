"""Train the 2× super-resolution network on product photos and validate it on other photos.

``python -m vestis.studio.train_upscaler --data DIR [DIR …] --val DIR [DIR …] (--out FILE | --register)``

``--register`` stores the weights as a new version of the ``upscaler`` in the model registry
(under ``VESTIS_HOME``) and activates it, so a shop's studio upscales with a network trained
on its own photos; ``--out`` writes a file (how the shipped weights are made).

Training pairs are random crops of the training photos (photos larger than 1200 px are first
halved, so crops hold garment detail rather than smooth blur) and their bicubic ½ downscales.
Validation upscales the bicubic ½ downscale of every validation photo with the network,
Lanczos and bicubic and compares each with the original (PSNR, SSIM); those numbers are stored
with the weights, and ``upscale(method="auto")`` uses the network only where it won.
Runs on one CPU thread and is deterministic for a given ``--seed`` and ``--steps``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from rich.console import Console

from vestis.config import get_settings
from vestis.models import ModelRegistry, Version
from vestis.progress import progress_bar
from vestis.studio.metrics import psnr, ssim
from vestis.studio.srnet import SCALE, SuperResolutionNet, save_weights, super_resolve
from vestis.studio.upscale import UPSCALER, WEIGHTS
from vestis.vision.io import IMAGE_SUFFIXES, ImageError, load_image

__all__ = ["main", "register", "train", "validate"]

_PATCH = 64
_MIN_PATCH_STD = 6.0
"""Crops flatter than this (grey levels) are plain background and teach nothing."""
_SHAVE = 4


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True, help="folders of training photos")
    parser.add_argument("--val", type=Path, nargs="+", required=True, help="folders of validation photos")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="weights file to write (.npz)")
    target.add_argument("--register", action="store_true", help="register and activate in the model registry")
    parser.add_argument("--images", type=int, default=600, help="training photos to sample")
    parser.add_argument("--patches", type=int, default=24, help="crops per training photo")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    console = Console()
    rng = np.random.default_rng(args.seed)
    files = _image_files(args.data)
    files = [files[i] for i in np.sort(rng.permutation(len(files))[: args.images])]
    console.print(f"cropping {args.patches} patches from each of {len(files)} training photos")
    high, low = _patches(files, args.patches, rng)
    net = train(high, low, steps=args.steps, batch=args.batch, seed=args.seed, console=console)
    metrics = validate(net, _image_files(args.val), console=console)
    if args.out is not None:
        save_weights(net, args.out, metrics)
        console.print(f"wrote {args.out}")
        return
    version = register(net, metrics, ModelRegistry(get_settings().models_dir))
    console.print(f"registered and activated {version.label}")


def register(net: SuperResolutionNet, metrics: dict[str, float], registry: ModelRegistry) -> Version:
    """Store ``net`` and its validation ``metrics`` as a new active :data:`UPSCALER` version."""
    version = registry.register(
        _Weights(net, metrics), name=UPSCALER, metadata={"family": UPSCALER, "metrics": metrics}
    )
    return registry.activate(UPSCALER, version.version)


def train(
    high: np.ndarray, low: np.ndarray, *, steps: int, batch: int, seed: int, console: Console
) -> SuperResolutionNet:
    """Fit the network to ``low`` → ``high`` uint8 crops (N×H×W×3) with L1 loss and Adam."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed + 1)
    net = SuperResolutionNet()
    console.print(f"{sum(p.numel() for p in net.parameters()):,} parameters, {len(high):,} crops")
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=2e-3, total_steps=steps, pct_start=0.05)
    targets = torch.from_numpy(high).permute(0, 3, 1, 2)
    inputs = torch.from_numpy(low).permute(0, 3, 1, 2)
    running = 0.0
    with progress_bar(console=console) as progress:
        task = progress.add_task("training", total=steps)
        for step in range(steps):
            pick = torch.from_numpy(rng.integers(0, len(high), batch))
            flip = rng.integers(0, 4)
            x, y = inputs[pick].float() / 255.0, targets[pick].float() / 255.0
            if flip & 1:
                x, y = x.flip(-1), y.flip(-1)
            if flip & 2:
                x, y = x.transpose(-1, -2), y.transpose(-1, -2)
            loss = torch.nn.functional.l1_loss(net(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            value = loss.item()
            running = 0.98 * running + 0.02 * value if step else value
            progress.update(task, advance=1, description=f"training (L1 {running * 255:.2f} grey levels)")
    return net.eval()


def validate(net: SuperResolutionNet, files: list[Path], *, console: Console) -> dict[str, float]:
    """Mean PSNR (dB) and SSIM of network, Lanczos and bicubic 2× upscales of ½-size photos."""
    scores: dict[str, list[float]] = {}
    for path in files:
        original = load_image(path).convert("RGB")
        width, height = (side - side % SCALE for side in original.size)
        original = original.crop((0, 0, width, height))
        small = original.resize((width // SCALE, height // SCALE), Image.Resampling.BICUBIC)
        candidates = {
            "network": super_resolve(net, np.asarray(small)),
            "lanczos": np.asarray(small.resize((width, height), Image.Resampling.LANCZOS)),
            "bicubic": np.asarray(small.resize((width, height), Image.Resampling.BICUBIC)),
        }
        truth = np.asarray(original)[_SHAVE:-_SHAVE, _SHAVE:-_SHAVE]
        for name, image in candidates.items():
            image = image[_SHAVE:-_SHAVE, _SHAVE:-_SHAVE]
            scores.setdefault(f"psnr_{name}", []).append(psnr(truth, image))
            scores.setdefault(f"ssim_{name}", []).append(ssim(truth, image))
    metrics = {name: float(np.mean(values)) for name, values in scores.items()} | {"val_images": len(files)}
    for name in ("network", "lanczos", "bicubic"):
        console.print(f"{name:8s} PSNR {metrics[f'psnr_{name}']:.2f} dB  SSIM {metrics[f'ssim_{name}']:.4f}")
    return metrics


# ------------------------------------------------------------------------------ helpers
class _Weights:
    """The network and its metrics as something the registry can save."""

    def __init__(self, net: SuperResolutionNet, metrics: dict[str, float]) -> None:
        self.net, self.metrics = net, metrics

    def save(self, directory: Path) -> Path:
        """Write the weights file the studio reads into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        save_weights(self.net, directory / WEIGHTS.name, self.metrics)
        return directory


def _image_files(folders: list[Path]) -> list[Path]:
    files = sorted(p for folder in folders for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise SystemExit(f"no images found under {', '.join(map(str, folders))}")
    return files


def _patches(files: list[Path], per_image: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """High-resolution crops with texture and their bicubic ½ downscales, as uint8 arrays."""
    high, low = [], []
    for path in files:
        try:
            image = load_image(path).convert("RGB")
        except ImageError:
            continue
        if max(image.size) > 1200:
            image = image.reduce(2)
        pixels = np.asarray(image)
        if min(pixels.shape[:2]) < _PATCH:
            continue
        found = 0
        for _ in range(per_image * 4):
            top = rng.integers(0, pixels.shape[0] - _PATCH + 1)
            left = rng.integers(0, pixels.shape[1] - _PATCH + 1)
            crop = pixels[top : top + _PATCH, left : left + _PATCH]
            if crop.std() < _MIN_PATCH_STD:
                continue
            high.append(crop)
            small = Image.fromarray(crop).resize((_PATCH // SCALE,) * 2, Image.Resampling.BICUBIC)
            low.append(np.asarray(small))
            found += 1
            if found == per_image:
                break
    return np.stack(high), np.stack(low)


if __name__ == "__main__":
    main()
