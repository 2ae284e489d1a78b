"""Time-decay settings are checked against the span of the events they decay."""

from __future__ import annotations

import logging

import pytest

from vestis.recommend import make_model
from vestis.recommend.interactions import Interactions
from vestis.recommend.timescales import check_time_scales

DAY = 86_400


def _log(days: int) -> Interactions:
    """One event a day for ``days`` days, from three shoppers."""
    return Interactions.from_records(
        [
            {"user_id": f"u{day % 3}", "item_id": f"i{day % 7}", "timestamp": 1_700_000_000 + day * DAY}
            for day in range(days)
        ]
    )


def test_a_half_life_far_shorter_than_the_span_is_named_with_the_span(
    caplog: pytest.LogCaptureFixture,
) -> None:
    models = {"popular": make_model("popular", half_life_days=1.0), "itemknn": make_model("itemknn")}
    with caplog.at_level(logging.WARNING, logger="vestis.recommend.timescales"):
        (message,) = check_time_scales(_log(730), models)
    assert message.startswith("popular: half_life_days=1 leaves the events 0.27% of their weight")
    assert message.endswith("far shorter than the events' span of 729 days")
    assert [r.getMessage() for r in caplog.records] == [message]


def test_a_half_life_far_longer_than_the_span_is_named_once_for_every_model_sharing_it() -> None:
    models = {
        "popular": make_model("popular", half_life_days=365.0),
        "content": make_model("content", half_life_days=365.0),
    }
    (message,) = check_time_scales(_log(3), models)
    assert message == (
        "popular, content: half_life_days=365 makes no difference: it is far longer than the events' span of 2 days"
    )


@pytest.mark.parametrize("days", [1, 60])
def test_fitting_settings_and_spanless_logs_say_nothing(days: int) -> None:
    models = {
        "popular": make_model("popular"),
        "content": make_model("content"),
        "hybrid": make_model("hybrid"),
    }
    assert check_time_scales(_log(days), models) == []  # one day: no span to decay over
