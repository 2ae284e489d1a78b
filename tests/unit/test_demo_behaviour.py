"""The demo shop's events carry the signals it plants: size errors cause returns, tastes drive choice.

Everything is computed from the written files (plus ``shopper_truth.csv`` for the planted
tastes), the way a model or an analyst would see them.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from vestis.data.demo import generate_demo


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small shop over a full year (seasons and size learning need the time span)."""
    out = tmp_path_factory.mktemp("demo-year")
    generate_demo(out, products=80, customers=600, days=365, seed=11, progress=False)
    return out


def test_wrong_sizes_are_returned_far_more_often(year: Path) -> None:
    fitting = _fitting_sizes(year)
    outcome: dict[bool, list[bool]] = {True: [], False: []}
    for user, item, size, returned in _purchase_outcomes(year):
        right = fitting.get((user, item))
        if right is not None:
            outcome[size == right].append(returned)
    right_rate = float(np.mean(outcome[True]))
    wrong_rate = float(np.mean(outcome[False]))
    assert len(outcome[False]) >= 100 and len(outcome[True]) >= 300
    assert right_rate < 0.15
    assert wrong_rate > 0.55
    assert wrong_rate > 4 * right_rate


def test_return_feedback_points_the_right_way(year: Path) -> None:
    fitting = _fitting_sizes(year)
    sizes = {row["id"]: row["size"].split(",") for row in _feed(year)}
    agree = disagree = 0
    for row in _events(year):
        if row["EVENT_TYPE"] != "return" or row["FIT_FEEDBACK"] not in ("small", "large"):
            continue
        right = fitting[(row["USER_ID"], row["ITEM_ID"])]
        order = sizes[row["ITEM_ID"]]
        too_small = order.index(row["SIZE"]) < order.index(right)
        agree += too_small == (row["FIT_FEEDBACK"] == "small")
        disagree += too_small != (row["FIT_FEEDBACK"] == "small")
    assert agree >= 50 and disagree == 0


def test_brands_that_run_small_or_large_cause_more_size_returns(year: Path) -> None:
    brand = {row["id"]: row["brand"] for row in _feed(year)}
    bought: Counter[str] = Counter()
    misfit: Counter[str] = Counter()
    for row in _events(year):
        if row["EVENT_TYPE"] == "purchase":
            bought[brand[row["ITEM_ID"]]] += 1
        if row["EVENT_TYPE"] == "return" and row["FIT_FEEDBACK"] in ("small", "large"):
            misfit[brand[row["ITEM_ID"]]] += 1
    rate = {b: misfit[b] / bought[b] for b in bought if bought[b] >= 30}
    assert rate["Maison Lune"] > 2 * rate["Aster"]  # runs small (-0.6 size) vs true to size
    assert rate["Norrland"] > 2 * rate["Aster"]  # runs large (+0.55 size)


def test_purchases_concentrate_on_favourite_colours(year: Path) -> None:
    colour = {row["id"]: row["color"] for row in _feed(year)}
    favourites = {
        row["id"]: set(row["favourite_colours"].split(";")) for row in _table(year / "shopper_truth.csv")
    }
    bought = [(r["USER_ID"], colour[r["ITEM_ID"]]) for r in _events(year) if r["EVENT_TYPE"] == "purchase"]
    hit_rate = np.mean([c in favourites[u] for u, c in bought])
    base = Counter(colour.values())
    base_rate = np.mean([sum(base[c] for c in favourites[u]) / len(colour) for u, _ in bought])
    assert hit_rate > 2 * base_rate
    assert hit_rate > 0.5


def test_taste_is_learnable_from_history_alone(year: Path) -> None:
    """A shopper's later purchases repeat the colours of their earlier ones far above chance."""
    colour = {row["id"]: row["color"] for row in _feed(year)}
    history: dict[str, list[str]] = defaultdict(list)
    for row in _events(year):
        if row["EVENT_TYPE"] == "purchase":
            history[row["USER_ID"]].append(colour[row["ITEM_ID"]])
    shares = Counter(c for colours in history.values() for c in colours)
    total = sum(shares.values())
    repeats, chance = [], []
    for colours in history.values():
        if len(colours) < 4:
            continue
        half = len(colours) // 2
        earlier = set(colours[:half])
        repeats += [c in earlier for c in colours[half:]]
        chance += [sum(shares[c] for c in earlier) / total] * (len(colours) - half)
    assert len(repeats) >= 300
    assert np.mean(repeats) > 1.5 * np.mean(chance)


