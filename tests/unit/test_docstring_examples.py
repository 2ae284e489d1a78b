"""The Examples sections in docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "vestis.catalog.currency",
    "vestis.fit.latent",
    "vestis.generate.metrics",
    "vestis.recommend.ease",
    "vestis.recommend.hybrid",
    "vestis.recommend.itemknn",
    "vestis.recommend.mf",
    "vestis.recommend.tune",
    "vestis.studio.grade",
    "vestis.studio.recipes",
    "vestis.studio.steps",
    "vestis.text.tokens",
    "vestis.vision.border",
    "vestis.vision.embeddings",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    failures, attempted = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failures == 0
