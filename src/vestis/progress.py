"""Progress bars for long work: one look everywhere, and silent when the caller says so.

Every long job (imports, training, evaluation, batch studio runs, index builds) shows the
same bar: what it is doing, the bar, done/total, time spent and time left. ``disable=True``
(what the ``--no-progress`` flags and the tests pass) shows nothing; ``transient=True``
clears the bar when the job ends, for steps inside a larger job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["progress_bar", "track"]

T = TypeVar("T")


def progress_bar(
    *,
    disable: bool = False,
    transient: bool = False,
    console: Console | None = None,
    columns: Iterable[ProgressColumn] | None = None,
) -> Progress:
    """A bar to add tasks to (``with progress_bar() as bar: task = bar.add_task(…)``).

    ``columns`` replaces the counting columns (done/total and time left) for work measured in
    something else, such as bytes.
    """
    counting = (MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *(counting if columns is None else columns),
        disable=disable,
        transient=transient,
        console=console,
    )


def track(
    items: Iterable[T],
    description: str,
    *,
    total: float | None = None,
    disable: bool = False,
    transient: bool = False,
) -> Iterator[T]:
    """``items`` one by one, advancing a bar titled ``description`` (``total`` when ``items`` has no length)."""
    with progress_bar(disable=disable, transient=transient) as bar:
        yield from bar.track(items, total=total, description=description)
