"""Demo shoppers: latent tastes, body measurements and activity, and the customers file.

The latent traits (style weights, favourite colours, price sensitivity, category
preferences, activity) drive the simulated behaviour; only what a real shop would know
goes into ``customers.csv``. The traits are also written to ``shopper_truth.csv`` so that
evaluations can check what a model recovered against what was planted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vestis.data.demo.vocabulary import CATEGORIES, COLOUR_NAMES, STYLE_COLOURS, STYLES

CUSTOMER_COLUMNS = (
    "id", "consent_profile", "consent_photos", "gender", "age", "height_cm", "weight_kg", "chest_cm",
    "waist_cm", "hips_cm", "foot_length_cm",
)  # fmt: skip
TRUTH_COLUMNS = (
    "id",
    "style",
    "style_weights",
    "favourite_colours",
    "price_sensitivity",
    "sessions_per_year",
)

# Category appetite by shopper gender, in CATEGORIES order.
_CATEGORY_BASE = {
    "female": (1.2, 0.6, 1.0, 0.6, 0.8, 0.9, 0.7, 1.0, 0.8),
    "male": (1.3, 1.0, 0.02, 0.02, 1.0, 1.1, 0.9, 1.0, 0.5),
    "non-binary": (1.2, 0.8, 0.3, 0.3, 0.9, 1.0, 0.8, 1.0, 0.7),
}
# Style clusters lift some categories (romantic shoppers browse dresses, sporty ones shoes …).
_STYLE_CATEGORIES = {
    "classic": {"shirts": 1.4, "trousers": 1.3, "outerwear": 1.3},
    "sporty": {"tops": 1.3, "shoes": 1.5, "jeans": 1.2},
    "romantic": {"dresses": 1.6, "skirts": 1.6},
    "minimal": {"tops": 1.2, "trousers": 1.3, "outerwear": 1.2},
    "bold": {"accessories": 1.4, "skirts": 1.2, "shoes": 1.2},
}
# Style priors by age band (18-24, 25-34, 35-44, 45-54, 55+), in STYLES order.
_AGE_STYLES = (
    (0.8, 1.6, 1.0, 1.0, 1.6),
    (1.0, 1.3, 1.0, 1.3, 1.2),
    (1.3, 1.0, 1.0, 1.3, 0.9),
    (1.6, 0.9, 1.0, 1.0, 0.7),
    (1.9, 0.8, 1.0, 0.8, 0.5),
)


@dataclass(frozen=True)
class Shoppers:
    """All shoppers as arrays (one row per shopper) for fast vectorised scoring."""

    ids: list[str]
    gender: list[str]
    age: np.ndarray
    consent_profile: np.ndarray
    consent_photos: np.ndarray
    body: dict[str, np.ndarray]
    height: np.ndarray
    weight: np.ndarray
    style_weights: np.ndarray
    favourite_colours: list[tuple[str, ...]]
    price_sensitivity: np.ndarray
    category_preference: np.ndarray
    sessions_per_year: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def customer_row(self, i: int) -> dict[str, str]:
        """Shopper ``i`` as a ``customers.csv`` row (profile filled in for everyone)."""
        return {
            "id": self.ids[i],
            "consent_profile": _flag(self.consent_profile[i]),
            "consent_photos": _flag(self.consent_photos[i]),
            "gender": self.gender[i],
            "age": str(int(self.age[i])),
            "height_cm": f"{self.height[i]:.1f}",
            "weight_kg": f"{self.weight[i]:.1f}",
            "chest_cm": f"{self.body['chest'][i]:.1f}",
            "waist_cm": f"{self.body['waist'][i]:.1f}",
            "hips_cm": f"{self.body['hips'][i]:.1f}",
            "foot_length_cm": f"{self.body['foot_length'][i]:.1f}",
        }

    def truth_row(self, i: int) -> dict[str, str]:
        """Shopper ``i``'s planted tastes as a ``shopper_truth.csv`` row."""
        weights = self.style_weights[i]
        return {
            "id": self.ids[i],
            "style": STYLES[int(np.argmax(weights))],
            "style_weights": ";".join(f"{s}={w:.3f}" for s, w in zip(STYLES, weights, strict=True)),
            "favourite_colours": ";".join(self.favourite_colours[i]),
            "price_sensitivity": f"{self.price_sensitivity[i]:.3f}",
            "sessions_per_year": f"{self.sessions_per_year[i]:.2f}",
        }


