"""Background removal on the real garment photos: pure-white borders, and the garment kept whole.

The reference masks in tests/fixtures/garment_masks were checked by eye and hand-corrected
(see the README there); this test measures the segmentation against them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vestis.studio.metrics import background_purity
from vestis.studio.recipes import load_recipe
from vestis.vision.io import load_image
from vestis.vision.product_mask import product_mask
from vestis.vision.segment import person_alpha

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "garment_masks"
FOLDERS = ("tryon-examples/garment", "tryon-examples-idm/garment")


@pytest.fixture(scope="module")
def photos(shared_data: Path) -> dict[str, Image.Image]:
    """Every real garment photo, by file stem."""
    paths = sorted(p for folder in FOLDERS for p in (shared_data / folder).glob("*.jpg"))
    assert len(paths) == 51, f"expected the 51 garment photos, found {len(paths)}"
    return {path.stem: load_image(path) for path in paths}


def test_every_photo_has_a_checked_mask(photos: dict[str, Image.Image]) -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.png")) == sorted(photos)


def test_product_mask_matches_the_checked_masks(photos: dict[str, Image.Image]) -> None:
    scores = {name: _iou(name, photo) for name, photo in photos.items()}
    worst = sorted(scores.items(), key=lambda item: item[1])[:5]
    values = np.array(list(scores.values()))
    print(f"mask IoU over {len(values)} photos: min {values.min():.3f} median {np.median(values):.3f}")
    assert min(scores.values()) >= 0.95, f"lowest IoU: {worst}"
    assert np.median(list(scores.values())) >= 0.98, f"median IoU {np.median(list(scores.values())):.3f}"


def test_marketplace_white_borders_are_pure_white(photos: dict[str, Image.Image]) -> None:
    recipe = load_recipe("marketplace-white")
    purity = {name: background_purity(recipe.apply(photo)) for name, photo in photos.items()}
    worst = sorted(purity.items(), key=lambda item: item[1])[:5]
    print(f"border purity over {len(purity)} photos: min {min(purity.values()):.4f}")
    assert min(purity.values()) >= 0.99, f"lowest border purity: {worst}"


def test_person_photos_use_the_person_mask(shared_data: Path, photos: dict[str, Image.Image]) -> None:
    people = sorted((shared_data / "tryon-examples/person").glob("*.jpg"))[:6]
    for path in people:
        alpha = person_alpha(np.asarray(load_image(path)))
        assert alpha is not None, f"no person found in {path.name}"
        assert 0.1 <= (alpha >= 0.5).mean() <= 0.9, path.name
    assert [name for name, photo in photos.items() if person_alpha(np.asarray(photo)) is not None] == []


def _iou(name: str, photo: Image.Image) -> float:
    reference = np.asarray(Image.open(FIXTURES / f"{name}.png")).astype(bool)
    mask = Image.fromarray(product_mask(np.asarray(photo)).astype(np.uint8) * 255)
    found = np.asarray(mask.resize(reference.shape[::-1], Image.Resampling.BOX)) >= 128
    return float((found & reference).sum() / (found | reference).sum())
