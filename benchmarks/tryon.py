"""Virtual try-on latency and a contact sheet on the shared VITON-HD / DressCode examples.

Run: ``.venv/bin/python -m benchmarks.tryon`` — prints median and p95 latency per pair at
768×1024, replaces the "## Virtual try-on" section of docs/benchmarks.md and writes
docs/tryon-contact-sheet.png (rows: persons; first row: garments; first column: originals).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.report import write_section
from vestis.tryon import TryOn

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "data" / "tryon-examples"
PERSONS = ("01008_00.jpg", "02849_00.jpg", "05997_00.jpg", "07966_00.jpg", "model_1.png", "model_8.png")
GARMENTS = ("00126_00.jpg", "03032_00.jpg", "02015_00.jpg", "049805_1.jpg", "050181_1.jpg", "06123_00.jpg")
SECTION = "## Virtual try-on"
THUMB = (192, 256)


def main() -> None:
    """Render every person × garment pair, time it, write the sheet and the benchmark section."""
    tryon = TryOn()
    persons = [Image.open(EXAMPLES / "person" / name).convert("RGB") for name in PERSONS]
    garments = [Image.open(EXAMPLES / "garment" / name).convert("RGB") for name in GARMENTS]
    tryon.render(persons[0], garments[0], "upper")  # warm-up: loads the pose model
    seconds, ious, rows = [], [], []
    for person in persons:
        row = [person]
        for garment in garments:
            start = time.perf_counter()
            result = tryon.render(person, garment, "upper")
            seconds.append(time.perf_counter() - start)
            ious.append(float(result.diagnostics["torso_iou"]))
            row.append(result.image)
        rows.append(row)
    median, p95 = float(np.median(seconds)) * 1000, float(np.percentile(seconds, 95)) * 1000
    print(
        f"{len(seconds)} pairs at 768x1024: median {median:.0f} ms, p95 {p95:.0f} ms, mean torso IoU {np.mean(ious):.3f}"
    )
    _contact_sheet(garments, rows).save(ROOT / "docs" / "tryon-contact-sheet.png")
    write_section(
        f"{SECTION}\n\nWarp backend (MediaPipe pose + TPS warp + shaded composite), CPU, "
        f"{len(PERSONS)} persons × {len(GARMENTS)} upper garments at 768×1024, after one warm-up render.\n\n"
        f"| pairs | median | p95 | mean torso IoU |\n|---|---|---|---|\n"
        f"| {len(seconds)} | {median:.0f} ms | {p95:.0f} ms | {np.mean(ious):.3f} |\n\n"
        f"Reproduce: `.venv/bin/python -m benchmarks.tryon` (needs ../shared/data/tryon-examples).\n"
    )


def _contact_sheet(garments: list[Image.Image], rows: list[list[Image.Image]]) -> Image.Image:
    width, height = THUMB
    sheet = Image.new("RGB", (width * (len(garments) + 1), height * (len(rows) + 1)), "white")
    for column, garment in enumerate(garments, start=1):
        sheet.paste(_thumb(garment), (column * width, 0))
    for row_index, row in enumerate(rows, start=1):
        for column, image in enumerate(row):
            sheet.paste(_thumb(image), (column * width, row_index * height))
    return sheet


def _thumb(image: Image.Image) -> Image.Image:
    copy = image.copy()
    copy.thumbnail(THUMB)
    return copy


if __name__ == "__main__":
    main()
