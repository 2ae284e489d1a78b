"""Complete the look on the demo shop: do proposed outfits hold what shoppers really bought with the anchor?

Time split: the outfit builder learns from the purchases before the last ``--test-days`` days.
Every purchase basket (session) of the test period that holds items of two different outfit
roles gives (anchor, held-out item) pairs; a pair is a *hit* when the held-out item is in one
of the ``k`` outfits proposed for the anchor (for that shopper). A wider set of pairs takes
any two different-role items one shopper bought in the test period. The baseline fills every
role of the same templates with the most bought gender-compatible items of the training period,
through the same search (so it shows as many items); a second reference shows each role's k most
bought items at once (more items, so more chances to hit).

    python -m benchmarks.outfits
    python -m benchmarks.outfits --home /tmp/demo-home --test-days 90 --k 3
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from benchmarks.demo_shop import demo_shop
from benchmarks.report import write_section
from vestis.catalog.db import session_factory
from vestis.catalog.models import Event, Product
from vestis.catalog.taxonomy import outfit_role
from vestis.guide.outfits import TEMPLATES, OutfitBuilder

SECTION = "## Complete the look"
BASELINE = "popularity by role"
WITH_SHOPPER = "outfit builder (with shopper)"
ANONYMOUS = "outfit builder (anonymous)"
Pair = tuple[str, str, str]  # (shopper, anchor, held-out item)


@dataclass(frozen=True)
class Result:
    """Hit rate of one method over one pair set, with the mean number of distinct items shown."""

    name: str
    hits: int
    pairs: int
    shown: float
    milliseconds: float

    @property
    def rate(self) -> float:
        """Share of pairs whose held-out item was proposed."""
        return self.hits / self.pairs if self.pairs else 0.0


@dataclass(frozen=True)
class Evaluation:
    """Hit rates per pair set and method, the builder that was scored, and what it was scored on."""

    results: dict[str, list[Result]]
    builder: OutfitBuilder
    basket_pairs: list[Pair]
    cutoff: datetime
    fit_seconds: float


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation, print it and write the section."""
    args = _parser().parse_args(argv)
    engine = demo_shop(args.home)
    evaluation = evaluate(engine, test_days=args.test_days, k=args.k)
    command = "python -m benchmarks.outfits " + " ".join(argv if argv is not None else sys.argv[1:])
    text = _section(evaluation, _samples(evaluation, engine, args.k), args, command.strip())
    print(text)
    write_section(text, args.out) if args.out else write_section(text)
    return 0


def evaluate(engine: Engine, *, test_days: int = 90, k: int = 3) -> Evaluation:
    """Hit rates of the builder and the baselines on the last ``test_days`` days of purchases."""
    cutoff = _cutoff(engine, test_days)
    roles, genders = _products(engine)
    train = _purchases(engine, until=cutoff)
    basket_pairs, shopper_pairs = _pairs(_purchases(engine, since=cutoff), roles)
    started = time.perf_counter()
    builder = OutfitBuilder().fit(engine, until=cutoff)
    fit_seconds = time.perf_counter() - started
    popular = OutfitBuilder(complementarity=0, colour=0, style=0, personal=0, popularity=1).fit(
        engine, until=cutoff
    )
    methods: dict[str, Callable[[str, str], set[str]]] = {
        WITH_SHOPPER: lambda user, anchor: _items(builder, anchor, k, user),
        ANONYMOUS: lambda user, anchor: _items(builder, anchor, k, None),
        BASELINE: lambda _user, anchor: _items(popular, anchor, k, None),
        f"top {k} most bought per role": _popular(train, roles, genders, k),
    }
    results = {
        label: [_evaluate(name, method, pairs) for name, method in methods.items()]
        for label, pairs in (("same basket", basket_pairs), ("same shopper", shopper_pairs))
    }
    return Evaluation(results, builder, basket_pairs, cutoff, fit_seconds)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, default=Path("var"), help="Vestis home with (or for) the demo.")
    parser.add_argument("--test-days", type=int, default=90, help="Days at the end held out for testing.")
    parser.add_argument("--k", type=int, default=3, help="Outfits proposed per anchor.")
    parser.add_argument("--out", type=Path, default=None, help="Markdown page (default docs/benchmarks.md).")
    return parser


def _cutoff(engine: Engine, days: int) -> datetime:
    with session_factory(engine)() as session:
        newest = session.scalar(select(func.max(Event.timestamp)))
    if newest is None:
        raise SystemExit("the catalog has no events: load the demo shop first")
    return newest - timedelta(days=days)


