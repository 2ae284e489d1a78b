"""Streaming CSV/TSV and parquet reading with line numbers, row-level recovery and a progress bar.

A row the CSV parser cannot read (a field over :data:`MAX_FIELD_CHARS`, a quote left open
to the end of the file or, where fields may not span lines, to the end of its line, text
after a closing quote) is reported by file and line through
:func:`~vestis.data.importing.reject_unreadable` and reading resumes on the line after the
row's first line, so the rows a stray quote would have swallowed are read as rows again.
Parquet files are read a batch of rows at a time, their cells as the text a CSV would hold.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from rich.progress import (
    DownloadColumn,
    TimeRemainingColumn,
)

from vestis.data.importing import ImportFailed, RowError, reject_unreadable
from vestis.progress import progress_bar

Row = dict[str, str]
MAX_FIELD_CHARS = csv.field_size_limit()
"""The longest field the CSV parser accepts (its default, 128 Ki characters); longer ones reject their row."""
PARQUET_BATCH_ROWS = 4_096
"""Rows of a parquet file held in memory at a time."""


@contextmanager
def open_table(
    path: Path,
    *,
    required: tuple[str, ...] = (),
    lower_header: bool = False,
    snake_header: bool = False,
    progress: bool = True,
    delimiter: str | None = None,
    fieldnames: Sequence[str] | None = None,
    encoding: str = "utf-8-sig",
    multiline: bool = True,
) -> Iterator[tuple[list[str], Iterator[tuple[int, Row]]]]:
    """Open a delimited text file or a parquet file and yield its header and ``(line number, row)`` pairs.

    The delimiter is taken from the extension (``.tsv``/``.txt``: tab) or sniffed;
    ``.gz`` files are decompressed on the fly; ``lower_header`` lower-cases column
    names (for formats whose names are case-insensitive), ``snake_header`` writes them in
    :func:`snake_case` (``articleType`` → ``article_type``); two columns that then share a
    name refuse the file, as one would silently replace the other. Files without a header row
    (MovieLens 100K) pass their column names as ``fieldnames``, and older data sets
    name their ``encoding`` (``"latin-1"``). Formats whose values never hold a line
    break pass ``multiline=False``: a quoted field that does not close on its line is then
    a bad row at once. Missing ``required`` columns raise :class:`ImportFailed` before any
    row is read. Rows are numbered by the line they start on; a ``.parquet`` file's rows
    (see :func:`parquet_rows`) from 1.
    """
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    rename = _renaming(lower_header=lower_header, snake_header=snake_header)
    if path.suffix.lower() == ".parquet":
        with byte_progress(path, enabled=progress) as advance:
            header, rows = parquet_rows(path, required=required, rename=rename, advance=advance)
            yield header, rows
        return
    raw = path.open("rb")
    binary: IO[bytes] = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        try:
            sample = text.read(64 * 1024)
            text.seek(0)
            lines = _Lines(text, multiline=multiline)
            reader = csv.reader(lines, delimiter=delimiter or _delimiter(path, sample), strict=True)
            names = list(fieldnames) if fieldnames is not None else next(reader)
        except StopIteration:
            raise ImportFailed(f"{path}: the file is empty (no header row)") from None
        except (UnicodeDecodeError, csv.Error, _OpenQuote, EOFError, OSError) as error:
            raise ImportFailed(f"{path}: not a readable {_label(encoding)} CSV/TSV file ({error})") from None
        header = _header(path, names, required, rename)
        with byte_progress(path, enabled=progress) as advance:
            yield header, _rows(path, reader, lines, header, raw, advance)
    finally:
        text.close()


def parquet_rows(
    path: Path,
    *,
    required: tuple[str, ...] = (),
    rename: Callable[[str], str] = str.strip,
    advance: Callable[[int], object] = lambda _done: None,
) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """The header of a parquet file (its column names through ``rename``) and its ``(row number, row)``
    pairs, rows numbered from 1 and read :data:`PARQUET_BATCH_ROWS` at a time; ``advance`` is told
    about how many bytes are read.

    Cells are the text a CSV cell would hold (:func:`_cell`: ``""`` for null, ``2012.0`` as
    ``2012``, lists joined by ``,``), so one importer reads both. A file that is not parquet or
    lacks a ``required`` column raises :class:`ImportFailed` before any row, a batch that cannot be
    read one naming the file and row.
    """
    try:
        table = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise ImportFailed(f"{path}: not a readable parquet file ({error})") from None
    header = _header(path, table.schema_arrow.names, required, rename)
    return header, _parquet_rows(path, table, header, advance)


def snake_case(name: str) -> str:
    """A column name in lower snake case: ``articleType`` → ``article_type``, ``Image Link`` →
    ``image_link``, ``ID`` → ``id``, ``itemGroupID`` → ``item_group_id``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.strip())
    return re.sub(r"[^0-9a-z]+", "_", words.lower()).strip("_")


