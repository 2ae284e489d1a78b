"""MovieLens layouts (ml-latest and ml-100k): movies as products, ratings as valued view events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from tests.unit.test_import_support import counts, messages, run, write_file
from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.catalog.models import Event
from vestis.data.importing import ImportFailed
from vestis.data.movielens import import_movielens

GENRES_100K = "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\n" + "".join(
    f"G{i}|{i}\n" for i in range(6, 19)
)
FLAGS_TOY_STORY = "|".join(["0", "0", "0", "1", "1", "1"] + ["0"] * 13)
FLAGS_UNKNOWN = "|".join(["1"] + ["0"] * 18)


def _latest(
    directory: Path, *, ratings: str = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,2,2.5,1\n"
) -> Path:
    write_file(
        directory,
        "movies.csv",
        """
        movieId,title,genres
        1,Toy Story (1995),Adventure|Animation|Children
        2,"American President, The (1995)",(no genres listed)
        """,
    )
    write_file(directory, "ratings.csv", ratings)
    return directory


def _ml100k(directory: Path) -> Path:
    write_file(directory, "u.genre", GENRES_100K)
    write_file(
        directory,
        "u.item",
        f"1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|{FLAGS_TOY_STORY}\n"
        f"2|Misérables, Les (1995)|01-Jan-1995||http://us.imdb.com/M/x|{FLAGS_UNKNOWN}\n",
        encoding="latin-1",
    )
    write_file(directory, "u.data", "196\t1\t3\t881250949\n186\t2\t5\t891717742\n")
    return directory


def test_latest_layout_maps_movies_and_ratings(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, import_movielens, _latest(tmp_path))

    assert (report.rows_read, report.rows_written, report.errors) == (4, 4, [])
    with session_factory(engine)() as session:
        toy, president = store.get_product(session, "1"), store.get_product(session, "2")
        assert toy is not None and president is not None
        assert (toy.title, toy.product_type, toy.price) == ("Toy Story (1995)", "movie", None)
        assert toy.attributes == {"genres": ["Adventure", "Animation", "Children"]}
        assert (president.title, president.attributes) == ("American President, The (1995)", {"genres": []})
        first = session.scalars(select(Event).order_by(Event.timestamp.desc())).first()
    assert first is not None
    assert (first.user_id, first.item_id, first.event_type, first.value) == ("1", "1", "view", 4.0)
    assert first.timestamp.replace(tzinfo=UTC) == datetime.fromtimestamp(964982703, tz=UTC)


def test_100k_layout_reads_headerless_latin1_files(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, import_movielens, _ml100k(tmp_path))

    assert (report.rows_read, report.rows_written, report.errors) == (4, 4, [])
    with session_factory(engine)() as session:
        toy, miserables = store.get_product(session, "1"), store.get_product(session, "2")
        assert toy is not None and miserables is not None
        assert toy.attributes == {
            "genres": ["Animation", "Children's", "Comedy"],
            "release_date": "01-Jan-1995",
        }
        assert toy.link == "http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)"
        assert (miserables.title, miserables.attributes["genres"]) == ("Misérables, Les (1995)", ["unknown"])
        events = session.scalars(select(Event).order_by(Event.user_id)).all()
    assert [(e.user_id, e.item_id, e.event_type, e.value) for e in events] == [
        ("186", "2", "view", 5.0),
        ("196", "1", "view", 3.0),
    ]


@pytest.mark.parametrize("layout", [_latest, _ml100k])
def test_reimport_changes_no_counts(engine: Engine, tmp_path: Path, layout: Callable[[Path], Path]) -> None:
    directory = layout(tmp_path)
    run(engine, import_movielens, directory)
    first = counts(engine)
    run(engine, import_movielens, directory)
    assert counts(engine) == first and (first["products"], first["events"]) == (2, 2)


def test_unknown_layout_fails_naming_the_folder(engine: Engine, tmp_path: Path) -> None:
    write_file(tmp_path, "ratings.csv", "userId,movieId,rating,timestamp\n")
    with pytest.raises(ImportFailed, match=rf"{tmp_path}: not a MovieLens folder"):
        run(engine, import_movielens, tmp_path)


def test_missing_rating_column_fails_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_movielens, _latest(tmp_path / "first"))
    before = counts(engine)
    directory = _latest(tmp_path / "second", ratings="userId,movieId,timestamp\n1,1,964982703\n")

    with pytest.raises(ImportFailed, match=r"ratings\.csv: missing required column\(s\): rating"):
        run(engine, import_movielens, directory)
    assert counts(engine) == before


def test_bad_rows_are_reported_by_file_line_and_field(engine: Engine, tmp_path: Path) -> None:
    directory = _latest(tmp_path, ratings="userId,movieId,rating,timestamp\n1,1,4.0,soon\n1,2,good,5\n")
    write_file(directory, "movies.csv", "movieId,title,genres\n1,A,Drama\n1,B,Drama\n")
    report = run(engine, import_movielens, directory)

    ratings, movies = directory / "ratings.csv", directory / "movies.csv"
    assert report.rows_written == 1
    assert messages(report) == [
        f"{movies}:3: duplicate id '1' (first seen on line 2); row skipped",
        f"{ratings}:2: timestamp: expected epoch seconds or an ISO 8601 date/time; got 'soon'",
        f"{ratings}:3: value: Input should be a valid number, unable to parse string as a number",
    ]


def test_strict_mode_aborts_and_keeps_earlier_rows(engine: Engine, tmp_path: Path) -> None:
    run(engine, import_movielens, _ml100k(tmp_path / "first"))
    before = counts(engine)
    directory = _latest(tmp_path / "second", ratings="userId,movieId,rating,timestamp\n7,1,4,1\n7,2,4,x\n")

    with pytest.raises(ImportFailed, match=r"ratings\.csv:3: timestamp: .*strict mode"):
        run(engine, import_movielens, directory, strict=True)
    assert counts(engine) == before


def test_100k_without_u_genre_uses_the_standard_genre_names(engine: Engine, tmp_path: Path) -> None:
    (_ml100k(tmp_path) / "u.genre").unlink()
    run(engine, import_movielens, tmp_path)
    with session_factory(engine)() as session:
        toy = store.get_product(session, "1")
        assert toy is not None and toy.attributes["genres"] == ["Animation", "Children's", "Comedy"]
