"""A year of shop sessions simulated from the shoppers' latent tastes and bodies.

Each session has a mission category (seasonal, per shopper appetite); the shopper views
items ranked by a noisy utility (gender, style, favourite colours, price, popularity,
season, outfit complements), adds the best ones to the cart, sometimes checks out, and
picks a size from the nominal standard. Whether that size fits is decided by the brand's
own chart: wrong sizes come back with ``small``/``large`` feedback and the shopper learns
to size up or down for that brand. Everything is driven by one seeded generator in a
fixed order, so the same inputs give the same events.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from vestis.data.demo.products import DemoProduct
from vestis.data.demo.shoppers import Shoppers
from vestis.data.demo.sizing import SizeChart, brand_charts, standard_charts
from vestis.data.demo.vocabulary import CATEGORIES, COLOUR_NAMES, COMPLEMENTS, STYLES

EVENT_COLUMNS = (
    "USER_ID",
    "ITEM_ID",
    "TIMESTAMP",
    "EVENT_TYPE",
    "SIZE",
    "FIT_FEEDBACK",
    "PRICE",
    "SESSION_ID",
)
EVENT_TYPES = ("view", "add_to_cart", "purchase", "return")
VIEW, CART, PURCHASE, RETURN = range(4)

_DAY = 86_400
_CART_PROBABILITY = (0.36, 0.14, 0.05)
_RETURN_PROBABILITY = {0: 0.07, 1: 0.72}  # by |chosen - fitting| size steps; further off: 0.93
_ONE_SIZE_RETURN = 0.06


@dataclass(frozen=True)
class Event:
    """One simulated interaction (indices into the shoppers and products)."""

    timestamp: int
    user: int
    item: int
    kind: int
    size: str = ""
    feedback: str = ""
    price: float = 0.0
    session: int = 0


@dataclass
class Simulation:
    """Everything the simulation produced, in timestamp order."""

    events: list[Event] = field(default_factory=list)
    sessions: int = 0

    def count(self, kind: int) -> int:
        """Number of events of ``kind`` (``VIEW`` … ``RETURN``)."""
        return sum(1 for e in self.events if e.kind == kind)


def simulate(
    rng: np.random.Generator,
    products: Sequence[DemoProduct],
    shoppers: Shoppers,
    *,
    days: int,
    end: date,
    advance: Callable[[int], None] = lambda _done: None,
) -> Simulation:
    """Simulate ``days`` days of sessions ending the day before ``end`` (UTC midnight).

    ``advance`` is called with the number of shoppers done, for progress bars.
    """
    world = _World(products, shoppers, days=days, end=end)
    result = Simulation()
    seen: set[tuple[int, int, int, int]] = set()

    def emit(event: Event) -> None:
        timestamp = event.timestamp
        while (event.user, event.item, timestamp, event.kind) in seen:
            timestamp += 1
        seen.add((event.user, event.item, timestamp, event.kind))
        result.events.append(event if timestamp == event.timestamp else _moved(event, timestamp))

    for user in range(len(shoppers)):
        result.sessions = _simulate_shopper(rng, world, user, result.sessions, emit)
        advance(user + 1)
    result.events = sorted(
        (e for e in result.events if e.timestamp < world.end_ts),
        key=lambda e: (e.timestamp, e.user, e.kind, e.item),
    )
    return result


def event_row(event: Event, products: Sequence[DemoProduct], shoppers: Shoppers) -> dict[str, str]:
    """The event as an ``events.csv`` row (Amazon Personalize column names)."""
    return {
        "USER_ID": shoppers.ids[event.user],
        "ITEM_ID": products[event.item].id,
        "TIMESTAMP": str(event.timestamp),
        "EVENT_TYPE": EVENT_TYPES[event.kind],
        "SIZE": event.size,
        "FIT_FEEDBACK": event.feedback,
        "PRICE": f"{event.price:.2f}",
        "SESSION_ID": f"se-{event.session:07d}",
    }


class _World:
    """Item arrays, calendar and size charts precomputed once for the simulation."""

    def __init__(self, products: Sequence[DemoProduct], shoppers: Shoppers, *, days: int, end: date) -> None:
        self.products = products
        self.shoppers = shoppers
        self.days = days
        self.end_ts = int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp())
        self.start_ts = self.end_ts - days * _DAY
        dates = [end - timedelta(days=days - d) for d in range(days)]
        categories = [c.key for c in CATEGORIES]

        self.category = np.array([categories.index(p.category) for p in products])
        self.gender = np.array([p.gender for p in products])
        self.style = np.array([STYLES.index(p.style) for p in products])
        self.colour = np.array([COLOUR_NAMES.index(p.colour) for p in products])
        self.price = np.array([p.price for p in products])
        self.in_stock = np.array([p.in_stock for p in products])
        self.log_popularity = np.log(np.array([p.popularity for p in products]))
        medians = {c: np.median(self.price[self.category == c]) for c in np.unique(self.category)}
        self.log_relative_price = np.log(self.price / np.array([medians[c] for c in self.category]))
        self.complements = np.zeros((len(categories), len(products)))
        for c, key in enumerate(categories):
            self.complements[c] = np.isin(self.category, [categories.index(k) for k in COMPLEMENTS[key]])

        self.season = np.array([[_season_score(p, day) for p in products] for day in dates])
        launched = np.array([[p.launch_day <= d for p in products] for d in range(days)])
        self.season[~launched] = -np.inf
        self.category_season = np.stack(
            [
                np.where(launched, self.season, 0.0)[:, self.category == c].mean(axis=1)
                if (self.category == c).any()
                else np.full(days, -np.inf)
                for c in range(len(categories))
            ],
            axis=1,
        )
        self.discount = np.array([_discount(day) for day in dates])
        traffic = np.array([_traffic(day) for day in dates])
        self.day_p = traffic / traffic.sum()

        self.charts = brand_charts()
        self.standard = standard_charts()
        self.chart_of: list[SizeChart | None] = [_chart(p, self.charts) for p in products]

    def base_scores(self, user: int) -> np.ndarray:
        """The shopper's utility for every item before season, mission and noise."""
        shoppers = self.shoppers
        gender = shoppers.gender[user]
        if gender == "non-binary":
            match = np.where(self.gender == "unisex", 0.0, -0.4)
        else:
            match = np.select([self.gender == gender, self.gender == "unisex"], [0.0, -0.2], -3.5)
        colour = np.zeros(len(COLOUR_NAMES))
        for bonus, name in zip((1.6, 1.2, 0.9), shoppers.favourite_colours[user], strict=True):
            colour[COLOUR_NAMES.index(name)] = bonus
        sensitivity = shoppers.price_sensitivity[user]
        return (
            match
            + 1.6 * np.log(shoppers.style_weights[user][self.style] + 0.05)
            + colour[self.colour]
            + (0.35 - 2.0 * sensitivity) * self.log_relative_price
            + 0.6 * self.log_popularity
        )


