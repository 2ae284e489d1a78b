"""Size advice: which size of a product will fit this shopper, how sure that is, and why.

The advisor reasons about the shopper's body, not about size labels. Every size chart row says
which body measurements (cm) a size fits, so each thing the shopper did with a size becomes
evidence about their body: a size they kept says their body is most likely inside that size's
range on that brand's chart; a size returned as too small says it is above it. The evidence is
weighed over bodies drawn from the shop's population (mean and covariance of the consented
profiles per gender), and the product's own chart turns the weighted bodies into a probability
for each of its sizes. Measurements, passed in or from a consented profile, pin the body down
directly.

From returns with fit feedback it also learns which brand's product types *run small* or *run
large*, which it says in its reasons and uses when a product has no chart at all. Fit answers
("small / fit / large", from returns or imported fit feedback) also train a latent size model
(:class:`~vestis.fit.latent.LatentSizeModel`): for a shopper who gave such answers it says which
of the product's sizes is most likely to fit, alone when there is no chart or measurement and
multiplied into the chart's probabilities when there is. A product's own answers are cited as
evidence ("runs small: 41 % of 120 shoppers said small"). When there is nothing to go on (no
history, no measurements) it answers ``size=None`` and says so.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import numpy as np
from sqlalchemy import Engine

from vestis.catalog import store
from vestis.catalog.db import session_factory
from vestis.files import atomic_write
from vestis.fit.data import (
    Chart,
    Purchase,
    SizeData,
    SizedProduct,
    chart_key,
    load_size_data,
    profile_measurements,
)
from vestis.fit.latent import OUTCOMES, FitFeedback, LatentSizeModel, choose_shrinkage, size_number

__all__ = ["SizeAdvice", "SizeAdvisor"]

_FLOOR = 1e-3
_MIN_PROFILES = 20
_MIN_LATENT_ANSWERS = 50
"""Fewer fit answers than this in the whole shop train no latent size model."""
_ANSWER_SPREAD = 0.75
"""How many size steps from the size a shopper's answers imply the right size is likely to lie."""


@dataclass(frozen=True)
class SizeAdvice:
    """The recommended size (``None`` when it cannot be known), its probability and a plain reason.

    ``alternatives`` maps each plausible size to its probability; ``chart`` is the product's size
    chart (``size → measurement → (min_cm, max_cm)``) when it has one.
    """

    product_id: str
    size: str | None
    confidence: float
    reason: str
    alternatives: dict[str, float]
    chart: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)


