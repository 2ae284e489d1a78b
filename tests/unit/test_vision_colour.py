"""sRGB ↔ CIELAB conversion: reference values, the round trip, and the fast 8-bit path's error."""

from __future__ import annotations

import numpy as np

from vestis.vision.colour import lab_to_rgb, rgb_to_lab


def test_reference_colours_have_their_textbook_lab_values() -> None:
    lab = rgb_to_lab(np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0]], dtype=np.uint8))
    np.testing.assert_allclose(lab[0], [100.0, 0.0, 0.0], atol=0.1)
    np.testing.assert_allclose(lab[1], [0.0, 0.0, 0.0], atol=0.1)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.3)  # sRGB red, D65


def test_round_trip_and_shapes() -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    lab = rgb_to_lab(rgb)
    assert lab.shape == rgb.shape and lab.dtype == np.float32
    assert np.abs(lab_to_rgb(lab) - rgb).max() < 1.5
    assert rgb_to_lab(np.zeros((0, 3))).shape == (0, 3)


def test_fast_path_stays_within_about_one_delta_e() -> None:
    rgb = np.random.default_rng(1).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    error = np.linalg.norm(rgb_to_lab(rgb, precise=False) - rgb_to_lab(rgb), axis=-1)
    assert np.percentile(error, 99) < 1.2 and error.max() < 3.0