def _simulate_shopper(
    rng: np.random.Generator, world: _World, user: int, session: int, emit: Callable[[Event], None]
) -> int:
    """All sessions of one shopper; returns the next free session number."""
    shoppers = world.shoppers
    base = world.base_scores(user)
    preference = np.log(shoppers.category_preference[user])
    count = max(1, int(rng.poisson(shoppers.sessions_per_year[user] * world.days / 365)))
    days = np.sort(rng.choice(world.days, size=count, p=world.day_p))
    offsets: dict[str, int] = {}
    lessons: list[tuple[int, str, int]] = []
    body = {name: float(values[user]) for name, values in shoppers.body.items()}
    clock = 0
    for day in days:
        clock = max(world.start_ts + int(day) * _DAY + _time_of_day(rng), clock + 600)
        for lesson in [lesson for lesson in lessons if lesson[0] <= clock]:
            offsets[lesson[1]] = offsets.get(lesson[1], 0) + lesson[2]
            lessons.remove(lesson)
        session += 1
        mission = _softmax_choice(rng, preference + world.category_season[day])
        scores = (
            base + world.season[day] + 2.0 * (world.category == mission) + 0.7 * world.complements[mission]
        )
        views = min(int(rng.geometric(0.22)), 16, int(np.isfinite(scores).sum()))
        ranked = np.argsort(-(scores + rng.gumbel(size=len(scores))), kind="stable")[:views]
        shown = ranked[rng.permutation(views)]
        price_factor = 1.0 - world.discount[day]
        seen_at: dict[int, int] = {}
        for item in shown:
            clock += 15 + int(rng.exponential(60))
            seen_at[int(item)] = clock
            emit(Event(clock, user, int(item), VIEW, price=_paid(world, item, price_factor), session=session))
        cart: list[tuple[int, str]] = []
        for rank, item in enumerate(ranked[: len(_CART_PROBABILITY)]):
            if world.in_stock[item] and rng.random() < _CART_PROBABILITY[rank] * (
                1.2 if price_factor < 1 else 1
            ):
                size = _choose_size(rng, world, user, int(item), body, offsets)
                cart.append((int(item), size))
                at = seen_at[int(item)] + 5 + int(rng.integers(0, 60))
                emit(
                    Event(
                        at,
                        user,
                        int(item),
                        CART,
                        size,
                        price=_paid(world, item, price_factor),
                        session=session,
                    )
                )
                clock = max(clock, at)
        if cart and rng.random() < min(0.9, 0.55 * (1.25 if price_factor < 1 else 1)):
            clock += 60 + int(rng.integers(0, 240))
            for item, size in cart:
                lesson = _purchase(rng, world, user, item, size, clock, _paid(world, item, price_factor), session,
                                   body, emit)  # fmt: skip
                lessons.extend(lesson)
    return session


