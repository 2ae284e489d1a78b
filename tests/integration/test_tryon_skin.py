"""Skin a try-on bares looks like the person's own, on the real VITON-HD / DressCode photos.

Every person photo in ``../shared/data/tryon-examples*`` wears a short-sleeved or sleeveless top
(see :mod:`benchmarks.tryon_skin`); the mean colour of the skin filled in where the old clothing
was is compared (CIEDE2000) with the face's and with the arms the photo already shows bare. The
bounds come from the same photos, one top a person as here: their own bare arms differ from
their faces by a median of 3.9 (light, make-up; 9.3 at the 90th percentile, so the face alone
cannot bound the outliers); the fill measured 3.6 to the face (median) and 4.5 to the bare arms
(90th percentile), where the fill before it (one tone from the nearby skin, the sleeves' shading)
measured 3.8 and 6.8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from benchmarks.tryon_skin import skin_pairs, summary

FACE_MEDIAN = 4.5
"""Largest median CIEDE2000 of filled skin to the face: the photos' own arms' median (3.9) and a
little slack, so the fill is as close to the face as a real arm."""
ARMS_P90 = 5.5
"""Largest 90th percentile of filled skin to the photo's bare arms: a fill taken from the
person's own skin leaves no outlier beyond a couple of just-noticeable differences (the old
fill's reached 6.8)."""


@pytest.mark.slow
def test_filled_skin_is_the_persons_own(shared_data: Path) -> None:
    pairs = list(skin_pairs(per_person=1))
    to_face = sorted((pair.filled, pair.person, pair.garment) for pair in pairs if pair.filled is not None)
    to_arms = sorted((pair.to_arms, pair.person, pair.garment) for pair in pairs if pair.to_arms is not None)
    print(
        f"filled skin to face over {len(to_face)} of {len(pairs)} pairs: {summary([d for d, *_ in to_face])}"
    )
    print(f"filled skin to bare arms over {len(to_arms)} pairs: {summary([d for d, *_ in to_arms])}")
    assert len(pairs) >= 20 and len(to_face) >= 0.8 * len(pairs) and len(to_arms) >= 0.6 * len(pairs)
    assert np.median([delta for delta, *_ in to_face]) < FACE_MEDIAN, to_face
    assert np.percentile([delta for delta, *_ in to_arms], 90) < ARMS_P90, to_arms[-3:]
