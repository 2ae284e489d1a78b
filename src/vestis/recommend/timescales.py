"""Whether a model's time-decay settings fit the time span of the events it is fitted on.

A half-life far shorter than the span leaves almost every event without weight (the model
learns from the last few days only); one far longer than the span changes nothing. Either is
rarely what was meant, and nothing in the scores says so, so training and evaluation check
every model's :attr:`~vestis.recommend.base.Recommender.time_scales` once against the data
before fitting and log a warning naming the span and the setting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from vestis.recommend.base import Recommender
from vestis.recommend.interactions import Interactions

MIN_KEPT_WEIGHT = 0.01
"""Below this mean decay weight over the events, the half-life is too short for the data."""
MAX_SPAN_SHARE = 0.01
"""Above this many half-lives per day of span (a half-life over 100 spans), decay does nothing."""
DAY = 86_400

logger = logging.getLogger(__name__)

__all__ = ["check_time_scales"]


def check_time_scales(interactions: Interactions, models: Mapping[str, Recommender]) -> list[str]:
    """Warn about each time-decay setting of ``models`` that cannot fit the events' time span.

    Models sharing a setting are named in one warning. Returns the warnings (also logged).
    """
    if not len(interactions):
        return []
    ages = (interactions.timestamps.max() - interactions.timestamps) / DAY
    span = float(ages.max())
    if span <= 0:
        return []
    users: dict[tuple[str, float], list[str]] = {}
    for name, model in models.items():
        for param in model.time_scales:
            value = getattr(model, param)
            if value is not None:
                users.setdefault((param, float(value)), []).append(name)
    messages = []
    for (param, days), names in users.items():
        problem = _misfit(ages, span, days)
        if problem:
            message = f"{', '.join(names)}: {param}={days:g} {problem} the events' span of {span:.0f} days"
            logger.warning("%s", message)
            messages.append(message)
    return messages


def _misfit(ages: np.ndarray, span: float, half_life: float) -> str | None:
    """How a half-life of ``half_life`` days misfits events of ``ages`` days, or None when it fits."""
    kept = float(np.mean(np.power(0.5, ages / half_life)))
    if kept < MIN_KEPT_WEIGHT:
        return f"leaves the events {kept:.2%} of their weight: it is far shorter than"
    if span < MAX_SPAN_SHARE * half_life:
        return "makes no difference: it is far longer than"
    return None
