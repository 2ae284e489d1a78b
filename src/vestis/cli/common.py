"""What every command group shares: the console, option types and the import report table."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vestis.data.importing import ImportReport

console = Console(stderr=True, soft_wrap=True)

Strict = Annotated[bool, typer.Option("--strict", help="Abort and import nothing on the first bad row.")]
ErrorsFile = Annotated[
    Path | None,
    typer.Option("--errors", help="Write every rejected row to this CSV (file, line, field, message)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def print_report(report: ImportReport) -> None:
    table = Table(title=f"import of {report.source}")
    for column in ("rows read", "rows written", "rows ignored (repeats)", "rows rejected"):
        table.add_column(column, justify="right")
    counts = (report.rows_read, report.rows_written, report.rows_ignored, report.rows_rejected)
    table.add_row(*map(str, counts))
    console.print(table)
    for error in report.errors[:20]:
        console.print(escape(str(error)), style="yellow", highlight=False)
    if len(report.errors) > 20:
        console.print(f"… and {len(report.errors) - 20} more (use --errors FILE to get them all)")


@contextmanager
def warnings_in_yellow() -> Iterator[None]:
    """Show what Vestis logs at warning level meanwhile as yellow console lines (brackets kept as text)."""
    handler = _YellowLines(logging.WARNING)
    root = logging.getLogger("vestis")
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


class _YellowLines(logging.Handler):
    """A logging handler that prints each record's message on the console in yellow."""

    def emit(self, record: logging.LogRecord) -> None:
        console.print(escape(record.getMessage()), style="yellow", highlight=False)