def make_shoppers(rng: np.random.Generator, count: int) -> Shoppers:
    """``count`` shoppers with plausible bodies and tastes; measurements are rounded to 1 mm."""
    gender = rng.choice(["female", "male", "non-binary"], size=count, p=[0.56, 0.40, 0.04])
    age = np.clip(np.round(rng.normal(37, 12.5, count)), 18, 79).astype(int)
    band = np.digitize(age, [25, 35, 45, 55])
    female = gender == "female"
    height = np.round(np.where(female, rng.normal(165, 7, count), rng.normal(177, 7.5, count)), 1)
    bmi = np.where(female, rng.lognormal(np.log(23.5), 0.15, count), rng.lognormal(np.log(25.0), 0.13, count))
    bmi = bmi + 0.03 * (age - 37)
    weight = np.round(bmi * (height / 100) ** 2, 1)
    body = {
        "chest": np.where(female, 88 + 2.0 * (bmi - 23), 98 + 2.1 * (bmi - 25))
        + 0.15 * (height - np.where(female, 165, 177))
        + rng.normal(0, 3, count),
        "waist": np.where(female, 74 + 2.6 * (bmi - 23), 87 + 2.8 * (bmi - 25)) + rng.normal(0, 3.5, count),
        "hips": np.where(female, 100 + 2.2 * (bmi - 23), 99 + 1.8 * (bmi - 25)) + rng.normal(0, 3.2, count),
        "foot_length": np.where(female, 24.0, 26.6)
        + 0.12 * (height - np.where(female, 165, 177))
        + rng.normal(0, 0.5, count),
    }
    body = {name: np.round(values, 1) for name, values in body.items()}

    style_prior = np.array(_AGE_STYLES)[band]
    primary = np.array([rng.choice(len(STYLES), p=p / p.sum()) for p in style_prior])
    style_weights = rng.dirichlet(np.full(len(STYLES), 0.4), size=count) * 0.35
    style_weights[np.arange(count), primary] += 0.65
    favourites = [_favourite_colours(rng, style_weights[i]) for i in range(count)]

    categories = [c.key for c in CATEGORIES]
    preference = np.array([_CATEGORY_BASE[g] for g in gender]) * rng.lognormal(
        0, 0.4, (count, len(categories))
    )
    for s, style in enumerate(STYLES):
        lift = np.array([_STYLE_CATEGORIES[style].get(c, 1.0) for c in categories])
        preference *= lift[None, :] ** style_weights[:, s : s + 1]
    preference /= preference.sum(axis=1, keepdims=True)

    consent_profile = rng.random(count) < 0.6
    return Shoppers(
        ids=[f"cu-{i + 1:06d}" for i in range(count)],
        gender=[str(g) for g in gender],
        age=age,
        consent_profile=consent_profile,
        consent_photos=consent_profile & (rng.random(count) < 0.4),
        body=body,
        height=height,
        weight=weight,
        style_weights=style_weights,
        favourite_colours=favourites,
        price_sensitivity=np.clip(rng.beta(2.0, 2.0, count) * np.where(age < 25, 1.2, 1.0), 0.0, 1.0),
        category_preference=preference,
        sessions_per_year=np.minimum(rng.lognormal(2.2, 0.9, count), 150.0),
    )


def _favourite_colours(rng: np.random.Generator, style_weights: np.ndarray) -> tuple[str, ...]:
    """Three colours drawn without replacement from the shopper's style palettes."""
    weights = np.zeros(len(COLOUR_NAMES))
    for weight, style in zip(style_weights, STYLES, strict=True):
        weights += weight * np.array([STYLE_COLOURS[style].get(c, 0.2) for c in COLOUR_NAMES])
    weights = weights**2
    chosen = rng.choice(len(COLOUR_NAMES), size=3, replace=False, p=weights / weights.sum())
    return tuple(COLOUR_NAMES[int(i)] for i in chosen)


def _flag(value: bool | np.bool_) -> str:
    return "true" if value else "false"
