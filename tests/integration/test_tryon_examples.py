"""Try-on quality on real VITON-HD / DressCode photos (``../shared/data/tryon-examples*``).

Every person photo is rendered with upper garments, and every upper garment (the class the
pipeline guesses for it) is rendered on at least one person, so that a new photo dropped into
the folders is tested too. Person photos the pipeline refuses for a top (a turned body, say)
are skipped with the pipeline's own reason, which the tests print.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from vestis.tryon import TryOn, TryOnError, TryOnResult, save_debug
from vestis.tryon.body import BodyAnalyser
from vestis.tryon.garment import GarmentAnalyser
from vestis.vision.colour import rgb_to_lab
from vestis.vision.product_mask import product_mask
from vestis.vision.segment import shows_person

FOLDERS = ("tryon-examples", "tryon-examples-idm")
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}
MIN_TORSO_IOU = 0.7
MIN_OUTLINE_COVERAGE = 0.9
STRAPPY_SHOULDERS = 0.5
"""Largest share of a top's shoulder band (shoulder tops to armpits, across its body) that is
fabric for it to count as strappy: camisoles measure 0.18-0.38, every other example top 0.64 or more."""
CROPPED_LENGTH = 1.0
"""Shortest shoulder-to-hem length, in body widths, of a top that reaches the waist (examples: 1.05-3.35)."""
MIN_RENDERED_PERSONS = 0.9
"""Share of person photos that must take a top (the rest are refused with a reason)."""
PRODUCT_PHOTOS = 200


@dataclass(frozen=True)
class Render:
    """One person × garment pair and what the pipeline made of it."""

    person_name: str
    garment_name: str
    person: np.ndarray
    garment: np.ndarray
    result: TryOnResult


@dataclass(frozen=True)
class Renders:
    """The rendered pairs and the person photos refused, with the pipeline's reason."""

    pairs: list[Render]
    refused: dict[str, str]
    persons: list[str]
    garments: list[str]


@pytest.fixture(scope="module")
def renders(shared_data: Path) -> Renders:
    """Each person with ``n`` upper garments, ``n`` the smallest number covering every garment."""
    persons = _photos(shared_data, "person")
    analyser = GarmentAnalyser()
    garments = [path for path in _photos(shared_data, "garment") if _guess(analyser, path) == "upper"]
    per_person = max(2, math.ceil(len(garments) / len(persons)))
    tryon = TryOn()
    pairs, refused = [], {}
    for person_path in persons:
        person_image = Image.open(person_path).convert("RGB")
        for _ in range(per_person):
            # Garments go round the persons that take them, so a refused person skips none.
            garment_path = garments[len(pairs) % len(garments)]
            garment_image = Image.open(garment_path).convert("RGB")
            try:
                result = tryon.render(person_image, garment_image)
            except TryOnError as error:
                refused[person_path.name] = str(error)
                break
            pairs.append(
                Render(
                    person_path.name,
                    garment_path.name,
                    np.asarray(person_image),
                    np.asarray(garment_image),
                    result,
                )
            )
    return Renders(pairs, refused, [p.name for p in persons], [g.name for g in garments])


@pytest.mark.slow
def test_every_person_and_garment_is_rendered(renders: Renders) -> None:
    print("refused person photos:", renders.refused)
    rendered_persons = {pair.person_name for pair in renders.pairs}
    rendered_garments = {pair.garment_name for pair in renders.pairs}
    assert len(rendered_persons) >= MIN_RENDERED_PERSONS * len(renders.persons), renders.refused
    assert rendered_persons | set(renders.refused) == set(renders.persons)
    assert rendered_garments == set(renders.garments)
    assert all(pair.result.diagnostics["category"] == "upper" for pair in renders.pairs)


