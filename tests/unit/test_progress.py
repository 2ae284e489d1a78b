"""The one progress bar: every item passes through, and a disabled bar prints nothing."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from vestis.progress import progress_bar, track


def test_track_yields_every_item_in_order_with_or_without_a_length() -> None:
    assert list(track([3, 1, 2], "sorting", disable=True)) == [3, 1, 2]
    assert list(track((n for n in range(4)), "counting", disable=True)) == [0, 1, 2, 3]


def test_a_disabled_bar_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in track(range(3), "quiet", disable=True):
        pass
    assert capsys.readouterr().out == ""


def test_the_bar_shows_the_task_its_count_and_the_time() -> None:
    screen = io.StringIO()
    console = Console(file=screen, width=100, force_terminal=False)
    with progress_bar(console=console) as bar:
        task = bar.add_task("training", total=4)
        bar.advance(task, 4)
    text = screen.getvalue()
    assert "training" in text and "4/4" in text and "0:00:0" in text