def _purchase(
    rng: np.random.Generator,
    world: _World,
    user: int,
    item: int,
    size: str,
    at: int,
    price: float,
    session: int,
    body: dict[str, float],
    emit: Callable[[Event], None],
) -> list[tuple[int, str, int]]:
    """A purchase, its possible return and size exchange; returns what the shopper learned."""
    chart = world.chart_of[item]
    brand = world.products[item].brand
    lessons: list[tuple[int, str, int]] = []
    while True:
        error = chart.sizes.index(size) - chart.fitting_index(body) if chart is not None else 0
        returned = rng.random() < (
            _RETURN_PROBABILITY.get(abs(error), 0.93) if chart is not None else _ONE_SIZE_RETURN
        )
        feedback = _feedback(error) if chart is not None and (returned or rng.random() < 0.3) else ""
        emit(Event(at, user, item, PURCHASE, size, "" if returned else feedback, price, session))
        if not returned:
            return lessons
        back = at + 3 * _DAY + int(rng.integers(0, 13 * _DAY))
        emit(Event(back, user, item, RETURN, size, feedback, price, session))
        if error == 0 or chart is None:
            return lessons
        step = -int(np.sign(error))
        lessons.append((back, brand, step))
        wanted = chart.sizes.index(size) + step
        if not 0 <= wanted < len(chart.sizes) or rng.random() > 0.45:
            return lessons
        size, at = chart.sizes[wanted], back + _DAY + int(rng.integers(0, 2 * _DAY))


def _choose_size(
    rng: np.random.Generator,
    world: _World,
    user: int,
    item: int,
    body: dict[str, float],
    offsets: dict[str, int],
) -> str:
    """The size a shopper picks: the nominal standard size, corrected by what returns taught them."""
    product = world.products[item]
    chart = world.chart_of[item]
    if chart is None:
        return product.sizes[0]
    nominal = world.standard[chart.product_type] if len(chart.sizes) == len(product.sizes) else chart
    index = nominal.fitting_index(body) + offsets.get(product.brand, 0)
    if rng.random() < 0.07:
        index += int(rng.choice([-1, 1]))
    return chart.sizes[min(max(index, 0), len(chart.sizes) - 1)]


def _chart(product: DemoProduct, charts: dict[tuple[str, str], SizeChart]) -> SizeChart | None:
    chart = charts.get((product.brand, product.product_type))
    return chart if chart is not None and chart.sizes == product.sizes else None


def _feedback(error: int) -> str:
    return "small" if error < 0 else "large" if error > 0 else "fit"


def _paid(world: _World, item: np.integer | int, factor: float) -> float:
    return round(float(world.price[item]) * factor, 2)


def _moved(event: Event, timestamp: int) -> Event:
    return Event(
        timestamp, event.user, event.item, event.kind, event.size, event.feedback, event.price, event.session
    )


def _softmax_choice(rng: np.random.Generator, logits: np.ndarray) -> int:
    weights = np.exp(logits - logits[np.isfinite(logits)].max())
    return int(rng.choice(len(weights), p=weights / weights.sum()))


def _time_of_day(rng: np.random.Generator) -> int:
    """Seconds after midnight: a lunchtime and a larger evening peak, 07:00–23:30."""
    hours = rng.normal(12.5, 1.2) if rng.random() < 0.3 else rng.normal(20.0, 2.0)
    return int(min(max(hours, 7.0), 23.5) * 3600)


def _season_score(product: DemoProduct, day: date) -> float:
    """Seasonal lift of a product on ``day``: peaks mid-January (winter) or mid-July (summer)."""
    if product.season == "all" or not product.season_strength:
        return 0.0
    peak = 15 if product.season == "winter" else 196
    return product.season_strength * math.cos(2 * math.pi * (day.timetuple().tm_yday - peak) / 365.25)


def _discount(day: date) -> float:
    """Sale discount: winter sale in January, summer sale in July, Black Friday week."""
    if day.month == 1 and day.day >= 2:
        return 0.3
    if day.month == 7:
        return 0.25
    if day.month == 11 and day.day >= 24:
        return 0.2
    return 0.0


def _traffic(day: date) -> float:
    """Relative number of sessions on ``day``: sales, the December run-up and weekends draw more."""
    weight = 1.0 + 0.4 * (_discount(day) > 0) + 0.15 * (day.weekday() >= 5)
    return weight + (0.3 if day.month == 12 and day.day <= 20 else 0.0)