@pytest.mark.slow
def test_garment_covers_the_torso(renders: Renders) -> None:
    """Nearly every pair reaches the issue's IoU; none falls far short (see the strict test below)."""
    values = np.array([pair.result.diagnostics["torso_iou"] for pair in renders.pairs])
    print(f"torso IoU over {len(values)} pairs: min {values.min():.3f} median {np.median(values):.3f}")
    assert np.median(values) >= 0.8 and values.min() >= 0.6
    assert np.mean(values >= MIN_TORSO_IOU) >= 0.9


@pytest.mark.slow
def test_every_pair_covers_the_torso_as_its_garment_can(renders: Renders) -> None:
    """Tops that cover the torso reach :data:`MIN_TORSO_IOU` in every pair; tops that leave part of
    it bare by design (straps, a cropped hem) cover :data:`MIN_OUTLINE_COVERAGE` of the torso
    inside their own outline, so no hole or sliver shows inside them."""
    analyser = GarmentAnalyser()
    bare = {pair.garment_name: _leaves_torso_bare(analyser, pair.garment) for pair in renders.pairs}
    assert 0 < sum(bare.values()) < len(bare), bare  # both kinds are tested
    low = {}
    for pair in renders.pairs:
        name, value = (
            ("outline coverage", pair.result.diagnostics["outline_coverage"])
            if bare[pair.garment_name]
            else ("torso IoU", pair.result.diagnostics["torso_iou"])
        )
        if value < (MIN_OUTLINE_COVERAGE if bare[pair.garment_name] else MIN_TORSO_IOU):
            low[(pair.person_name, pair.garment_name)] = (name, round(float(value), 3))
    assert not low, low


@pytest.mark.slow
def test_torso_colour_moves_towards_the_garment(renders: Renders) -> None:
    for pair in renders.pairs:
        torso = pair.result.masks["torso"] & pair.result.masks["garment_warped"]
        garment_lab = _garment_colour(pair.garment)
        before = np.linalg.norm(rgb_to_lab(pair.person[torso]).mean(axis=0) - garment_lab)
        after = np.linalg.norm(rgb_to_lab(np.asarray(pair.result.image)[torso]).mean(axis=0) - garment_lab)
        if before > 10:  # a person already wearing the garment's colour has nowhere to move
            assert after < before, (pair.person_name, pair.garment_name, before, after)


@pytest.mark.slow
def test_outside_person_and_face_unchanged(renders: Renders) -> None:
    for pair in renders.pairs:
        image = np.asarray(pair.result.image)
        change = np.abs(image.astype(float) - pair.person.astype(float))
        assert image.shape == pair.person.shape
        assert change[~pair.result.masks["person"]].mean() < 2.0, (pair.person_name, pair.garment_name)
        assert change[pair.result.masks["face"]].mean() < 1.0, (pair.person_name, pair.garment_name)


@pytest.mark.slow
def test_long_sleeves_follow_the_forearms(renders: Renders) -> None:
    """Sleeves that reach the wrist cover the forearms, wherever the arms are."""
    covered = {}
    for pair in renders.pairs:
        masks, reach = pair.result.masks, pair.result.diagnostics["sleeve_reach"]
        forearms = masks["forearms"] & ~masks["hands"]
        if reach >= 1.9 and forearms.sum() > 500:
            share = (masks["garment_warped"] & forearms).sum() / forearms.sum()
            covered[(pair.person_name, pair.garment_name)] = round(float(share), 3)
    print("forearm coverage by long sleeves:", covered)
    assert len(covered) >= 5
    assert np.median(list(covered.values())) >= 0.7, covered
    assert np.mean(np.array(list(covered.values())) > 0.5) >= 0.8, covered


def test_save_debug_writes_overlays(renders: Renders, tmp_path: Path) -> None:
    written = save_debug(renders.pairs[0].result, tmp_path)
    names = {path.name for path in written}
    assert {"keypoints.png", "warp_grid.png", "mask_garment_warped.png", "mask_face.png"} <= names


