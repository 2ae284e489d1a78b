"""Issue 11, item 5 (imports): numbers and broken CSV text are bad rows, never a crash or a silent merge.

A timestamp of ``1e20`` is a bad row like any other. A quote left open is reported on the
line it opens, and the rows it would have swallowed are read as rows; in strict mode the
import fails and writes nothing. A field over the CSV field limit rejects its row only.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tests.unit.test_import_support import counts, messages, run, write_file
from vestis.catalog.db import session_factory
from vestis.catalog.models import Event
from vestis.cli import app
from vestis.data.events import import_events
from vestis.data.importing import ImportFailed
from vestis.data.merchant_feed import import_merchant_feed

HEADER = "user_id,item_id,timestamp,event_type\n"
RANGE = "must be between 1970-01-01 and 2099-12-31 (epoch seconds 0 to 4102444799)"


def _users(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return sorted(session.scalars(select(Event.user_id)))


@pytest.mark.parametrize("stamp", ["1e20", "-1e20", "inf", "1e400", "NaN", "9999-12-31T00:00:00Z"])
def test_a_timestamp_out_of_range_is_a_bad_row(engine: Engine, tmp_path: Path, stamp: str) -> None:
    path = write_file(tmp_path, "events.csv", f"{HEADER}u1,p1,{stamp},view\nu2,p2,1700000000,view\n")

    report = run(engine, import_events, path)

    assert messages(report) == [f"{path}:2: timestamp: {RANGE}; got {stamp!r}"]
    assert _users(engine) == ["u2"]


def test_the_cli_reports_a_timestamp_of_1e20_without_a_traceback(tmp_path: Path) -> None:
    path = write_file(tmp_path, "events.csv", f"{HEADER}u1,p1,1e20,view\nu2,p2,1700000000,view\n")

    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "home"), "import", "events", str(path), "--quiet"]
    )

    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('u1,"p1,1700000000,view\nu2,p2,1700000001,view\nu3,p3,1700000002,view\n', 2),
        ('u1,p1,1700000000,view\nu2,"p2,1700000001,view\nu3,p3,1700000002,view\n', 3),
        ('u1,p1,1700000000,view\nu2,p2,1700000001,view\nu3,"p3,1700000002,view\n', 4),
    ],
    ids=["first row", "middle row", "last row"],
)
def test_an_unterminated_quote_rejects_its_own_row_only(
    engine: Engine, tmp_path: Path, text: str, line: int
) -> None:
    path = write_file(tmp_path, "events.csv", HEADER + text)

    report = run(engine, import_events, path)

    assert messages(report) == [
        f"{path}:{line}: a quoted field is not closed on this line (a missing closing quote?)"
    ]
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (3, 2, 1)
    assert len(_users(engine)) == 2


def test_an_unterminated_quote_fails_a_strict_import(engine: Engine, tmp_path: Path) -> None:
    path = write_file(tmp_path, "events.csv", f'{HEADER}u1,p1,1700000000,view\nu2,"p2,1700000001,view\n')

    with pytest.raises(ImportFailed, match=r"events\.csv:3: a quoted field is not closed .*strict mode"):
        run(engine, import_events, path, strict=True)

    assert counts(engine)["events"] == 0


def test_a_quote_left_open_in_a_feed_does_not_swallow_the_rows_after_it(
    engine: Engine, tmp_path: Path
) -> None:
    """Feeds may hold multi-line descriptions, so the open quote is found where it stops making sense."""
    rows = [
        'a,"Shirt,10 EUR,fine',  # the quote never closes before the quoted title of line 4
        "b,Skirt,11 EUR,fine",
        'c,"Coat, long",12 EUR,fine',
        'd,Dress,13 EUR,"two\nlines"',
    ]
    path = write_file(tmp_path, "feed.csv", "id,title,price,description\n" + "\n".join(rows) + "\n")

    report = run(engine, import_merchant_feed, path, images_dir=tmp_path / "images")

    assert messages(report) == [
        f"{path}:2: a quoted field opened here runs on to line 4 (a missing closing quote?)"
    ]
    assert (report.rows_read, report.rows_written) == (4, 3)


def test_a_quote_open_to_the_end_of_a_feed_rejects_its_row_only(engine: Engine, tmp_path: Path) -> None:
    path = write_file(
        tmp_path, "feed.csv", 'id,title,price\na,"Shirt,10 EUR\nb,Skirt,11 EUR\nc,Coat,12 EUR\n'
    )

    report = run(engine, import_merchant_feed, path, images_dir=tmp_path / "images")

    assert messages(report) == [
        f"{path}:2: a quoted field opened here is not closed before the end of the file (a missing closing quote?)"
    ]
    assert counts(engine)["products"] == 2


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_megabyte_cell_rejects_its_row_and_the_import_goes_on(
    engine: Engine, tmp_path: Path, quoted: bool
) -> None:
    cell = "x" * 1_000_000
    big = f'"{cell}"' if quoted else cell
    path = write_file(
        tmp_path,
        "events.csv",
        f"{HEADER}u1,p1,1700000000,view\nu2,{big},1700000001,view\nu3,p3,1700000002,view\n",
    )

    report = run(engine, import_events, path)

    assert messages(report) == [f"{path}:3: a field is longer than {csv.field_size_limit():,} characters"]
    assert _users(engine) == ["u1", "u3"]
    with pytest.raises(ImportFailed, match=r"events\.csv:3: a field is longer than .*strict mode"):
        run(engine, import_events, path, strict=True)