class SizeAdvisor:
    """Recommends sizes from purchases kept and returned, size charts and body measurements.

    ``samples`` is the number of population bodies the evidence is weighed over;
    ``measurement_noise_cm`` how far a tape measurement may be off; ``runs_threshold`` the net share
    of "too small" minus "too large" feedback per sized purchase (shrunk by ``runs_prior`` pseudo
    purchases) from which a brand's product type (or a product) is said to run small (or large);
    ``latent_l2`` the shrinkage of the latent size model (``None``: chosen on a slice of the answers,
    see :func:`~vestis.fit.latent.choose_shrinkage`); ``min_answers`` how many fit answers a product needs before they
    are cited; ``seed`` fixes the population draw so that advice is repeatable.

    Examples
    --------
    >>> SizeAdvisor(samples=500).samples
    500
    """

    def __init__(
        self,
        *,
        samples: int = 4000,
        measurement_noise_cm: float = 0.5,
        runs_threshold: float = 0.1,
        runs_prior: float = 10.0,
        latent_l2: float | None = None,
        min_answers: int = 10,
        seed: int = 0,
    ) -> None:
        self.samples = samples
        self.measurement_noise_cm = measurement_noise_cm
        self.runs_threshold = runs_threshold
        self.runs_prior = runs_prior
        self.latent_l2 = latent_l2
        self.min_answers = min_answers
        self.seed = seed

    def fit(self, engine: Engine) -> Self:
        """Learn from the catalog; consented profiles are later read from it at advice time."""
        self.fit_data(load_size_data(engine))
        self._engine: Engine | None = engine
        return self

    def fit_data(self, data: SizeData) -> Self:
        """Learn from already loaded :class:`~vestis.fit.data.SizeData` (profiles feed only the population)."""
        if (
            self.samples < 100
            or self.measurement_noise_cm <= 0
            or self.runs_prior < 0
            or self.min_answers < 1
        ):
            raise ValueError(
                "SizeAdvisor: samples must be >= 100, measurement_noise_cm > 0, runs_prior >= 0 and "
                f"min_answers >= 1; got {self.samples}, {self.measurement_noise_cm}, {self.runs_prior}, "
                f"{self.min_answers}"
            )
        self.products_ = dict(data.products)
        self.charts_ = dict(data.charts)
        history: dict[str, list[Purchase]] = defaultdict(list)
        for purchase in data.purchases:
            if purchase.item_id in self.products_:
                history[purchase.user_id].append(purchase)
        self.history_ = dict(history)
        self.runs_ = _runs(data.purchases, self.products_, self.runs_prior)
        self.kept_error_ = _kept_error(data.purchases)
        self.prior_ = _BodyPrior.fit(data.profiles, data.genders, self.charts_)
        self.answers_ = _answers(data.purchases, self.products_)
        self.latent_ = _latent(data.purchases, self.latent_l2)
        self._engine = None
        return self

    def advise(
        self, product_id: str, *, user_id: str | None = None, measurements: Mapping[str, float] | None = None
    ) -> SizeAdvice:
        """The size of ``product_id`` that should fit ``user_id`` (or a body with ``measurements``, in cm).

        The reason always ends with what the product's own fit answers say, once it has enough.
        """
        self._check_fitted()
        advice = self._advise(product_id, user_id, measurements)
        said = self.evidence(product_id)
        if said and said not in advice.reason:
            advice = replace(advice, reason=f"{advice.reason} {said[0].upper()}{said[1:]}.")
        return advice

    def _advise(
        self, product_id: str, user_id: str | None, measurements: Mapping[str, float] | None
    ) -> SizeAdvice:
        # 1. The product, its sizes and chart.
        product = self.products_.get(product_id)
        if product is None:
            return SizeAdvice(
                product_id, None, 0.0, f"There is no product {product_id!r} in the catalog.", {}
            )
        if len(product.sizes) <= 1:
            only = product.sizes[0] if product.sizes else None
            return SizeAdvice(product_id, only, 1.0, "It comes in one size.", {only: 1.0} if only else {})
        chart = self._chart(product)
        # 2. What is known about the shopper.
        measured = dict(measurements) if measurements is not None else self._profile(user_id)
        history = self.history_.get(user_id or "", [])
        chances = self._fit_chances(product_id, product, user_id)
        if chart is None:
            answered = self._from_fit_answers(product_id, product, chances, history)
            return answered or self._without_chart(product_id, product, history)
        table = chart.as_table()
        evidence = [(p, c) for p in history if _informative(p) and (c := self._evidence_chart(p)) is not None]
        on_chart = {m: v for m, v in measured.items() if m in chart.measurements}
        related = [p for p, c in evidence if set(c.measurements) & set(chart.measurements)]
        if not on_chart and not related:
            answered = self._from_fit_answers(product_id, product, chances, history)
            if answered:
                return replace(answered, chart=table)
            wanted = " and ".join(chart.measurements).replace("_", " ")
            return SizeAdvice(
                product_id, None, 0.0,
                f"No earlier purchase in a comparable size and no {wanted} measurement to go on: "
                f"measure your {wanted} and compare with the {product.brand} chart.",
                {}, table,
            )  # fmt: skip
        # 3. Weigh population bodies by the evidence and read the product's chart.
        gender = product.gender if product.gender in ("female", "male") else self._gender(user_id)
        bodies = self.prior_.sample(gender, measured, self.samples, self.measurement_noise_cm, self.seed)
        log_weight = np.zeros(self.samples)
        for purchase, bought_chart in evidence:
            log_weight += self._log_likelihood(purchase, bought_chart, bodies)
        weight = np.exp(log_weight - log_weight.max())
        index = chart.fitting_index(bodies)
        probability = np.bincount(index, weights=weight, minlength=len(chart.sizes)) / weight.sum()
        alternatives = {
            size: round(float(p), 3) for size, p in zip(chart.sizes, probability, strict=True)
            if size in product.sizes and p >= 0.01
        }  # fmt: skip
        if not alternatives:
            return SizeAdvice(
                product_id, None, 0.0, "None of this product's sizes fits the estimate.", {}, table
            )
        # 4. Weigh by what the shopper's fit answers predict for each size.
        alternatives = {size: p * chances.get(size, 1.0) for size, p in alternatives.items()}
        total = sum(alternatives.values())
        alternatives = {size: round(p / total, 3) for size, p in alternatives.items()}
        best = max(alternatives, key=alternatives.__getitem__)
        # 5. Say why.
        reason = self._reason(product_id, product, chart, best, alternatives, on_chart, related, chances)
        return SizeAdvice(product_id, best, alternatives[best], reason, alternatives, table)

    def runs(self, brand: str, product_type: str) -> str | None:
        """``"small"`` or ``"large"`` when returns say this brand's product type runs so, else ``None``."""
        self._check_fitted()
        net = self.runs_.get(chart_key(brand, product_type), 0.0)
        if net >= self.runs_threshold:
            return "small"
        if net <= -self.runs_threshold:
            return "large"
        return None

    def save(self, directory: Path) -> Path:
        """Write ``size_advisor.json`` to ``directory`` (no profile measurements are written)."""
        self._check_fitted()
        directory.mkdir(parents=True, exist_ok=True)
        state = {
            "format": 1,
            "params": self.get_params(),
            "products": {
                k: [p.brand, p.product_type, list(p.sizes), p.gender] for k, p in self.products_.items()
            },
            "charts": [[list(key), chart.to_json()] for key, chart in self.charts_.items()],
            "history": {
                user: [
                    [
                        p.item_id,
                        p.timestamp.isoformat(),
                        p.size,
                        p.returned_at.isoformat() if p.returned_at else None,
                        p.feedback,
                    ]
                    for p in purchases
                ]
                for user, purchases in self.history_.items()
            },  # fmt: skip
            "runs": [[list(key), net] for key, net in self.runs_.items()],
            "kept_error": self.kept_error_,
            "prior": self.prior_.to_json(),
            "answers": self.answers_,
            "latent": self.latent_.to_json() if self.latent_ is not None else None,
        }
        atomic_write(directory / "size_advisor.json", json.dumps(state).encode("utf-8"))
        return directory

    @classmethod
    def load(cls, directory: Path, *, engine: Engine | None = None) -> Self:
        """Read an advisor written by :meth:`save`; with ``engine`` it reads consented profiles from it."""
        state = json.loads((directory / "size_advisor.json").read_text())
        advisor = cls(**state["params"])
        advisor.products_ = {
            k: SizedProduct(b, t, tuple(s), g) for k, (b, t, s, g) in state["products"].items()
        }
        advisor.charts_ = {(key[0], key[1]): Chart.from_json(chart) for key, chart in state["charts"]}
        advisor.history_ = {
            user: [Purchase(user, item, datetime.fromisoformat(at), size,
                            datetime.fromisoformat(back) if back else None, feedback)
                   for item, at, size, back, feedback in rows]
            for user, rows in state["history"].items()
        }  # fmt: skip
        advisor.runs_ = {(key[0], key[1]): net for key, net in state["runs"]}
        advisor.kept_error_ = state["kept_error"]
        advisor.prior_ = _BodyPrior.from_json(state["prior"])
        advisor.answers_ = {item: tuple(counts) for item, counts in state.get("answers", {}).items()}
        latent = state.get("latent")
        advisor.latent_ = LatentSizeModel.from_json(latent) if latent else None
        advisor._engine = engine
        return advisor

    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters."""
        names = (
            "samples", "measurement_noise_cm", "runs_threshold", "runs_prior", "latent_l2", "min_answers", "seed"
        )  # fmt: skip
        return {name: getattr(self, name) for name in names}

    def _check_fitted(self) -> None:
        if not hasattr(self, "products_"):
            raise RuntimeError("SizeAdvisor is not fitted: call fit(engine) or load(directory) first")

    def evidence(self, product_id: str) -> str | None:
        """What the product's own fit answers say, once it has :attr:`min_answers` of them:
        ``"it runs small: 41 % of 120 shoppers said small"``."""
        self._check_fitted()
        counts = self.answers_.get(product_id)
        answered = sum(counts) if counts else 0
        if not counts or answered < self.min_answers:
            return None
        small, fit, large = (count / answered for count in counts)
        net = (counts[0] - counts[2]) / (answered + self.runs_prior)
        if net >= self.runs_threshold:
            return f"it runs small: {small:.0%} of {answered} shoppers said small"
        if net <= -self.runs_threshold:
            return f"it runs large: {large:.0%} of {answered} shoppers said large"
        return f"it is true to size: {fit:.0%} of {answered} shoppers said it fits"

    def _chart(self, product: SizedProduct) -> Chart | None:
        chart = self.charts_.get(chart_key(product.brand, product.product_type))
        return chart if chart is not None and set(product.sizes) & set(chart.sizes) else None

    def _evidence_chart(self, purchase: Purchase) -> Chart | None:
        product = self.products_[purchase.item_id]
        chart = self._chart(product)
        return chart if chart is not None and purchase.size in chart.sizes else None

    def _profile(self, user_id: str | None) -> dict[str, float]:
        if user_id is None or self._engine is None:
            return {}
        with session_factory(self._engine)() as session:
            customer = store.get_customer(session, user_id)
            return profile_measurements(customer) if customer is not None else {}

    def _gender(self, user_id: str | None) -> str:
        if user_id is None or self._engine is None:
            return "all"
        with session_factory(self._engine)() as session:
            customer = store.get_customer(session, user_id)
            gender = (
                (customer.gender or "").lower() if customer is not None and customer.consent_profile else ""
            )
        return gender if gender in ("female", "male") else "all"

    def _log_likelihood(
        self, purchase: Purchase, chart: Chart, bodies: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """log P(what happened with this size | body) for every body.

        ``error`` is the bought size's index minus the index that fits: kept sizes are mostly right
        (off by one at the learned rate), "too small" means the fitting size is above the bought one.
        """
        error = chart.sizes.index(purchase.size) - chart.fitting_index(bodies)
        if purchase.feedback == "small":
            likelihood = np.select([error == -1, error < -1], [1.0, 0.3], _FLOOR)
        elif purchase.feedback == "large":
            likelihood = np.select([error == 1, error > 1], [1.0, 0.3], _FLOOR)
        else:
            off = 0.05 if purchase.feedback == "fit" else self.kept_error_
            likelihood = np.select(
                [error == 0, np.abs(error) == 1], [1.0 - off, off / 2], max(off / 20, _FLOOR)
            )
        return np.log(likelihood)

    def _fit_chances(self, product_id: str, product: SizedProduct, user_id: str | None) -> dict[str, float]:
        """P(fit) of each of the product's sizes from the shopper's fit answers; empty when the
        latent model never heard from this shopper or the sizes have no order."""
        if self.latent_ is None or not user_id or not self.latent_.knows(user_id):
            return {}
        numbers = {size: number for size in product.sizes if (number := size_number(size)) is not None}
        if len(numbers) < 2:
            return {}
        chances = self.latent_.fit_chances(user_id, product_id, list(numbers.values()))
        return {size: float(chance) for size, chance in zip(numbers, chances, strict=True)}

    def _from_fit_answers(
        self,
        product_id: str,
        product: SizedProduct,
        chances: Mapping[str, float],
        history: Sequence[Purchase],
    ) -> SizeAdvice | None:
        """Advice from the shopper's fit answers alone (no chart, or nothing to place them on it);
        ``None`` without such answers or when they bought nothing in this product's size system.

        The sizes they bought in the same size system, placed on this product's sizes (a step up for
        one sent back as too small, down for one sent back as too large), centre the advice; the
        latent model's chance to fit weighs each size. An answer about a size kept is not stepped: it was worn, and stepping
        such answers agreed less with later answers on RentTheRunway (41.4 % against 43.2 % on a
        validation slice of the training rentals). The latent model alone, without such a centre,
        picks poorly (17.8 % of held-out RentTheRunway sizes against 57.0 % for the size rented
        most), so it never advises alone.
        """
        implied = [i for p in history if (i := self._implied_index(p, product)) is not None]
        if not chances or not implied:
            return None
        centre = np.median(implied)
        weights = {
            size: chance * np.exp(-0.5 * ((product.sizes.index(size) - centre) / _ANSWER_SPREAD) ** 2)
            for size, chance in chances.items()
        }
        total = sum(weights.values())
        alternatives = {size: weight / total for size, weight in weights.items() if weight / total >= 0.01}
        kept = sum(alternatives.values())
        alternatives = {size: round(share / kept, 3) for size, share in alternatives.items()}
        best = max(alternatives, key=alternatives.__getitem__)
        text = _chance_phrase(best, chances)
        return SizeAdvice(
            product_id, best, alternatives[best], f"{text[0].upper()}{text[1:]}, so {best}.", alternatives
        )  # fmt: skip

    def _implied_index(self, purchase: Purchase, product: SizedProduct) -> int | None:
        """Where a bought size lands among ``product``'s sizes, a step up or down when it was sent
        back as too small or large; ``None`` when the two products share no size label (another
        size system: shoes against jeans)."""
        bought = self.products_[purchase.item_id]
        if not set(bought.sizes) & set(product.sizes):
            return None
        if purchase.size in product.sizes:
            index = product.sizes.index(purchase.size)
        else:
            number = size_number(purchase.size)
            numbers = [size_number(size) for size in product.sizes]
            if number is None or None in numbers:
                return None
            index = int(np.abs(np.array(numbers, dtype=np.float64) - number).argmin())
        step = 0 if purchase.kept else _step(purchase.feedback)
        return int(np.clip(index + step, 0, len(product.sizes) - 1))

    def _reason(
        self,
        product_id: str,
        product: SizedProduct,
        chart: Chart,
        best: str,
        alternatives: Mapping[str, float],
        measured: Mapping[str, float],
        evidence: Sequence[Purchase],
        chances: Mapping[str, float],
    ) -> str:
        parts: list[str] = []
        column = chart.sizes.index(best)
        for measurement, value in measured.items():
            row = chart.measurements.index(measurement)
            low, high = chart.lower[row, column], chart.upper[row, column]
            if low <= value < high and not parts:
                parts.append(
                    f"your {measurement.replace('_', ' ')} of {value:.0f} cm is in {best}'s range "
                    f"({low:.0f}–{high:.0f} cm) on the {product.brand} chart"
                )
        for purchase in _telling(evidence, product, self.products_):
            bought = self.products_[purchase.item_id]
            what = f"{bought.brand} {bought.product_type.lower()}"
            outcome = "kept" if purchase.kept else "sent back"
            phrase = f"you {outcome} {purchase.size} in {what}"
            if not purchase.kept:
                phrase += f" as too {purchase.feedback}"
            runs = self.runs(bought.brand, bought.product_type)
            if runs and chart_key(bought.brand, bought.product_type) != chart_key(
                product.brand, product.product_type
            ):
                phrase += f" (they run {runs})"
            if phrase not in parts:
                parts.append(phrase)
            if len(parts) >= 2:
                break
        if best in chances:
            parts.append(_chance_phrase(best, chances))
        runs = self.runs(product.brand, product.product_type)
        said = self.evidence(product_id)
        if said:
            parts.append(said)
        elif runs:
            parts.append(f"{product.brand} {product.product_type.lower()} run {runs}")
        text = "; ".join(parts) if parts else f"Your measurements point to {best}"
        text = text[0].upper() + text[1:] + f", so {best}"
        if runs and best == chart.sizes[-1 if runs == "small" else 0]:
            text += f", the {'largest' if runs == 'small' else 'smallest'} size"
        ranked = sorted(alternatives, key=lambda size: -alternatives[size])
        if len(ranked) > 1 and alternatives[best] < 0.6:
            text += f" (or {ranked[1]}: {alternatives[ranked[1]]:.0%})"
        return text + "."

    def _without_chart(
        self, product_id: str, product: SizedProduct, history: Sequence[Purchase]
    ) -> SizeAdvice:
        """No chart: the size last kept in the same size range, stepped by what returns say about brands."""
        same_range = [p for p in history if p.kept and self.products_[p.item_id].sizes == product.sizes]
        if not same_range:
            return SizeAdvice(
                product_id, None, 0.0,
                f"There is no size chart for {product.brand} {product.product_type.lower()} and no earlier "
                "purchase in these sizes, so there is nothing to go on.",
                {},
            )  # fmt: skip
        last = same_range[-1]
        source = self.products_[last.item_id]
        step = _step(self.runs(product.brand, product.product_type)) - _step(
            self.runs(source.brand, source.product_type)
        )
        index = int(np.clip(product.sizes.index(last.size) + step, 0, len(product.sizes) - 1))
        size = product.sizes[index]
        share = sum(p.size == last.size for p in same_range) / len(same_range)
        confidence = round(0.5 * share + 0.1 * (step == 0), 3)
        reason = (
            f"There is no size chart for {product.brand} {product.product_type.lower()}; you kept {last.size} "
            f"in {source.brand} {source.product_type.lower()}"
        )
        runs = self.runs(product.brand, product.product_type)
        if runs:
            reason += f" and {product.brand} {product.product_type.lower()} run {runs}"
        return SizeAdvice(product_id, size, confidence, f"{reason}, so {size}.", {size: confidence})


class _BodyPrior:
    """The shop's population of bodies: a Gaussian over the charted measurements per gender."""

    def __init__(
        self, measurements: tuple[str, ...], groups: dict[str, tuple[np.ndarray, np.ndarray]]
    ) -> None:
        self.measurements = measurements
        self.groups = groups

    @classmethod
    def fit(
        cls,
        profiles: Mapping[str, Mapping[str, float]],
        genders: Mapping[str, str],
        charts: Mapping[Any, Chart],
    ) -> _BodyPrior:
        """Mean and covariance from consented profiles; a broad guess from the charts where too few exist."""
        measurements = tuple(sorted({m for chart in charts.values() for m in chart.measurements}))
        spans = {m: _span(charts.values(), m) for m in measurements}
        groups: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for group in ("female", "male", "all"):
            rows = [p for user, p in profiles.items() if group == "all" or genders.get(user) == group]
            values = np.array([[p.get(m, np.nan) for m in measurements] for p in rows], dtype=float)
            groups[group] = _gaussian(values.reshape(len(rows), len(measurements)), measurements, spans)
        return cls(measurements, groups)

    def sample(
        self, group: str, measured: Mapping[str, float], count: int, noise: float, seed: int
    ) -> dict[str, np.ndarray]:
        """``count`` bodies of ``group``, conditioned on the ``measured`` values (± ``noise`` cm)."""
        mean, cov = self.groups.get(group, self.groups["all"])
        known = [i for i, m in enumerate(self.measurements) if m in measured]
        free = [i for i in range(len(self.measurements)) if i not in known]
        normal = np.random.default_rng(seed).standard_normal((count, len(self.measurements)))
        bodies = np.empty_like(normal)
        if known:
            observed = np.array([measured[self.measurements[i]] for i in known])
            bodies[:, known] = observed + noise * normal[:, known]
            gain = cov[np.ix_(free, known)] @ np.linalg.pinv(cov[np.ix_(known, known)])
            mean_free = mean[free] + gain @ (observed - mean[known])
            cov_free = cov[np.ix_(free, free)] - gain @ cov[np.ix_(known, free)]
        else:
            mean_free, cov_free = mean[free], cov[np.ix_(free, free)]
        if free:
            bodies[:, free] = mean_free + normal[:, free] @ _root(cov_free).T
        return {m: bodies[:, i] for i, m in enumerate(self.measurements)}

    def to_json(self) -> dict[str, Any]:
        return {"measurements": list(self.measurements),
                "groups": {g: [mean.tolist(), cov.tolist()] for g, (mean, cov) in self.groups.items()}}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _BodyPrior:
        groups = {
            g: (np.array(mean, dtype=float), np.array(cov, dtype=float))
            for g, (mean, cov) in data["groups"].items()
        }
        return cls(tuple(data["measurements"]), groups)