def _photos(shared_data: Path, kind: str) -> list[Path]:
    """Every photo of ``kind`` (person or garment) in the example folders, in name order."""
    return sorted(
        path
        for folder in FOLDERS
        if (shared_data / folder / kind).is_dir()
        for path in (shared_data / folder / kind).iterdir()
        if path.suffix.lower() in PHOTO_SUFFIXES
    )


def _guess(analyser: GarmentAnalyser, path: Path) -> str | None:
    """The garment class the pipeline reads off the photo; ``None`` for an unusable photo."""
    try:
        return analyser.guess(np.asarray(Image.open(path).convert("RGB")))
    except TryOnError:
        return None


def _garment_colour(garment: np.ndarray) -> np.ndarray:
    """Mean CIELAB colour of the garment pixels (white fabric on white paper included)."""
    small = garment[::4, ::4]
    return rgb_to_lab(small[product_mask(small)]).mean(axis=0)


SEEN_CATEGORIES = {
    "upper": (
        "00126_00.jpg",
        "00151_00.jpg",
        "02015_00.jpg",
        "02305_00.jpg",
        "03032_00.jpg",
        "048554_1.jpg",
        "048769_1.jpg",
        "049805_1.jpg",
        "049920_1.jpg",
        "049940_1.jpg",
        "049947_1.jpg",
        "049949_1.jpg",
        "049965_1.jpg",
        "050002_1.jpg",
        "050105_1.jpg",
        "050181_1.jpg",
        "050191_1.jpg",
        "06123_00.jpg",
        "07382_00.jpg",
        "07764_00.jpg",
        "10297_00.jpg",
    ),
    "lower": (
        "051412_1.jpg",
        "051473_1.jpg",
        "051515_1.jpg",
        "051827_1.jpg",
        "051946_1.jpg",
        "051988_1.jpg",
        "051991_1.jpg",
    ),
    "dress": (
        "051998_1.jpg",
        "052234_1.jpg",
        "053290_1.jpg",
        "053319_1.jpg",
        "053744_1.jpg",
        "053786_1.jpg",
        "053790_1.jpg",
    ),
}
"""Real garment photos and the class seen by eye (tops; trousers; dresses). Left out: 04825_00, a
long halter tunic whose silhouette is a dress's."""


def test_category_guess_on_real_garments(shared_data: Path) -> None:
    analyser = GarmentAnalyser()
    folder = shared_data / "tryon-examples" / "garment"
    wrong = [
        (name, seen, guessed)
        for seen, names in SEEN_CATEGORIES.items()
        for name in names
        if (guessed := analyser.guess(np.asarray(Image.open(folder / name).convert("RGB")))) != seen
    ]
    assert not wrong, wrong


def test_two_real_people_side_by_side_are_refused(shared_data: Path) -> None:
    folder = shared_data / "tryon-examples" / "person"
    left = Image.open(folder / "model_1.png").convert("RGB")
    right = Image.open(folder / "05997_00.jpg").convert("RGB").resize(left.size)
    both = Image.new("RGB", (left.width * 2, left.height))
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    garment = Image.open(shared_data / "tryon-examples" / "garment" / "00126_00.jpg").convert("RGB")
    with pytest.raises(TryOnError, match="found 2 people"):
        TryOn().render(both, garment)
    TryOn().render(left, garment)  # each of them alone is fine


def test_a_photo_of_a_person_is_refused_as_the_garment(shared_data: Path) -> None:
    analyser = GarmentAnalyser()
    accepted = []
    for path in _photos(shared_data, "person"):
        try:
            analyser.analyse(np.asarray(Image.open(path).convert("RGB")))
        except TryOnError as error:
            if "shows a person" not in str(error):
                accepted.append((path.name, str(error)))
        else:
            accepted.append((path.name, "rendered"))
    assert not accepted, accepted
    flagged = [
        p.name
        for p in _photos(shared_data, "garment")
        if shows_person(np.asarray(Image.open(p).convert("RGB")))
    ]
    assert not flagged, flagged


