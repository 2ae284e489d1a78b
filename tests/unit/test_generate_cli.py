"""``vestis generate sample``: a labelled contact sheet from a generator file; bad input named, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.unit.fake_generator import FakeGenerator, register
from vestis.cli import app
from vestis.config import get_settings
from vestis.generate import MAX_SAMPLES
from vestis.generate.provenance import DIGITAL_SOURCE_TYPE, read_provenance

pytestmark = pytest.mark.usefixtures("one_torch_thread")

runner = CliRunner()


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    register(monkeypatch)
    return FakeGenerator(size=24).save(tmp_path / "fake.vgen")


def _sample(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    env = {"COLUMNS": "400", **(env or {})}  # so that rich does not wrap the error box
    result = runner.invoke(app, ["--home", str(tmp_path / "home"), "generate", "sample", *args], env=env)
    return result.exit_code, " ".join(result.output.split())


def test_sample_writes_a_labelled_sheet_that_a_seed_repeats(tmp_path: Path, model: Path) -> None:
    options = ["--n", "6", "--type", "dress", "--colour", "red", "--seed", "3", "--model", str(model)]
    code, output = _sample(tmp_path, *options, "-o", str(tmp_path / "a.png"))
    assert code == 0, output
    assert "6 generated 24×24 images" in output
    _sample(tmp_path, *options, "-o", str(tmp_path / "b.png"))
    _sample(tmp_path, *options[:-3], "4", "--model", str(model), "-o", str(tmp_path / "c.png"))
    first = np.asarray(Image.open(tmp_path / "a.png"))
    assert np.array_equal(first, np.asarray(Image.open(tmp_path / "b.png")))
    assert not np.array_equal(first, np.asarray(Image.open(tmp_path / "c.png")))
    assert first.shape[1] == 3 * 24 + 4 * 4  # 6 images: a 3 × 2 grid
    assert read_provenance(tmp_path / "a.png") == {
        "generated": True,
        "digital_source_type": DIGITAL_SOURCE_TYPE,
        "software": read_provenance(tmp_path / "b.png")["software"],  # type: ignore[index]
        "generator_kind": "fake",
        "product_type": "dress",
        "colour": "red",
        "seed": 3,
        "index": None,
        "count": 6,
    }


def test_the_generator_file_may_come_from_vestis_generator(tmp_path: Path, model: Path) -> None:
    code, output = _sample(
        tmp_path, "--n", "2", "-o", str(tmp_path / "g.png"), env={"VESTIS_GENERATOR": str(model)}
    )
    assert code == 0, output
    assert read_provenance(tmp_path / "g.png")["generator_kind"] == "fake"  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (
            ["--type", "spaceship"],
            "--type",
            "unknown type 'spaceship'; this generator knows dress, shirt, bag",
        ),
        (["--colour", "mauve"], "--colour", "unknown colour 'mauve'"),
        (["--n", str(MAX_SAMPLES + 1)], "--n", f"from 1 to {MAX_SAMPLES}"),
        (["--n", "0"], "--n", f"from 1 to {MAX_SAMPLES}"),
        (["--seed", "-1"], "--seed", "from 0 to"),
    ],
)
def test_bad_input_exits_2_naming_the_option(
    tmp_path: Path, model: Path, args: list[str], option: str, words: str
) -> None:
    code, output = _sample(tmp_path, *args, "--model", str(model), "-o", str(tmp_path / "x.png"))
    assert code == 2, output
    assert option in output and words in output
    assert not (tmp_path / "x.png").exists()


def test_a_missing_or_foreign_model_file_is_a_bad_model_option(tmp_path: Path, model: Path) -> None:
    code, output = _sample(tmp_path, "--model", str(tmp_path / "nope.vgen"), "-o", str(tmp_path / "x.png"))
    assert code == 2 and "--model" in output and "no generator file here" in output
    (tmp_path / "junk.vgen").write_text("not a zip")
    code, output = _sample(tmp_path, "--model", str(tmp_path / "junk.vgen"), "-o", str(tmp_path / "x.png"))
    assert code == 2 and "not a Vestis generator file" in output


def test_the_output_must_be_a_png(tmp_path: Path, model: Path) -> None:
    code, output = _sample(tmp_path, "--model", str(model), "-o", str(tmp_path / "grid.jpg"))
    assert code == 2 and "-o/--output" in output and ".png" in output


def _folder_of_photos(folder: Path, count: int = 12) -> Path:
    rows = []
    for index in range(count):
        path = folder / "shots" / f"{index}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        colour = (220, 40, 40) if index % 2 else (40, 40, 220)
        picture = Image.new("RGB", (48, 64), (255, 255, 255))
        picture.paste(colour, (12, 16, 36, 48))
        picture.save(path)
        rows.append(f"shots/{index}.png,tee,{'red' if index % 2 else 'blue'}")
    (folder / "photos.csv").write_text("image_path,product_type,color\n" + "\n".join(rows) + "\n")
    return folder


def test_train_writes_a_generator_and_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    data, output = _folder_of_photos(tmp_path / "data"), tmp_path / "products.vgen"
    train = [
        "generate",
        "train",
        "--data",
        str(data),
        "--kind",
        "vae",
        "--holdout",
        "0.25",
        "--min-count",
        "1",
    ]
    train += ["-q", "-o", str(output)]
    first = runner.invoke(app, ["--home", str(tmp_path / "home"), *train, "--epochs", "1"])
    assert first.exit_code == 0, first.output
    assert output.is_file() and output.with_suffix(".ckpt").is_file()
    again = runner.invoke(app, ["--home", str(tmp_path / "home"), *train, "--epochs", "2"])
    assert again.exit_code == 0, again.output
    code, output_text = _sample(
        tmp_path, "--n", "2", "--colour", "red", "--model", str(output), "-o", str(tmp_path / "s.png")
    )
    assert code == 0, output_text
    sheet = tmp_path / "colourways.png"
    colourway = ["generate", "colourway", "--photo", str(data / "shots" / "1.png"), "--type", "tee"]
    colourway += ["--colour", "red", "--to", "blue,red", "--model", str(output), "-o", str(sheet)]
    made = runner.invoke(app, ["--home", str(tmp_path / "home"), *colourway])
    assert made.exit_code == 0, made.output
    provenance = read_provenance(sheet)
    assert provenance is not None and provenance["generated"] and Image.open(sheet).width > 3 * 64
    unknown = runner.invoke(
        app, ["--home", str(tmp_path / "home"), *colourway[:-6], "--to", "gold", *colourway[-4:]]
    )
    assert unknown.exit_code == 2 and "unknown colour 'gold'" in " ".join(unknown.output.split())
    varied = runner.invoke(
        app, ["--home", str(tmp_path / "home"), *colourway[:-6], "--variations", "3", *colourway[-4:]]
    )
    assert varied.exit_code == 0, varied.output
    assert "0 colourway(s) and 3 variation(s)" in varied.output and Image.open(sheet).width > 4 * 64
    neither = runner.invoke(app, ["--home", str(tmp_path / "home"), *colourway[:-6], *colourway[-4:]])
    assert neither.exit_code == 2 and "ask for variations" in " ".join(neither.output.split())
    bad = runner.invoke(
        app, ["--home", str(tmp_path / "home"), *train[:-2], "-o", str(output), "--size", "48"]
    )
    assert bad.exit_code == 2 and "choose from 32, 64, 128" in " ".join(bad.output.split())


def test_evaluate_prints_the_figures_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VESTIS_HOME", str(tmp_path / "home"))  # the feature network's ONNX export lands here
    get_settings.cache_clear()
    data, output = _folder_of_photos(tmp_path / "data", count=16), tmp_path / "vae.vgen"
    common = ["--data", str(data), "--holdout", "0.5"]
    trained = runner.invoke(
        app,
        [
            "generate",
            "train",
            *common,
            "--kind",
            "vae",
            "--epochs",
            "1",
            "--min-count",
            "1",
            "-q",
            "-o",
            str(output),
        ],
    )
    assert trained.exit_code == 0, trained.output
    result = runner.invoke(app, ["generate", "evaluate", *common, "--model", str(output), "--json", "-q"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["images"] == {"generated": 8, "real": 8, "train": 8}
    assert figures["fid"] > 0 and 0 <= figures["precision"] <= 1 and figures["generator"]["kind"] == "vae"
