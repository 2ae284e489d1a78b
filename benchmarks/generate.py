"""Generated product photos, trained here on real catalog photos and measured against a plain DCGAN.

Stage ``train`` reads the photos (``../shared/data/fashion-product-images`` by default: 9,583
Myntra product photos, or any folder :func:`vestis.generate.data.load_photos` reads), holds out
20 % (seed 0) and trains the conditional SN-GAN, the conditional VAE and the plain DCGAN
baseline on the rest for the same number of epochs, with checkpoints (an interrupted run
resumes). Stage ``evaluate`` draws as many images from each as the held-out part holds and
scores them with :mod:`vestis.generate.metrics` against the held-out photos. Stage ``ablate``
trains the conditional SN-GAN four times, with and without each part of its recipe (the faster
critic, differentiable augmentation), and gives each one's FID. Everything lands
in ``--work``/<data folder>; sample grids are written to ``docs/generate/``.

    .venv/bin/python -m benchmarks.generate train --epochs 8
    .venv/bin/python -m benchmarks.generate evaluate
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from benchmarks.report import write_section
from vestis.generate import metrics
from vestis.generate.base import ImageGenerator, draw_many, load_generator
from vestis.generate.data import OTHER, PhotoSet, load_photos
from vestis.generate.gan import DCGAN, ConditionalGAN
from vestis.generate.model import TrainedGenerator
from vestis.generate.provenance import contact_sheet, save_generated_png
from vestis.generate.vae import ConditionalVAE
from vestis.vision.colour import PALETTE_NAMES

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fashion-product-images"
MODELS: dict[str, type[TrainedGenerator]] = {"gan": ConditionalGAN, "vae": ConditionalVAE, "dcgan": DCGAN}
LABELS = {
    "gan": "conditional SN-GAN (ours)",
    "vae": "conditional VAE (ours)",
    "dcgan": "plain DCGAN (baseline)",
}
FLOOR = "real photos (training sample, the floor)"
SECTION = "## Generated product images"
"""The section for the default photos at 64 px; other data sets and sizes get their own (see :func:`_run_label`)."""
GRIDS = ROOT / "docs" / "generate"
PUBLISHED_FASHION_MNIST = (
    "Published for reference, Fashion-MNIST (all 60,000 images, 28 px, Inception features: not comparable with "
    "the EfficientNet FIDs above): WGAN-GP 24.5, 2-stage VAE 29.3, plain VAE 43.6 (Dai & Wipf, *Diagnosing and "
    "Enhancing VAE Models*, ICLR 2019, Table 1). The sprite here holds 900 of those images (90 per class)."
)
ABLATIONS: dict[str, dict[str, object]] = {
    "one learning rate, no augmentation (the recipe before)": {
        "learning_rate": 2e-4,
        "critic_learning_rate": 2e-4,
        "augment": False,
    },
    "critic 4× faster, no augmentation": {"augment": False},
    "one learning rate, augmentation": {"learning_rate": 2e-4, "critic_learning_rate": 2e-4},
    "critic 4× faster and augmentation (the default)": {},
}
"""The SN-GAN recipes the ``ablate`` stage compares, as constructor arguments."""
FEW_SHOT = 10
"""Labelled real photos per product type in the augmentation test."""
GENERATED_PER_TYPE = 40
"""Generated photos per product type added in the augmentation test."""
COLOUR_CHECK = 240
"""Images per model in the colour-condition check (spread over the palette colours)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the stage the arguments name."""
    args = _parser().parse_args(argv)
    args.work = args.work / args.data.stem  # one folder per data set: runs on other photos never mix
    args.work.mkdir(parents=True, exist_ok=True)
    photos = _photos(args.data, args.size, args.work)
    train, _ = photos.split(0.2, seed=0)
    if args.stage == "train":
        for name in args.models.split(","):
            _train(name, train, args)
        return 0
    section = _ablate(photos, args) if args.stage == "ablate" else _evaluate(photos, args)
    write_section(section, args.out)
    print(section)
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
    earlier = runs.get(f"{name}-{args.size}", {})
    if earlier.get("epochs", args.epochs) < args.epochs:  # this run resumed that one's checkpoint
        seconds += earlier["seconds"]
    runs[f"{name}-{args.size}"] = {
        "epochs": args.epochs,
        "seconds": round(seconds, 1),
        "train_photos": len(train),
        "threads": torch.get_num_threads(),
        "history": model.history_,
        "file": str(path),
        "megabytes": round(path.stat().st_size / 2**20, 2),
    }
    log.write_text(json.dumps(runs, indent=1))
    print(f"{name}: {args.epochs} epochs, {seconds:.0f} s in all → {path}")


def _evaluate(photos: PhotoSet, args: argparse.Namespace) -> str:
    """Score every trained model and the real-photo floor; run the augmentation test; the docs section."""
    train, held_out = photos.split(0.2, seed=0)
    names = [n for n in args.models.split(",") if (args.work / f"{n}-{args.size}.vgen").is_file()]
    models = {name: load_generator(args.work / f"{name}-{args.size}.vgen") for name in names}
    label = _run_label(args)
    grids = GRIDS / (args.data.stem if label in ("", args.data.stem) else f"{args.data.stem}-{args.size}")
    grids.mkdir(parents=True, exist_ok=True)
    features = {"held-out": metrics.image_features(held_out.images, progress=True)}
    features["train"] = metrics.image_features(train.images, progress=True)
    floor = train.take(np.random.default_rng(1).choice(len(train), len(held_out), replace=False))
    rows = {FLOOR: _scores(features, metrics.image_features(floor.images))[0]}
    for name, model in models.items():
        drawn = draw_many(model, len(held_out), seed=1)
        rows[LABELS[name]], copies = _scores(features, metrics.image_features(drawn, progress=True))
        metrics.nearest_training_grid(drawn, train.images, copies, grids / f"nearest-{name}.png")
        _sample_grid(model, name, held_out, grids / f"samples-{name}.png")
    log = (
        json.loads((args.work / "training.json").read_text())
        if (args.work / "training.json").is_file()
        else {}
    )
    training = {name: log[f"{name}-{args.size}"] for name in names if f"{name}-{args.size}" in log}
    augmentation = {
        name: _augmentation(train, held_out, models[name], features)
        for name in ("gan", "vae")
        if name in models
    }
    colour = _colour_check(models, held_out, grids)
    return _section(rows, training, augmentation, colour, photos, held_out, args, grids)


def _ablate(photos: PhotoSet, args: argparse.Namespace) -> str:
    """FID of the conditional SN-GAN trained with each recipe of :data:`ABLATIONS`, in one run."""
    train, held_out = photos.split(0.2, seed=0)
    real = metrics.image_features(held_out.images, progress=True)
    rows = []
    for label, options in ABLATIONS.items():
        started = time.perf_counter()
        model = ConditionalGAN(seed=0, **options).fit(train, epochs=args.epochs)  # type: ignore[arg-type]
        seconds = time.perf_counter() - started
        score = metrics.fid(real, metrics.image_features(draw_many(model, len(held_out), seed=1)))
        rows.append(f"| {label} | {score:.1f} | {seconds:.0f} |")
        print(rows[-1])
    return "\n".join(
        [
            f"{SECTION}: the SN-GAN's recipe ({_run_label(args) or f'{args.data.stem}, {args.size} px'})",
            "",
            f"The conditional SN-GAN trained {args.epochs} epochs on the same {len(train):,} photos four times, with "
            "and without each part of its recipe; FID against the held-out photos as above (EfficientNet-Lite0).",
            "",
            "| recipe | FID ↓ | seconds |",
            "|---|---:|---:|",
            *rows,
            "",
            "Reproduce:",
            "",
            "```bash",
            f"python -m benchmarks.generate ablate --epochs {args.epochs}{_options(args)}",
            "```",
            "",
        ]
    )


def _scores(
    features: dict[str, np.ndarray], generated: np.ndarray
) -> tuple[dict[str, float], metrics.Memorisation]:
    """The table's figures for one generated set, and its memorisation check (for the nearest-image sheet)."""
    real = features["held-out"]
    kid_mean, kid_std = metrics.kid(real, generated, subsets=50, subset_size=1000, seed=0)
    precision, recall = metrics.precision_recall(real, generated, k=3)
    copies = metrics.memorisation(features["train"], generated, real)
    return {
        "fid": metrics.fid(real, generated),
        "kid": kid_mean,
        "kid_std": kid_std,
        "precision": precision,
        "recall": recall,
        "median_ratio": copies.median_ratio,
        "near_copies": copies.near_copy_share,
        "spread": metrics.spread(real, generated),
    }, copies


