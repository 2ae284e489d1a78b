"""Virtual try-on latency and a contact sheet on the shared VITON-HD / DressCode examples.

Run: ``.venv/bin/python -m benchmarks.tryon`` — renders every upper garment in
``../shared/data/tryon-examples*`` on two of the 768×1024 person photos (in turn) and prints the median and
p95 latency per pair, the time per pipeline step and the same-run ratio to MediaPipe pose alone
(the floor any pose-based try-on pays); replaces the "## Virtual try-on" section of
docs/benchmarks.md and writes docs/tryon-contact-sheet.png: persons (rows) × garments of every
category the warp backend supports (columns, a few per category, picked evenly from the garments
whose guessed category it is, tops spread from sleeveless to long-sleeved), half-length persons
above full-length ones; a cell whose person cannot wear the garment (legs not in the photo,
say) shows the pipeline's reason.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from rich.progress import track

from benchmarks.report import write_section
from vestis.tryon import TryOn, TryOnError
from vestis.tryon.body import BodyAnalyser
from vestis.tryon.garment import SUPPORTED, GarmentAnalyser, sleeve_root
from vestis.vision.pose import PoseEstimator

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FOLDERS = ("tryon-examples", "tryon-examples-idm")
SIZE = (768, 1024)
SECTION = "## Virtual try-on"
SHEET = ROOT / "docs" / "tryon-contact-sheet.png"
THUMB = (192, 256)
PER_CATEGORY = {"upper": 6, "lower": 2, "dress": 2}
SHEET_PERSONS = 7
PERSONS_PER_GARMENT = 2
"""Each upper garment is timed on this many 768×1024 persons (in turn), to keep the run short."""
STEPS = ("ms_garment", "ms_body", "ms_warp", "ms_compose")


def main() -> None:
    """Time every upper pair at 768×1024, write the sheet and the benchmark section."""
    persons = _photos("person")
    garments = _by_category(_photos("garment"))
    sized = [path for path in persons if Image.open(path).size == SIZE]
    tryon = TryOn()
    tryon.render(_open(sized[0]), _open(garments["upper"][0]))  # warm-up: loads the models
    seconds, pose_seconds, ious, steps = [], [], [], {step: [] for step in STEPS}
    estimator = PoseEstimator()
    pairs = [
        (sized[(PERSONS_PER_GARMENT * index + turn) % len(sized)], garment)
        for index, garment in enumerate(garments["upper"])
        for turn in range(PERSONS_PER_GARMENT)
    ]
    for person_path, garment_path in track(pairs, description="timing upper pairs"):
        person = _open(person_path)
        start = time.perf_counter()
        try:
            result = tryon.render(person, _open(garment_path))
        except TryOnError:  # a person photo the pipeline refuses (turned sideways, say)
            continue
        seconds.append(time.perf_counter() - start)
        ious.append(float(result.diagnostics["torso_iou"]))
        for step in STEPS:
            steps[step].append(float(result.diagnostics[step]))
        start = time.perf_counter()
        estimator.estimate(np.asarray(person))
        pose_seconds.append(time.perf_counter() - start)
    median, p95 = float(np.median(seconds)) * 1000, float(np.percentile(seconds, 95)) * 1000
    pose = float(np.median(pose_seconds)) * 1000
    breakdown = ", ".join(f"{step[3:]} {np.median(values):.0f} ms" for step, values in steps.items())
    print(
        f"{len(seconds)} upper pairs at 768x1024: median {median:.0f} ms, p95 {p95:.0f} ms "
        f"({median / pose:.1f}x MediaPipe pose alone, {pose:.0f} ms); steps: {breakdown}; "
        f"torso IoU min {min(ious):.3f} median {np.median(ious):.3f} mean {np.mean(ious):.3f}"
    )
    garments["upper"] = sorted(garments["upper"], key=_sleeve_length)
    columns = [path for category in SUPPORTED for path in _evenly(garments[category], PER_CATEGORY[category])]
    reach = {path: _reach(path) for path in persons}
    full_length = [path for path in persons if reach[path] == "ankles"]
    half_length = [path for path in persons if reach[path] == "hips"]
    rows = _evenly(half_length, SHEET_PERSONS // 2) + _evenly(full_length, SHEET_PERSONS - SHEET_PERSONS // 2)
    _atomic_save(_contact_sheet(tryon, rows, columns), SHEET)
    write_section(
        f"{SECTION}\n\nWarp backend (MediaPipe pose, garment mask and keypoints, thin-plate-spline body "
        f"with sleeves laid along the arms, shaded composite), CPU, after one warm-up render: every "
        f"upper garment in the examples ({len(garments['upper'])}) on {PERSONS_PER_GARMENT} of the "
        f"{len(sized)} person photos at 768×1024, in turn.\n\n"
        f"| pairs | median | p95 | ratio to MediaPipe pose alone | garment / body / warp / compose (median) "
        f"| torso IoU min / median / mean |\n|---|---|---|---|---|---|\n"
        f"| {len(seconds)} | {median:.0f} ms | {p95:.0f} ms | {median / pose:.1f}× ({pose:.0f} ms) "
        f"| {' / '.join(f'{np.median(steps[s]):.0f}' for s in STEPS)} ms "
        f"| {min(ious):.3f} / {np.median(ious):.3f} / {np.mean(ious):.3f} |\n\n"
        f"Contact sheet: `docs/tryon-contact-sheet.png` ({len(rows)} persons × {len(columns)} garments: "
        f"{', '.join(f'{PER_CATEGORY[c]} {c}' for c in SUPPORTED)}).\n\n"
        f"Reproduce: `.venv/bin/python -m benchmarks.tryon` (needs ../shared/data/tryon-examples*).\n"
    )


def _photos(kind: str) -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        if (DATA / folder / kind).is_dir()
        for path in (DATA / folder / kind).iterdir()
        if path.suffix.lower() in {".jpg", ".jpeg", ".png"}
    )


def _by_category(paths: list[Path]) -> dict[str, list[Path]]:
    """Garment photos by the category the pipeline guesses (unusable photos left out)."""
    analyser = GarmentAnalyser()
    groups: dict[str, list[Path]] = {category: [] for category in ("upper", "lower", "dress")}
    for path in paths:
        try:
            groups[analyser.guess(np.asarray(_open(path)))].append(path)
        except TryOnError:
            continue
    return groups


def _sleeve_length(path: Path) -> float:
    """Longer sleeve of a top, root to end, in shoulder widths (0 without sleeves)."""
    points = {
        name: np.array(xy)
        for name, xy in GarmentAnalyser().analyse(np.asarray(_open(path)), "upper").keypoints.items()
    }
    shoulders = max(float(np.linalg.norm(points["left_shoulder"] - points["right_shoulder"])), 1.0)
    lengths = [
        float(np.linalg.norm(points[f"{side}_sleeve"] - sleeve_root(points, side))) / shoulders
        for side in ("left", "right")
        if f"{side}_sleeve" in points
    ]
    return max(lengths, default=0.0)


def _reach(path: Path) -> str:
    """``ankles`` when the person photo shows both ankles, ``hips`` when it shows less, ``refused``
    when the pipeline cannot use it (those stay off the sheet: the tests list them)."""
    try:
        visible = BodyAnalyser().analyse(np.asarray(_open(path))).visible
    except TryOnError:
        return "refused"
    return "ankles" if {"left_ankle", "right_ankle"} <= visible else "hips"


def _evenly(items: list[Path], count: int) -> list[Path]:
    """The middle items of ``count`` equal slices of ``items`` (all of them when there are fewer)."""
    if len(items) <= count:
        return items
    return [items[int((i + 0.5) * len(items) / count)] for i in range(count)]


def _contact_sheet(tryon: TryOn, persons: list[Path], garments: list[Path]) -> Image.Image:
    """First row garments, first column persons, the rest results (or the reason there is none)."""
    width, height = THUMB
    sheet = Image.new("RGB", (width * (len(garments) + 1), height * (len(persons) + 1)), "white")
    draw = ImageDraw.Draw(sheet)
    for column, garment in enumerate(garments, start=1):
        sheet.paste(_thumb(_open(garment)), (column * width, 0))
    cells = [(row, column) for row in range(len(persons)) for column in range(len(garments))]
    for row, column in track(cells, description="contact sheet"):
        person = _open(persons[row])
        if column == 0:
            sheet.paste(_thumb(person), (0, (row + 1) * height))
        x, y = (column + 1) * width, (row + 1) * height
        try:
            sheet.paste(_thumb(tryon.render(person, _open(garments[column])).image), (x, y))
        except TryOnError as error:
            draw.rectangle((x + 4, y + 4, x + width - 4, y + height - 4), fill=(235, 235, 235))
            draw.multiline_text((x + 10, y + 10), _wrap(str(error), 28), fill=(90, 90, 90))
    return sheet


def _wrap(text: str, width: int) -> str:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def _open(path: Path) -> Image.Image:
    return Image.open(path).convert("RGB")


def _thumb(image: Image.Image) -> Image.Image:
    copy = image.copy()
    copy.thumbnail(THUMB)
    return copy


def _atomic_save(image: Image.Image, path: Path) -> None:
    temporary = path.with_suffix(".tmp.png")
    image.save(temporary)
    temporary.replace(path)


if __name__ == "__main__":
    main()
