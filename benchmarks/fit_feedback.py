"""Fit from real fit feedback: RentTheRunway's 192,544 rentals, small / fit / large.

Random 80/20 split of the rentals (seed 0), as Misra, Wan & McAuley (RecSys 2018) evaluate.
Every model predicts the three outcomes' probabilities for the held-out rentals and is scored
by macro AUC (one outcome against the rest, averaged over the three). In the same run:

* **class prior**: the training shares for every rental (AUC 0.5 by construction);
* **logistic regression** (scikit-learn, multinomial) on the customer's body measurements
  (height, weight, bust band and cup, age, body type; medians and a missing flag where absent)
  and the rented size;
* **latent size** (:class:`vestis.fit.latent.LatentSizeModel`): true sizes of customers and
  product sizes from the feedback alone; its shrinkage is chosen on a slice of the training
  rentals (never the test ones).

The paper's best macro AUC on RentTheRunway is about 0.72 (read from its table). Replaces the
"## Fit from fit feedback" section of docs/benchmarks.md.

    .venv/bin/python -m benchmarks.fit_feedback
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from benchmarks.report import write_section
from vestis.fit.latent import OUTCOMES, FitFeedback, LatentSizeModel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "fit-renttherunway" / "rtr_cleandata.parquet"
SECTION = "## Fit from fit feedback"
PAPER_AUC = 0.72
SHRINKAGE = (0.3, 1.0, 3.0, 10.0)
"""Latent size ``l2`` values tried on the validation slice."""
VALIDATION = 0.125
"""Share of the training rentals held out to choose the shrinkage."""
NUMERIC = ("height_in", "weight_lbs", "bust_size_num", "age", "size")
CATEGORICAL = ("body_type", "bust_size_letter")


def main() -> None:
    """Split, fit the three models, print the table and write the section."""
    frame = pd.read_parquet(DATA)
    feedback = FitFeedback.from_frame(frame)
    order = np.random.default_rng(0).permutation(len(frame))
    cut = int(0.8 * len(frame))
    train, test = order[:cut], order[cut:]
    truth = feedback.outcomes[test]
    rows: list[tuple[str, float, float]] = []

    started = time.perf_counter()
    prior = np.tile(feedback.take(train).shares(), (len(test), 1))
    rows.append(("class prior", _macro_auc(truth, prior), time.perf_counter() - started))

    started = time.perf_counter()
    features = _body_features(frame)
    scaler = StandardScaler().fit(features[train])
    regression = LogisticRegression(max_iter=1000).fit(
        scaler.transform(features[train]), feedback.outcomes[train]
    )
    regression_auc = _macro_auc(truth, regression.predict_proba(scaler.transform(features[test])))
    rows.append(
        ("logistic regression, body measurements + size", regression_auc, time.perf_counter() - started)
    )

    started = time.perf_counter()
    l2 = _chosen_shrinkage(feedback.take(train))
    model = LatentSizeModel(l2=l2).fit(feedback.take(train))
    latent_auc = _macro_auc(truth, model.predict_proba(feedback.take(test)))
    rows.append((f"latent size (l2 {l2:g}, chosen on validation)", latent_auc, time.perf_counter() - started))

    table = "\n".join(
        f"| {name} | {auc:.4f} | {auc / regression_auc:.2f}× | {auc / PAPER_AUC:.2f}× | {seconds:.1f} s |"
        for name, auc, seconds in rows
    )
    print(table)
    write_section(
        f"{SECTION}\n\nRentTheRunway, all {len(frame):,} rentals (`../shared/data/fit-renttherunway`), random "
        f"80/20 split (seed 0): {len(train):,} to learn from, {len(test):,} held out. Macro AUC of the "
        f"three outcomes ({', '.join(OUTCOMES)}; shares {_shares(feedback)}), one against the rest. The "
        f"logistic regression reads the customer's height, weight, bust band and cup, age and body type "
        f"(medians and a missing flag where a profile lacks them) and the rented size. The latent size "
        f"model reads only who rented which item in which size and what they said; its shrinkage is "
        f"chosen among {', '.join(map(str, SHRINKAGE))} on {VALIDATION:.1%} of the training rentals. "
        f"Published anchor: Misra, Wan & McAuley (RecSys 2018), best macro AUC on RentTheRunway about "
        f"{PAPER_AUC} (read from their table). CPU, 2 cores; seconds include fitting and scoring.\n\n"
        f"| model | macro AUC | ratio to logistic regression | ratio to the paper's {PAPER_AUC} | time |\n"
        f"|---|---|---|---|---|\n{table}\n\n"
        f"Reproduce: `.venv/bin/python -m benchmarks.fit_feedback` (needs ../shared/data).\n"
    )


def _chosen_shrinkage(train: FitFeedback) -> float:
    """The ``l2`` of :data:`SHRINKAGE` with the best macro AUC on a validation slice of ``train``."""
    order = np.random.default_rng(1).permutation(len(train))
    cut = int((1 - VALIDATION) * len(train))
    fit, held = train.take(order[:cut]), train.take(order[cut:])
    scores = {
        l2: _macro_auc(held.outcomes, LatentSizeModel(l2=l2, progress=False).fit(fit).predict_proba(held))
        for l2 in SHRINKAGE
    }
    return max(scores, key=scores.__getitem__)


def _body_features(frame: pd.DataFrame) -> np.ndarray:
    """Numeric measurements (median-filled, with missing flags) and one-hot body type and cup."""
    parts = []
    for column in NUMERIC:
        values = pd.to_numeric(frame[column], errors="coerce")
        parts += [values.fillna(values.median()).to_numpy(), values.isna().to_numpy(dtype=float)]
    matrix = np.column_stack(parts)
    dummies = pd.get_dummies(frame[list(CATEGORICAL)].astype("string"), dummy_na=True).to_numpy(dtype=float)
    return np.hstack([matrix, dummies])


def _macro_auc(truth: np.ndarray, probabilities: np.ndarray) -> float:
    return float(roc_auc_score(truth, probabilities, multi_class="ovr", average="macro", labels=[0, 1, 2]))


def _shares(feedback: FitFeedback) -> str:
    return ", ".join(f"{name} {share:.1%}" for name, share in zip(OUTCOMES, feedback.shares(), strict=True))


if __name__ == "__main__":
    main()
