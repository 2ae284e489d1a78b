"""Streaming CSV/TSV reading with line numbers and a byte-based progress bar."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from vestis.data.importing import ImportFailed

Row = dict[str, str]


@contextmanager
def open_table(
    path: Path,
    *,
    required: tuple[str, ...] = (),
    lower_header: bool = False,
    progress: bool = True,
    delimiter: str | None = None,
    fieldnames: Sequence[str] | None = None,
    encoding: str = "utf-8-sig",
) -> Iterator[tuple[list[str], Iterator[tuple[int, Row]]]]:
    """Open a delimited text file and yield its header and ``(line number, row)`` pairs.

    The delimiter is taken from the extension (``.tsv``/``.txt``: tab) or sniffed;
    ``.gz`` files are decompressed on the fly; ``lower_header`` lower-cases column
    names (for formats whose names are case-insensitive). Files without a header row
    (MovieLens 100K) pass their column names as ``fieldnames``, and older data sets
    name their ``encoding`` (``"latin-1"``). Missing ``required`` columns raise
    :class:`ImportFailed` before any row is read.
    """
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    raw = path.open("rb")
    binary: IO[bytes] = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        try:
            sample = text.read(64 * 1024)
            text.seek(0)
            reader = csv.reader(text, delimiter=delimiter or _delimiter(path, sample))
            names = list(fieldnames) if fieldnames is not None else next(reader)
            header = [h.strip().lower() if lower_header else h.strip() for h in names]
        except StopIteration:
            raise ImportFailed(f"{path}: the file is empty (no header row)") from None
        except (UnicodeDecodeError, csv.Error, EOFError, OSError) as error:
            raise ImportFailed(f"{path}: not a readable {_label(encoding)} CSV/TSV file ({error})") from None
        missing = [c for c in required if c not in header]
        if missing:
            raise ImportFailed(
                f"{path}: missing required column(s): {', '.join(missing)} "
                f"(found: {', '.join(header) or 'none'})"
            )
        with _bar(path, path.stat().st_size or 1, enabled=progress) as advance:
            yield header, _rows(path, reader, header, raw, advance)
    finally:
        text.close()


def _rows(path: Path, reader, header: list[str], raw: IO[bytes], advance) -> Iterator[tuple[int, Row]]:  # type: ignore[no-untyped-def]
    width = len(header)
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) != width:
                fields = (fields + [""] * width)[:width] if len(fields) < width else fields
            yield reader.line_num, dict(zip(header, fields, strict=False))
            if reader.line_num % 2048 == 0:
                advance(raw.tell())
    except (UnicodeDecodeError, csv.Error, EOFError, OSError) as error:
        raise ImportFailed(f"{path}:{reader.line_num}: unreadable line ({error})") from None
    advance(raw.tell())


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
def _bar(path: Path, total: int, *, enabled: bool) -> Iterator:  # type: ignore[type-arg]
    if not enabled:
        yield lambda _done: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(f"reading {path.name}", total=total)
        yield lambda done: bar.update(task, completed=done)