def _sample_grid(model: ImageGenerator, name: str, held_out: PhotoSet, target: Path) -> None:
    """Eight images for each of the most common types (or 64 unconditional ones), as a labelled sheet."""
    if model.types:
        common = [t for t, _ in Counter(held_out.types.tolist()).most_common(9) if t != OTHER][:8]
        images = np.concatenate([model.sample(8, product_type=t, seed=3) for t in common])
    else:
        images = model.sample(64, seed=3)
    sheet = contact_sheet(images, columns=8, label=f"generated by the {name} · {model.size} px")
    save_generated_png(sheet, target, generator_kind=name, product_type=None, colour=None, seed=3)


def _augmentation(
    train: PhotoSet, held_out: PhotoSet, generator: ImageGenerator, features: dict[str, np.ndarray]
) -> dict[str, float]:
    """Product-type accuracy on held-out photos of a classifier trained on few labelled photos, ± generated ones.

    A logistic regression on the EfficientNet-Lite0 features of ``FEW_SHOT`` real photos per type
    (the types the generator knows, other excepted), then the same with ``GENERATED_PER_TYPE``
    generated photos per type added; scored on every held-out photo of those types. Five draws
    of the few labelled photos; mean accuracies.
    """
    types = [t for t in generator.types if t != OTHER and (train.types == t).sum() >= FEW_SHOT]
    test_rows = np.flatnonzero(np.isin(held_out.types, types))
    extra = np.concatenate([generator.sample(GENERATED_PER_TYPE, product_type=t, seed=7) for t in types])
    extra_features = metrics.image_features(extra)
    extra_labels = np.repeat(types, GENERATED_PER_TYPE)
    plain, augmented = [], []
    for draw in range(5):
        rng = np.random.default_rng(draw)
        rows = np.concatenate(
            [rng.choice(np.flatnonzero(train.types == t), FEW_SHOT, replace=False) for t in types]
        )
        for scores, (x, y) in (
            (plain, (features["train"][rows], train.types[rows])),
            (
                augmented,
                (
                    np.vstack([features["train"][rows], extra_features]),
                    np.concatenate([train.types[rows], extra_labels]),
                ),
            ),
        ):
            classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.1)).fit(x, y)
            scores.append(classifier.score(features["held-out"][test_rows], held_out.types[test_rows]))
    return {
        "types": len(types),
        "test_photos": len(test_rows),
        "plain": float(np.mean(plain)),
        "augmented": float(np.mean(augmented)),
        "plain_std": float(np.std(plain)),
        "augmented_std": float(np.std(augmented)),
    }


