"""Try-on takes every front-view product photo of a top, bottoms or dress in a sample of ../shared/data.

The photos the catalogs file as a top, bottoms or dress (benchmarks/product_photos.py: H&M's
garment groups, Myntra's Topwear/Bottomwear/Dress, the try-on example garments) are sampled
(:func:`sampled`: a fixed seeded share of each large collection and class, 1,046 of 5,757 photos,
every try-on example garment among them) and go through ``GarmentAnalyser.analyse`` with their
catalog's category. The only refusals allowed are those that say what the photo shows instead of
one garment from the front — checked by eye on these photos:

* a person wears it: Myntra photographs most of its garments on a model (4,483 of its 5,090),
  some with the head cut off, and one H&M baby overall the pose model takes for a baby;
* several garments overlap: H&M's multi-packs and baby sets (about 45 of its 519);
* it is not one whole garment from the front: H&M's detail close-ups, a few Myntra trousers
  photographed at an angle or on a leg form.

Anything else (no garment found, a background not plain, an unsupported class, a crash) fails
the test, but for one close-up checked by eye (:data:`EXCEPTIONS`); and no more photos than were
seen by eye are refused for the last two reasons (:data:`SEEN_REFUSED`). The photos are analysed
in two processes; the counts per collection and every refused photo but a person's are printed.
``python -m benchmarks.product_mask`` counts the refusals over every photo.
"""

from __future__ import annotations

import collections
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from benchmarks.product_photos import ProductPhoto, product_photos
from PIL import Image

from vestis.tryon import TryOnError
from vestis.tryon.garment import GarmentAnalyser

pytestmark = pytest.mark.slow

ALLOWED = {
    "person": "shows a person wearing it",
    "overlapping": "shows several garments overlapping",
    "not a front view": "does not show a garment from the front",
    "cut by the frame": "does not show the whole garment",
}
"""The refusals a product photo may get, by kind: a phrase of each message."""
EXCEPTIONS = {"0399061015.jpg": "no garment found", "0544627005.jpg": "no garment found"}
"""Photos refused for another reason, checked by eye: two H&M detail close-ups, of denim pocket
stitching and of a blue fabric's button (the photo is mostly fabric: no garment stands out from
a background)."""
SEEN_REFUSED = {
    "hm-articles-images": 23,
    "hm-sample": 6,
    "fashion-product-images": 3,
    "fashion-product-images-hires": 4,
}
"""Photos of the sample per collection refused as no front view of one garment (overlapping, cut by
the frame, or not a front view), counted by running this module once on the sample (``pytest -s``
prints them). Of the same kinds as the refusals over all photos, which were checked by eye (57, 6,
38 and 4): H&M's multi-packs, baby sets and detail close-ups; Myntra's models the pose model misses
(legs with the head cut off, portraits), tights on leg forms, folded shirts and one pair of
trousers photographed at an angle. One more is tolerated; more would mean garments lost to the
mask."""
TOLERANCE = 1
"""U²-Net-p gives the same maps in one thread and in two (checked); a processor with other vector
instructions may round a borderline photo the other way (two were tolerated over all 5,757
photos, one over this sample of 1,046)."""
WORKERS = 2
SHARE = {"fashion-product-images": 1 / 8, "hm-articles-images": 1 / 2}
"""The share of each large collection's photos that is analysed, of each class; the other
collections (hm-sample, the Myntra high-resolution sample, the try-on examples) are analysed whole."""
SEED = 12


@pytest.fixture(scope="module")
def verdicts(shared_data: Path) -> dict[str, list[tuple[ProductPhoto, str]]]:
    """Each photo with its refusal kind (``"taken"`` when analysed), by collection."""
    photos = sampled(product_photos(shared_data))
    if not photos:
        pytest.skip(f"no product photos under {shared_data}")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        kinds = list(pool.map(_verdict, photos, chunksize=32))
    by_collection = collections.defaultdict(list)
    for photo, kind in zip(photos, kinds, strict=True):
        by_collection[photo.collection].append((photo, kind))
    for collection, results in sorted(by_collection.items()):
        counts = collections.Counter(kind for _, kind in results)
        print(f"{collection}: {len(results)} photos, {dict(counts)}")
        for photo, kind in results:
            if kind not in ("taken", "person"):
                print(f"  {kind}: {photo.path.name} ({photo.category})")
    return by_collection


def test_only_photos_that_are_no_front_view_of_one_garment_are_refused(
    verdicts: dict[str, list[tuple[ProductPhoto, str]]],
) -> None:
    other = [
        (photo.path.name, kind)
        for results in verdicts.values()
        for photo, kind in results
        if kind.startswith("!") and EXCEPTIONS.get(photo.path.name, "~") not in kind
    ]
    assert not other, other


def test_the_example_garments_are_all_taken(verdicts: dict[str, list[tuple[ProductPhoto, str]]]) -> None:
    refused = [
        (photo.path.name, kind)
        for name in ("tryon-examples", "tryon-examples-idm")
        for photo, kind in verdicts.get(name, [])
        if kind != "taken"
    ]
    assert not refused, refused


@pytest.mark.parametrize("collection", sorted(SEEN_REFUSED))
def test_no_more_photos_are_refused_as_no_front_view_than_were_seen(
    verdicts: dict[str, list[tuple[ProductPhoto, str]]], collection: str
) -> None:
    if collection not in verdicts:
        pytest.skip(f"{collection} is absent")
    refused = [
        photo.path.name
        for photo, kind in verdicts[collection]
        if kind not in ("taken", "person") and not kind.startswith("!")  # other refusals: the first test
    ]
    assert len(refused) <= SEEN_REFUSED[collection] + TOLERANCE, refused


def sampled(photos: list[ProductPhoto]) -> list[ProductPhoto]:
    """The :data:`SHARE` of each collection's photos of each class, drawn with :data:`SEED`.

    Drawn per class so that a collection's few dresses are not left out; the order of ``photos``
    (by catalog and product id, from :func:`product_photos`) is kept, so the sample is the same
    wherever the data is.
    """
    strata = collections.defaultdict(list)
    for photo in photos:
        strata[photo.collection, photo.category].append(photo)
    chosen = set()
    for (collection, _), members in strata.items():
        count = math.ceil(SHARE.get(collection, 1.0) * len(members))
        indices = np.random.default_rng(SEED).choice(len(members), size=count, replace=False)
        chosen.update(members[index].path for index in indices)
    return [photo for photo in photos if photo.path in chosen]


def _verdict(photo: ProductPhoto) -> str:
    """``"taken"``, the allowed refusal kind, or ``"!"`` and the message of any other outcome."""
    try:
        GarmentAnalyser().analyse(np.asarray(Image.open(photo.path).convert("RGB")), photo.category)
    except TryOnError as error:
        message = str(error)
        return next((kind for kind, phrase in ALLOWED.items() if phrase in message), f"!{message}")
    except Exception as error:  # noqa: BLE001 - any other failure is reported, not raised in a worker
        return f"!{error!r}"
    return "taken"
