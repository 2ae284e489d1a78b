"""Outfit compatibility on the real Polyvore Outfits validation slice (categories only), two folds.

What the measurement supports: on the published questions the negatives keep their positive's
categories, so a category-only model must sit at chance there (above it would mean a leak); on
the constructed random negatives and same-group fill in the blank the learned model beats the
builder's template rules and chance clearly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.polyvore import evaluate, load


@pytest.mark.slow
def test_polyvore_compatibility_and_fill_in_the_blank(shared_data: Path) -> None:
    folder = shared_data / "polyvore-outfits-valid"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    results = evaluate(load(folder))

    assert results.questions == 10_000 and results.fitb_questions > 4_500
    assert results.same_category_share > 0.99
    assert abs(results.auc_published["model"] - 0.5) < 0.03
    assert results.auc_published_interval[0] < 0.5 < results.auc_published_interval[1]
    assert results.auc_random["model"] > max(0.8, results.auc_random["rules"] + 0.02)
    assert results.fitb_group["model"] > 0.30 > results.fitb_group["rules"]
    assert results.fitb_any["model"] > results.fitb_any["rules"] + 0.05