def _informative(purchase: Purchase) -> bool:
    """Kept sizes and returns that say which way the size was off; other returns say nothing about fit."""
    return purchase.kept or purchase.feedback in ("small", "large")


def _telling(
    evidence: Sequence[Purchase], product: SizedProduct, products: Mapping[str, SizedProduct]
) -> list[Purchase]:
    """Evidence ordered for a reason: same brand and type first, then same type, then same brand; newest first."""

    def closeness(purchase: Purchase) -> tuple[bool, bool, float]:
        bought = products[purchase.item_id]
        same_type = bought.product_type.lower() == product.product_type.lower()
        same_brand = bought.brand.lower() == product.brand.lower()
        return (
            not (same_type and same_brand),
            not same_type and not same_brand,
            -purchase.timestamp.timestamp(),
        )

    return sorted(evidence, key=closeness)


def _runs(
    purchases: Sequence[Purchase], products: Mapping[str, SizedProduct], prior: float
) -> dict[tuple[str, str], float]:
    """Net share of "too small" minus "too large" feedback per sized purchase, per brand and product type."""
    small: dict[tuple[str, str], int] = defaultdict(int)
    large: dict[tuple[str, str], int] = defaultdict(int)
    total: dict[tuple[str, str], int] = defaultdict(int)
    for purchase in purchases:
        product = products.get(purchase.item_id)
        if product is None:
            continue
        key = chart_key(product.brand, product.product_type)
        total[key] += 1
        small[key] += purchase.feedback == "small"
        large[key] += purchase.feedback == "large"
    return {key: (small[key] - large[key]) / (n + prior) for key, n in total.items()}