def _colour_check(models: dict[str, ImageGenerator], held_out: PhotoSet, grids: Path) -> dict[str, float]:
    """Does the colour condition work? Share of images whose product is the colour asked for.

    ``real``: held-out photos against their own colour labels (the ceiling of this check: the
    catalog's labels and the palette disagree on shades). ``<model>``: images drawn for each
    palette colour the model knows. ``<model> colourways``: held-out photos re-drawn in each of
    those colours (models with an encoder). Empty when the photos have fewer than two palette
    colours.
    """
    conditional = {name: model for name, model in models.items() if model.colours}
    if not conditional:
        return {}
    first = next(iter(conditional.values()))
    targets = [colour for colour in PALETTE_NAMES if colour in first.colours]
    if len(targets) < 2:
        return {}
    rng = np.random.default_rng(5)
    usable = np.isin(held_out.colours, targets) & np.isin(held_out.types, first.types)
    labelled = rng.permutation(np.flatnonzero(usable))[:COLOUR_CHECK]
    result = {
        "real": metrics.colour_agreement(held_out.images[labelled], held_out.colours[labelled].tolist())
    }
    per_colour = max(COLOUR_CHECK // len(targets), 1)
    sources = labelled[:per_colour]
    for name, model in conditional.items():
        drawn = np.concatenate([model.sample(per_colour, colour=c, seed=5) for c in targets])
        result[name] = metrics.colour_agreement(drawn, np.repeat(targets, per_colour).tolist())
        if isinstance(model, ConditionalVAE):
            types, colours = held_out.types[sources].tolist(), held_out.colours[sources].tolist()
            redrawn = np.concatenate(
                [model.recolour(held_out.images[sources], types, colours, c) for c in targets]
            )
            result[f"{name} colourways"] = metrics.colour_agreement(
                redrawn, np.repeat(targets, len(sources)).tolist()
            )
            _colourway_sheet(
                held_out.images[sources[:8]],
                redrawn,
                len(sources),
                targets,
                grids / f"colourways-{name}.png",
                name,
            )
    result["colours"] = len(targets)
    return result


def _colourway_sheet(
    photos: np.ndarray, redrawn: np.ndarray, per_colour: int, colours: list[str], target: Path, kind: str
) -> None:
    """Each photo (first column) beside its colourways in up to eight of ``colours``, as a labelled sheet.

    ``redrawn`` holds ``per_colour`` re-drawn photos for each colour in turn, the photos' order kept.
    """
    shown = colours[:8]
    tiles = [
        tile
        for row, photo in enumerate(photos)
        for tile in (photo, *(redrawn[colours.index(c) * per_colour + row] for c in shown))
    ]
    label = "photo, then generated colourways: " + ", ".join(shown)
    sheet = contact_sheet(np.stack(tiles), columns=1 + len(shown), label=label)
    save_generated_png(sheet, target, generator_kind=kind, product_type=None, colour=",".join(shown), seed=0)


def _section(
    rows: dict[str, dict[str, float]],
    training: dict[str, dict],
    augmentation: dict[str, dict[str, float]],
    colour: dict[str, float],
    photos: PhotoSet,
    held_out: PhotoSet,
    args: argparse.Namespace,
    grids: Path,
) -> str:
    floor = rows[FLOOR]["fid"]
    baseline = rows.get(LABELS["dcgan"])
    lines = [
        f"{SECTION} ({_run_label(args)})" if _run_label(args) else SECTION,
        "",
        f"Photos: `{args.data.name}` ({len(photos):,} readable product photos, padded square on their border colour "
        f"and resized to {args.size} px); 20 % held out (seed 0), {len(photos) - len(held_out):,} for training. "
        f"Each model draws {len(held_out):,} images (as many as the held-out photos; FID depends on set size) and "
        "is scored against the held-out photos on EfficientNet-Lite0 ImageNet features (raw 1,280-d pool, "
        "`vestis.generate.metrics`; Inception cannot be downloaded here, so these FIDs are not comparable "
        "with published Inception FIDs). The floor row is a sample of real training photos of the same size: "
        "no generator can score better than real photos.",
        "",
        "| images | FID ↓ | FID ÷ DCGAN | KID ↓ | precision ↑ | recall ↑ | spread ÷ real's | "
        "nearest-training distance ÷ held-out's | near copies |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, scores in rows.items():
        ratio = f"{scores['fid'] / baseline['fid']:.2f}×" if baseline else "–"
        copies = (
            "– | –"  # the floor's photos are training photos: the copy check says nothing of them
            if label == FLOOR
            else f"{scores['median_ratio']:.2f} | {scores['near_copies']:.1%}"
        )
        lines.append(
            f"| {label} | {scores['fid']:.1f} | {ratio} | {scores['kid']:.4f} ± {scores['kid_std']:.4f} | "
            f"{scores['precision']:.3f} | {scores['recall']:.3f} | {scores['spread']:.2f} | {copies} |"
        )
    lines += [
        "",
        "Training (2 CPU cores, same epochs and minibatch for every model; seconds as measured, shared machine):",
        "",
    ]
    lines += ["| model | epochs | seconds | last epoch's losses | file |", "|---|---:|---:|---|---:|"]
    for name, run in training.items():
        losses = ", ".join(f"{k} {v:.3f}" for k, v in run["history"][-1].items())
        lines.append(
            f"| {LABELS.get(name, name)} | {run['epochs']} | {run['seconds']:.0f} | {losses} | {run['megabytes']} MB |"
        )
    for name, result in augmentation.items():
        gain = result["augmented"] - result["plain"]
        lines += [
            "",
            f"Augmentation with the {LABELS[name]}: a logistic regression on EfficientNet-Lite0 features learns "
            f"{result['types']} product types from {FEW_SHOT} real photos each, then from the same photos plus "
            f"{GENERATED_PER_TYPE} generated photos per type; accuracy on the {result['test_photos']:,} held-out "
            f"photos of those types, mean of 5 draws: {result['plain']:.3f} ± {result['plain_std']:.3f} without, "
            f"{result['augmented']:.3f} ± {result['augmented_std']:.3f} with generated photos ({gain:+.3f}).",
        ]
    if colour:
        checks = ", ".join(
            f"{LABELS.get(name.split()[0], name)}{' re-drawing held-out photos' if ' ' in name else ''} "
            f"{share:.0%}"
            for name, share in colour.items()
            if name not in ("real", "colours")
        )
        lines += [
            "",
            f"Colour condition: share of images whose product, cut out of its background, is the colour asked for "
            f"(the {colour['colours']} palette colours the photos are labelled with; `metrics.colour_agreement`): "
            f"{checks}. Held-out real photos agree with their own labels {colour['real']:.0%} of the time "
            "(the check's ceiling: catalog labels and the palette disagree on shades); one colour in "
            f"{colour['colours']} is chance.",
        ]
    if args.data.suffix == ".npz":
        lines += ["", PUBLISHED_FASHION_MNIST]
    lines += [
        "",
        f"Real-photo FID floor at this set size: {floor:.1f}. Sample sheets (eight per common type for the conditional "
        "models) and each model's generated images beside their nearest training photo: "
        + ", ".join(
            f"[{p.stem}]({p.relative_to(ROOT / 'docs').as_posix()})" for p in sorted(grids.glob("*.png"))
        )
        + ".",
        "",
        "Reproduce:",
        "",
        "```bash",
        f"python -m benchmarks.generate train --epochs {max((r['epochs'] for r in training.values()), default=args.epochs)}"
        f"{_options(args)}",
        f"python -m benchmarks.generate evaluate{_options(args)}",
        "```",
        "",
    ]
    return "\n".join(lines)


def _options(args: argparse.Namespace) -> str:
    """The non-default data, size and model options, for the reproduce commands."""
    data = f" --data {os.path.relpath(args.data, ROOT)}" if args.data != DATA else ""
    models = f" --models {args.models}" if args.models != _parser().get_default("models") else ""
    return data + (f" --size {args.size}" if args.size != 64 else "") + models


def _run_label(args: argparse.Namespace) -> str:
    """What tells this run's section apart: nothing for the default photos at 64 px, else the size or the data."""
    if args.data == DATA:
        return "" if args.size == 64 else f"{args.size} px"
    return args.data.stem


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n")[0])
    parser.add_argument("stage", choices=["train", "evaluate", "ablate"])
    parser.add_argument("--data", type=Path, default=DATA, help="photo folder (default: %(default)s)")
    parser.add_argument("--size", type=int, default=64, help="image side in pixels (default: %(default)s)")
    parser.add_argument(
        "--epochs", type=int, default=8, help="training epochs per model (default: %(default)s)"
    )
    parser.add_argument("--models", default="gan,vae,dcgan", help="models to train (default: %(default)s)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/vestis-generate"),
        help="where runs are kept (a folder per data set)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="benchmarks page")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
