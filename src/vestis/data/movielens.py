"""MovieLens ratings (ml-latest, ml-latest-small and ml-100k layouts) into the catalog.

MovieLens is the common yardstick for recommenders, so Vestis imports it as products
(movies) and interaction events (ratings) to benchmark its models beside fashion data.
A rating becomes a ``view`` event whose ``value`` is the rating: recommenders treat
every interaction as a positive signal, and explicit-feedback models read ``value``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from vestis.catalog import store
from vestis.data.importing import ImportFailed, ImportReport, run_import
from vestis.data.schemas import EventRecord, ProductRecord
from vestis.data.tables import Row, open_table

RATING_COLUMNS = ("userId", "movieId", "rating", "timestamp")
ML100K_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
"""The 19 genre flags of ``u.item``, in order; ``u.genre`` overrides them when present."""


def import_movielens(
    session: Session, directory: Path, *, strict: bool = False, progress: bool = True
) -> ImportReport:
    """Import a MovieLens folder, detecting its layout: movies first, then ratings.

    ml-latest(-small): ``movies.csv`` (movieId, title, genres ``"A|B"``) and
    ``ratings.csv`` (userId, movieId, rating, timestamp). ml-100k: ``u.item``
    (pipe-separated, latin-1, 19 genre flags named in ``u.genre``) and ``u.data``
    (tab-separated without header: user, item, rating, epoch). Movies become products
    with id = movie id, product_type "movie" and ``attributes["genres"]``; ratings become
    ``view`` events with ``value`` = rating. Any other folder raises :class:`ImportFailed`.
    """
    layout = _detect(directory)
    report = ImportReport(source=str(directory))
    report.merge(
        _import_table(
            session,
            layout.movies,
            schema=ProductRecord,
            write=lambda s, chunk: store.upsert_products(s, rows=chunk),
            key=lambda record: record.id,  # type: ignore[attr-defined]
            strict=strict,
            progress=progress,
        )
    )
    report.merge(
        _import_table(
            session,
            layout.ratings,
            schema=EventRecord,
            write=lambda s, chunk: store.add_events(s, rows=chunk),
            key=None,
            strict=strict,
            progress=progress,
        )
    )
    return report


@dataclass(frozen=True)
class _Table:
    """One MovieLens file: how to read it and how to map a row onto a catalog record."""

    path: Path
    to_record: Callable[[Row], dict[str, Any]]
    required: tuple[str, ...] = ()
    fieldnames: tuple[str, ...] | None = None
    delimiter: str | None = None
    encoding: str = "utf-8-sig"


@dataclass(frozen=True)
class _Layout:
    """The two files of one MovieLens layout."""

    movies: _Table
    ratings: _Table


def _detect(directory: Path) -> _Layout:
    """The layout of ``directory``: ml-latest(-small) or ml-100k, by the files present."""
    if (directory / "movies.csv").is_file() and (directory / "ratings.csv").is_file():
        return _Layout(
            movies=_Table(directory / "movies.csv", _latest_movie, required=("movieId", "title", "genres")),
            ratings=_Table(directory / "ratings.csv", _rating, required=RATING_COLUMNS),
        )
    if (directory / "u.item").is_file() and (directory / "u.data").is_file():
        genres = _genres_100k(directory / "u.genre")
        item_columns = ("movieId", "title", "release_date", "video_release_date", "imdb_url", *genres)
        return _Layout(
            movies=_Table(
                directory / "u.item",
                lambda row: _movie(row, [g for g in genres if row.get(g, "").strip() == "1"]),
                fieldnames=item_columns,
                delimiter="|",
                encoding="latin-1",
            ),
            ratings=_Table(directory / "u.data", _rating, fieldnames=RATING_COLUMNS, delimiter="\t"),
        )
    raise ImportFailed(
        f"{directory}: not a MovieLens folder: expected movies.csv and ratings.csv "
        f"(ml-latest, ml-latest-small) or u.item and u.data (ml-100k)"
    )


def _import_table(
    session: Session,
    table: _Table,
    *,
    schema: type[BaseModel],
    write: Callable[[Session, Sequence[Mapping[str, Any]]], int],
    key: Callable[[BaseModel], Hashable] | None,
    strict: bool,
    progress: bool,
) -> ImportReport:
    with open_table(
        table.path,
        required=table.required,
        progress=progress,
        delimiter=table.delimiter,
        fieldnames=table.fieldnames,
        encoding=table.encoding,
    ) as (_header, rows):
        return run_import(
            session,
            source=str(table.path),
            rows=_mapped(rows, table.to_record),
            schema=schema,
            write=write,
            strict=strict,
            chunk_size=10_000,
            key=key,
        )


def _mapped(
    rows: Iterator[tuple[int, Row]], to_record: Callable[[Row], dict[str, Any]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, row in rows:
        yield line, to_record(row)


def _genres_100k(path: Path) -> tuple[str, ...]:
    """Genre names of ``u.genre`` (``name|index`` lines) in index order, or the standard 19."""
    if not path.is_file():
        return ML100K_GENRES
    pairs = []
    for number, line in enumerate(path.read_text(encoding="latin-1").splitlines(), start=1):
        if not line.strip():
            continue
        name, _, index = line.rpartition("|")
        if not name or not index.strip().isdigit():
            raise ImportFailed(f"{path}:{number}: expected 'genre name|index'; got {line!r}")
        pairs.append((int(index), name.strip()))
    return tuple(name for _, name in sorted(pairs))


def _latest_movie(row: Row) -> dict[str, Any]:
    """A movies.csv row; "(no genres listed)" means no genres."""
    genres = [g.strip() for g in row["genres"].split("|") if g.strip() and g.strip() != "(no genres listed)"]
    return _movie(row, genres)


def _movie(row: Row, genres: list[str]) -> dict[str, Any]:
    """Product fields of a movie; ml-100k's release date and IMDb link are kept too."""
    attributes: dict[str, Any] = {"genres": genres}
    if row.get("release_date", "").strip():
        attributes["release_date"] = row["release_date"].strip()
    return {
        "id": row["movieId"],
        "title": row["title"],
        "product_type": "movie",
        "link": row.get("imdb_url"),
        "attributes": attributes,
    }


def _rating(row: Row) -> dict[str, Any]:
    """A rating as a ``view`` event whose ``value`` is the rating (timestamp: epoch seconds)."""
    return {
        "user_id": row["userId"],
        "item_id": row["movieId"],
        "timestamp": row["timestamp"],
        "event_type": "view",
        "value": row["rating"],
    }