def _renaming(*, lower_header: bool, snake_header: bool) -> Callable[[str], str]:
    """How ``open_table`` names a column it reads."""
    if snake_header:
        return snake_case
    return (lambda name: name.strip().lower()) if lower_header else str.strip


def _header(
    path: Path, names: Sequence[str], required: tuple[str, ...], rename: Callable[[str], str]
) -> list[str]:
    """The column ``names`` of ``path`` through ``rename``; refused when a ``required`` one is missing, or
    when renaming gives two columns one name."""
    header = [rename(name) for name in names]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(
            f"{path}: missing required column(s): {', '.join(missing)} (found: {', '.join(header) or 'none'})"
        )
    firsts: dict[str, str] = {}
    for name, renamed in zip(names, header, strict=True):
        first = firsts.setdefault(renamed, name)
        if first.strip() != name.strip():
            raise ImportFailed(f"{path}: columns {first!r} and {name!r} both read as {renamed!r}; rename one")
    return header


def _parquet_rows(
    path: Path, table: pq.ParquetFile, header: list[str], advance: Callable[[int], object]
) -> Iterator[tuple[int, Row]]:
    size, total = path.stat().st_size, max(table.metadata.num_rows, 1)
    number = 0
    batches = table.iter_batches(batch_size=PARQUET_BATCH_ROWS)
    try:
        while True:
            try:
                batch = next(batches, None)
            except (OSError, pa.ArrowException) as error:
                raise ImportFailed(f"{path}:{number + 1}: unreadable rows ({error})") from None
            if batch is None:
                break
            for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                number += 1
                yield number, dict(zip(header, map(_cell, values), strict=True))
            advance(size * number // total)
    finally:
        table.close()


def _cell(value: Any) -> str:
    """A parquet value as the text a CSV cell would hold."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(_cell(item) for item in value)
    return str(value).strip()


def _rows(
    path: Path,
    reader: Iterator[list[str]],
    lines: _Lines,
    header: list[str],
    raw: IO[bytes],
    advance: Callable[[int], object],
) -> Iterator[tuple[int, Row]]:
    """The rows of ``reader`` by the line they start on; unreadable ones are rejected and read past."""
    width = len(header)
    while True:
        lines.begin_record()
        try:
            fields = next(reader)
        except StopIteration:
            break
        except (csv.Error, _OpenQuote) as error:
            start, end = lines.record_start, lines.record_end
            lines.reread_after_first()
            reject_unreadable(RowError(str(path), start, None, _unreadable(error, start=start, end=end)))
            continue
        except (UnicodeDecodeError, EOFError, OSError) as error:
            raise ImportFailed(f"{path}:{lines.record_start}: unreadable line ({error})") from None
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != width:
            fields = (fields + [""] * width)[:width] if len(fields) < width else fields
        yield lines.record_start, dict(zip(header, fields, strict=False))
        if lines.number % 2048 == 0:
            advance(raw.tell())
    advance(raw.tell())


class _OpenQuote(Exception):
    """A quoted field did not close on its line, in a table whose fields may not span lines."""


class _Lines:
    """The numbered physical lines of a text file, fed one by one to a CSV reader.

    It remembers the lines of the record being read, so that a record the reader gives
    up on is reported by its first line and the lines after that one are read again.
    """

    def __init__(self, text: IO[str], *, multiline: bool) -> None:
        self._text = text
        self._multiline = multiline
        self._again: deque[tuple[int, str]] = deque()
        self._record: list[tuple[int, str]] = []
        self.number = 0
        """The number of the newest line read from the file."""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._record and not self._multiline:
            raise _OpenQuote("a quoted field is not closed on its line")
        if self._again:
            number, line = self._again.popleft()
        else:
            line = next(self._text)
            self.number += 1
            number = self.number
        self._record.append((number, line))
        return line

    @property
    def record_start(self) -> int:
        """The line the current record starts on."""
        return self._record[0][0] if self._record else self.number + 1

    @property
    def record_end(self) -> int:
        """The last line the current record has read so far."""
        return self._record[-1][0] if self._record else self.number + 1

    def begin_record(self) -> None:
        """Forget the lines of the previous record: the reader starts a new one."""
        self._record.clear()

    def reread_after_first(self) -> None:
        """Queue the current record's lines after its first to be read again."""
        self._again.extendleft(reversed(self._record[1:]))
        del self._record[1:]


def _unreadable(error: Exception, *, start: int, end: int) -> str:
    """What the CSV parser's complaint about the row on lines ``start`` to ``end`` means for its writer.

    A row that ran over several lines before failing was opened by a quote that did not
    close where it should have, so that is what the message says.
    """
    message = str(error)
    if isinstance(error, _OpenQuote):
        return "a quoted field is not closed on this line (a missing closing quote?)"
    if message.startswith("field larger than field limit"):
        return f"a field is longer than {MAX_FIELD_CHARS:,} characters"
    if message == "unexpected end of data":
        return (
            "a quoted field opened here is not closed before the end of the file (a missing closing quote?)"
        )
    if _AFTER_QUOTE.match(message):
        if end > start:
            return f"a quoted field opened here runs on to line {end} (a missing closing quote?)"
        return "text follows a closing quote (a stray or missing quote?)"
    return f"unreadable row ({message})"


_AFTER_QUOTE = re.compile(r"^'.+' expected after '.'$")


def _label(encoding: str) -> str:
    return "UTF-8" if encoding.lower().startswith("utf-8") else encoding


def _delimiter(path: Path, sample: str) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if ".tsv" in suffixes or ".txt" in suffixes:
        return "\t"
    try:
        return csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


@contextmanager
def byte_progress(path: Path, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar over the bytes of ``path`` (nothing when not ``enabled``): yields a function
    that takes how many bytes are read so far."""
    total = path.stat().st_size or 1
    if not enabled:
        yield lambda _done: None
        return
    with progress_bar(transient=True, columns=(DownloadColumn(), TimeRemainingColumn())) as bar:
        task = bar.add_task(f"reading {path.name}", total=total)
        yield lambda done: bar.update(task, completed=done)


def json_lines(
    path: Path, advance: Callable[[int], None] = lambda _done: None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, record)`` for each JSON object of a JSON-lines file, blank lines skipped.

    A line that is not JSON, or JSON but not an object, is reported by file and line through
    :func:`~vestis.data.importing.reject_unreadable`; ``advance`` is told how many bytes are read.
    """
    done = 0
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            done += len(raw)
            advance(done)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                reject_unreadable(RowError(str(path), number, None, f"not a JSON record ({error})"))
                continue
            if not isinstance(record, dict):
                reject_unreadable(RowError(str(path), number, None, "not a JSON object"))
                continue
            yield number, record
