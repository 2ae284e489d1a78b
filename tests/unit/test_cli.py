"""The CLI wires importers to the catalog: exit codes, reports and help text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from vestis.catalog import store
from vestis.catalog.db import get_engine, session_factory
from vestis.catalog.models import Product
from vestis.cli import app

runner = CliRunner()


def _invoke(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output


def _products(home: Path) -> int:
    engine = get_engine(f"sqlite:///{(home / 'vestis.db').resolve()}")
    with session_factory(engine)() as session:
        return store.count_rows(session, Product)


def test_import_reports_bad_rows_and_keeps_good_ones(tmp_path: Path) -> None:
    feed = tmp_path / "feed.tsv"
    feed.write_text("id\ttitle\tprice\nA\tShirt\t10 EUR\nB\tBad\tfree\n")
    errors = tmp_path / "rejected.csv"
    code, output = _invoke(tmp_path, "import", "merchant-feed", str(feed), "-q", "--errors", str(errors))
    assert code == 0, output
    assert "feed.tsv:3: price" in output
    assert "[yellow]" not in output and "[/" not in output  # styled, not printed as markup
    assert errors.read_text().splitlines()[1].startswith(f"{feed},3,")
    assert _products(tmp_path) == 1


def test_strict_import_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("id\ttitle\tprice\nA\tShirt\t10\n")
    assert _invoke(tmp_path, "import", "merchant-feed", str(good), "-q")[0] == 0
    bad = tmp_path / "bad.tsv"
    bad.write_text("id\ttitle\tprice\nC\tCoat\t80\nD\t\t5\n")
    code, output = _invoke(tmp_path, "import", "merchant-feed", str(bad), "-q", "--strict")
    assert code == 1
    assert "nothing was written" in output and "bad.tsv:3: title" in output
    assert _products(tmp_path) == 1


def test_a_retailer_catalog_is_imported_as_it_comes(tmp_path: Path) -> None:
    catalog = tmp_path / "styles.csv"
    catalog.write_text("id,Title,gender,usage,articleType\n1,Red Tee,Boys,Sports,Tshirts\n2,Hat,Pets,,\n")
    code, output = _invoke(tmp_path, "import", "merchant-feed", str(catalog), "-q")
    assert code == 0, output
    assert "styles.csv:3: gender: unknown gender 'Pets'" in output
    engine = get_engine(f"sqlite:///{(tmp_path / 'vestis.db').resolve()}")
    with session_factory(engine)() as session:
        tee = store.get_product(session, "1")
        assert tee is not None
        assert (tee.price, tee.gender, tee.age_group, tee.attributes) == (
            None,
            "male",
            "kids",
            {"occasion": "Sports", "subcategory": "Tshirts"},
        )


def test_a_shopify_export_is_imported_in_the_shop_currency(tmp_path: Path) -> None:
    export = tmp_path / "products_export.csv"
    export.write_text("Handle,Title,Variant Price\ntee,Tee,12.50\nbad,,3\n")
    code, output = _invoke(tmp_path, "import", "shopify", str(export), "-q", "--currency", "EUR")
    assert code == 0, output
    assert "products_export.csv:3: title" in output
    engine = get_engine(f"sqlite:///{(tmp_path / 'vestis.db').resolve()}")
    with session_factory(engine)() as session:
        tee = store.get_product(session, "tee")
        assert tee is not None and (tee.price, tee.currency) == (12.5, "EUR")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path, "import", "events", str(tmp_path / "nope.csv"), "-q")
    assert code == 1 and "no such file" in output


@pytest.mark.parametrize(
    "path",
    [
        ("serve",),
        ("demo-data",),
        ("train",),
        ("evaluate",),
        ("tune",),
        ("tryon",),
        ("db", "upgrade"),
        ("generate", "sample"),
        ("generate", "train"),
        ("generate", "evaluate"),
        ("generate", "colourway"),
        *[
            ("import", name)
            for name in (
                "merchant-feed",
                "shopify",
                "fit-feedback",
                "amazon",
                "events",
                "customers",
                "size-charts",
                "hm",
                "myntra",
                "movielens",
            )
        ],
    ],
)
def test_every_command_explains_itself_with_an_example(path: tuple[str, ...]) -> None:
    command = get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert "Example:" in (command.help or "")


@pytest.mark.slow
def test_evaluate_writes_scores_and_a_report(tmp_path: Path) -> None:
    from vestis.data.demo import generate_demo

    demo = tmp_path / "demo"
    generate_demo(demo, products=60, customers=150, days=60, progress=False)
    scores, report = tmp_path / "scores.json", tmp_path / "report"
    code, output = _invoke(
        tmp_path,
        "evaluate", "--data", f"demo:{demo}", "--models", "popular,itemknn", "--k", "5",
        "--json", str(scores), "--report", str(report), "-q",
    )  # fmt: skip
    assert code == 0, output
    result = json.loads(scores.read_text())
    assert (result["protocol"], result["k"], sorted(result["models"])) == (
        "leave-last-out",
        5,
        ["implicit-als", "itemknn", "popular"],  # plain implicit ALS is scored beside them by default
    )
    assert "÷" in output and output.count("×") >= 6  # NDCG and fit time as ratios to it, per row
    assert {"ndcg@5", "recall@5", "map@5", "coverage@5", "fit_seconds"} <= set(result["models"]["itemknn"])
    assert result["models"]["itemknn"]["ndcg@5"] > result["models"]["popular"]["ndcg@5"]
    assert (report / "report.md").is_file() and list(report.glob("*.png"))


def test_evaluate_rejects_an_unknown_baseline(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path, "evaluate", "--data", "store", "--baseline", "lightfm")
    assert code == 2 and "unknown baseline 'lightfm'" in output


def test_evaluate_rejects_an_unknown_data_spec(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path, "evaluate", "--data", "kaggle:somewhere")
    assert code == 2 and "unknown data set 'kaggle:somewhere'" in output


def test_tryon_writes_the_result_and_debug_images(tmp_path: Path, shared_data: Path) -> None:
    examples = shared_data / "tryon-examples"
    output, debug = tmp_path / "out.png", tmp_path / "debug"
    code, text = _invoke(
        tmp_path,
        "tryon", "--person", str(examples / "person" / "01008_00.jpg"),
        "--garment", str(examples / "garment" / "00126_00.jpg"), "--category", "upper",
        "-o", str(output), "--debug", str(debug),
    )  # fmt: skip
    assert code == 0, text
    assert output.read_bytes().startswith(b"\x89PNG") and list(debug.glob("*.png"))


def test_tryon_explains_a_bad_photo(tmp_path: Path) -> None:
    photo = tmp_path / "wall.png"
    photo.write_bytes(b"not an image at all")
    code, text = _invoke(
        tmp_path, "tryon", "--person", str(photo), "--garment", str(photo), "-o", str(tmp_path / "o.png")
    )
    assert code == 1 and "wall.png" in text and "try-on failed" in text
