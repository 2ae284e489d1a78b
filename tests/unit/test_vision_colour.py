"""sRGB ↔ CIELAB conversion: reference values, the round trip, and the fast 8-bit path's error."""

from __future__ import annotations

import numpy as np

from vestis.vision.colour import lab_to_rgb, rgb_to_lab, squared_distance


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


def test_squared_distance_is_the_weighted_norm_squared() -> None:
    pixels = np.random.default_rng(1).uniform(-80, 100, (500, 3)).astype(np.float32)
    reference = np.array([55.0, 12.0, -20.0])
    weights = (0.33, 1.0, 2.0)
    expected = np.linalg.norm((pixels - reference) * np.array(weights), axis=-1) ** 2
    got = squared_distance(pixels, reference, weights)
    assert got.shape == (500,) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4)
    np.testing.assert_allclose(
        squared_distance(pixels, reference), np.sum((pixels - reference) ** 2, axis=1), rtol=1e-4
    )
