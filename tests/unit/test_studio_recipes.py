"""Studio steps and recipes: names and parameters are checked up front, errors say where and what."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vestis.studio.errors import StudioError
from vestis.studio.recipes import Recipe, encode, list_recipes, load_recipe, recipe_names
from vestis.studio.steps import STEPS, get_step, run_step

SHIPPED = {"marketplace-white", "enhance", "lifestyle-warm", "transparent-png"}


def _product(size: tuple[int, int] = (160, 200), colour: tuple[int, int, int] = (200, 40, 40)) -> Image.Image:
    """A red "garment" on an off-white studio background."""
    image = Image.new("RGB", size, (236, 234, 230))
    ImageDraw.Draw(image).rectangle((40, 50, size[0] - 40, size[1] - 30), fill=colour)
    return image


def _write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_step_resolves_to_a_function_with_keyword_parameters() -> None:
    for step in STEPS.values():
        assert callable(step.func), step.name
        assert all(p.kind is p.KEYWORD_ONLY for p in step.parameters.values()), step.name


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("blur", {}, r"unknown step 'blur'; valid steps: remove-background, fit-canvas, .*, style$"),
        (
            "recolor",
            {"to": "navy", "colour": "red"},
            r"step 'recolor' has no parameter 'colour'; valid parameters: to, mode, mask",
        ),
        (
            "recolor",
            {"to": "navy", "mode": "bright"},
            r"parameter 'mode' expects one of 'all', 'dominant', got 'bright'",
        ),
        ("recolor", {"to": 3}, r"parameter 'to' expects text or tuple, got 3"),
        ("recolor", {}, r"step 'recolor' needs parameter 'to'"),
        ("pattern-fill", {"angle": "steep"}, r"parameter 'angle' expects a number, got 'steep'"),
    ],
)
def test_bad_steps_and_parameters_are_named(name: str, params: dict[str, object], message: str) -> None:
    with pytest.raises(StudioError, match=message):
        get_step(name).validate(params)


def test_validation_converts_toml_values() -> None:
    checked = get_step("pattern-fill").validate({"colour": [10, 20, 30], "angle": 45})
    assert checked == {"colour": (10, 20, 30), "angle": 45}


def test_run_step_validates_then_runs_without_mutating_the_input() -> None:
    photo = _product()
    before = photo.tobytes()
    result = run_step("recolor", photo, to="#1f3a93")
    assert photo.tobytes() == before
    red, green, blue = result.getpixel((80, 100))
    assert blue > red and blue > green
    assert result.getpixel((2, 2)) == photo.getpixel((2, 2))


def test_shipped_recipes_load_and_are_listed() -> None:
    assert SHIPPED <= set(recipe_names())
    recipes = {recipe.name: recipe for recipe in list_recipes()}
    assert recipes["marketplace-white"].output_format == "jpeg"
    assert recipes["transparent-png"].output_format == "png"
    assert [s.step for s in recipes["enhance"].steps][-1] == "upscale"
    assert all(recipe.description for recipe in recipes.values())


def test_unknown_recipe_lists_the_shipped_ones() -> None:
    with pytest.raises(
        StudioError, match=r"unknown recipe 'marketplace'; shipped recipes: .*marketplace-white"
    ):
        load_recipe("marketplace")


def test_a_user_recipe_file_runs_with_paths_relative_to_it(tmp_path: Path) -> None:
    texture = Image.new("RGB", (8, 8), (0, 160, 0))
    texture.save(tmp_path / "green.png")
    path = _write(
        tmp_path,
        """
description = "Green colourway"
output_format = "jpg"