def _kept_error(purchases: Sequence[Purchase]) -> float:
    """Share of kept purchases whose feedback says the size was off (shrunk towards 10 %)."""
    rated = [p for p in purchases if p.kept and p.feedback]
    off = sum(p.feedback in ("small", "large") for p in rated)
    return (off + 1.0) / (len(rated) + 10.0)


def _answers(
    purchases: Sequence[Purchase], products: Mapping[str, SizedProduct]
) -> dict[str, tuple[int, int, int]]:
    """How many shoppers said small, fit and large about each catalog product."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for purchase in purchases:
        if purchase.feedback in OUTCOMES and purchase.item_id in products:
            counts[purchase.item_id][OUTCOMES.index(purchase.feedback)] += 1
    return {item: (small, fit, large) for item, (small, fit, large) in counts.items()}


def _latent(purchases: Sequence[Purchase], l2: float | None) -> LatentSizeModel | None:
    """The latent size model of every fit answer on an ordered size (``None`` with too few)."""
    rows = [
        (p.user_id, p.item_id, number, OUTCOMES.index(p.feedback))
        for p in purchases
        if p.feedback in OUTCOMES and (number := size_number(p.size)) is not None
    ]
    if len(rows) < _MIN_LATENT_ANSWERS:
        return None
    customers, products, sizes, outcomes = zip(*rows, strict=True)
    feedback = FitFeedback(
        np.array(customers, dtype=object),
        np.array(products, dtype=object),
        np.array(sizes, dtype=np.float64),
        np.array(outcomes, dtype=np.int64),
    )
    chosen = choose_shrinkage(feedback) if l2 is None else l2
    return LatentSizeModel(l2=chosen, progress=False).fit(feedback)


def _chance_phrase(size: str, chances: Mapping[str, float]) -> str:
    return f"your earlier fit answers give {size} a {chances[size]:.0%} chance to fit"


def _step(runs: str | None) -> int:
    return {"small": 1, "large": -1}.get(runs or "", 0)


def _span(charts: Sequence[Chart] | Any, measurement: str) -> tuple[float, float]:
    lows = [c.lower[c.measurements.index(measurement)].min() for c in charts if measurement in c.measurements]
    highs = [
        c.upper[c.measurements.index(measurement)].max() for c in charts if measurement in c.measurements
    ]
    return float(min(lows)), float(max(highs))


def _gaussian(
    values: np.ndarray, measurements: tuple[str, ...], spans: Mapping[str, tuple[float, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance over ``measurements`` from rows with gaps (NaN); chart spans fill thin columns."""
    size = len(measurements)
    mean = np.empty(size)
    sd = np.empty(size)
    for i, m in enumerate(measurements):
        column = values[:, i][~np.isnan(values[:, i])] if values.size else np.array([])
        if column.size >= _MIN_PROFILES:
            mean[i], sd[i] = column.mean(), max(column.std(), 0.5)
        else:
            low, high = spans[m]
            mean[i], sd[i] = (low + high) / 2, (high - low) / 4
    correlation = np.eye(size)
    for i in range(size):
        for j in range(i + 1, size):
            both = (
                ~np.isnan(values[:, i]) & ~np.isnan(values[:, j]) if values.size else np.array([], dtype=bool)
            )
            if both.sum() >= _MIN_PROFILES:
                correlation[i, j] = correlation[j, i] = np.corrcoef(values[both, i], values[both, j])[0, 1]
    cov = correlation * np.outer(sd, sd)
    eigenvalues, vectors = np.linalg.eigh(cov)
    return mean, (vectors * np.maximum(eigenvalues, 1e-6)) @ vectors.T


def _root(cov: np.ndarray) -> np.ndarray:
    """A matrix ``L`` with ``L @ L.T == cov`` (for a positive semi-definite ``cov``)."""
    eigenvalues, vectors = np.linalg.eigh(cov)
    return vectors * np.sqrt(np.maximum(eigenvalues, 0.0))
