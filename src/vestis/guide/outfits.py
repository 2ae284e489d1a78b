"""Complete the look: outfits of complementary products around one anchor product.

Three signals decide which items go together, and each outfit says which of them drove it:

* **complementarity** — how much more often shoppers buy two items of *different* roles than
  chance predicts (pointwise mutual information over shoppers' purchase sets, shrunk towards
  zero while few shoppers back it);
* **colour harmony** — rules on a documented colour wheel (:data:`COLOUR_WHEEL`): neutrals go
  with everything, analogous and complementary hues go together, other hue pairs clash;
* **style** — same style and occasion attributes, the same season, a similar price tier within
  its product type, and at most one loud pattern per pair; gender is a hard rule.

Outfits follow :data:`TEMPLATES` (top + bottom + shoes + accessory, dress + shoes + outerwear …)
over roles read off ``product_type`` (or, failing that, ``google_product_category``) by
:func:`vestis.catalog.taxonomy.outfit_role`: a product whose type names no kind with a role never
appears in, or anchors, an outfit. A small beam search fills the roles so that every pair of items
scores well, and a diversity penalty keeps the ``k`` outfits from repeating each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import numpy as np
from scipy import sparse
from sqlalchemy import Engine

from vestis.catalog import readers
from vestis.catalog.db import session_factory
from vestis.catalog.models import Product
from vestis.catalog.taxonomy import outfit_role
from vestis.files import atomic_write, replacing
from vestis.text.tokens import words

__all__ = [
    "COLOUR_WHEEL",
    "NEUTRALS",
    "OPTIONAL_ROLES",
    "TEMPLATES",
    "Outfit",
    "OutfitBuilder",
    "colour_harmony",
]

TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("top", "bottom", "shoes", "accessory"),
    ("top", "bottom", "shoes", "outerwear"),
    ("dress", "shoes", "outerwear"),
    ("dress", "shoes", "accessory"),
)
"""The outfit shapes; an anchor is completed with every template that contains its role.

A finishing role (:data:`OPTIONAL_ROLES`) for which the shop has no suitable item (say, no men's
accessories) is left out of the outfit; a template missing any other role is not used.
"""

OPTIONAL_ROLES = frozenset({"accessory", "outerwear"})
"""Roles that finish an outfit and may be left out when nothing suitable is available."""

NEUTRALS = frozenset({"black", "white", "grey", "gray", "light grey", "navy", "beige", "cream", "ivory",
                      "camel", "brown", "denim", "khaki", "tan", "charcoal"})  # fmt: skip
"""Colours that go with everything."""

COLOUR_WHEEL: dict[str, float] = {
    "red": 0, "coral": 20, "orange": 60, "mustard": 100, "yellow": 120, "lime": 150, "olive": 150,
    "green": 180, "mint": 185, "teal": 205, "turquoise": 210, "light blue": 235, "blue": 240,
    "purple": 290, "lilac": 295, "violet": 300, "magenta": 330, "pink": 350, "burgundy": 355,
}  # fmt: skip
"""Hue angle (degrees) of each chromatic colour name on the painters' red-yellow-blue wheel.

