"""Fit from fit feedback alone: a latent "true size" per customer and per product size.

After Misra, Wan & McAuley, *Decomposing Fit Semantics for Product Size Recommendation in
Metric Spaces* (RecSys 2018): every customer ``c`` has a true size ``t_c``, every product ``p``
an offset ``a_p`` and every size ``s`` it comes in its own residual ``d_ps`` on top of a common
slope over the size label, so the product size is ``a_p + β·size + d_ps``. Their difference
``f = t_c − (a_p + β·size + d_ps)`` orders the three outcomes: *large* (the product is larger
than the customer) below a threshold ``θ₁``, *small* above ``θ₂``, *fit* between — a cumulative
logit, ``P(large) = σ(θ₁ − f)``, ``P(small) = σ(f − θ₂)``. Trained by Adam on the full batch
with L2 shrinkage, so a customer or product seen once stays near the average; one never seen
has latent 0: an average customer, or a product that runs true to its size label.

It needs no body measurements: a rental or purchase history with "small / fit / large" answers
is enough (RentTheRunway, ModCloth, a shop's returns with their reason).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from vestis.progress import track

__all__ = ["OUTCOMES", "SHRINKAGE", "FitFeedback", "LatentSizeModel", "choose_shrinkage", "size_number"]

OUTCOMES = ("small", "fit", "large")
"""The fit answers, in the order of :meth:`LatentSizeModel.predict_proba`'s columns."""
SHRINKAGE = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""The ``l2`` values :func:`choose_shrinkage` tries: a shop of one-off rentals needs strong
shrinkage (RentTheRunway: 3), one whose customers answer often far less."""
LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL")
"""Letter sizes in order; their position is their number on the size scale."""


def size_number(label: str) -> float | None:
    """A size label as a number on one ordered scale: ``"8"`` → 8, ``"EU 38"`` → 38, ``"M"`` → 3,
    ``"2XL"`` → 6; ``None`` for a label with no order (``"one size"``).

    Letter and numeric sizes land on different parts of the scale; each product's own offset in
    :class:`LatentSizeModel` absorbs that, and the slope is learned within a product's sizes.
    """
    text = label.strip().upper().replace("XXXL", "3XL").replace("2XL", "XXL")
    if text in LETTER_SIZES:
        return float(LETTER_SIZES.index(text))
    number = re.fullmatch(r"(?:[A-Z]{1,3}\s*)?(\d+(?:[.,]\d+)?)", text)
    return float(number.group(1).replace(",", ".")) if number else None


@dataclass(frozen=True)
class FitFeedback:
    """Fit answers: customer, product, numeric size and outcome (one of :data:`OUTCOMES`) per row."""

    customers: np.ndarray
    products: np.ndarray
    sizes: np.ndarray
    outcomes: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> FitFeedback:
        """From columns ``user_id``, ``item_id``, ``size`` (a number) and ``fit``; raises naming a
        missing column or the first row with an unknown outcome or a size that is not a number."""
        missing = [name for name in ("user_id", "item_id", "size", "fit") if name not in frame.columns]
        if missing:
            raise ValueError(f"fit feedback: missing column(s) {', '.join(missing)}")
        outcomes = frame["fit"].astype(str).str.strip().str.lower()
        unknown = ~outcomes.isin(OUTCOMES)
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise ValueError(
                f"fit feedback row {row}: fit {frame['fit'].iloc[row]!r} is not one of {OUTCOMES}"
            )
        sizes = pd.to_numeric(frame["size"], errors="coerce")
        if sizes.isna().any():
            row = int(np.flatnonzero(sizes.isna().to_numpy())[0])
            raise ValueError(f"fit feedback row {row}: size {frame['size'].iloc[row]!r} is not a number")
        return cls(
            customers=frame["user_id"].astype(str).to_numpy(),
            products=frame["item_id"].astype(str).to_numpy(),
            sizes=sizes.to_numpy(dtype=np.float64),
            outcomes=outcomes.map({name: i for i, name in enumerate(OUTCOMES)}).to_numpy(dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.outcomes)

    def take(self, index: np.ndarray) -> FitFeedback:
        """The rows at ``index``."""
        return FitFeedback(
            self.customers[index], self.products[index], self.sizes[index], self.outcomes[index]
        )

    def shares(self) -> np.ndarray:
        """Share of each outcome (small, fit, large)."""
        return np.bincount(self.outcomes, minlength=len(OUTCOMES)) / max(len(self), 1)


class LatentSizeModel:
    """Latent true sizes of customers and product sizes learned from fit feedback (see the module).

    ``l2`` shrinks every latent towards the average; ``epochs`` full-batch Adam steps at
    ``learning_rate``. scikit-learn style: ``fit(feedback)``, ``predict_proba(feedback)``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("ann", "dress", 4, "small"), ("ann", "dress", 8, "fit"), ("bo", "dress", 8, "large")]
    >>> frame = pd.DataFrame(rows, columns=["user_id", "item_id", "size", "fit"])
    >>> model = LatentSizeModel(epochs=200, progress=False).fit(FitFeedback.from_frame(frame))
    >>> model.predict_proba(FitFeedback.from_frame(frame)).shape
    (3, 3)
    """

    def __init__(
        self, *, l2: float = 0.02, epochs: int = 300, learning_rate: float = 0.05, progress: bool = True
    ) -> None:
        if l2 < 0 or epochs < 1 or learning_rate <= 0:
            raise ValueError(
                f"latent size: l2 >= 0, epochs >= 1 and learning_rate > 0 needed; got {l2}, {epochs}, {learning_rate}"
            )
        self.l2 = l2
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.progress = progress

    def fit(self, feedback: FitFeedback) -> LatentSizeModel:
        """Learn every latent and the two thresholds from ``feedback``."""
        if not len(feedback):
            raise ValueError("latent size: no fit feedback to learn from")
        keys = _product_size_keys(feedback)
        self.customers_ = _index(feedback.customers)
        self.products_ = _index(feedback.products)
        self.product_sizes_ = _index(keys)
        self.size_centre_ = float(np.median(feedback.sizes))
        self.size_scale_ = float(np.std(feedback.sizes)) or 1.0
        c, p, ps = self._rows(feedback, keys)
        size = (feedback.sizes - self.size_centre_) / self.size_scale_
        params = {
            "customer": np.zeros(len(self.customers_)),
            "product": np.zeros(len(self.products_)),
            "product_size": np.zeros(len(self.product_sizes_)),
            "slope": np.zeros(1),
            "thresholds": _initial_thresholds(feedback.shares()),
        }
        adam = _Adam(params, self.learning_rate)
        y = feedback.outcomes
        for _ in track(range(self.epochs), "latent sizes", disable=not self.progress):
            f = (
                params["customer"][c]
                - params["product"][p]
                - params["product_size"][ps]
                - params["slope"][0] * size
            )
            grad_f, grad_low, grad_high = _ordinal_gradients(f, params["thresholds"], y)
            n = len(y)
            grads = {
                "customer": np.bincount(c, grad_f, len(self.customers_)) / n
                + self.l2 * params["customer"] / n,
                "product": -np.bincount(p, grad_f, len(self.products_)) / n + self.l2 * params["product"] / n,
                "product_size": -np.bincount(ps, grad_f, len(self.product_sizes_)) / n
                + self.l2 * params["product_size"] / n,
                "slope": np.array([-(grad_f * size).sum() / n]),
                "thresholds": np.array([grad_low.sum(), grad_high.sum()]) / n,
            }
            adam.step(grads)
            params["thresholds"].sort()
        self.params_ = params
        return self

    def predict_proba(self, feedback: FitFeedback) -> np.ndarray:
        """N×3 probabilities of small, fit and large for each row's customer, product and size."""
        self._check_fitted()
        return _probabilities(self.decision_function(feedback), self.params_["thresholds"])

    def decision_function(self, feedback: FitFeedback) -> np.ndarray:
        """Customer's true size minus the product size's (in size-label units of spread): large
        means the product runs small for that customer."""
        self._check_fitted()
        c, p, ps = self._rows(feedback)
        size = (feedback.sizes - self.size_centre_) / self.size_scale_
        params = self.params_
        return (
            _pick(params["customer"], c)
            - _pick(params["product"], p)
            - _pick(params["product_size"], ps)
            - params["slope"][0] * size
        )

    def fit_chances(self, customer: str, product: str, sizes: Sequence[float]) -> np.ndarray:
        """P(fit) of each of ``sizes`` of ``product`` for ``customer``: what their answers predict."""
        rows = len(sizes)
        query = FitFeedback(
            np.full(rows, customer, dtype=object),
            np.full(rows, product, dtype=object),
            np.asarray(sizes, dtype=np.float64),
            np.ones(rows, dtype=np.int64),
        )
        return self.predict_proba(query)[:, OUTCOMES.index("fit")]

    def knows(self, customer: str) -> bool:
        """Whether ``customer`` gave fit answers this model learned from."""
        self._check_fitted()
        return customer in self.customers_

    def to_json(self) -> dict[str, Any]:
        """The fitted state as plain JSON values (customer latents keyed by customer id, so that an
        erasure can delete one)."""
        self._check_fitted()
        params = self.params_
        return {
            "params": {"l2": self.l2, "epochs": self.epochs, "learning_rate": self.learning_rate},
            "customers": dict(zip(self.customers_.astype(str), params["customer"].tolist(), strict=True)),
            "products": dict(zip(self.products_.astype(str), params["product"].tolist(), strict=True)),
            "product_sizes": dict(
                zip(self.product_sizes_.astype(str), params["product_size"].tolist(), strict=True)
            ),
            "slope": float(params["slope"][0]),
            "thresholds": params["thresholds"].tolist(),
            "size_centre": self.size_centre_,
            "size_scale": self.size_scale_,
        }

    @classmethod
    def from_json(cls, state: Mapping[str, Any]) -> LatentSizeModel:
        """A model written by :meth:`to_json`."""
        model = cls(**state["params"], progress=False)
        latents = {name: state[name] for name in ("customers", "products", "product_sizes")}
        model.customers_, model.products_, model.product_sizes_ = (
            _index(list(values)) for values in latents.values()
        )
        model.params_ = {
            "customer": np.array(list(latents["customers"].values()), dtype=np.float64),
            "product": np.array(list(latents["products"].values()), dtype=np.float64),
            "product_size": np.array(list(latents["product_sizes"].values()), dtype=np.float64),
            "slope": np.array([state["slope"]], dtype=np.float64),
            "thresholds": np.array(state["thresholds"], dtype=np.float64),
        }
        model.size_centre_ = float(state["size_centre"])
        model.size_scale_ = float(state["size_scale"])
        return model

    def _rows(
        self, feedback: FitFeedback, keys: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Latent rows of each row's customer, product and product size (−1 when never seen);
        ``keys`` are the rows' product-size keys when already made."""
        keys = _product_size_keys(feedback) if keys is None else keys
        return (
            self.customers_.get_indexer(feedback.customers),
            self.products_.get_indexer(feedback.products),
            self.product_sizes_.get_indexer(keys),
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise RuntimeError("latent size: call fit() first")


def choose_shrinkage(
    feedback: FitFeedback, *, grid: Sequence[float] = SHRINKAGE, validation: float = 0.125, seed: int = 1
) -> float:
    """The ``l2`` of ``grid`` whose model, fitted on the rest, best predicts a random ``validation``
    share of ``feedback`` (mean log-likelihood of the answers given)."""
    if not 0 < validation < 1 or len(feedback) < 2:
        raise ValueError(
            f"latent size: need 0 < validation < 1 and two answers; got {validation}, {len(feedback)}"
        )
    order = np.random.default_rng(seed).permutation(len(feedback))
    cut = min(max(int((1 - validation) * len(feedback)), 1), len(feedback) - 1)
    fit, held = feedback.take(order[:cut]), feedback.take(order[cut:])
    rows = np.arange(len(held))
    scores = {
        l2: np.log(
            np.maximum(
                LatentSizeModel(l2=l2, progress=False).fit(fit).predict_proba(held)[rows, held.outcomes],
                1e-12,
            )
        ).mean()
        for l2 in grid
    }
    return max(scores, key=scores.__getitem__)


# ------------------------------------------------------------------------------ helpers
class _Adam:
    """Adam (Kingma & Ba 2015) over a dict of arrays, updated in place."""

    def __init__(self, params: dict[str, np.ndarray], learning_rate: float) -> None:
        self.params = params
        self.rate = learning_rate
        self.first = {name: np.zeros_like(value) for name, value in params.items()}
        self.second = {name: np.zeros_like(value) for name, value in params.items()}
        self.steps = 0

    def step(self, grads: dict[str, np.ndarray]) -> None:
        self.steps += 1
        for name, grad in grads.items():
            self.first[name] = 0.9 * self.first[name] + 0.1 * grad
            self.second[name] = 0.999 * self.second[name] + 0.001 * grad * grad
            first = self.first[name] / (1 - 0.9**self.steps)
            second = self.second[name] / (1 - 0.999**self.steps)
            self.params[name] -= self.rate * first / (np.sqrt(second) + 1e-8)


def _ordinal_gradients(
    f: np.ndarray, thresholds: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the negative log-likelihood per row with respect to ``f`` and each threshold.

    Outcome 2 (large): −log σ(θ₁ − f); 0 (small): −log σ(f − θ₂); 1 (fit): −log(σ(θ₂ − f) − σ(θ₁ − f)).
    """
    low, high = thresholds
    s_low, s_high = _sigmoid(low - f), _sigmoid(high - f)
    grad_f = np.zeros_like(f)
    grad_low = np.zeros_like(f)
    grad_high = np.zeros_like(f)
    large, small, fit = y == 2, y == 0, y == 1
    grad_f[large] = 1 - s_low[large]
    grad_low[large] = -(1 - s_low[large])
    grad_f[small] = -s_high[small]
    grad_high[small] = s_high[small]
    d_low = s_low[fit] * (1 - s_low[fit])
    d_high = s_high[fit] * (1 - s_high[fit])
    gap = np.maximum(s_high[fit] - s_low[fit], 1e-9)
    grad_f[fit] = (d_high - d_low) / gap
    grad_low[fit] = d_low / gap
    grad_high[fit] = -d_high / gap
    return grad_f, grad_low, grad_high


def _probabilities(f: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    low, high = thresholds
    large = _sigmoid(low - f)
    small = 1 - _sigmoid(high - f)
    return np.column_stack([small, np.clip(1 - small - large, 0, 1), large])


def _initial_thresholds(shares: np.ndarray) -> np.ndarray:
    """Thresholds that give the population's outcome shares at f = 0."""
    large = np.clip(shares[2], 1e-3, 1 - 1e-3)
    small = np.clip(shares[0], 1e-3, 1 - 1e-3)
    return np.array([np.log(large / (1 - large)), -np.log(small / (1 - small))])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))


def _index(values: Sequence[str] | np.ndarray) -> pd.Index:
    return pd.Index(pd.unique(np.asarray(values)))


def _pick(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]``, 0 (the average) where the row is −1 (never seen)."""
    return np.where(rows >= 0, values[np.maximum(rows, 0)], 0.0)


def _product_size_keys(feedback: FitFeedback) -> np.ndarray:
    return np.char.add(np.char.add(feedback.products.astype(str), "@"), feedback.sizes.astype(str))