def _products(engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    with session_factory(engine)() as session:
        rows = session.scalars(select(Product)).all()
    roles = {p.id: outfit_role(p.product_type, p.google_product_category) or "" for p in rows}
    return roles, {p.id: (p.gender or "unisex").lower() for p in rows}


def _purchases(
    engine: Engine, *, until: datetime | None = None, since: datetime | None = None
) -> list[tuple[str, str, str]]:
    """(shopper, item, session) of every purchase in the period, in time order."""
    query = select(Event.user_id, Event.item_id, Event.session_id).where(Event.event_type == "purchase")
    if until is not None:
        query = query.where(Event.timestamp < until)
    if since is not None:
        query = query.where(Event.timestamp >= since)
    with session_factory(engine)() as session:
        return [tuple(row) for row in session.execute(query.order_by(Event.timestamp, Event.id))]


def _pairs(test: list[tuple[str, str, str]], roles: dict[str, str]) -> tuple[list[Pair], list[Pair]]:
    """Directed (shopper, anchor, held-out) pairs of different roles: same basket, and same shopper."""
    baskets: dict[tuple[str, str], set[str]] = defaultdict(set)
    bought: dict[str, set[str]] = defaultdict(set)
    for user, item, session in test:
        baskets[(user, session or "")].add(item)
        bought[user].add(item)

    def directed(groups: dict[str, set[str]] | dict[tuple[str, str], set[str]]) -> list[Pair]:
        found: set[Pair] = set()
        for key, items in groups.items():
            user = key[0] if isinstance(key, tuple) else key
            for anchor in items:
                for held in items:
                    if roles.get(anchor) and roles.get(held) and roles[anchor] != roles[held]:
                        found.add((user, anchor, held))
        return sorted(found)

    return directed(baskets), directed(bought)


def _items(builder: OutfitBuilder, anchor: str, k: int, user: str | None) -> set[str]:
    return {item for outfit in builder.complete_the_look(anchor, k=k, user_id=user) for item in outfit.items}


def _popular(
    train: list[tuple[str, str, str]], roles: dict[str, str], genders: dict[str, str], k: int
) -> Callable[[str, str], set[str]]:
    """The baseline: the ``k`` most bought gender-compatible items of every other role in the anchor's templates."""
    counts = Counter(item for _, item, _ in train)
    ranked = sorted(roles, key=lambda item: (-counts[item], item))

    def propose(_user: str, anchor: str) -> set[str]:
        wanted = {role for t in TEMPLATES if roles[anchor] in t for role in t} - {roles[anchor]}
        gender = genders[anchor]
        chosen: set[str] = set()
        for role in wanted:
            fitting = [
                item
                for item in ranked
                if roles[item] == role
                and item != anchor
                and gender in ("unisex", genders[item])
                or roles[item] == role
                and genders[item] == "unisex"
            ]
            chosen.update(fitting[:k])
        return chosen

    return propose


def _evaluate(name: str, propose: Callable[[str, str], set[str]], pairs: list[Pair]) -> Result:
    hits, shown = 0, 0
    started = time.perf_counter()
    for user, anchor, held in pairs:
        items = propose(user, anchor)
        hits += held in items
        shown += len(items)
    elapsed = (time.perf_counter() - started) * 1000 / max(len(pairs), 1)
    return Result(name, hits, len(pairs), shown / max(len(pairs), 1), elapsed)


def _samples(evaluation: Evaluation, engine: Engine, k: int) -> list[str]:
    builder = evaluation.builder
    with session_factory(engine)() as session:
        titles = {p.id: p.title for p in session.scalars(select(Product))}
    lines: list[str] = []
    for user, anchor, _ in evaluation.basket_pairs[:3]:
        lines.append(f"- **{titles[anchor]}** (`{anchor}`, shopper `{user}`)")
        for outfit in builder.complete_the_look(anchor, k=k, user_id=user)[:2]:
            pieces = ", ".join(
                f"{role}: {titles[item]}" for role, item in outfit.roles.items() if item != anchor
            )
            lines.append(f"  - {pieces} — *{outfit.reason}*")
    return lines


def _section(evaluation: Evaluation, samples: list[str], args: argparse.Namespace, command: str) -> str:
    cutoff = evaluation.cutoff
    lines = [
        SECTION,
        "",
        f"Demo shop, purchases before {cutoff:%Y-%m-%d} for learning, the last {args.test_days} days held out; "
        f"{args.k} outfits per anchor. Hit rate = share of (anchor, held-out different-role item bought by "
        "the same shopper) pairs whose held-out item is in one of the proposed outfits. The baseline fills "
        "the same outfit templates with the most bought gender-compatible items per role through the same "
        "search and diversity rule (the builder with every weight but popularity set to 0), so it shows as "
        "many items; the top-k-per-role row shows every role's k most bought items at once.",
        "",
        "| pairs | method | pairs evaluated | hit rate | × baseline | items shown per anchor | ms per anchor |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, rows in evaluation.results.items():
        baseline = next(r for r in rows if r.name == BASELINE)
        for r in rows:
            ratio = f"{r.rate / baseline.rate:.2f}" if baseline.rate else "n/a"
            lines.append(
                f"| {label} | {r.name} | {r.pairs} | {r.rate:.3f} ({r.hits}) | {ratio} | {r.shown:.1f} "
                f"| {r.milliseconds:.1f} |"
            )
    lines += [
        "",
        f"Fitting the builder took {evaluation.fit_seconds:.2f} s. Sample outfits (first test baskets):",
        "",
        *samples,
        "",
        f"Reproduce: `{command}` (`--home` is any folder: the demo shop, seed 7, is generated and loaded there "
        "on first use).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
