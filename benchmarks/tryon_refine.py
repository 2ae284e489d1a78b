"""Try-on refinement: does the learned refiner mend the warp composite, and what does it cost?

Run: ``OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.tryon_refine`` — reads ``../shared/data``.

1. **Held-out photos**: the 27 person photos of ``tryon-examples*`` (never trained on) are
   recomposed with their own top as the warp backend would (:func:`~vestis.tryon.artefacts.simulate_composite`,
   fixed seeds) and refined; SSIM (band's bounding box), PSNR (band pixels) and the edge energy
   ratio over the band (1 = the photo's own; above 1 = extra seams, halos, jaggies) of the
   composite and of the refined image are measured against the untouched photo.
2. **Real renders**: VITON-HD tops on 768×1024 persons with ``TryOn(backend="warp")`` and
   ``TryOn(backend="warp+refine")`` in turn, timed in the same run (median ms per render and of
   the refine step alone, with the torch threads the environment sets).
3. Writes ``docs/tryon-refine.png`` (warp | warp+refine | their difference × 4, cropped to the
   garment, for a few pairs)
   and the "## Try-on refinement" section of docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from benchmarks.report import write_section
from vestis.tryon import TryOn, TryOnError, TryOnResult
from vestis.tryon.refine import BACKEND_NAME, WEIGHTS, Refiner, load_weights
from vestis.tryon.train_refiner import analyse_photos, evaluate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FOLDERS = ("tryon-examples", "tryon-examples-idm")
SECTION = "## Try-on refinement"
SHEET = ROOT / "docs" / "tryon-refine.png"
PAIRS = 24
"""Real person × top renders timed with each backend."""
SHEET_PAIRS = 6
SHEET_COLUMNS = 2
"""Pairs side by side in a row of the sheet."""
CROP = (384, 448)
"""Size of each garment crop on the side-by-side sheet."""


def main() -> None:
    """Score the refiner on the held-out photos, time both backends, write the sheet and the section."""
    warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype")  # mediapipe, once a photo
    # 1. Held-out photos, recomposed with their own top.
    persons = sorted(path for folder in FOLDERS for path in (DATA / folder / "person").iterdir())
    with tempfile.TemporaryDirectory() as folder:
        photos = analyse_photos(persons, Path(folder) / "masks.npz")
    _, trained = load_weights(WEIGHTS)
    scores = evaluate(Refiner.load(), photos)
    for name in ("composite", "refined"):
        print(
            f"{name:9s} SSIM {scores[f'ssim_{name}']:.4f}  PSNR {scores[f'psnr_{name}']:.2f} dB  "
            f"edge energy ×{scores[f'edge_{name}']:.3f}  edge error {scores[f'edge_error_{name}']:.2f}"
        )
    # 2. Real renders with both backends, in turn.
    pairs = _pairs(persons)
    backends = {"warp": TryOn(backend="warp"), BACKEND_NAME: TryOn(backend=BACKEND_NAME)}
    for tryon in backends.values():
        tryon.render(*_open_pair(pairs[0]), "upper")  # warm-up: loads the models
    times: dict[str, list[float]] = {name: [] for name in backends}
    refine_ms: list[float] = []
    sheet_pairs: list[tuple[Image.Image, Image.Image]] = []
    for pair in pairs:
        renders = {}
        for name, tryon in backends.items():
            person, garment = _open_pair(pair)
            start = time.perf_counter()
            try:
                renders[name] = tryon.render(person, garment, "upper")
            except TryOnError:
                break
            times[name].append((time.perf_counter() - start) * 1000)
        if len(renders) == len(backends):
            refine_ms.append(float(renders[BACKEND_NAME].diagnostics["ms_refine"]))
            if len(sheet_pairs) < SHEET_PAIRS:
                sheet_pairs.append((_crop(renders["warp"]), _crop(renders[BACKEND_NAME])))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:12s} {value:.0f} ms per 768×1024 render (median of {len(times[name])})")
    print(
        f"refine step  {statistics.median(refine_ms):.0f} ms (median), {torch.get_num_threads()} torch threads"
    )
    # 3. The side-by-side sheet and the section.
    _side_by_side(sheet_pairs).save(SHEET)
    write_section(_section(scores, trained, medians, refine_ms, len(photos)))


def _pairs(persons: list[Path]) -> list[tuple[Path, Path]]:
    """Up to :data:`PAIRS` 768×1024 persons × VITON-HD tops (``NNNNN_00.jpg``), each top on a different person."""
    tops = sorted(path for folder in FOLDERS for path in (DATA / folder / "garment").glob("?????_00.jpg"))
    sized = [path for path in persons if Image.open(path).size == (768, 1024)]
    return [(sized[(3 * index) % len(sized)], tops[index % len(tops)]) for index in range(PAIRS)]


def _open_pair(pair: tuple[Path, Path]) -> tuple[Image.Image, Image.Image]:
    return Image.open(pair[0]), Image.open(pair[1])


def _crop(result: TryOnResult) -> Image.Image:
    """The render cropped to the garment's box (with a margin), at :data:`CROP`."""
    rows, cols = np.nonzero(result.masks["garment_warped"] | result.masks["filled"])
    top, bottom = max(0, rows.min() - 24), rows.max() + 24
    centre, half = (cols.min() + cols.max()) / 2, (bottom - top) * CROP[0] / CROP[1] / 2
    box = (round(centre - half), int(top), round(centre + half), int(bottom))
    return result.image.crop(box).resize(CROP, Image.Resampling.LANCZOS)


