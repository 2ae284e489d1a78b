"""Generated product photos, trained here on real catalog photos and measured against a plain DCGAN.

Stage ``train`` reads the photos (``../shared/data/fashion-product-images`` by default: 9,583
Myntra product photos, or any folder :func:`vestis.generate.data.load_photos` reads), holds out
20 % (seed 0) and trains the conditional SN-GAN, the conditional VAE and the plain DCGAN
baseline on the rest for the same number of epochs, with checkpoints (an interrupted run
resumes). Stage ``evaluate`` draws as many images from each as the held-out part holds and
scores them with :mod:`vestis.generate.metrics` against the held-out photos. Everything lands
in ``--work``; sample grids are written to ``docs/generate/``.

    .venv/bin/python -m benchmarks.generate train --epochs 8
    .venv/bin/python -m benchmarks.generate evaluate
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from vestis.generate.data import PhotoSet, load_photos
from vestis.generate.gan import DCGAN, ConditionalGAN
from vestis.generate.model import TrainedGenerator
from vestis.generate.vae import ConditionalVAE

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fashion-product-images"
MODELS: dict[str, type[TrainedGenerator]] = {"gan": ConditionalGAN, "vae": ConditionalVAE, "dcgan": DCGAN}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stage the arguments name."""
    args = _parser().parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    photos = _photos(args.data, args.size, args.work)
    train, _ = photos.split(0.2, seed=0)
    if args.stage == "train":
        for name in args.models.split(","):
            _train(name, train, args)
    return 0


def _photos(data: Path, size: int, work: Path) -> PhotoSet:
    """The photos at ``size`` px, read once and kept in ``work`` for the later stages."""
    cache = work / f"photos-{data.name}-{size}.npz"
    if cache.is_file():
        with np.load(cache) as saved:
            return PhotoSet(saved["images"], saved["types"], saved["colours"])
    photos = load_photos(data, size=size)
    np.savez(cache, images=photos.images, types=photos.types, colours=photos.colours)
    return photos


def _train(name: str, train: PhotoSet, args: argparse.Namespace) -> None:
    model = MODELS[name](seed=0)
    started = time.perf_counter()
    model.fit(train, epochs=args.epochs, checkpoint=args.work / f"{name}-{args.size}.ckpt")
    seconds = time.perf_counter() - started
    path = model.save(args.work / f"{name}-{args.size}.vgen")
    log = args.work / "training.json"
    runs = json.loads(log.read_text()) if log.is_file() else {}
    runs[name] = {
        "epochs": args.epochs,
        "seconds_this_session": round(seconds, 1),
        "train_photos": len(train),
        "threads": torch.get_num_threads(),
        "history": model.history_,
        "file": str(path),
        "megabytes": round(path.stat().st_size / 2**20, 2),
    }
    log.write_text(json.dumps(runs, indent=1))
    print(f"{name}: {args.epochs} epochs, {seconds:.0f} s this session → {path}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n")[0])
    parser.add_argument("stage", choices=["train", "evaluate"])
    parser.add_argument("--data", type=Path, default=DATA, help="photo folder (default: %(default)s)")
    parser.add_argument("--size", type=int, default=64, help="image side in pixels (default: %(default)s)")
    parser.add_argument(
        "--epochs", type=int, default=8, help="training epochs per model (default: %(default)s)"
    )
    parser.add_argument("--models", default="gan,vae,dcgan", help="models to train (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/vestis-generate"), help="where runs are kept")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
