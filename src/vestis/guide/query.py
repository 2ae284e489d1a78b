"""Query understanding: a shopper's sentence → hard constraints, soft preferences and free text.

``parse_query("a red summer dress for a wedding under 80 euros, size M", vocabulary)`` gives
``Query(product_types=("Dresses",), colors=("red",), seasons=("summer",),
occasions=("wedding",), price_max=80.0, size="M")``. Categories, colours, patterns,
materials and gender are the catalog's own values (see :mod:`vestis.guide.vocabulary`), so
:meth:`Query.admits` checks a product against exactly what the shopper asked for; occasions
and seasons are soft (they rank, never filter). Negations ("not black", "no florals") become
exclusions. Chinese colours, categories and prices ("红色连衣裙 200元以下") are understood;
prices are read in the shop's currency (no exchange rates are invented).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields, replace
from typing import Any

from vestis.catalog.currency import symbol as currency_symbol
from vestis.guide.vocabulary import KIDS, GuideProduct, Term, Vocabulary
from vestis.text.tokens import CJK, words

__all__ = ["MAX_QUERY_CHARS", "Query", "admitted_age_groups", "parse_query"]

MAX_QUERY_CHARS = 500
"""Longer messages are cut here before parsing: no shopping request needs more."""


@dataclass(frozen=True)
class Query:
    """A parsed shopping request; empty tuples and ``None`` mean "no constraint".

    Hard constraints (never violated by a search result): ``product_types`` (a product
    matches by its ``product_type`` or its subcategory), ``colors``, ``patterns``,
    ``materials`` (any of the listed values), ``gender`` (unisex products suit everyone),
    ``age_group`` (``kids`` admits every children's age group, ``adult`` products without one too),
    ``price_min``/``price_max`` (inclusive, shop currency), ``size`` (must be offered),
    ``exclude_ids`` and the ``exclude_*`` negations. Soft: ``occasions``, ``seasons``, ``text``
    (the words left after parsing). ``raw`` is the request as typed (cut to
    :data:`MAX_QUERY_CHARS`), which semantic search embeds.
    """

    text: str = ""
    product_types: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    occasions: tuple[str, ...] = ()
    seasons: tuple[str, ...] = ()
    gender: str | None = None
    age_group: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    size: str | None = None
    exclude_ids: tuple[str, ...] = ()
    exclude_product_types: tuple[str, ...] = ()
    exclude_colors: tuple[str, ...] = ()
    exclude_patterns: tuple[str, ...] = ()
    exclude_materials: tuple[str, ...] = ()
    raw: str = ""

    def admits(self, product: GuideProduct) -> bool:
        """Whether ``product`` satisfies every hard constraint."""
        return not self.violations(product)

    def violations(self, product: GuideProduct) -> list[str]:
        """The hard constraints ``product`` breaks, named (empty when it is admissible)."""
        broken = []
        kinds = {product.product_type.lower(), product.subcategory.lower()} - {""}
        if product.id in self.exclude_ids:
            broken.append(f"excluded id {product.id}")
        if self.product_types and not kinds & {t.lower() for t in self.product_types}:
            broken.append(f"product_type {product.product_type}/{product.subcategory}")
        if kinds & {t.lower() for t in self.exclude_product_types}:
            broken.append(f"excluded product_type {product.kind}")
        for name, wanted, unwanted in (
            ("color", self.colors, self.exclude_colors),
            ("pattern", self.patterns, self.exclude_patterns),
            ("material", self.materials, self.exclude_materials),
        ):
            value = getattr(product, name)
            if (wanted and value not in wanted) or value in unwanted:
                broken.append(f"{name} {value}")
        if self.gender and product.gender not in {self.gender, "unisex"}:
            broken.append(f"gender {product.gender}")
        if self.age_group and product.age_group not in admitted_age_groups(self.age_group):
            broken.append(f"age_group {product.age_group or 'unknown'}")
        if self.price_min is not None and (product.price is None or product.price < self.price_min):
            broken.append(f"price {product.price} < {self.price_min}")
        if self.price_max is not None and (product.price is None or product.price > self.price_max):
            broken.append(f"price {product.price} > {self.price_max}")
        if self.size and self.size.lower() not in {s.lower() for s in product.sizes}:
            broken.append(f"size {self.size} not offered")
        return broken

    @property
    def is_empty(self) -> bool:
        """True when nothing was understood and no free text is left."""
        return all(not getattr(self, f.name) for f in fields(self) if f.name != "raw")

    def updated(self, **changes: Any) -> Query:
        """A copy with ``changes`` applied (the query is immutable)."""
        return replace(self, **changes)

    def describe(self, currency: str = "EUR") -> str:
        """A short human description, e.g. ``red Dresses for women under €80 in size M``."""
        parts = [" or ".join(self.colors), " or ".join(self.patterns), " or ".join(self.materials)]
        parts.append(" or ".join(self.product_types) or ("products" if any(parts) else ""))
        if self.age_group in KIDS:
            parts.append({"female": "for girls", "male": "for boys"}.get(self.gender or "", "for kids"))
        elif self.gender:
            parts.append({"female": "for women", "male": "for men"}.get(self.gender, self.gender))
        parts += [f"for {o}" for o in (*self.occasions, *self.seasons)]
        parts.append(price_phrase(self.price_min, self.price_max, currency_symbol(currency)))
        if self.size:
            parts.append(f"in size {self.size}")
        for label, values in (("not", self.exclude_colors + self.exclude_patterns + self.exclude_materials),
                              ("no", self.exclude_product_types)):  # fmt: skip
            if values:
                parts.append(f"{label} {' or '.join(values)}")
        if self.text:
            parts.append(f"“{self.text}”")
        return " ".join(p for p in parts if p)


def admitted_age_groups(age_group: str) -> tuple[str, ...]:
    """The product age groups a request's ``age_group`` admits: every children's one for a child,
    and products that name none (Merchant Center's default audience) for an adult."""
    return KIDS if age_group in KIDS else (age_group, "")


def price_phrase(price_min: float | None, price_max: float | None, symbol: str = "€") -> str:
    """``under €80``, ``over €100``, ``€20–€40`` or the empty string."""
    if price_min is not None and price_max is not None:
        return f"{symbol}{price_min:g}–{symbol}{price_max:g}"
    if price_max is not None:
        return f"under {symbol}{price_max:g}"
    if price_min is not None:
        return f"over {symbol}{price_min:g}"
    return ""


def parse_query(text: str, vocabulary: Vocabulary) -> Query:
    """Parse a shopper's request against ``vocabulary``; never raises on odd input."""
    # 1. Normalise: cut, fold full-width characters, lower-case.
    raw = " ".join(str(text or "")[:MAX_QUERY_CHARS].split())
    lowered = unicodedata.normalize("NFKC", raw).lower()
    found: dict[str, Any] = {}

    # 2. Prices and sizes first: their numbers must not reach the word scan.
    lowered = _extract_prices(lowered, found)
    lowered = _extract_size(lowered, found, vocabulary)

    # 3. Scan words: longest known phrase first, negations apply to the next term.
    tokens = _tokenise(lowered, vocabulary)
    collected: dict[str, list[str]] = {}
    leftover: list[str] = []
    negated_until = -1
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in NEGATIONS:
            negated_until = i + 3
            i += 1
            continue
        negated = i <= negated_until
        term, width = _longest_term(tokens, i, vocabulary)
        if term is not None:
            _collect(term, negated, collected)
            negated_until = -1
            i += width
            continue
        if token in CHEAP_WORDS or token in PREMIUM_WORDS:
            cheap = (token in CHEAP_WORDS) != negated
            key, value = (
                ("price_max", vocabulary.cheap_below) if cheap else ("price_min", vocabulary.premium_above)
            )
            found.setdefault(key, value)
            negated_until = -1
        elif token not in STOPWORDS and re.search(r"\w", token):
            leftover.append(token)
        i += 1

    # 4. Assemble.
    genders = collected.get("gender", [])
    ages = collected.get("age_group", [])
    return Query(
        text=_join(leftover),
        product_types=tuple(collected.get("product_type", [])),
        colors=tuple(collected.get("color", [])),
        patterns=tuple(collected.get("pattern", [])),
        materials=tuple(collected.get("material", [])),
        occasions=tuple(collected.get("occasion", [])),
        seasons=tuple(collected.get("season", [])),
        gender=genders[0] if len(set(genders)) == 1 else None,
        age_group=ages[0] if len(set(ages)) == 1 else None,
        price_min=found.get("price_min"),
        price_max=found.get("price_max"),
        size=found.get("size"),
        exclude_product_types=tuple(collected.get("-product_type", [])),
        exclude_colors=tuple(collected.get("-color", [])),
        exclude_patterns=tuple(collected.get("-pattern", [])),
        exclude_materials=tuple(collected.get("-material", [])),
        raw=raw,
    )


NEGATIONS = frozenset({"not", "no", "without", "except", "excluding", "non", "never", "nothing",
                       "不要", "不是", "除了", "非", "别", "不"})  # fmt: skip
CHEAP_WORDS = frozenset({"cheap", "cheaper", "budget", "affordable", "inexpensive", "bargain", "low-cost",
                         "便宜", "实惠", "平价"})  # fmt: skip
PREMIUM_WORDS = frozenset({"expensive", "luxury", "luxurious", "premium", "high-end", "designer",
                           "高端", "奢侈", "贵"})  # fmt: skip
STOPWORDS = frozenset("""
a an the and or but for with in on of to at by from as is are be am i me my we you your it its this that
these those some any something anything please want wanna need looking look find show give get see
like would could can do does have has nice new good great best really very just also one ones pair pairs
of item items stuff thing things buy shop shopping wear wearing outfit under what which suit suits
about instead how rather maybe then ok okay also only too else there here them they one's lets let's all
的 了 吗 我 要 想 买 一件 一条 一双 件 条 双 有 给 看看 推荐 请
""".split())  # fmt: skip

_CUR = r"(?:€|euros?|eur|\$|usd|dollars?|£|gbp|pounds?|¥|元|块|rmb|yuan|kuai)"
_NUM = r"(\d+(?:[.,]\d+)?)"
_PRICE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("range", rf"(?:between|from|价格|价位)?\s*{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:and|to|-|–|~|到|至)\s*{_CUR}?\s*{_NUM}\s*{_CUR}"),
        ("range", rf"(?:between|from|价格|价位)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:and|to|-|–|~|到|至)\s*{_CUR}?\s*{_NUM}"),
        ("max", rf"(?:under|below|less than|cheaper than|max(?:imum)?|up to|no more than|not more than|at most|within|budget(?: of)?|<|≤|低于|不超过|少于|小于|不到)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?"),
        ("max", rf"{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:以下|以内|之内|or less|or under|max)"),
        ("min", rf"(?:over|above|more than|at least|min(?:imum)?|starting at|>|≥|高于|超过|大于|不低于)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?"),
        ("min", rf"{_CUR}?\s*{_NUM}\s*{_CUR}?\s*(?:以上|or more|and up|plus)"),
        ("around", rf"(?:around|about|approximately|roughly|大约|大概)\s*{_CUR}?\s*{_NUM}\s*{_CUR}?"),
        ("around", rf"{_CUR}?\s*{_NUM}\s*{_CUR}?\s*左右"),
        ("max", rf"{_CUR}\s*{_NUM}|{_NUM}\s*{_CUR}"),
    )
)  # fmt: skip
_SIZE = r"(xxxl|xxl|xxs|xs|xl|3xl|2xl|s|m|l|small|medium|large|extra large|one size|\d{1,2}(?:\.5)?)"
_SIZE_PATTERNS = tuple(
    re.compile(p)
    for p in (
        rf"\bsize\s*(?:is\s*|of\s*)?{_SIZE}(?![\w.])",
        rf"\bin (?:an? )?{_SIZE}(?![\w.])(?! \w+ (?:dress|shirt))",
        r"\b(xxxl|xxl|xxs|xs|xl|3xl|2xl)\b",
        rf"(?:尺码|尺寸|码数)\s*{_SIZE}",
        rf"{_SIZE}\s*码",
    )
)
_CHINESE_WORDS = frozenset(w for w in (*NEGATIONS, *CHEAP_WORDS, *PREMIUM_WORDS, *STOPWORDS) if CJK.search(w))
_SIZE_WORDS = {"small": "S", "medium": "M", "large": "L", "extra large": "XL", "2xl": "XXL", "3xl": "XXXL"}


