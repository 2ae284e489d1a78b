"""Product image studio: time per step at 1024 px, and recipe throughput over a folder.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.studio`` — times every step on real garment photos
(../shared/data/tryon-examples/garment, resized to 1024 px on the long side; median over the
photos after one warm-up call per step), then runs ``marketplace-white`` over 40 catalog photos
(../shared/data/fashion-product-images-hires, 1080×1440) with one worker process, two, and
Spark local mode, and prints each throughput as a ratio against the single-worker run.
Replaces the "## Product image studio" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from benchmarks.report import write_section
from vestis.studio.batch import run_recipe
from vestis.studio.recipes import load_recipe
from vestis.studio.steps import STEPS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GARMENTS = DATA / "tryon-examples" / "garment"
CATALOG = DATA / "fashion-product-images-hires" / "images"
PHOTOS = ("00126_00.jpg", "03032_00.jpg", "06123_00.jpg")
SIDE = 1024
SECTION = "## Product image studio"
STEP_PARAMS: dict[str, dict[str, Any]] = {
    "remove-background": {"background": "white"},
    "fit-canvas": {},
    "white-balance": {},
    "equalise": {},
    "denoise": {},
    "sharpen": {},
    "upscale": {"factor": 2},
    "recolor": {"to": "#1f3a93"},
    "pattern-fill": {"pattern": "stripes"},
    "tone-shift": {"warmth": 9.0},
    "tone-transfer": {"reference": "vintage-film"},
    "style": {"style": "watercolour"},
}
"""The parameters each step is timed with (defaults otherwise); ``fit-canvas`` runs on the cut-out."""


def main(argv: list[str] | None = None) -> None:
    """Time the steps, measure the throughput, print both and write the benchmark section."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.studio", description=__doc__)
    parser.add_argument("--images", type=int, default=40, help="catalog photos in the throughput run")
    args = parser.parse_args(argv)
    photos = [_resized(Image.open(GARMENTS / name).convert("RGB"), SIDE) for name in PHOTOS]
    steps = time_steps(photos)
    for name, seconds in steps.items():
        print(f"{name:>18}: {seconds * 1000:8.0f} ms")
    runs = throughput(sorted(CATALOG.glob("*.jpg"))[: args.images])
    for label, (seconds, done) in runs.items():
        print(f"{label:>18}: {done / seconds:6.2f} images/s ({done} in {seconds:.1f} s)")
    load = os.getloadavg()[1]
    print(f"load average over the last 5 minutes: {load:.1f} on {os.cpu_count()} cores")
    write_section(_section(photos[0].size, steps, runs, args.images, load))


def time_steps(photos: list[Image.Image]) -> dict[str, float]:
    """Median seconds per photo of every step, after one warm-up call (imports, model loading)."""
    cutouts = [STEPS["remove-background"](photo, background="transparent") for photo in photos]
    results = {}
    for name, params in STEP_PARAMS.items():
        inputs = cutouts if name == "fit-canvas" else photos
        step = STEPS[name]
        step(inputs[0], **params)
        seconds = []
        for image in inputs:
            start = time.perf_counter()
            step(image, **params)
            seconds.append(time.perf_counter() - start)
        results[name] = statistics.median(seconds)
    return results


def throughput(files: list[Path]) -> dict[str, tuple[float, int]]:
    """Seconds and images done for ``marketplace-white`` over ``files``: 1 worker, 2 workers, Spark."""
    from vestis.studio.spark import run_recipe_spark

    recipe = load_recipe("marketplace-white")
    runs: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="vestis-studio-bench-") as scratch:
        folder = Path(scratch) / "in"
        folder.mkdir()
        for path in files:
            shutil.copy(path, folder / path.name)
        engines = {
            "workers=1": lambda out: run_recipe(recipe, [folder], out, workers=1, progress=False),
            "workers=2": lambda out: run_recipe(recipe, [folder], out, workers=2, progress=False),
            "spark local[2]": lambda out: run_recipe_spark(recipe, [folder], out, master="local[2]"),
        }
        for label, run in engines.items():
            out = Path(scratch) / label.replace(" ", "-")
            start = time.perf_counter()
            report = run(out)
            runs[label] = (time.perf_counter() - start, len(report.done))
    return runs


def _section(
    size: tuple[int, int],
    steps: dict[str, float],
    runs: dict[str, tuple[float, int]],
    images: int,
    load: float,
) -> str:
    single = runs["workers=1"][1] / runs["workers=1"][0]
    style = STEPS["style"].parameters
    step_rows = "\n".join(f"| {name} | {seconds * 1000:.0f} ms |" for name, seconds in steps.items())
    run_rows = "\n".join(
        f"| {label} | {done} | {seconds:.1f} s | {done / seconds:.2f} | {done / seconds / single:.2f}× |"
        for label, (seconds, done) in runs.items()
    )
    return (
        f"{SECTION}\n\n"
        f"CPU only, {os.cpu_count()} cores, one thread per process "
        f"(`OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}`). "
        f"Per step: median over {len(PHOTOS)} real garment photos at {size[0]}×{size[1]}, after one warm-up "
        f"call; parameters as in `benchmarks/studio.py` (fit-canvas on the cut-out, style = neural style "
        f"'watercolour' at its default {style['size'].default} px and {style['steps'].default} steps).\n\n"
        f"| step | time per image |\n|---|---|\n{step_rows}\n\n"
        f"Throughput of `marketplace-white` over {images} catalog photos (1080×1440 JPEG, "
        f"fashion-product-images-hires), including process/Spark start-up, against one worker:\n\n"
        f"| engine | images | wall time | images/s | vs workers=1 |\n|---|---|---|---|---|\n{run_rows}\n\n"
        f"The machine's 5-minute load average was {load:.1f} on {os.cpu_count()} cores when the runs ended: "
        "where it is above the core count, other work holds the cores and a second worker (or Spark) "
        "cannot run in parallel, so these ratios say nothing about scaling on an idle multi-core machine; "
        "the tests (tests/unit/test_studio_batch.py, tests/integration/test_studio_spark.py) check that "
        "every engine writes the same outputs.\n\n"
        f"Reproduce: `OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.studio` (needs ../shared/data).\n"
    )


def _resized(image: Image.Image, side: int) -> Image.Image:
    scale = side / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    main()
