"""Data set specs of ``vestis evaluate --data``: fit feedback, Amazon reviews and other catalogs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from vestis.catalog.db import transaction
from vestis.cli import app
from vestis.data.amazon import import_amazon_reviews
from vestis.recommend.datasets import load_dataset
from vestis.recommend.evaluate import evaluate_models


def _write_lines(path: Path, records: list[dict[str, object] | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


def _review(user: str, asin: str, when: int, **extra: object) -> dict[str, object]:
    return {"reviewerID": user, "asin": asin, "unixReviewTime": when, "overall": 4.0, **extra}


def _rental(user: str, item: str, date: str, fit: str = "fit") -> dict[str, object]:
    return {"user_id": user, "item_id": item, "review_date": date, "fit": fit, "size": 8}


def test_amazon_reviews_become_purchases_with_rating_size_and_time(tmp_path: Path) -> None:
    path = _write_lines(
        tmp_path / "reviews.json",
        [
            _review("u1", "B01", 1_500_000_000, style={"Size:": " Large", "Color:": " Red"}),
            _review("u1", "B02", 1_500_086_400, overall=None),
            _review("u2", "B01", 1_500_000_000),
            _review("u2", "B01", 1_500_000_000),  # the same review listed twice: one event
        ],
    )
    log = load_dataset(f"amazon:{path}").interactions
    frame = pd.DataFrame({"user": log.user_ids, "item": log.item_ids, "t": log.timestamps, "v": log.values})
    assert sorted(zip(frame["user"], frame["item"], frame["t"], strict=True)) == [
        ("u1", "B01", 1_500_000_000),
        ("u1", "B02", 1_500_086_400),
        ("u2", "B01", 1_500_000_000),
    ]
    assert set(log.event_types) == {"purchase"}
    assert frame.loc[frame["item"] == "B02", "v"].isna().all()
    assert (frame.loc[frame["item"] == "B01", "v"] == 4.0).all()


def test_amazon_import_keeps_the_size_bought(tmp_path: Path, engine: Engine) -> None:
    path = _write_lines(tmp_path / "r.json", [_review("u1", "B01", 1_500_000_000, style={"Size:": " Large"})])
    with transaction(engine) as session:
        report = import_amazon_reviews(session, path, progress=False)
    assert (report.rows_written, report.rows_rejected) == (1, 0)
    with engine.connect() as connection:
        assert pd.read_sql("select size from events", connection)["size"].tolist() == ["Large"]


@pytest.mark.parametrize(
    ("record", "named"),
    [
        ("{not json", "not a JSON record"),
        ('["a list"]', "not a JSON object"),
        ({"asin": "B01", "unixReviewTime": 1_500_000_000}, "user_id"),
        ({"reviewerID": "u", "asin": "B01"}, "timestamp"),
    ],
)
def test_a_bad_amazon_record_stops_the_load_naming_file_and_line(
    tmp_path: Path, record: dict[str, object] | str, named: str
) -> None:
    path = _write_lines(tmp_path / "reviews.json", [_review("u1", "B01", 1_500_000_000), record])
    with pytest.raises(ValueError, match=r"reviews\.json:2:.*") as error:
        load_dataset(f"amazon:{path}")
    assert named in str(error.value)


def test_fit_feedback_rentals_become_purchases_and_a_bad_line_is_named(tmp_path: Path) -> None:
    good = [
        _rental("a", "dress-1", "April 20, 2016"),
        _rental("a", "dress-2", "May 2, 2016"),
        _rental("b", "dress-1", "June 1, 2016", "small"),
    ]
    log = load_dataset(f"fit-feedback:{_write_lines(tmp_path / 'rtr.jsonl', good)}").interactions
    assert sorted(zip(log.user_ids, log.item_ids, strict=True)) == [
        ("a", "dress-1"),
        ("a", "dress-2"),
        ("b", "dress-1"),
    ]
    assert set(log.event_types) == {"purchase"}
    bad = _write_lines(tmp_path / "bad.jsonl", [*good, _rental("c", "dress-3", "April 20, 2016", "huge")])
    with pytest.raises(ValueError, match=r"bad\.jsonl:4: fit_feedback: expected one of"):
        load_dataset(f"fit-feedback:{bad}")


def test_fit_feedback_parquet_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "rtr.parquet"
    pd.DataFrame(
        {
            "user_id": [1, 1, 2],
            "item_id": [10, 11, 10],
            "fit": ["fit", "large", "fit"],
            "review_date": pd.to_datetime(["2016-04-20", "2016-05-02", "2016-06-01"]),
        }
    ).to_parquet(path)
    log = load_dataset(f"fit-feedback:{path}").interactions
    assert sorted(zip(log.user_ids, log.item_ids, strict=True)) == [("1", "10"), ("1", "11"), ("2", "10")]


def test_another_catalog_database_is_read_by_url(tmp_path: Path, engine: Engine) -> None:
    path = _write_lines(
        tmp_path / "r.json", [_review("u1", "B01", 1_500_000_000), _review("u1", "B02", 1_500_000_100)]
    )
    with transaction(engine) as session:
        import_amazon_reviews(session, path, progress=False)
    dataset = load_dataset(f"store:{engine.url}")
    assert sorted(dataset.interactions.item_ids.tolist()) == ["B01", "B02"]
    with pytest.raises(ValueError, match="not a Vestis catalog"):
        load_dataset(f"store:sqlite:///{tmp_path / 'empty.db'}")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("amazon:", "unknown data set"),
        ("yelp:reviews.json", "unknown data set"),
        ("amazon:/no/such/reviews.json", "is not a file"),
        ("fit-feedback:/no/such/rtr.jsonl", "is not a file"),
    ],
)
def test_unknown_or_missing_data_sets_are_refused(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_dataset(spec)


def test_evaluate_cli_reads_reviews_and_names_a_bad_line(tmp_path: Path) -> None:
    reviews = [
        _review(f"u{u}", f"B0{(u + i) % 4}", 1_500_000_000 + 100 * i) for u in range(12) for i in range(3)
    ]
    good = _write_lines(tmp_path / "reviews.json", reviews)
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    result = runner.invoke(
        app, [*home, "evaluate", "--data", f"amazon:{good}", "--models", "popular,itemknn", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "itemknn" in result.output
    bad = _write_lines(tmp_path / "bad.json", [*reviews, "{oops"])
    result = runner.invoke(app, [*home, "evaluate", "--data", f"amazon:{bad}", "--quiet"])
    assert result.exit_code != 0
    assert "bad.json:37" in " ".join(result.output.split())


def test_evaluate_models_runs_on_a_fit_feedback_log(tmp_path: Path) -> None:
    rentals = [
        _rental(f"u{u}", f"dress-{(u + i) % 5}", f"April {1 + i}, 2016") for u in range(10) for i in range(3)
    ]
    path = _write_lines(tmp_path / "rtr.jsonl", rentals)
    result = evaluate_models(load_dataset(f"fit-feedback:{path}"), ["popular", "itemknn"], progress=False)
    assert result.models["itemknn"]["n_users"] == 10


def test_evaluate_cli_reads_a_shops_event_and_product_files_and_warns_about_decay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # short relative paths, so no error line wraps
    colours = ["red", "blue", "black"]
    feed = Path("products.tsv")
    feed.write_text(
        "id\ttitle\tprice\tcolor\tproduct_type\n"
        + "".join(f"sku-{i}\t{colours[i % 3].title()} shirt\t{10 + i}.00 EUR\t{colours[i % 3]}\tShirts\n" for i in range(6))
    )  # fmt: skip
    events = Path("interactions.csv")
    events.write_text(
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
        + "".join(f"u{u},sku-{(u + i) % 6},{1_700_000_000 + 86_400 * 2 * (5 * u + i)},purchase\n" for u in range(40) for i in range(5))
    )  # fmt: skip  # one purchase every other day for 400 days
    params = Path("params.json")
    params.write_text(json.dumps({"popular": {"half_life_days": 1}}))
    runner = CliRunner()
    home = ["--home", "home"]
    args = [
        *home,
        "evaluate",
        "--data",
        f"events:{events}",
        "--products",
        str(feed),
        "--baseline",
        "none",
        "-q",
    ]
    result = runner.invoke(app, [*args, "--models", "popular,content", "--params", str(params)])
    output = _text(result.output)
    assert result.exit_code == 0, result.output
    assert "events:interactions.csv" in output and "content" in output
    assert (
        "popular: half_life_days=1 leaves the events" in output and "span of 396 days" in output
    )  # of the training part
    assert "[yellow]" not in output
    with events.open("a") as log:
        log.write("u1,sku-1,yesterday,purchase\n")
    result = runner.invoke(app, [*args, "--models", "popular"])
    assert result.exit_code == 2 and "interactions.csv:202: timestamp" in _text(result.output)
    result = runner.invoke(app, [*home, "evaluate", "--data", "store", "--products", str(feed), "-q"])
    assert result.exit_code == 2 and "holds its own products" in _text(result.output)


def _text(output: str) -> str:
    """CLI output as one line of words, without the error box's borders."""
    return " ".join(output.replace("│", " ").split())