[[steps]]
step = "pattern-fill"
pattern = "green.png"
""",
    )
    recipe = load_recipe(str(path))
    assert (recipe.name, recipe.output_format, recipe.suffix) == ("mine", "jpeg", ".jpg")
    assert recipe.steps[0].params["pattern"] == tmp_path / "green.png"
    result = recipe.apply(_product())
    red, green, _ = result.getpixel((80, 100))
    assert green > red + 40
    assert Image.open(io.BytesIO(recipe.encode(result))).format == "JPEG"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[steps]\nstep = 1", r"mine.toml: not valid TOML"),
        ('colour = "red"', r"mine.toml: unknown key 'colour'; valid keys: description, output_format, steps"),
        ('output_format = "gif"', r"mine.toml: output_format must be one of png, jpeg, webp, got 'gif'"),
        (
            '[[steps]]\nbackground = "white"',
            r"mine.toml: step 1: each \[\[steps\]\] table needs a 'step' key",
        ),
        (
            '[[steps]]\nstep = "recolor"\nto = "red"\n\n[[steps]]\nstep = "recolor"\nto = "red"\nmode = "most"',
            r"mine.toml: step 2 \(recolor\): .*parameter 'mode' expects one of 'all', 'dominant', got 'most'",
        ),
        ('[[steps]]\nstep = "sparkle"', r"mine.toml: step 1 \(sparkle\): unknown step 'sparkle'"),
        (
            '[[steps]]\nstep = "pattern-fill"\npattern = "missing.png"\n',
            None,
        ),
    ],
)
def test_bad_recipe_files_name_the_file_step_and_parameter(
    tmp_path: Path, text: str, message: str | None
) -> None:
    path = _write(tmp_path, text)
    if message is None:  # a pattern name that is not a file stays a name; the step judges it when run
        assert load_recipe(path).steps[0].params["pattern"] == "missing.png"
        return
    with pytest.raises(StudioError, match=message):
        load_recipe(path)


def test_missing_recipe_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StudioError, match=r"nothing.toml: cannot read recipe file"):
        load_recipe(tmp_path / "nothing.toml")


def test_jpeg_output_puts_transparency_on_white() -> None:
    cutout = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    cutout.paste((10, 20, 200, 255), (24, 24, 40, 40))
    decoded = Image.open(io.BytesIO(encode(cutout, "jpeg")))
    assert decoded.mode == "RGB"
    assert decoded.getpixel((3, 3)) == (255, 255, 255)  # a JPEG block away from the product
    assert np.abs(np.subtract(decoded.getpixel((32, 32)), (10, 20, 200))).max() < 12


def test_marketplace_white_puts_the_product_on_a_pure_white_square() -> None:
    from vestis.studio.metrics import background_purity

    result = load_recipe("marketplace-white").apply(_product((300, 420)))
    assert result.size == (1600, 1600)
    assert background_purity(result) >= 0.99
    pixels = np.asarray(result.convert("RGB"))
    rows = np.flatnonzero((pixels != 255).any(axis=2).any(axis=1))
    assert 0.80 <= (rows[-1] - rows[0] + 1) / 1600 <= 0.90  # the product fills ~85 % of the height


def test_an_identity_recipe_returns_the_image() -> None:
    photo = _product()
    assert Recipe("copy", ()).apply(photo) is photo


def test_tone_shift_warms_highlights_more_than_shadows_and_keeps_alpha() -> None:
    from vestis.studio.grade import tone_shift
    from vestis.vision.colour import rgb_to_lab

    ramp = np.repeat(np.linspace(30, 230, 64, dtype=np.uint8)[None, :, None], 3, axis=2).repeat(8, axis=0)
    alpha = np.full((8, 64, 1), 77, dtype=np.uint8)
    image = Image.fromarray(np.concatenate([ramp, alpha], axis=2), "RGBA")
    warm = np.asarray(tone_shift(image, warmth=10, tint=-4))
    lab = rgb_to_lab(warm[..., :3])
    assert (warm[..., 3] == 77).all()
    assert 1.0 < lab[0, 2, 2] < lab[0, 61, 2] < 10.5  # b* grows with lightness, up to ~warmth
    assert -4.5 < lab[0, 61, 1] < -2.0  # the tint moves a* the other way
    cool = rgb_to_lab(np.asarray(tone_shift(image.convert("RGB"), warmth=-10))[0, 61])
    assert cool[2] < -6
    with pytest.raises(StudioError, match=r"warmth: expected a shift between -30 and 30; got 45"):
        tone_shift(image, warmth=45)
