"""The product-mask benchmark's peers: the masks and try-on refusals of an earlier commit's code.

Run by benchmarks/product_mask.py as a script, with that commit's ``src`` (``git archive``) first on
the Python path, so ``vestis`` here is the old code (imported where used: the names are gone now): the studio's ``vision.segment.product_mask``
and try-on's ``tryon.garment.garment_mask`` (on the 384-pixel copy ``GarmentAnalyser`` used,
brought back to full size as it did), and ``GarmentAnalyser.analyse`` for the refusals. Reads a
JSON job from stdin, writes an .npz of masks and timings, or a JSON list of refusal messages or
of ``image_features`` times (the product mask's third user, over whole catalogs).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from vestis.vision.features import image_features

ANALYSIS_SIZE = 384


def main() -> None:
    """``{"masks": [paths], "out": npz}``, ``{"refusals": [[path, category]], "out": json}`` or
    ``{"features": [paths], "out": json}`` (ms per photo of ``image_features``)."""
    job = json.load(sys.stdin)
    if "masks" in job:
        _masks(job["masks"], job["out"])
    elif "refusals" in job:
        _refusals(job["refusals"], job["out"])
    else:
        with open(job["out"], "w") as handle:
            json.dump(feature_times([Path(path) for path in job["features"]]), handle)


def feature_times(paths: list[Path]) -> list[float]:
    """Milliseconds of ``image_features`` per photo (this file's ``vestis``, whichever that is)."""
    times = []
    for path in paths:
        start = time.perf_counter()
        image_features(path)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _masks(paths: list[str], out: str) -> None:
    from vestis.vision.segment import product_mask  # the old studio's (the module moved since)

    arrays: dict[str, np.ndarray] = {}
    for index, path in enumerate(paths):
        rgb = _flattened(path)
        for name, mask_of in (("studio", product_mask), ("tryon", _tryon_mask)):
            start = time.perf_counter()
            mask = mask_of(rgb)
            arrays[f"{name}_ms_{index}"] = np.array((time.perf_counter() - start) * 1000)
            arrays[f"{name}_{index}"] = np.packbits(mask)
    np.savez_compressed(out, **arrays)


def _refusals(photos: list[list[str]], out: str) -> None:
    from vestis.tryon import TryOnError
    from vestis.tryon.garment import GarmentAnalyser

    analyser = GarmentAnalyser()
    messages = []
    for path, category in photos:
        try:
            analyser.analyse(np.asarray(Image.open(path).convert("RGB")), category or None)
        except TryOnError as error:
            messages.append(str(error))
        else:
            messages.append("")
    with open(out, "w") as handle:
        json.dump(messages, handle)


def _tryon_mask(rgb: np.ndarray) -> np.ndarray:
    from vestis.tryon.garment import garment_mask  # the old try-on's (removed since)

    height, width = rgb.shape[:2]
    scale = min(1.0, ANALYSIS_SIZE / max(height, width))
    small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    return (
        cv2.resize(garment_mask(small).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR) > 0
    )


def _flattened(path: str) -> np.ndarray:
    """The photo as RGB, a transparent one over white (as the old try-on pipeline flattened it)."""
    image = Image.open(path)
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return np.asarray(image.convert("RGB"))


if __name__ == "__main__":
    main()