def _extract_prices(text: str, found: dict[str, Any]) -> str:
    for kind, pattern in _PRICE_PATTERNS:
        for match in list(pattern.finditer(text)):
            numbers = [float(n.replace(",", ".")) for n in match.groups() if n]
            if kind == "range" and len(numbers) == 2:
                low, high = sorted(numbers)
                found.setdefault("price_min", low)
                found.setdefault("price_max", high)
            elif kind == "around":
                found.setdefault("price_min", round(numbers[0] * 0.8, 2))
                found.setdefault("price_max", round(numbers[0] * 1.2, 2))
            else:
                found.setdefault(f"price_{kind}", numbers[0])
            text = text.replace(match.group(0), " ", 1)
    return text


def _extract_size(text: str, found: dict[str, Any], vocabulary: Vocabulary) -> str:
    for pattern in _SIZE_PATTERNS:
        match = pattern.search(text)
        if match:
            said = _SIZE_WORDS.get(match.group(1), match.group(1))
            known = {s.lower(): s for s in vocabulary.sizes}
            found["size"] = known.get(said.lower(), said.upper() if said.isalpha() else said)
            return text.replace(match.group(0), " ", 1)
    return text


def _tokenise(text: str, vocabulary: Vocabulary) -> list[str]:
    """Words; runs of Chinese characters are split into the longest known phrases."""
    tokens = []
    for word in words(text):
        tokens.extend(_segment(word, vocabulary) if CJK.match(word) else [word])
    return tokens


