"""What try-on refuses: catalog objects given as the person or the garment, beside the models alone.

Run: ``.venv/bin/python -m benchmarks.tryon_refusals`` — reads ``../shared/data``. Person side: every
catalog photo of footwear and accessories (no person in them) and the try-on example persons go
through MediaPipe pose alone (a person found, shoulders and hips visible, facing the camera: what
try-on checked before) and through ``BodyAnalyser``; the proportions of the example persons are
printed beside the bounds ``BodyAnalyser`` holds them to. Garment side: catalog shoes and the example
garments go through the silhouette alone (not a person, plain background, a category guessed) and
through ``GarmentAnalyser``, with the mirror symmetry of both. Replaces the "## Try-on refusals"
section of docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from rich.progress import track

from benchmarks.report import write_section
from vestis.tryon import TryOnError
from vestis.tryon.body import BodyAnalyser, body_proportions, facing
from vestis.tryon.garment import GarmentAnalyser
from vestis.vision.pose import PoseEstimator
from vestis.vision.segment import shows_person

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CATALOG = DATA / "fashion-product-images"
SECTION = "## Try-on refusals"
NEEDED = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def main() -> None:
    """Count what each side takes, print the measured ranges and write the section."""
    objects = _catalog(("Footwear", "Accessories"))
    shoes = _catalog(("Footwear",))
    persons = sorted(DATA.glob("tryon-examples*/person/*"))
    garments = sorted(DATA.glob("tryon-examples*/garment/*"))
    estimator, body, garment = PoseEstimator(), BodyAnalyser(), GarmentAnalyser()
    pose_taken = [_pose_alone(estimator, path) for path in track(objects, description="pose alone")]
    body_taken = [_takes(body.analyse, path) for path in track(objects, description="BodyAnalyser")]
    persons_taken = sum(_takes(body.analyse, path) for path in persons)
    persons_pose = sum(_pose_alone(estimator, path) for path in persons)
    measures = [body_proportions(*_pose(estimator, path)) for path in persons]
    silhouette_taken = [_silhouette_alone(garment, path) for path in track(shoes, description="silhouette")]
    garment_taken = [_takes(garment.analyse, path) for path in track(shoes, description="GarmentAnalyser")]
    garments_taken = sum(_takes(garment.analyse, path) for path in garments)
    garments_silhouette = sum(_silhouette_alone(garment, path) for path in garments)
    shoe_symmetry = [garment.symmetry(_rgb(path)) for path in shoes]
    garment_symmetry = [garment.symmetry(_rgb(path)) for path in garments]
    ranges = {
        name: (min(m[name] for m in measures if name in m), max(m[name] for m in measures if name in m))
        for name in ("torso", "head", "eyes", "silhouette")
    }
    rows = [
        f"| catalog footwear and accessories ({len(objects)}) taken for a person | "
        f"{sum(pose_taken)} | {sum(body_taken)} |",
        f"| try-on example persons ({len(persons)}) taken | {persons_pose} | {persons_taken} |",
        f"| catalog shoes ({len(shoes)}) taken for a garment | {sum(silhouette_taken)} | {sum(garment_taken)} |",
        f"| try-on example garments ({len(garments)}) taken | {garments_silhouette} | {garments_taken} |",
    ]
    text = "\n".join(
        [
            SECTION,
            "",
            "Command: `.venv/bin/python -m benchmarks.tryon_refusals` (2 cores, no GPU). The peers are the",
            "models alone: MediaPipe pose (a person found, shoulders and hips visible, facing the camera) and",
            "the garment silhouette (not a person, plain background, a category guessed).",
            "",
            "| photos | models alone | Vestis |",
            "|---|---|---|",
            *rows,
            "",
            "Proportions of the example persons, in shoulder widths (`BodyAnalyser` bounds in brackets): "
            + ", ".join(f"{name} {low:.2f}-{high:.2f}" for name, (low, high) in ranges.items())
            + " (torso 0.9-3.5, head 0.3-1.3, eyes 0.06-0.45, silhouette at least 0.9; the example refused "
            "for a head cut off by the frame is included).",
            "",
            f"Mirror symmetry: example garments {min(garment_symmetry):.2f}-{max(garment_symmetry):.2f}, "
            f"catalog shoes 5th-95th percentile {np.percentile(shoe_symmetry, 5):.2f}-"
            f"{np.percentile(shoe_symmetry, 95):.2f} (`GarmentAnalyser` takes 0.7 and above).",
        ]
    )
    print(text)
    write_section(text)


def _catalog(categories: tuple[str, ...]) -> list[Path]:
    """Catalog photos of the given master categories, by id."""
    styles = pd.read_csv(CATALOG / "styles_merged.csv", usecols=["id", "masterCategory"])
    ids = sorted(styles[styles["masterCategory"].isin(categories)]["id"])
    return [path for path in (CATALOG / "images" / f"{i}.jpg" for i in ids) if path.is_file()]


def _rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def _pose(estimator: PoseEstimator, path: Path) -> tuple[dict[str, tuple[float, float]], np.ndarray]:
    pose = estimator.estimate(_rgb(path))
    return pose.points, pose.mask


def _pose_alone(estimator: PoseEstimator, path: Path) -> bool:
    """Whether pose alone takes the photo for a person, as try-on did before its own checks."""
    pose = estimator.estimate(_rgb(path))
    if pose is None or pose.mask.mean() < 0.01 or min(pose.visibility[name] for name in NEEDED) < 0.5:
        return False
    return facing(pose.points, pose.visibility) == "front"


def _silhouette_alone(analyser: GarmentAnalyser, path: Path) -> bool:
    rgb = _rgb(path)
    if shows_person(rgb):
        return False
    try:
        analyser.guess(rgb)
    except TryOnError:
        return False
    return True


def _takes(analyse: Callable[[np.ndarray], object], path: Path) -> bool:
    """Whether ``analyse`` (a body or garment analyser's) takes the photo without a TryOnError."""
    try:
        analyse(_rgb(path))
    except TryOnError:
        return False
    return True


if __name__ == "__main__":
    main()
