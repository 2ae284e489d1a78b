"""Outfit compatibility learned from real outfits: score a whole outfit, fill in its blank.

An outfit is a list of :class:`Piece` descriptors (fine category, broad group, role, colour; any of
them may be unknown). :class:`CompatibilityModel` learns how much more (or less) often two kinds of
piece share an outfit than chance predicts — pointwise mutual information over outfits, at three
levels: fine category ("sandals"), broad group ("shoes") and outfit role (:func:`~vestis.catalog.taxonomy.outfit_role`). A rare
fine pair is shrunk towards its group's lift, a rare group pair towards its role's, so a pair seen
in few outfits borrows from the level above. Two pieces of the same kind count as a pair too, so
outfits with two pairs of shoes score low because real outfits rarely have them, not by decree.

An outfit's score is the mean over its pairs of that learned lift, plus the colour rules of
:func:`colour_harmony` where both colours are known, plus a weight on :func:`role_score`, the
template rules of the outfit builder (:data:`TEMPLATES`): core roles filled, none repeated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import combinations
from typing import Self

import numpy as np

from vestis.catalog.taxonomy import outfit_role
from vestis.guide.outfits import OPTIONAL_ROLES, TEMPLATES, colour_harmony
from vestis.progress import track

__all__ = ["CompatibilityModel", "Piece", "role_score"]

_LEVELS = ("category", "group", "role")
"""Descriptor levels from the finest to the coarsest: a pair is scored at the finest both pieces have."""


@dataclass(frozen=True)
class Piece:
    """One item of an outfit as the compatibility model sees it; every field may be unknown.

    ``category`` is the fine kind ("sandals"), ``group`` the broad one ("shoes"), ``role`` the outfit
    role; when ``role`` is not given it is derived from the category, then the group, by :func:`~vestis.catalog.taxonomy.outfit_role`.
    Text is compared lower-cased and stripped.

    Examples
    --------
    >>> Piece(category="Flat sandals", group="shoes").role
    'shoes'
    """

    category: str | None = None
    group: str | None = None
    role: str | None = None
    colour: str | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"Piece.{field.name} must be a string or None; got {type(value).__name__}")
            object.__setattr__(self, field.name, (value or "").strip().lower() or None)
        if self.role is None:
            object.__setattr__(self, "role", outfit_role(self.category, self.group))

    @classmethod
    def of(cls, value: Piece | Mapping[str, str | None]) -> Piece:
        """A piece from a :class:`Piece` or a mapping with some of its field names."""
        if isinstance(value, Piece):
            return value
        if not isinstance(value, Mapping):
            raise TypeError(f"a piece must be a Piece or a mapping; got {type(value).__name__}")
        unknown = sorted(set(value) - {field.name for field in fields(cls)})
        if unknown:
            raise ValueError(f"unknown piece field(s) {unknown}; expected category, group, role, colour")
        return cls(**value)

    def key(self, level: str) -> str | None:
        """The piece's descriptor at ``level`` (``"category"``, ``"group"`` or ``"role"``)."""
        return getattr(self, level)


_UNKNOWN = Piece()
Pieces = Sequence[Piece | Mapping[str, str | None]]
"""An outfit, partial outfit or list of candidates: pieces, or mappings of their field names."""


def role_score(roles: Iterable[str | None]) -> float:
    """The outfit builder's template rules as a score: core roles filled minus roles doubled.

    The share of the best-matching template's core roles (those not in :data:`OPTIONAL_ROLES`)
    that the outfit fills, minus one for every extra piece of a core role (two pairs of shoes)
    and one for a dress worn with a top or a bottom. Unknown roles (``None``) are ignored.

    >>> role_score(["top", "bottom", "shoes", "accessory"])
    1.0
    >>> round(role_score(["top", "shoes", "shoes"]), 2)
    -0.33
    """
    present = Counter(role for role in roles if role)
    filled = max(
        sum(role in present for role in template if role not in OPTIONAL_ROLES)
        / sum(role not in OPTIONAL_ROLES for role in template)
        for template in TEMPLATES
    )
    repeats = sum(count - 1 for role, count in present.items() if role not in OPTIONAL_ROLES)
    clash = "dress" in present and ("top" in present or "bottom" in present)
    return filled - repeats - float(clash)


