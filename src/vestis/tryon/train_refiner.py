"""Train the try-on refiner (:mod:`vestis.tryon.refine`) on person photos and score it on others.

``python -m vestis.tryon.train_refiner --data DIR [DIR …] --val DIR [DIR …] --out FILE``

1. **Photos**: every photo under ``--data`` in which :class:`~vestis.tryon.body.BodyAnalyser`
   finds one front-facing person wearing a top (their ``old_clothing``); the masks are computed
   once (40–100 ms a photo) and cached in ``--cache``. ``--val`` photos are never trained on.
2. **Pairs**: each step scales a photo so its garment is 0.35–1 × :data:`~vestis.tryon.refine.WORK_HEIGHT`
   tall (never more than twice its own size), recomposes it with its own garment
   (:func:`~vestis.tryon.artefacts.simulate_composite`) and cuts a patch around the refiner's band.
3. **Training**: the generator's output (composite + band × residual) is compared with the photo
   by L1, gradient L1 and SSIM loss, plus a small hinge adversarial loss from a spectrally
   normalised PatchGAN that sees image and masks (it joins after a warm-up). Adam, cosine decay.
   A checkpoint is written every ``--checkpoint-every`` steps; ``--resume`` goes on from it.
4. **Validation** (:func:`evaluate`): every ``--val`` photo is recomposed at full size with a fixed
   seed and refined; SSIM and PSNR against the photo, the edge energy ratio (:func:`edge_energy`)
   and the edge error (:func:`edge_error`) of composite and refined are stored with the weights.

Deterministic for a given ``--seed``, ``--steps`` and ``--threads``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from rich.console import Console
from torch import nn
from torch.nn import functional

from vestis.files import replacing
from vestis.progress import progress_bar
from vestis.studio.metrics import psnr, ssim
from vestis.tryon.artefacts import dilate, garment_height, simulate_composite
from vestis.tryon.body import BodyAnalyser
from vestis.tryon.errors import TryOnError
from vestis.tryon.refine import WORK_HEIGHT, Refiner, RefinerNet, band, network_input, save_weights
from vestis.vision.io import IMAGE_SUFFIXES, ImageError, load_image

__all__ = [
    "MASKS",
    "Photo",
    "PatchDiscriminator",
    "RefinerTrainer",
    "analyse_photos",
    "edge_energy",
    "edge_error",
    "evaluate",
    "main",
    "make_patch",
    "refined",
    "train",
]

MASKS = ("garment", "person", "protected", "skin", "arms")
"""The body masks a training photo carries (see :func:`~vestis.tryon.artefacts.simulate_composite`)."""
_MAX_SIDE = 1024
"""Photos are analysed and trained on at most this long on their longer side."""
_MIN_GARMENT = 0.01
"""Smallest share of the photo a garment must cover to be trained on."""
_MIN_HEIGHT = 24
_SCALES = (0.35, 1.0)
"""Garment height range at training time, in :data:`WORK_HEIGHT`."""
_MAX_ENLARGE = 2.0
_LOSS = {"l1": 1.0, "gradient": 1.0, "ssim": 0.2, "adversarial": 0.01}
_WARM_UP = 0.2
"""Share of the steps trained without the adversarial loss."""


@dataclass(frozen=True)
class Photo:
    """A person photo (H×W×3 uint8) and its boolean body masks (:data:`MASKS`)."""

    path: Path
    rgb: np.ndarray
    masks: dict[str, np.ndarray]


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True, help="folders of training photos")
    parser.add_argument("--val", type=Path, nargs="+", required=True, help="folders of validation photos")
    parser.add_argument("--out", type=Path, required=True, help="weights file to write (.npz)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "vestis" / "refiner-masks.npz")
    parser.add_argument("--checkpoint", type=Path, help="checkpoint file (default: OUT with .ckpt)")
    parser.add_argument("--checkpoint-every", type=int, default=250)
    parser.add_argument("--resume", action="store_true", help="go on from the checkpoint when there is one")
    parser.add_argument("--steps", type=int, default=2500)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--patch", type=int, default=96)
    parser.add_argument("--lr", type=float, default=7e-4, help="the generator's peak learning rate")
    parser.add_argument("--widths", type=int, nargs=4, default=[12, 24, 32, 64])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype")  # mediapipe, once a photo
    torch.set_num_threads(args.threads)
    console = Console()
    validation = _image_files(args.val)
    training = sorted(set(_image_files(args.data)) - set(validation))
    photos = analyse_photos(training, args.cache, console=console)
    clock = time.perf_counter()
    net = train(
        photos,
        steps=args.steps,
        batch=args.batch,
        patch=args.patch,
        lr=args.lr,
        widths=tuple(args.widths),
        seed=args.seed,
        checkpoint=args.checkpoint or args.out.with_suffix(".ckpt"),
        checkpoint_every=args.checkpoint_every,
        resume=args.resume,
        console=console,
    )
    minutes = (time.perf_counter() - clock) / 60
    metrics = evaluate(Refiner(net), analyse_photos(validation, args.cache, console=console))
    for name in ("composite", "refined"):
        console.print(
            f"{name:9s} SSIM {metrics[f'ssim_{name}']:.4f}  PSNR {metrics[f'psnr_{name}']:.2f} dB  "
            f"edge energy ×{metrics[f'edge_{name}']:.3f}  edge error {metrics[f'edge_error_{name}']:.2f}"
        )
    trained = {
        "steps": args.steps,
        "train_photos": len(photos),
        "train_minutes": minutes,
        "threads": args.threads,
    }
    save_weights(net, args.out, metrics | trained)
    console.print(f"wrote {args.out}")


def analyse_photos(files: list[Path], cache: Path, *, console: Console | None = None) -> list[Photo]:
    """The photos among ``files`` with one front-facing person wearing a top, with their masks.

    Masks are cached in ``cache`` (an ``.npz`` keyed by path, rejected photos included), so a
    second call only loads the photos.
    """
    known = _load_cache(cache)
    missing = [path for path in files if str(path) not in known]
    if missing:
        analyser = BodyAnalyser()
        with progress_bar(console=console) as progress:
            task = progress.add_task("finding people and their tops", total=len(missing))
            for count, path in enumerate(missing, 1):
                known[str(path)] = _analyse(analyser, path)
                progress.advance(task)
                if count % 500 == 0 or count == len(missing):
                    _save_cache(cache, known)
    photos = []
    for path in files:
        masks = known[str(path)]
        if masks is not None:
            rgb = _load_rgb(path)
            if rgb is not None and rgb.shape[:2] == masks["garment"].shape:
                photos.append(Photo(path=path, rgb=rgb, masks=masks))
    if console is not None:
        console.print(f"{len(photos)} of {len(files)} photos show a person wearing a top")
    return photos


def make_patch(photo: Photo, rng: np.random.Generator, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One training pair: the network input ``6×size×size`` and the photo's ``3×size×size`` (0..1).

    The photo is scaled, recomposed with its own garment and cut around a random pixel of the band.
    """
    # 1. Scale so the garment has a working-size height, and keep the part around the garment.
    height = garment_height(photo.masks["garment"])
    scale = min(rng.uniform(*_SCALES) * WORK_HEIGHT / height, _MAX_ENLARGE)
    rows, cols = np.nonzero(dilate(photo.masks["garment"], max(2, round(0.15 * height))))
    box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
    rgb, masks = _scaled(photo.rgb[box], {k: v[box] for k, v in photo.masks.items()}, scale)
    if rng.random() < 0.5:
        rgb, masks = rgb[:, ::-1].copy(), {k: v[:, ::-1].copy() for k, v in masks.items()}
    # 2. Recompose and find the band.
    composite = simulate_composite(rgb, rng, **masks)
    weights = band(
        composite.garment, composite.filled, masks["protected"], garment_height(composite.garment) or 8
    )
    # 3. Cut the patch around a band pixel.
    inputs = network_input(composite.rgb, composite.garment, composite.filled, weights)[0]
    target = torch.from_numpy(rgb.transpose(2, 0, 1).astype(np.float32) / 255.0)
    inputs, target = (_pad_to(t, size) for t in (inputs, target))
    ys, xs = np.nonzero(weights > 0.5)
    if len(ys):
        pick = rng.integers(len(ys))
        centre = (ys[pick], xs[pick])
    else:
        centre = (inputs.shape[1] // 2, inputs.shape[2] // 2)
    top = int(np.clip(centre[0] - size // 2, 0, inputs.shape[1] - size))
    left = int(np.clip(centre[1] - size // 2, 0, inputs.shape[2] - size))
    window = (slice(None), slice(top, top + size), slice(left, left + size))
    return inputs[window], target[window]


class PatchDiscriminator(nn.Module):
    """PatchGAN critic with spectral normalisation: image (3) + garment, filled, band → a score map."""

    def __init__(self, width: int = 32) -> None:
        super().__init__()
        norm = nn.utils.parametrizations.spectral_norm
        self.body = nn.Sequential(
            norm(nn.Conv2d(RefinerNet.inputs, width, 4, stride=2, padding=1)),
            nn.LeakyReLU(0.2),
            norm(nn.Conv2d(width, 2 * width, 4, stride=2, padding=1)),
            nn.LeakyReLU(0.2),
            norm(nn.Conv2d(2 * width, 4 * width, 4, stride=2, padding=1)),
            nn.LeakyReLU(0.2),
            norm(nn.Conv2d(4 * width, 1, 3, padding=1)),
        )

    def forward(self, image: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        """Realness scores ``N×1×H/8×W/8`` of ``image`` (0..1) given the composite's ``masks`` (N×3)."""
        return self.body(torch.cat([image - 0.5, masks], dim=1))


class RefinerTrainer:
    """The generator and its critic, their optimisers, the schedule and the data's random state.

    :meth:`step` runs one update of both on a batch; :meth:`save` and :meth:`restore` write and
    read all of it, so that an interrupted run goes on exactly where it stopped.
    """

    def __init__(
        self, *, steps: int, lr: float = 7e-4, widths: tuple[int, ...] = (12, 24, 32, 64), seed: int = 0
    ) -> None:
        torch.manual_seed(seed)
        self.rng = np.random.default_rng(seed + 1)
        self.net, self.critic = RefinerNet(widths), PatchDiscriminator()
        nn.init.zeros_(self.net.head.weight)
        nn.init.zeros_(self.net.head.bias)  # start as the identity: the composite itself
        self.optimiser = torch.optim.Adam(self.net.parameters(), lr=lr)
        self.critic_optimiser = torch.optim.Adam(self.critic.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.schedule = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimiser, T_max=steps, eta_min=1e-5)
        self.steps, self.done = steps, 0

    def step(self, inputs: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
        """One update on a batch (network inputs ``N×6×H×W``, photos ``N×3×H×W``); returns the losses."""
        adversarial = self.done >= _WARM_UP * self.steps
        losses = self._generator_step(inputs, target, adversarial)
        if adversarial:
            losses["critic"] = self._critic_step(inputs, target)
        self.schedule.step()
        self.done += 1
        return losses

    def save(self, path: Path) -> None:
        """Write the whole training state to ``path`` (atomically; ``torch.save`` of tensors and numbers)."""
        state = {
            "step": self.done,
            "net": self.net.state_dict(),
            "critic": self.critic.state_dict(),
            "optimiser": self.optimiser.state_dict(),
            "critic_optimiser": self.critic_optimiser.state_dict(),
            "schedule": self.schedule.state_dict(),
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
        }
        with replacing(path) as temporary:
            torch.save(state, temporary)

    def restore(self, path: Path) -> None:
        """Go on from the state :meth:`save` wrote to ``path``."""
        state = torch.load(path, weights_only=True)
        self.net.load_state_dict(state["net"])
        self.critic.load_state_dict(state["critic"])
        self.optimiser.load_state_dict(state["optimiser"])
        self.critic_optimiser.load_state_dict(state["critic_optimiser"])
        self.schedule.load_state_dict(state["schedule"])
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        self.done = int(state["step"])

    def _generator_step(
        self, inputs: torch.Tensor, target: torch.Tensor, adversarial: bool
    ) -> dict[str, float]:
        output = refined(self.net, inputs)
        terms = {
            "l1": functional.l1_loss(output, target),
            "gradient": _gradient_loss(output, target),
            "ssim": 1.0 - _ssim(output, target),
        }
        if adversarial:
            terms["adversarial"] = -self.critic(output, inputs[:, 3:]).mean()
        loss = sum(_LOSS[name] * value for name, value in terms.items())
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()
        return {name: value.item() for name, value in terms.items()}

    def _critic_step(self, inputs: torch.Tensor, target: torch.Tensor) -> float:
        with torch.no_grad():
            fake = refined(self.net, inputs)
        masks = inputs[:, 3:]
        real_loss = functional.relu(1.0 - self.critic(target, masks)).mean()
        loss = real_loss + functional.relu(1.0 + self.critic(fake, masks)).mean()
        self.critic_optimiser.zero_grad()
        loss.backward()
        self.critic_optimiser.step()
        return loss.item()


def train(
    photos: list[Photo],
    *,
    steps: int,
    batch: int,
    patch: int = 96,
    lr: float = 7e-4,
    widths: tuple[int, ...] = (12, 24, 32, 64),
    seed: int = 0,
    checkpoint: Path | None = None,
    checkpoint_every: int = 250,
    resume: bool = False,
    console: Console | None = None,
) -> RefinerNet:
    """Fit a :class:`~vestis.tryon.refine.RefinerNet` on recomposed patches of ``photos`` (module docstring, step 3)."""
    if not photos:
        raise ValueError("photos: no training photo with a person wearing a top")
    trainer = RefinerTrainer(steps=steps, lr=lr, widths=widths, seed=seed)
    if resume and checkpoint is not None and checkpoint.is_file():
        trainer.restore(checkpoint)
    running: dict[str, float] = {}
    with progress_bar(console=console) as progress:
        task = progress.add_task("training", total=steps, completed=trainer.done)
        while trainer.done < steps:
            rng = trainer.rng
            pairs = [make_patch(photos[rng.integers(len(photos))], rng, patch) for _ in range(batch)]
            losses = trainer.step(torch.stack([p[0] for p in pairs]), torch.stack([p[1] for p in pairs]))
            for name, value in losses.items():
                running[name] = 0.95 * running.get(name, value) + 0.05 * value
            shown = "  ".join(f"{name} {value:.4f}" for name, value in running.items())
            progress.update(task, advance=1, description=f"training ({shown})")
            if checkpoint is not None and (trainer.done % checkpoint_every == 0 or trainer.done == steps):
                trainer.save(checkpoint)
    return trainer.net.eval()


def evaluate(refiner: Refiner, photos: list[Photo], *, seed: int = 12) -> dict[str, float]:
    """Mean SSIM, PSNR, edge energy ratio and edge error of composite and refined against each photo.

    Each photo is recomposed at its own size (seed ``seed`` + its index). SSIM is taken over the
    band's bounding box, PSNR over the band's pixels, the edge energy ratio over the band
    (:func:`edge_energy`: 1 is the photo's own, above 1 more edges such as seams, halos and
    jaggies, below 1 fewer, as in a blur) and the edge error over the band (:func:`edge_error`).
    """
    scores: dict[str, list[float]] = {}
    for index, photo in enumerate(photos):
        composite = simulate_composite(photo.rgb, np.random.default_rng(seed + index), **photo.masks)
        protected = photo.masks["protected"]
        result = refiner(
            composite.rgb, garment=composite.garment, filled=composite.filled, protected=protected
        )
        region = band(composite.garment, composite.filled, protected, garment_height(composite.garment)) > 0
        rows, cols = np.nonzero(region)
        box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
        for name, image in (("composite", composite.rgb), ("refined", result)):
            scores.setdefault(f"ssim_{name}", []).append(ssim(photo.rgb[box], image[box]))
            scores.setdefault(f"psnr_{name}", []).append(psnr(photo.rgb[region], image[region]))
            scores.setdefault(f"edge_{name}", []).append(
                edge_energy(image, region) / edge_energy(photo.rgb, region)
            )
            scores.setdefault(f"edge_error_{name}", []).append(edge_error(image, photo.rgb, region))
    return {name: float(np.mean(values)) for name, values in scores.items()} | {"val_photos": len(photos)}


def edge_energy(rgb: np.ndarray, region: np.ndarray) -> float:
    """Mean squared gradient (grey levels² per pixel) of ``rgb``'s grey image over ``region``."""
    return float(np.mean(_gradient_magnitude(rgb)[region] ** 2)) + 1e-6


def edge_error(rgb: np.ndarray, reference: np.ndarray, region: np.ndarray) -> float:
    """Mean absolute difference of gradient magnitudes (grey levels per pixel) from ``reference`` over ``region``.

    Counts edges that should not be there (seams, halos, jaggies) and edges that are missing
    (a flat fill, a blur) alike; 0 is the reference's own edges.
    """
    return float(np.mean(np.abs(_gradient_magnitude(rgb) - _gradient_magnitude(reference))[region]))


def refined(net: RefinerNet, inputs: torch.Tensor) -> torch.Tensor:
    """The refined image (0..1): composite + band × residual, as :class:`~vestis.tryon.refine.Refiner` applies it."""
    return inputs[:, :3] + 0.5 + inputs[:, 5:6] * net(inputs)


# ------------------------------------------------------------------------------ helpers
def _gradient_magnitude(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel gradient length (central differences) of the grey image."""
    gy, gx = np.gradient(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32))
    return np.hypot(gx, gy)


def _gradient_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    dx = functional.l1_loss(output.diff(dim=-1), target.diff(dim=-1))
    return dx + functional.l1_loss(output.diff(dim=-2), target.diff(dim=-2))


def _ssim(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean SSIM of two ``N×3×H×W`` batches (0..1), per channel with a 7-pixel Gaussian window (σ 1.5)."""
    axis = torch.arange(7, dtype=torch.float32) - 3
    kernel = torch.exp(-(axis**2) / (2 * 1.5**2))
    kernel = (kernel[:, None] * kernel[None, :]) / kernel.sum() ** 2
    kernel = kernel.expand(3, 1, 7, 7)

    def blur(x: torch.Tensor) -> torch.Tensor:
        return functional.conv2d(x, kernel, groups=3)

    mu_a, mu_b = blur(output), blur(target)
    var_a = blur(output * output) - mu_a**2
    var_b = blur(target * target) - mu_b**2
    cov = blur(output * target) - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    index = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return index.mean()


def _scaled(
    rgb: np.ndarray, masks: dict[str, np.ndarray], scale: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    size = (max(8, round(rgb.shape[1] * scale)), max(8, round(rgb.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    scaled = {
        name: cv2.resize(
            mask.astype(np.float32), size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        )
        > 0.5
        for name, mask in masks.items()
    }
    return cv2.resize(rgb, size, interpolation=interpolation), scaled


def _pad_to(tensor: torch.Tensor, size: int) -> torch.Tensor:
    """``tensor`` (C×H×W) padded by reflection on the bottom and right to at least ``size``×``size``."""
    pad_h, pad_w = max(0, size - tensor.shape[1]), max(0, size - tensor.shape[2])
    if pad_h or pad_w:
        tensor = functional.pad(tensor[None], (0, pad_w, 0, pad_h), mode="replicate")[0]
    return tensor


def _analyse(analyser: BodyAnalyser, path: Path) -> dict[str, np.ndarray] | None:
    rgb = _load_rgb(path)
    if rgb is None:
        return None
    try:
        body = analyser.analyse(rgb)
    except TryOnError:
        return None
    m = body.masks
    garment = m.old_clothing & m.person
    if garment.mean() < _MIN_GARMENT or garment_height(garment) < _MIN_HEIGHT:
        return None
    return {
        "garment": garment,
        "person": m.person,
        "protected": m.face | m.hands,
        "skin": m.skin & ~m.face,
        "arms": m.arms & ~m.hands,
    }


def _load_rgb(path: Path) -> np.ndarray | None:
    try:
        image = load_image(path).convert("RGB")
    except ImageError:
        return None
    if max(image.size) > _MAX_SIDE:
        image.thumbnail((_MAX_SIDE, _MAX_SIDE))
    return np.asarray(image)


def _load_cache(cache: Path) -> dict[str, dict[str, np.ndarray] | None]:
    if not cache.is_file():
        return {}
    known: dict[str, dict[str, np.ndarray] | None] = {}
    with np.load(cache, allow_pickle=False) as data:
        for index, path in enumerate(data["paths"]):
            key = f"masks:{index}"
            if key not in data.files:
                known[str(path)] = None
                continue
            height, width = (int(v) for v in data[f"shape:{index}"])
            planes = np.unpackbits(data[key])[: len(MASKS) * height * width].reshape(
                len(MASKS), height, width
            )
            known[str(path)] = {name: planes[i].astype(bool) for i, name in enumerate(MASKS)}
    return known


def _save_cache(cache: Path, known: dict[str, dict[str, np.ndarray] | None]) -> None:
    arrays: dict[str, np.ndarray] = {"paths": np.array(list(known), dtype=str)}
    for index, masks in enumerate(known.values()):
        if masks is not None:
            arrays[f"shape:{index}"] = np.array(masks["garment"].shape)
            arrays[f"masks:{index}"] = np.packbits(np.stack([masks[name] for name in MASKS]))
    with replacing(cache) as temporary:
        np.savez_compressed(temporary, **arrays)


def _image_files(folders: list[Path]) -> list[Path]:
    files = sorted(p for folder in folders for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise SystemExit(f"no images found under {', '.join(map(str, folders))}")
    return files


if __name__ == "__main__":
    main()