@pytest.mark.slow
def test_catalog_photos_never_crash_the_garment_analysis(shared_data: Path) -> None:
    """Any photo, read as any category, gives keypoints or a TryOnError: never another exception (a 500)."""
    folder = shared_data / "fashion-product-images" / "images"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    photos = sorted(folder.glob("*.jpg"))[:60] + _photos(shared_data, "person")
    analyser = GarmentAnalyser()
    crashes = []
    for path in photos:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        for category in ("upper", "lower", "dress", None):
            try:
                analyser.analyse(rgb, category)
            except TryOnError:
                continue
            except Exception as error:  # noqa: BLE001 - the test exists to catch any of them
                crashes.append((path.name, category, repr(error)))
    assert not crashes, crashes


@pytest.mark.slow
def test_product_photos_without_a_person_are_refused_as_the_person(shared_data: Path) -> None:
    """Shoes, bags and watches from the catalog: the pose model places a front-facing skeleton on
    some of them (8 of these 200 without the checks in BodyAnalyser); the pipeline must still say
    there is no person, not paint a top on a shoe."""
    paths = _catalog_photos(shared_data, ("Footwear", "Accessories"))
    accepted = _accepted(paths, BodyAnalyser().analyse)
    print(f"product photos taken for a person: {len(accepted)} of {len(paths)} {accepted}")
    # One in a hundred is tolerated: the catalog files a few photos of people under footwear.
    assert len(accepted) <= max(1, len(paths) // 100), accepted


@pytest.mark.slow
def test_shoes_are_refused_as_the_garment(shared_data: Path) -> None:
    paths = _catalog_photos(shared_data, ("Footwear",))
    accepted = _accepted(paths, GarmentAnalyser().analyse)
    print(f"shoe photos taken for a garment: {len(accepted)} of {len(paths)} {accepted}")
    assert len(accepted) <= max(1, len(paths) // 50), accepted


def _catalog_photos(shared_data: Path, categories: tuple[str, ...]) -> list[Path]:
    """The first :data:`PRODUCT_PHOTOS` catalog photos (by id) of the given master categories."""
    folder = shared_data / "fashion-product-images"
    if not (folder / "styles_merged.csv").is_file():
        pytest.skip(f"{folder / 'styles_merged.csv'} is absent")
    styles = pd.read_csv(folder / "styles_merged.csv", usecols=["id", "masterCategory"])
    ids = sorted(styles[styles["masterCategory"].isin(categories)]["id"])
    paths = [p for p in (folder / "images" / f"{i}.jpg" for i in ids) if p.is_file()][:PRODUCT_PHOTOS]
    assert len(paths) >= PRODUCT_PHOTOS // 2, f"too few {'/'.join(categories)} photos in {folder}"
    return paths


def _accepted(paths: list[Path], analyse: Callable[[np.ndarray], object]) -> list[str]:
    """Names of the photos ``analyse`` takes without a :class:`TryOnError`."""
    accepted = []
    for path in paths:
        try:
            analyse(np.asarray(Image.open(path).convert("RGB")))
        except TryOnError:
            continue
        accepted.append(path.name)
    return accepted


def _leaves_torso_bare(analyser: GarmentAnalyser, garment: np.ndarray) -> bool:
    """Whether a top leaves part of the torso bare by design: strappy shoulders or a cropped hem."""
    shape = analyser.analyse(garment, "upper")
    points, mask = shape.keypoints, shape.mask
    right, left = round(points["right_hem"][0]), round(points["left_hem"][0])
    shoulders = round(min(points["right_shoulder"][1], points["left_shoulder"][1]))
    band = mask[shoulders : round(points["right_armpit"][1]), right:left]
    length = (points["right_hem"][1] - shoulders) / max(left - right, 1)
    return (band.mean() if band.size else 0.0) < STRAPPY_SHOULDERS or length < CROPPED_LENGTH