class CompatibilityModel:
    """Scores how well pieces go together, learned from which kinds of piece share real outfits.

    Parameters are keyword-only: ``prior`` is the weight, in expected co-occurrences, of the level
    above when a pair's lift is estimated (more evidence than that and the pair's own count wins);
    ``colour`` and ``rules`` weigh :func:`colour_harmony` and :func:`role_score` against the mean
    learned pair score (log lift).

    Examples
    --------
    >>> outfits = [
    ...     [Piece(category="jeans", group="bottoms"), Piece(category="t-shirt", group="tops"),
    ...      Piece(category="sneakers", group="shoes")],
    ...     [Piece(category="dress", group="all-body"), Piece(category="heels", group="shoes")],
    ... ] * 5
    >>> model = CompatibilityModel().fit(outfits)
    >>> good = [Piece(category="jeans"), Piece(category="t-shirt"), Piece(category="sneakers")]
    >>> odd = [Piece(category="heels"), Piece(category="t-shirt"), Piece(category="sneakers")]
    >>> model.score(good) > model.score(odd)
    True
    >>> model.fill_in_blank(good[:2], [Piece(category="dress"), Piece(category="sneakers")])
    [1, 0]
    """

    def __init__(self, *, prior: float = 5.0, colour: float = 0.5, rules: float = 0.5) -> None:
        self.prior = prior
        self.colour = colour
        self.rules = rules

    def fit(self, outfits: Iterable[Pieces], *, show_progress: bool = False) -> Self:
        """Count, at every level, the outfits holding each kind of piece and each pair of kinds."""
        self._check_params()
        singles: dict[str, Counter[str]] = {level: Counter() for level in _LEVELS}
        pairs: dict[str, Counter[tuple[str, str]]] = {level: Counter() for level in _LEVELS}
        count = 0
        for number, outfit in enumerate(track(outfits, "outfits", disable=not show_progress)):
            pieces = _pieces(outfit, f"outfit {number}")
            count += 1
            for level in _LEVELS:
                kinds = Counter(key for piece in pieces if (key := piece.key(level)) is not None)
                singles[level].update(kinds.keys())
                pairs[level].update(_kind_pairs(kinds))
        if count == 0:
            raise ValueError("CompatibilityModel.fit: no outfits given")
        self.n_outfits_ = count
        self.kind_counts_ = {level: dict(counter) for level, counter in singles.items()}
        self.pair_counts_ = {level: dict(counter) for level, counter in pairs.items()}
        self._lift_cache: dict[tuple[int, tuple[str | None, ...], tuple[str | None, ...]], float] = {}
        return self

    def score(self, outfit: Pieces) -> float:
        """How well the pieces go together: higher is better, 0 when nothing about them is known.

        Pieces with no descriptor at all are left out, so they neither help nor dilute the mean.
        """
        self._check_fitted()
        pieces = [piece for piece in _pieces(outfit, "outfit") if piece != _UNKNOWN]
        pair_scores = [self.pair_score(a, b) for a, b in combinations(pieces, 2)]
        learned = float(np.mean(pair_scores)) if pair_scores else 0.0
        return learned + self.rules * role_score(piece.role for piece in pieces)

    def pair_score(self, first: Piece, second: Piece) -> float:
        """Log lift of the two pieces' kinds sharing an outfit, plus their colour harmony."""
        self._check_fitted()
        colour = colour_harmony(first.colour, second.colour)[0] if self.colour else 0.0
        return float(np.log(self._lift(first, second, 0))) + self.colour * colour

    def fill_in_blank(self, partial: Pieces, candidates: Pieces) -> list[int]:
        """Positions of ``candidates`` from the best to the worst completion of ``partial``.

        Ties keep the candidates' order; an evaluation should shuffle candidates or count ties.
        """
        scores = self.candidate_scores(partial, candidates)
        return [int(i) for i in np.argsort(-scores, kind="stable")]

    def candidate_scores(self, partial: Pieces, candidates: Pieces) -> np.ndarray:
        """The outfit score of ``partial`` completed by each candidate in turn."""
        self._check_fitted()
        pieces = _pieces(partial, "partial outfit")
        options = _pieces(candidates, "candidates")
        if not options:
            raise ValueError("fill_in_blank: no candidates given")
        return np.array([self.score([*pieces, option]) for option in options])

    def get_params(self) -> dict[str, float]:
        """The constructor's parameters."""
        return {"prior": self.prior, "colour": self.colour, "rules": self.rules}

    def _lift(self, a: Piece, b: Piece, depth: int) -> float:
        """Observed / expected co-occurrence of the pair, shrunk towards the level above (or 1).

        Expected is what independent kinds would give: ``n_a n_b / N`` outfits. A kind held by a
        share p of outfits is then held twice by about p² of them, so a same-kind pair (two pairs of
        shoes) is judged on the same scale as two different kinds.
        """
        if depth == len(_LEVELS):
            return 1.0
        level = _LEVELS[depth]
        cache_key = (depth, _keys(a, depth), _keys(b, depth))
        if cache_key in self._lift_cache:
            return self._lift_cache[cache_key]
        above = self._lift(a, b, depth + 1)
        key_a, key_b = a.key(level), b.key(level)
        if key_a is None or key_b is None:
            lift = above
        else:
            counts = self.kind_counts_[level]
            expected = counts.get(key_a, 0) * counts.get(key_b, 0) / self.n_outfits_
            observed = self.pair_counts_[level].get(_pair_key(key_a, key_b), 0)
            lift = (observed + self.prior * above) / (expected + self.prior)
        self._lift_cache[cache_key] = lift
        return lift

    def _check_params(self) -> None:
        if self.prior <= 0:
            raise ValueError(f"CompatibilityModel: prior must be > 0; got {self.prior}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "pair_counts_"):
            raise RuntimeError("CompatibilityModel is not fitted: call fit(outfits) first")


def _pieces(outfit: Pieces, where: str) -> list[Piece]:
    """The outfit's items as pieces; a bad item raises an error naming ``where`` and its position."""
    if isinstance(outfit, str | bytes | Mapping) or not isinstance(outfit, Iterable):
        raise TypeError(f"{where}: expected a sequence of pieces; got {type(outfit).__name__}")
    pieces: list[Piece] = []
    for position, item in enumerate(outfit):
        try:
            pieces.append(Piece.of(item))
        except (TypeError, ValueError) as error:
            raise type(error)(f"{where}, item {position}: {error}") from None
    return pieces


def _keys(piece: Piece, depth: int) -> tuple[str | None, ...]:
    """The piece's descriptors from ``depth`` up: all that its lift at that level depends on."""
    return tuple(piece.key(level) for level in _LEVELS[depth:])


def _kind_pairs(kinds: Counter[str]) -> list[tuple[str, str]]:
    """Each unordered pair of different kinds in one outfit, plus (kind, kind) for a kind held twice."""
    names = sorted(kinds)
    return [*combinations(names, 2), *((name, name) for name in names if kinds[name] > 1)]


def _pair_key(first: str, second: str) -> tuple[str, str]:
    return (first, second) if first <= second else (second, first)
