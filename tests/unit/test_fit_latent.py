"""Latent true sizes from fit feedback: recovered on a population the test draws, bad input named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from vestis.fit.latent import OUTCOMES, FitFeedback, LatentSizeModel


def _population(rows: int = 6000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers with true sizes, products that run small or large, answers drawn from the gap."""
    rng = np.random.default_rng(seed)
    customers = rng.normal(0, 1.5, 300)
    runs = rng.normal(0, 0.8, 80)  # positive: the product runs small
    who, what = rng.integers(0, 300, rows), rng.integers(0, 80, rows)
    size = np.round(customers[who] + rng.normal(0, 0.7, rows))  # shoppers pick near their size
    gap = customers[who] - (size - runs[what]) + rng.logistic(0, 0.3, rows)
    answer = np.where(gap > 0.8, "small", np.where(gap < -0.8, "large", "fit"))
    frame = pd.DataFrame(
        {"user_id": [f"c{i}" for i in who], "item_id": [f"p{i}" for i in what], "size": size, "fit": answer}
    )
    return frame, customers


def test_true_sizes_and_answers_are_recovered() -> None:
    frame, customers = _population()
    train, test = FitFeedback.from_frame(frame[:5000]), FitFeedback.from_frame(frame[5000:])
    model = LatentSizeModel(l2=1.0, progress=False).fit(train)
    learned = model.params_["customer"][model.customers_.get_indexer([f"c{i}" for i in range(300)])]
    seen = model.customers_.get_indexer([f"c{i}" for i in range(300)]) >= 0
    assert np.corrcoef(learned[seen], customers[seen])[0, 1] > 0.8
    probabilities = model.predict_proba(test)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    assert roc_auc_score(test.outcomes, probabilities, multi_class="ovr", average="macro") > 0.8


def test_a_customer_never_seen_is_the_average_customer() -> None:
    frame, _ = _population(3000)
    feedback = FitFeedback.from_frame(frame)
    model = LatentSizeModel(l2=1.0, progress=False).fit(feedback)
    # The product whose answers say "small" most often reads small for a stranger too.
    small_share = frame.assign(small=frame["fit"] == "small").groupby("item_id")["small"].mean()
    tight, loose = small_share.idxmax(), small_share.idxmin()
    size = float(np.median(feedback.sizes))
    strangers = pd.DataFrame(
        {"user_id": ["new", "new"], "item_id": [tight, loose], "size": [size, size], "fit": "fit"}
    )
    probabilities = model.predict_proba(FitFeedback.from_frame(strangers))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    assert probabilities[0, OUTCOMES.index("small")] > probabilities[1, OUTCOMES.index("small")]
    nobody = FitFeedback.from_frame(strangers.assign(item_id="never"))
    assert model.predict_proba(nobody)[0].argmax() == OUTCOMES.index("fit")


def test_bad_feedback_names_the_column_or_row() -> None:
    with pytest.raises(ValueError, match="missing column.*fit"):
        FitFeedback.from_frame(pd.DataFrame({"user_id": ["a"], "item_id": ["b"], "size": [4]}))
    rows = pd.DataFrame(
        {"user_id": ["a", "b"], "item_id": ["x", "x"], "size": [4, 6], "fit": ["fit", "tight"]}
    )
    with pytest.raises(ValueError, match="row 1: fit 'tight'"):
        FitFeedback.from_frame(rows)
    rows["fit"] = "fit"
    rows["size"] = ["4", "XL"]
    with pytest.raises(ValueError, match="row 1: size 'XL'"):
        FitFeedback.from_frame(rows)
    with pytest.raises(ValueError, match="no fit feedback"):
        LatentSizeModel(progress=False).fit(FitFeedback.from_frame(rows.iloc[:0]))
    with pytest.raises(RuntimeError, match="fit"):
        LatentSizeModel().predict_proba(FitFeedback.from_frame(rows.iloc[:1]))
