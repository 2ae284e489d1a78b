"""Recommenders behind "recommended for you", "similar items" and the guide's ranking.

Every model follows :class:`~vestis.recommend.base.Recommender`: ``fit(interactions,
items=None)``, ``recommend(user_ids, k)``, ``similar_items(item_ids, k)``, ``save`` /
``load``. :func:`make_model` builds one by name; :func:`load_model` reads any saved one.
"""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path
from typing import Any

from vestis.recommend.base import Reason, Recommendation, Recommender
from vestis.recommend.catalog import ItemCatalog
from vestis.recommend.interactions import EVENT_WEIGHTS, IdMap, Interactions

MODELS: dict[str, str] = {
    "popular": "vestis.recommend.popular:PopularRecommender",
    "itemknn": "vestis.recommend.itemknn:ItemKNNRecommender",
    "ease": "vestis.recommend.ease:EASERecommender",
    "als": "vestis.recommend.mf:ALSRecommender",
    "bpr": "vestis.recommend.mf:BPRRecommender",
    "content": "vestis.recommend.content:ContentRecommender",
    "visual": "vestis.recommend.visual:VisualRecommender",
    "vbpr": "vestis.recommend.visual:VBPRRecommender",
    "hybrid": "vestis.recommend.hybrid:HybridRecommender",
}
"""Model name → ``module:Class``; modules are imported only when a model is asked for."""
FAMILY = "recommender"
"""The registry family (``metadata["family"]``) of every model here."""

__all__ = [
    "EVENT_WEIGHTS",
    "FAMILY",
    "MODELS",
    "IdMap",
    "Interactions",
    "ItemCatalog",
    "Reason",
    "Recommendation",
    "Recommender",
    "load_model",
    "make_model",
    "model_class",
]


def model_class(name: str) -> type[Recommender]:
    """The class registered under ``name``."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    module, _, attribute = MODELS[name].partition(":")
    return getattr(import_module(module), attribute)


def make_model(name: str, **params: Any) -> Recommender:
    """A new, unfitted model of kind ``name`` with ``params``."""
    return model_class(name)(**params)


def load_model(directory: Path) -> Recommender:
    """Whatever model :meth:`Recommender.save` wrote to ``directory``."""
    header = json.loads((directory / "model.json").read_text())
    return model_class(header["model"]).load(directory)
