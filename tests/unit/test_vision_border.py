"""The one place a photo's border is read: its pixels, its colour, a square canvas of it."""

from __future__ import annotations

import numpy as np

from vestis.vision.border import border_colour, border_pixels, square_on_border


def photo_on_paper(height: int = 6, width: int = 8) -> np.ndarray:
    """Grey paper with a dark square in the middle and a red stripe down the left edge."""
    photo = np.full((height, width, 3), 200, np.uint8)
    photo[2:4, 3:5] = 20
    photo[:, 0] = (220, 30, 30)
    return photo


def test_border_pixels_read_every_edge_or_only_top_and_bottom() -> None:
    photo = photo_on_paper()
    assert border_pixels(photo).shape == (2 * 8 + 2 * 6, 3)
    assert border_pixels(photo, width=2).shape == (4 * 8 + 4 * 6, 3)
    rows = border_pixels(photo, width=2, columns=False)
    assert rows.shape == (4 * 8, 3)
    assert not (border_pixels(photo) == 20).all(axis=1).any()  # the product never touches it


def test_the_border_colour_is_the_paper_whatever_touches_one_edge() -> None:
    photo = photo_on_paper()
    assert border_colour(photo).tolist() == [200.0, 200.0, 200.0]
    lab_like = photo.astype(np.float32) / 2.0
    assert border_colour(lab_like, width=2, columns=False).tolist() == [100.0, 100.0, 100.0]


def test_a_single_channel_image_gives_one_column() -> None:
    mask = np.zeros((5, 5), np.uint8)
    assert border_pixels(mask).shape == (20, 1)


def test_square_on_border_centres_the_photo_on_its_paper() -> None:
    photo = photo_on_paper(4, 8)
    square = square_on_border(photo)
    assert square.shape == (8, 8, 3)
    assert np.array_equal(square[2:6], photo)
    assert (square[:2] == 200).all() and (square[6:] == 200).all()
