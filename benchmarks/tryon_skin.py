"""How close the skin a try-on paints is to the person's own: ΔE (CIEDE2000) to the face.

Run: ``.venv/bin/python -m benchmarks.tryon_skin`` — renders every person photo in
``../shared/data/tryon-examples*/person`` with :data:`PER_PERSON` short-sleeved or sleeveless tops
(garments whose longer sleeve is under :data:`SHORT_SLEEVE` shoulder widths, handed round the
persons in turn) and prints, per pair and over all pairs that bare skin, the CIEDE2000 between the
mean colour of the filled skin (clear of the garment's feathered edge) and the median of the
face's skin (:func:`vestis.tryon.compose.skin_delta_e`). Beside it, the same figure for the arm
skin the photo already showed, how far a real arm is from its face (the scale the fill is judged
on), and the filled skin against those bare arms, the colour to match where the face is lit
differently from the body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from benchmarks.tryon import _open, _photos, _sleeve_length
from vestis.tryon import TryOn, TryOnError, TryOnResult
from vestis.tryon.compose import ciede2000, skin_delta_e
from vestis.tryon.garment import GarmentAnalyser
from vestis.tryon.pipeline import working_copy
from vestis.vision.colour import rgb_to_lab

SHORT_SLEEVE = 0.7
"""Longest sleeve, root to end in the garment's shoulder widths, of a short-sleeved top."""
PER_PERSON = 4
MIN_PIXELS = 50
"""Fewest pixels of filled and of bare arm skin to compare."""


@dataclass(frozen=True)
class SkinPair:
    """One person × top render: ΔE to the face of the skin filled in and of the photo's own bare
    arms, and of the skin filled in to those arms (``None`` where there is too little skin)."""

    person: str
    garment: str
    filled: float | None
    natural: float | None
    to_arms: float | None


def main() -> None:
    """Render the pairs and print ΔE per pair and its median, mean and 90th percentile."""
    pairs = list(skin_pairs())
    for pair in pairs:
        print(
            f"{pair.person} × {pair.garment}: filled skin to face ΔE {_show(pair.filled)}, bare arms to "
            f"face {_show(pair.natural)}, filled skin to bare arms {_show(pair.to_arms)}"
        )
    filled = [pair.filled for pair in pairs if pair.filled is not None]
    natural = {pair.person: pair.natural for pair in pairs if pair.natural is not None}
    to_arms = [pair.to_arms for pair in pairs if pair.to_arms is not None]
    print(
        f"filled skin vs face, CIEDE2000 over {len(filled)} pairs: {summary(filled)}\n"
        f"the photos' own bare arms vs face over {len(natural)} persons: {summary(list(natural.values()))}\n"
        f"filled skin vs the photo's own bare arms over {len(to_arms)} pairs: {summary(to_arms)}"
    )


def skin_pairs(per_person: int = PER_PERSON) -> Iterator[SkinPair]:
    """Every person photo with ``per_person`` short-sleeved or sleeveless tops, handed round the
    persons in turn; a person the pipeline refuses is skipped."""
    analyser = GarmentAnalyser()
    tops = [path for path in _photos("garment") if _is_top(analyser, path)]
    tops = [path for path in tops if _sleeve_length(path) < SHORT_SLEEVE]
    tryon = TryOn()
    for index, person_path in enumerate(_photos("person")):
        person = _open(person_path)
        for turn in range(per_person):
            garment_path = tops[(per_person * index + turn) % len(tops)]
            try:
                result = tryon.render(person, _open(garment_path))
            except TryOnError:
                break
            shown = np.asarray(working_copy(person))  # the photo at the size it was rendered
            yield SkinPair(person_path.name, garment_path.name, *measure(shown, result))


def measure(person: np.ndarray, result: TryOnResult) -> tuple[float | None, float | None, float | None]:
    """ΔE of the skin the render filled in (arms as drawn along the skeleton, torso, neck; clear
    of the garment's feathered edge) against the face's skin; of the bare arm skin the photo
    already showed against the face's; and of the filled skin against that bare arm skin (the
    colour to match when the face is lit differently). ``None`` where there is too little skin."""
    masks = result.masks
    face = masks["face"] & masks["skin"]
    bare = masks.get("arms_drawn", masks["arms"]) | masks["torso"] | masks["neck"]
    edge = cv2.dilate(masks["garment_warped"].astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    filled = masks["filled"] & bare & ~edge
    arms = masks["arms"] & masks["skin"] & ~masks["hands"] & ~masks["old_clothing"]
    rendered = np.asarray(result.image)
    to_arms = None
    if min(filled.sum(), arms.sum()) >= MIN_PIXELS:
        arm_colour = np.median(rgb_to_lab(person[arms]), axis=0)
        to_arms = float(ciede2000(rgb_to_lab(rendered[filled]).mean(axis=0), arm_colour))
    return skin_delta_e(rendered, face, filled), skin_delta_e(person, face, arms), to_arms


def summary(values: list[float]) -> str:
    """Median, mean, 90th percentile and largest of ``values``, to one decimal."""
    if not values:
        return "none"
    return (
        f"median {np.median(values):.1f}, mean {np.mean(values):.1f}, "
        f"p90 {np.percentile(values, 90):.1f}, max {max(values):.1f}"
    )


def _is_top(analyser: GarmentAnalyser, path: Path) -> bool:
    try:
        return analyser.guess(np.asarray(Image.open(path).convert("RGB"))) == "upper"
    except TryOnError:
        return False


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