def _side_by_side(pairs: list[tuple[Image.Image, Image.Image]]) -> Image.Image:
    """A grid, :data:`SHEET_COLUMNS` pairs a row, of (warp, warp+refine, their difference × 4) crops."""
    header = 24
    width, height = CROP
    rows = -(-len(pairs) // SHEET_COLUMNS)
    sheet = Image.new("RGB", (3 * width * SHEET_COLUMNS, header + height * rows), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (plain, refined) in enumerate(pairs):
        row, column = divmod(index, SHEET_COLUMNS)
        difference = np.abs(np.asarray(refined, np.int16) - np.asarray(plain, np.int16)) * 4
        crops = (plain, refined, Image.fromarray(np.clip(difference, 0, 255).astype(np.uint8)))
        for offset, (crop, label) in enumerate(
            zip(crops, ("warp", BACKEND_NAME, "difference x4"), strict=True)
        ):
            x = (3 * column + offset) * width
            sheet.paste(crop, (x, header + row * height))
            if row == 0:
                draw.text((x + 8, 6), label, fill="black")
    return sheet


def _section(
    scores: dict[str, float],
    trained: dict[str, float],
    medians: dict[str, float],
    refine_ms: list[float],
    photos: int,
) -> str:
    threads = torch.get_num_threads()
    rows = "\n".join(
        f"| {label} | {scores[f'ssim_{name}']:.4f} | {scores[f'psnr_{name}']:.2f} | {scores[f'edge_{name}']:.3f} "
        f"| {scores[f'edge_error_{name}']:.2f} |"
        for label, name in (("warp-style composite", "composite"), ("refined (`warp+refine`)", "refined"))
    )
    return f"""{SECTION}

`OMP_NUM_THREADS=1 python -m benchmarks.tryon_refine`: the learned refiner of `vestis.tryon.refine` (a {_parameters()}-parameter
U-Net predicting a residual inside a band along the garment's outline and the filled old clothing; trained
self-supervised for {int(trained["steps"])} steps on {int(trained["train_photos"]):,} person photos in
{trained["train_minutes"]:.0f} minutes on {int(trained["threads"])} CPU thread of this 2-core machine, shared with other jobs;
no GPU). Reproduce the weights (CPU, deterministic for the seed and thread count):

```
python -m vestis.tryon.train_refiner --data ../shared/data/fashion-product-images/images \\
    ../shared/data/fashion-product-images-hires/images ../shared/data/hm-sample/images \\
    --val ../shared/data/tryon-examples/person ../shared/data/tryon-examples-idm/person \\
    --out src/vestis/tryon/weights/refiner.npz
```

The first run also finds the people and their tops in the photos (MediaPipe, {int(trained["train_photos"]):,} of 9,763 usable;
about 8 minutes, cached in `~/.cache/vestis/refiner-masks.npz`).

Held out: the {photos} usable person photos of `tryon-examples*` (never trained on), each recomposed with its own
top as the warp backend would (fixed seeds), scored against the untouched photo. SSIM over the band's bounding
box, PSNR over the band's pixels, edge energy = mean squared gradient over the band relative to the photo's
(1 = as the photo; above 1 = extra seams, halos, jaggies; below 1 = smoother than the photo), edge error = mean
absolute difference of gradient magnitude from the photo's over the band (grey levels per pixel; 0 = the photo's
own edges, counting extra and missing edges alike):

| image | SSIM | PSNR (dB) | edge energy | edge error |
| --- | --- | --- | --- | --- |
{rows}

Real renders, {len(refine_ms)} VITON-HD tops on 768×1024 persons, both backends in the same run
({threads} torch thread{"s" if threads > 1 else ""}; load average {os.getloadavg()[0]:.1f} on the 2 cores from other jobs):
`warp` {medians["warp"]:.0f} ms, `{BACKEND_NAME}` {medians[BACKEND_NAME]:.0f} ms per render (median); the refine step
alone {statistics.median(refine_ms):.0f} ms (median), {max(refine_ms):.0f} ms at most. On a busy machine torch's thread pool
spins: run it with `OMP_NUM_THREADS=1` (as the server's render slots cap threads, `vestis.api.render_slots`).
Side by side: `docs/tryon-refine.png` (`warp`, `{BACKEND_NAME}` and their difference × 4 for each pair).

{_verdict(scores, medians)} The held-out scores measure the simulated artefacts; on real
renders the refiner changes only the band (softer seams and fill edges, shading on flat skin fills, some smearing
where it is unsure) and cannot mend a badly placed garment: look at the sheet. It refines tops only (lower
garments and dresses pass through: on bared legs it smeared dark rims). `warp` stays the default;
`TryOn(backend="{BACKEND_NAME}")` or `vestis tryon --backend {BACKEND_NAME}` opts in.
"""


def _verdict(scores: dict[str, float], medians: dict[str, float]) -> str:
    """One sentence: which measures the refiner wins and whether it keeps a render under a second."""
    wins = {
        "SSIM": scores["ssim_refined"] > scores["ssim_composite"],
        "PSNR": scores["psnr_refined"] > scores["psnr_composite"],
        "edge error": scores["edge_error_refined"] < scores["edge_error_composite"],
        "edge energy (nearer 1)": abs(scores["edge_refined"] - 1) < abs(scores["edge_composite"] - 1),
    }
    won = [name for name, better in wins.items() if better]
    lost = [name for name, better in wins.items() if not better]
    budget = "within" if medians[BACKEND_NAME] < 1000 else "over"
    return (
        f"Verdict: the refiner wins on {', '.join(won) or 'nothing'}"
        + (f" and loses on {', '.join(lost)}" if lost else "")
        + f"; a refined render is {budget} the 1 s budget."
    )


def _parameters() -> str:
    net, _ = load_weights(WEIGHTS)
    return f"{sum(p.numel() for p in net.parameters()):,}"


if __name__ == "__main__":
    main()
