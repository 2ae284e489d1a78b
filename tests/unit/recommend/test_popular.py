"""Time-decayed and segment popularity."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from tests.unit.recommend.contract import RecommenderContract
from vestis.recommend.interactions import Interactions
from vestis.recommend.popular import PopularRecommender


class TestPopularContract(RecommenderContract):
    learns_clusters = False

    def make(self) -> PopularRecommender:
        return PopularRecommender()


def _log(rows: list[tuple[str, str, int]]) -> Interactions:
    return Interactions.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]))


def test_recent_events_outweigh_old_ones() -> None:
    day = 86_400
    old = [(f"u{i}", "old-hit", 0) for i in range(5)]
    new = [(f"v{i}", "new-hit", 60 * day) for i in range(3)]
    # The old hit's buyers came back lately (each for something else): an active shop's log.
    back = [(f"u{i}", f"recent-{i}", 59 * day) for i in range(5)]
    model = PopularRecommender(half_life_days=7).fit(_log(old + new + back))
    ranked = [r.item_id for r in model.recommend(["someone"], k=10)[0]]
    assert model.decayed_ and ranked.index("new-hit") < ranked.index("old-hit")
    undecayed = PopularRecommender(half_life_days=None).fit(_log(old + new + back))
    assert undecayed.recommend(["someone"], k=1)[0][0].item_id == "old-hit"


def test_no_decay_where_most_users_last_came_long_before_the_newest_event(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    day = 86_400
    # Five of eight users were last seen 60 days (over 4 half-lives) before the newest event: decay
    # from it would judge their next step by what others did two months later (leave-last-out).
    old = [(f"u{i}", "old-hit", 0) for i in range(5)]
    new = [(f"v{i}", "new-hit", 60 * day) for i in range(3)]
    with caplog.at_level(logging.WARNING, logger="vestis.recommend.popular"):
        model = PopularRecommender(half_life_days=7).fit(_log(old + new))
    assert not model.decayed_
    assert "fitted without time decay" in caplog.text
    assert model.recommend(["someone"], k=1)[0][0].item_id == "old-hit"
    assert not PopularRecommender.load(model.save(tmp_path / "popular")).decayed_


def test_segments_rank_by_what_the_segment_likes() -> None:
    rows = [(f"w{i}", "dress", 0) for i in range(4)] + [(f"m{i}", "boots", 0) for i in range(6)]
    segments = {**{f"w{i}": "women" for i in range(5)}, **{f"m{i}": "men" for i in range(6)}}
    model = PopularRecommender(segments=segments).fit(_log(rows))
    for user in ("w0", "w4"):  # w4 has no events yet: cold start within the segment
        (top,) = model.recommend([user], k=1, exclude_seen=False)
        assert top[0].item_id == "dress"
        assert top[0].reason.text() == "Popular with women"


def test_a_saved_model_with_a_retired_parameter_still_loads(tmp_path: Path) -> None:
    model = PopularRecommender().fit(_log([("u", "a", 0), ("v", "a", 1), ("v", "b", 2)]))
    folder = model.save(tmp_path / "popular")
    header = json.loads((folder / "model.json").read_text())
    header["params"]["retired_option"] = 3
    (folder / "model.json").write_text(json.dumps(header))
    with pytest.warns(UserWarning, match="retired_option"):
        loaded = PopularRecommender.load(folder)
    assert loaded.recommend(["w"], k=2) == model.recommend(["w"], k=2)