On it red faces green, orange faces blue and yellow faces violet. Two hues at most 45° apart
are *analogous*, 150–210° apart *complementary*, 110–130° apart a *triad*: all go together.
Any other pair (red with orange-yellow, blue with green-yellow …) is a clash.
"""

_ANALOGOUS = 45.0
_COMPLEMENTARY = (150.0, 210.0)
_TRIAD = (110.0, 130.0)
_SEASONS = frozenset({"winter", "summer"})


def colour_harmony(first: str | None, second: str | None) -> tuple[float, str]:
    """How well two colour names go together (-1 … 1) and the rule that says so.

    >>> colour_harmony("navy", "white")
    (0.6, 'navy goes with white')
    >>> colour_harmony("blue", "orange")[1]
    'blue and orange are complementary'
    """
    a, b = _colour_key(first), _colour_key(second)
    if a is None or b is None:
        return 0.0, ""
    if a in NEUTRALS or b in NEUTRALS:
        if a == b:
            return 0.3, f"{a} on {b} is a tonal look"
        return 0.6, f"{a} goes with {b}"
    gap = abs(COLOUR_WHEEL[a] - COLOUR_WHEEL[b]) % 360
    gap = min(gap, 360 - gap)
    if a == b:
        return 0.2, f"head-to-toe {a}"
    if gap <= _ANALOGOUS:
        return 0.8, f"{a} and {b} are neighbours on the colour wheel"
    if _COMPLEMENTARY[0] <= gap <= _COMPLEMENTARY[1]:
        return 0.7, f"{a} and {b} are complementary"
    if _TRIAD[0] <= gap <= _TRIAD[1]:
        return 0.3, f"{a} and {b} form a colour triad"
    return -1.0, f"{a} clashes with {b}"


@dataclass(frozen=True)
class Outfit:
    """One proposed outfit: the anchor plus the items that complete it, by role."""

    anchor_id: str
    items: tuple[str, ...]
    roles: dict[str, str]
    score: float
    reason: str


class OutfitBuilder:
    """Proposes outfits around an anchor product from purchases, colour rules and style.

    Parameters are keyword-only weights of the pair score (``complementarity``, ``colour``,
    ``style``) and of each item's own appeal (``popularity``, ``personal`` — closeness to the
    styles and colours the shopper bought before); ``shrinkage`` is the number of co-buying
    shoppers at which complementarity counts half; ``beam_width`` and ``candidates`` size the
    search; ``diversity`` is the penalty on an outfit for each item it shares with one already
    proposed (as a fraction of its items).

    Examples
    --------
    >>> builder = OutfitBuilder(beam_width=8)
    >>> builder.beam_width
    8
    """

    def __init__(
        self,
        *,
        complementarity: float = 1.0,
        colour: float = 0.5,
        style: float = 0.5,
        popularity: float = 0.5,
        personal: float = 1.0,
        shrinkage: float = 20.0,
        beam_width: int = 12,
        candidates: int = 20,
        diversity: float = 0.6,
    ) -> None:
        self.complementarity = complementarity
        self.colour = colour
        self.style = style
        self.popularity = popularity
        self.personal = personal
        self.shrinkage = shrinkage
        self.beam_width = beam_width
        self.candidates = candidates
        self.diversity = diversity

    def fit(self, engine: Engine, *, until: datetime | None = None) -> Self:
        """Learn from the catalog's products and the purchases before ``until`` (default: all)."""
        self._check_params()
        with session_factory(engine)() as session:
            products = readers.products(session, by_id=True)
            purchases = readers.purchases(session, before=until)
        self.items_ = _Items.from_products(products)
        users = sorted({user for user, _ in purchases})
        self.users_ = np.array(users, dtype=str)
        user_row = {user: row for row, user in enumerate(users)}
        rows = [user_row[user] for user, item in purchases if item in self.items_.row]
        cols = [self.items_.row[item] for _, item in purchases if item in self.items_.row]
        bought = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(users), len(self.items_.ids))
        )
        bought.data[:] = 1.0
        self.user_items_ = bought
        self.co_counts_ = (bought.T @ bought).tocsr()
        self.item_counts_ = np.asarray(bought.sum(axis=0), dtype=np.float32).ravel()
        return self

    def complete_the_look(self, product_id: str, *, k: int = 3, user_id: str | None = None) -> list[Outfit]:
        """Up to ``k`` diverse outfits that complete ``product_id`` (none for unknown or role-less items)."""
        self._check_fitted()
        anchor = self.items_.row.get(product_id)
        if anchor is None or self.items_.roles[anchor] == "" or k <= 0:
            return []
        owned = self._owned(user_id)
        gender = self._outfit_gender(anchor, owned)
        unary = self._unary(user_id)
        finished: list[tuple[float, tuple[int, ...]]] = []
        for template in TEMPLATES:
            if self.items_.roles[anchor] in template:
                finished.extend(self._beam(anchor, template, gender, owned, unary))
        chosen = _diverse(finished, k, self.diversity)
        return [self._outfit(anchor, rows, score) for score, rows in chosen]

    def save(self, directory: Path) -> Path:
        """Write ``outfits.json`` (parameters, items) and ``.npz`` arrays (counts) to ``directory``."""
        self._check_fitted()
        directory.mkdir(parents=True, exist_ok=True)
        header = {"format": 1, "params": self.get_params(), "items": self.items_.to_json()}
        with replacing(directory / "state.npz") as temporary:
            np.savez_compressed(temporary, users=self.users_, item_counts=self.item_counts_)
        for name, matrix in (("user_items.npz", self.user_items_), ("co_counts.npz", self.co_counts_)):
            with replacing(directory / name) as temporary:
                sparse.save_npz(temporary, matrix)
        atomic_write(directory / "outfits.json", json.dumps(header).encode("utf-8"))
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Read a builder written by :meth:`save`."""
        header = json.loads((directory / "outfits.json").read_text())
        builder = cls(**header["params"])
        builder.items_ = _Items.from_json(header["items"])
        with np.load(directory / "state.npz", allow_pickle=False) as arrays:
            builder.users_ = arrays["users"]
            builder.item_counts_ = arrays["item_counts"]
        builder.user_items_ = sparse.load_npz(directory / "user_items.npz").tocsr()
        builder.co_counts_ = sparse.load_npz(directory / "co_counts.npz").tocsr()
        return builder

    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters."""
        names = ("complementarity", "colour", "style", "popularity", "personal", "shrinkage", "beam_width",
                 "candidates", "diversity")  # fmt: skip
        return {name: getattr(self, name) for name in names}

    def _check_params(self) -> None:
        if self.beam_width < 1 or self.candidates < 1:
            raise ValueError(
                f"OutfitBuilder: beam_width and candidates must be >= 1; got {self.beam_width}, {self.candidates}"
            )
        if self.shrinkage < 0 or self.diversity < 0:
            raise ValueError(
                f"OutfitBuilder: shrinkage and diversity must be >= 0; got {self.shrinkage}, {self.diversity}"
            )

    def _check_fitted(self) -> None:
        if not hasattr(self, "items_"):
            raise RuntimeError("OutfitBuilder is not fitted: call fit(engine) or load(directory) first")

    def _outfit_gender(self, anchor: int, owned: set[int]) -> str:
        """The anchor's gender; for a unisex anchor, the gender the shopper mostly bought, else unisex."""
        gender = str(self.items_.genders[anchor])
        bought = [str(self.items_.genders[row]) for row in owned]
        women, men = bought.count("female"), bought.count("male")
        if gender in ("female", "male") or women == men:
            return gender
        return "female" if women > men else "male"

    def _owned(self, user_id: str | None) -> set[int]:
        row = _position(self.users_, user_id)
        return set() if row is None else set(self.user_items_[row].indices.tolist())

    def _unary(self, user_id: str | None) -> np.ndarray:
        """Each item's own appeal: popularity, plus closeness to what this shopper bought."""
        items = self.items_
        appeal = self.popularity * np.log1p(self.item_counts_) / max(np.log1p(self.item_counts_.max()), 1.0)
        owned = sorted(self._owned(user_id))
        if owned and self.personal:
            styles = items.styles[owned]
            colours = items.colours[owned]
            style_share = np.array([np.mean(styles == s) if s else 0.0 for s in items.styles])
            colour_share = np.array([np.mean(colours == c) if c else 0.0 for c in items.colours])
            appeal = appeal + self.personal * (style_share + colour_share)
        return appeal

    def _pair_scores(self, rows: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Complementarity, colour and style scores of every item in ``rows`` against ``others``."""
        items = self.items_
        co = self.co_counts_[rows][:, others].toarray()
        expected = np.outer(self.item_counts_[rows], self.item_counts_[others]) / max(len(self.users_), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.where(co > 0, np.log(co / np.maximum(expected, 1e-9)), 0.0)
        complement = co / (co + self.shrinkage) * pmi if self.shrinkage else pmi
        colour = items.harmony[np.ix_(items.colour_codes[rows], items.colour_codes[others])]
        style, occasion, season = items.styles, items.occasions, items.seasons
        same_style = (style[rows, None] == style[None, others]) & (style[rows, None] != "")
        same_occasion = (occasion[rows, None] == occasion[None, others]) & (occasion[rows, None] != "")
        season_clash = (
            np.isin(season[rows], _SEASONS)[:, None]
            & np.isin(season[others], _SEASONS)[None, :]
            & (season[rows, None] != season[None, others])
        )
        two_patterns = items.patterned[rows, None] & items.patterned[None, others]
        tier_gap = np.minimum(np.abs(items.price_tiers[rows, None] - items.price_tiers[None, others]), 1.5)
        style_score = same_style + 0.5 * same_occasion - 1.0 * season_clash - 0.5 * two_patterns - tier_gap
        return complement, colour, style_score

    def _pair_total(self, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
        complement, colour, style = self._pair_scores(rows, others)
        return self.complementarity * complement + self.colour * colour + self.style * style

    def _beam(
        self, anchor: int, template: Sequence[str], gender: str, owned: set[int], unary: np.ndarray
    ) -> list[tuple[float, tuple[int, ...]]]:
        """Complete outfits of ``template`` around ``anchor``, best first: (mean score, item rows)."""
        items = self.items_
        allowed = (items.in_stock & _gender_ok(items.genders, gender)) & (np.arange(len(items.ids)) != anchor)
        if owned:
            allowed[sorted(owned)] = False
        pools: list[np.ndarray] = []
        for role in template:
            if role == items.roles[anchor]:
                continue
            pool = np.flatnonzero(allowed & (items.roles == role))
            if pool.size == 0 and role in OPTIONAL_ROLES:
                continue
            if pool.size == 0:
                return []
            relevance = self._pair_total(np.array([anchor]), pool)[0] + unary[pool]
            pools.append(pool[np.argsort(-relevance, kind="stable")[: self.candidates]])
        members = np.concatenate([[anchor], *pools])
        position = {int(row): i for i, row in enumerate(members)}
        pair = self._pair_total(members, members)
        agree = _genders_agree(items.genders[members])
        if not pools:
            return []
        beams: list[tuple[float, tuple[int, ...]]] = [(0.0, ())]
        for pool in pools:
            grown: list[tuple[float, tuple[int, ...]]] = []
            for pair_sum, chosen in beams:
                taken = [0, *(position[c] for c in chosen)]
                for candidate in pool:
                    at = position[int(candidate)]
                    if agree[at, taken].all():
                        gain = float(pair[at, taken].sum() + unary[candidate])
                        grown.append((pair_sum + gain, (*chosen, int(candidate))))
            grown.sort(key=lambda entry: -entry[0])
            beams = grown[: self.beam_width]
        size = len(pools) + 1
        pairs = size * (size - 1) / 2
        return [(total / pairs, chosen) for total, chosen in beams if chosen]

    def _outfit(self, anchor: int, rows: tuple[int, ...], score: float) -> Outfit:
        items = self.items_
        roles = {str(items.roles[anchor]): str(items.ids[anchor])}
        roles.update({str(items.roles[r]): str(items.ids[r]) for r in rows})
        return Outfit(
            anchor_id=str(items.ids[anchor]),
            items=tuple(str(items.ids[r]) for r in rows),
            roles=roles,
            score=round(score, 4),
            reason=self._reason(anchor, rows),
        )

    def _reason(self, anchor: int, rows: tuple[int, ...]) -> str:
        """The signals that contributed most to the outfit, in plain words."""
        items = self.items_
        others = np.array(rows)
        complement, colour, _ = (score[0] for score in self._pair_scores(np.array([anchor]), others))
        co = self.co_counts_[anchor, others].toarray().ravel()
        signals: list[tuple[float, str]] = []
        best = int(np.argmax(complement))
        if complement[best] > 0 and co[best] >= 2:
            noun = items.types[rows[best]].lower() or "item"
            signals.append(
                (
                    self.complementarity * complement[best],
                    f"{int(co[best])} shoppers bought this with the {noun}",
                )
            )
        best = int(np.argmax(colour))
        if colour[best] > 0:
            phrase = colour_harmony(items.colours[anchor], items.colours[rows[best]])[1]
            signals.append((self.colour * colour[best], phrase))
        shared = [r for r in rows if items.styles[r] and items.styles[r] == items.styles[anchor]]
        if shared:
            label = "all" if len(shared) == len(rows) else f"{len(shared) + 1} of {len(rows) + 1} pieces"
            signals.append((self.style * len(shared) / len(rows), f"{label} {items.styles[anchor]} style"))
        if not signals:
            return "popular pieces in matching roles"
        signals.sort(key=lambda entry: -entry[0])
        text = "; ".join(phrase for _, phrase in signals[:3])
        return text[0].upper() + text[1:]


@dataclass
class _Items:
    """Per-product arrays the builder scores with (one row per product)."""

    ids: np.ndarray
    types: np.ndarray
    roles: np.ndarray
    genders: np.ndarray
    colours: np.ndarray
    styles: np.ndarray
    occasions: np.ndarray
    seasons: np.ndarray
    patterned: np.ndarray
    price_tiers: np.ndarray
    in_stock: np.ndarray

    def __post_init__(self) -> None:
        self.row = {str(item): row for row, item in enumerate(self.ids)}
        names, self.colour_codes = np.unique(self.colours, return_inverse=True)
        self.harmony = np.array([[colour_harmony(a, b)[0] for b in names] for a in names]).reshape(
            len(names), len(names)
        )

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> _Items:
        rows = list(products)
        attributes = [p.attributes or {} for p in rows]
        types = [p.product_type or "" for p in rows]
        prices = np.array([p.price if p.price and p.price > 0 else np.nan for p in rows], dtype=float)
        return cls(
            ids=np.array([p.id for p in rows], dtype=str),
            types=np.array(types, dtype=str),
            roles=np.array(
                [outfit_role(p.product_type, p.google_product_category) or "" for p in rows], dtype=str
            ),
            genders=np.array([(p.gender or "unisex").lower() for p in rows], dtype=str),
            colours=np.array([(p.color or "").lower() for p in rows], dtype=str),
            styles=np.array([str(a.get("style", "")).lower() for a in attributes], dtype=str),
            occasions=np.array([str(a.get("occasion", "")).lower() for a in attributes], dtype=str),
            seasons=np.array([str(a.get("season", "")).lower() for a in attributes], dtype=str),
            patterned=np.array([(p.pattern or "solid").lower() not in ("solid", "plain") for p in rows]),
            price_tiers=_price_tiers(prices, types),
            in_stock=np.array([p.availability != "out_of_stock" for p in rows]),
        )

    def to_json(self) -> dict[str, list[Any]]:
        return {name: getattr(self, name).tolist() for name in _ITEM_FIELDS}

    @classmethod
    def from_json(cls, data: Mapping[str, list[Any]]) -> _Items:
        dtypes = {"patterned": bool, "in_stock": bool, "price_tiers": float}
        return cls(**{name: np.array(data[name], dtype=dtypes.get(name, str)) for name in _ITEM_FIELDS})


_ITEM_FIELDS = ("ids", "types", "roles", "genders", "colours", "styles", "occasions", "seasons", "patterned",
                "price_tiers", "in_stock")  # fmt: skip


def _colour_key(name: str | None) -> str | None:
    """The wheel or neutral name inside a colour string ("Navy Blue" → navy), or ``None``."""
    if not name:
        return None
    text = name.lower().strip()
    if text in NEUTRALS or text in COLOUR_WHEEL:
        return text
    for word in words(text):
        if word in NEUTRALS or word in COLOUR_WHEEL:
            return word
    return None


def _price_tiers(prices: np.ndarray, types: Sequence[str]) -> np.ndarray:
    """log(price / median price of the same product type); 0 where the price is unknown."""
    tiers = np.zeros(len(prices))
    kinds = np.array(types, dtype=str)
    for kind in set(types):
        members = (kinds == kind) & np.isfinite(prices)
        if members.any():
            tiers[members] = np.log(prices[members] / np.median(prices[members]))
    return tiers


def _gender_ok(genders: np.ndarray, gender: str) -> np.ndarray:
    if gender == "unisex":
        return np.ones(len(genders), dtype=bool)
    return (genders == gender) | (genders == "unisex")


def _genders_agree(genders: np.ndarray) -> np.ndarray:
    """Which pairs of items may share an outfit: same gender, or either one unisex."""
    unisex = genders == "unisex"
    return (genders[:, None] == genders[None, :]) | unisex[:, None] | unisex[None, :]


def _diverse(
    outfits: list[tuple[float, tuple[int, ...]]], k: int, penalty: float
) -> list[tuple[float, tuple[int, ...]]]:
    """Greedy pick of ``k`` outfits, each penalised for the share of items it repeats from earlier picks."""
    chosen: list[tuple[float, tuple[int, ...]]] = []
    remaining = sorted(set(outfits), key=lambda entry: -entry[0])
    while remaining and len(chosen) < k:
        used = {row for _, rows in chosen for row in rows}
        best = max(
            remaining, key=lambda entry: entry[0] - penalty * len(used.intersection(entry[1])) / len(entry[1])
        )
        remaining.remove(best)
        chosen.append(best)
    return chosen


def _position(values: np.ndarray, value: str | None) -> int | None:
    if value is None or values.size == 0:
        return None
    index = int(np.searchsorted(values, value))
    return index if index < values.size and values[index] == value else None