def _segment(run: str, vocabulary: Vocabulary) -> list[str]:
    known = vocabulary.chinese_phrases | _CHINESE_WORDS
    longest = max((len(w) for w in known), default=1)
    pieces, start = [], 0
    while start < len(run):
        width = next(
            (n for n in range(min(longest, len(run) - start), 0, -1) if run[start : start + n] in known), 0
        )
        pieces.append(run[start : start + max(width, 1)])
        start += max(width, 1)
    return pieces


def _longest_term(tokens: list[str], start: int, vocabulary: Vocabulary) -> tuple[Term | None, int]:
    for width in range(min(vocabulary.longest_phrase, len(tokens) - start), 0, -1):
        term = vocabulary.lookup(" ".join(tokens[start : start + width]))
        if term is not None:
            return term, width
    return None, 1


def _collect(term: Term, negated: bool, collected: dict[str, list[str]]) -> None:
    key = (
        f"-{term.field}"
        if negated and term.field in {"product_type", "color", "pattern", "material"}
        else term.field
    )
    if negated and key == term.field:
        return  # a negated gender, audience, occasion or season: nothing sensible to exclude
    if term.field == "audience":  # (gender or "", age group)
        gender, age = term.values
        for name, value in (("gender", gender), ("age_group", age)):
            if value:
                collected.setdefault(name, []).append(value)
        return
    bucket = collected.setdefault(key, [])
    bucket.extend(v for v in term.values if v not in bucket)


def _join(words: list[str]) -> str:
    text = " ".join(words)
    return re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", text)