def test_co_purchases_share_style(year: Path) -> None:
    style = {row["id"]: row["style"] for row in _feed(year)}
    baskets: dict[str, list[str]] = defaultdict(list)
    for row in _events(year):
        if row["EVENT_TYPE"] == "purchase":
            baskets[row["USER_ID"]].append(style[row["ITEM_ID"]])
    same = [a == b for items in baskets.values() for i, a in enumerate(items) for b in items[i + 1 :]]
    counts = Counter(s for items in baskets.values() for s in items)
    total = sum(counts.values())
    chance = sum((n / total) ** 2 for n in counts.values())
    assert np.mean(same) > 1.4 * chance


def test_seasonality_outerwear_in_winter_dresses_in_summer(year: Path) -> None:
    product_type = {row["id"]: row["product_type"] for row in _feed(year)}
    season_of = {12: "winter", 1: "winter", 2: "winter", 6: "summer", 7: "summer", 8: "summer"}
    share: dict[str, Counter[str]] = {"winter": Counter(), "summer": Counter()}
    for row in _events(year):
        if row["EVENT_TYPE"] not in ("view", "purchase"):
            continue
        season = season_of.get(datetime.fromtimestamp(int(row["TIMESTAMP"]), UTC).month)
        if season:
            share[season][product_type[row["ITEM_ID"]]] += 1
    winter, summer = share["winter"], share["summer"]
    outer_winter = winter["Outerwear"] / winter.total()
    outer_summer = summer["Outerwear"] / summer.total()
    dress_winter = winter["Dresses"] / winter.total()
    dress_summer = summer["Dresses"] / summer.total()
    assert outer_winter > 1.8 * outer_summer
    assert dress_summer > 1.3 * dress_winter


def test_sessions_funnel_from_views_to_purchases(year: Path) -> None:
    kinds = Counter(row["EVENT_TYPE"] for row in _events(year))
    assert kinds["view"] > 3 * kinds["add_to_cart"] > 0
    assert kinds["add_to_cart"] > kinds["purchase"] > kinds["return"] > 0
    assert 0.1 < kinds["return"] / kinds["purchase"] < 0.45
    activity = Counter(row["USER_ID"] for row in _events(year))
    counts = np.array(sorted(activity.values()))
    assert counts[-len(counts) // 10 :].sum() > 0.3 * counts.sum()  # heavy tail: top 10 % do > 30 %


def _purchase_outcomes(out: Path) -> list[tuple[str, str, str, bool]]:
    """``(user, item, size, returned)`` per purchase; a return answers the latest purchase of that item."""
    outcomes: list[list] = []
    latest: dict[tuple[str, str], int] = {}
    for row in _events(out):  # the file is in timestamp order
        key = (row["USER_ID"], row["ITEM_ID"])
        if row["EVENT_TYPE"] == "purchase":
            latest[key] = len(outcomes)
            outcomes.append([*key, row["SIZE"], False])
        elif row["EVENT_TYPE"] == "return":
            outcomes[latest[key]][3] = True
    return [tuple(o) for o in outcomes]  # type: ignore[misc]


def _fitting_sizes(out: Path) -> dict[tuple[str, str], str]:
    """The size that truly fits each (shopper, sized item) per the brand's published chart."""
    charts: dict[tuple[str, str], dict[str, dict[str, tuple[float, float]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in _table(out / "size_charts.csv"):
        charts[(row["brand"], row["product_type"])][row["measurement"]][row["size"]] = (
            float(row["min_cm"]),
            float(row["max_cm"]),
        )
    bodies = {
        row["id"]: {
            "chest": float(row["chest_cm"]),
            "waist": float(row["waist_cm"]),
            "hips": float(row["hips_cm"]),
            "foot_length": float(row["foot_length_cm"]),
        }
        for row in _table(out / "customers.csv")
    }
    products = {row["id"]: row for row in _feed(out)}
    fitting: dict[tuple[str, str], str] = {}
    for row in _events(out):
        if row["EVENT_TYPE"] != "purchase":
            continue
        product = products[row["ITEM_ID"]]
        sizes = product["size"].split(",")
        chart = charts.get((product["brand"], product["product_type"]))
        if chart is None or set(sizes) != set(next(iter(chart.values()))):
            continue
        index = 0
        for measurement, ranges in chart.items():
            value = bodies[row["USER_ID"]][measurement]
            fits = [i for i, s in enumerate(sizes) if ranges[s][0] <= value < ranges[s][1]]
            clamped = 0 if value < ranges[sizes[0]][0] else len(sizes) - 1
            index = max(index, fits[0] if fits else clamped)
        fitting[(row["USER_ID"], row["ITEM_ID"])] = sizes[index]
    return fitting


def _feed(out: Path) -> list[dict[str, str]]:
    with (out / "products.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _events(out: Path) -> list[dict[str, str]]:
    return _table(out / "events.csv")


def _table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
