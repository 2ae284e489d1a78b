"""The import loop every importer shares: validate, report bad rows, write in chunks.

An import runs inside the caller's transaction: with ``strict=True`` the first bad
row aborts it and nothing is written; otherwise bad rows are reported by file and
line and skipped. Either way what was stored before is never lost. Files count as
written too: importers that store product images stage them with
:func:`vestis.catalog.images.stage_images`, which publishes them only when the
transaction commits, so a rolled-back import leaves the images folder as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from vestis.errors import InvalidInput

Writer = Callable[[Session, Sequence[Mapping[str, Any]]], int]


@dataclass(frozen=True)
class RowError:
    """One rejected row: where it is and what is wrong with it."""

    file: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import read, wrote and rejected."""

    source: str
    rows_read: int = 0
    rows_written: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        """Rows reported as bad and skipped."""
        return len({(e.file, e.line) for e in self.errors})

    @property
    def rows_ignored(self) -> int:
        """Valid rows that changed nothing: exact repeats of events already stored."""
        return self.rows_read - self.rows_rejected - self.rows_written

    def merge(self, other: ImportReport) -> None:
        """Add another file's counts to this report (multi-file imports)."""
        self.rows_read += other.rows_read
        self.rows_written += other.rows_written
        self.errors.extend(other.errors)


class RowRejected(InvalidInput):
    """Raised by a ``transform`` hook to reject one row with a reason tied to ``field``."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message, field=field)


class ImportFailed(InvalidInput):
    """The import was aborted and rolled back; ``errors`` holds the rows that caused it."""

    def __init__(self, message: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


def run_import(
    session: Session,
    *,
    source: str,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    schema: type[BaseModel],
    write: Writer,
    strict: bool = False,
    chunk_size: int = 5_000,
    key: Callable[[BaseModel], Hashable] | None = None,
    transform: Callable[[BaseModel], Mapping[str, Any]] | None = None,
) -> ImportReport:
    """Validate ``rows`` against ``schema`` and hand good ones to ``write`` in chunks.

    ``key`` flags rows whose key was already seen in this file (the first one wins);
    ``transform`` maps a validated record onto the columns ``write`` stores and may
    reject it by raising :class:`RowRejected`.
    """
    report = ImportReport(source=source)
    seen: dict[Hashable, int] = {}
    chunk: list[Mapping[str, Any]] = []
    for line, raw in _reporting_unreadable(rows, report, strict=strict):
        report.rows_read += 1
        outcome = _validate(source, line, raw, schema)
        if isinstance(outcome, BaseModel) and key is not None:
            first = seen.setdefault(key(outcome), line)
            if first != line:
                message = f"duplicate id {key(outcome)!r} (first seen on line {first}); row skipped"
                outcome = [RowError(source, line, None, message)]
        if isinstance(outcome, BaseModel):
            try:
                stored = transform(outcome) if transform else outcome.model_dump()
            except RowRejected as rejected:
                outcome = [RowError(source, line, rejected.field, str(rejected))]
        if not isinstance(outcome, BaseModel):
            report.errors.extend(outcome)
            if strict:
                raise ImportFailed(f"{outcome[0]} (strict mode: nothing was imported)", outcome)
            continue
        chunk.append(stored)
        if len(chunk) >= chunk_size:
            report.rows_written += write(session, chunk)
            chunk = []
    report.rows_written += write(session, chunk)
    session.flush()
    return report


def reject_unreadable(error: RowError) -> None:
    """Report a row the file reader could not parse to the import reading it: skipped, or fatal when strict.

    Readers call this and read on; outside an import the row fails at once.
    """
    reject = _UNREADABLE.get()
    if reject is None:
        raise ImportFailed(str(error), [error])
    reject(error)


_UNREADABLE: ContextVar[Callable[[RowError], None] | None] = ContextVar("unreadable_rows", default=None)


def _reporting_unreadable(
    rows: Iterable[tuple[int, Mapping[str, Any]]], report: ImportReport, *, strict: bool
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """``rows``, with rows the reader rejects while producing them counted and reported in ``report``."""

    def reject(error: RowError) -> None:
        report.rows_read += 1
        report.errors.append(error)
        if strict:
            raise ImportFailed(f"{error} (strict mode: nothing was imported)", [error])

    iterator = iter(rows)
    while True:
        token = _UNREADABLE.set(reject)
        try:
            item = next(iterator, None)
        finally:
            _UNREADABLE.reset(token)
        if item is None:
            return
        yield item


def _validate(
    source: str, line: int, raw: Mapping[str, Any], schema: type[BaseModel]
) -> BaseModel | list[RowError]:
    try:
        return schema.model_validate(raw)
    except ValidationError as error:
        return [
            RowError(source, line, ".".join(str(p) for p in e["loc"]) or None, _message(e))
            for e in error.errors()
        ]


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        return "is required"
    return message
