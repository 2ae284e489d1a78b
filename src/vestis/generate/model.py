"""What the VAE and the GANs share: conditions, the training loop, checkpoints, sampling, files.

A generator is fitted like a scikit-learn estimator (``fit(photos, epochs=…)``) and keeps its
learned state in attributes ending in ``_``. Training shows a progress bar and, given a
``checkpoint`` path, writes the networks, optimisers and random state after every epoch, so
an interrupted run resumes where it stopped. A finished generator is one ``.vgen`` file (a
zip of ``header.json`` and ``weights.pt``) that :func:`vestis.generate.load_generator` reads.
"""

from __future__ import annotations

import io
import json
import zipfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import torch
from torch import nn

from vestis.files import atomic_write
from vestis.generate.base import check_request
from vestis.generate.data import PhotoSet
from vestis.progress import progress_bar

__all__ = ["TrainedGenerator", "to_tensor", "to_uint8"]


class TrainedGenerator(ABC):
    """Base of the trained generators: subclasses build their networks and take one training step.

    Parameters
    ----------
    latent : int
        Size of the random code each image is drawn from.
    width : int
        Channels of the finest layer; the coarser ones double it (up to 16×).
    batch_size, learning_rate : int, float
        Adam's minibatch and step size.
    seed : int
        Seed of the weights' initialisation and of the minibatch order.
    """

    kind: ClassVar[str]
    conditional: ClassVar[bool] = True

    def __init__(
        self,
        *,
        latent: int = 64,
        width: int = 16,
        batch_size: int = 64,
        learning_rate: float = 2e-4,
        seed: int = 0,
    ) -> None:
        self.latent = latent
        self.width = width
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.seed = seed

    # ------------------------------------------------------------------ public API
    @property
    def size(self) -> int:
        """Side of the generated images, in pixels."""
        return self.size_

    @property
    def types(self) -> tuple[str, ...]:
        """Product types a request may name (none for an unconditional model)."""
        return self.types_ if self.conditional else ()

    @property
    def colours(self) -> tuple[str, ...]:
        """Colours a request may name (none for an unconditional model)."""
        return self.colours_ if self.conditional else ()

    def fit(
        self,
        photos: PhotoSet,
        *,
        epochs: int = 10,
        checkpoint: Path | None = None,
        progress: bool = True,
    ) -> Self:
        """Train on ``photos`` for ``epochs`` passes in all, resuming from ``checkpoint`` if it exists.

        ``history_`` keeps each epoch's mean losses.
        """
        if epochs < 1:
            raise ValueError(f"epochs must be at least 1; got {epochs}")
        if len(photos) < 2:
            raise ValueError(f"training needs at least 2 photos; got {len(photos)}")
        torch.manual_seed(self.seed)
        self.size_ = photos.size
        self.types_, self.colours_ = photos.vocabulary()
        self.type_counts_ = _counts(photos.types, self.types_)
        self.colour_counts_ = _counts(photos.colours, self.colours_)
        self.history_: list[dict[str, float]] = []
        self._build()
        generator = torch.Generator().manual_seed(self.seed)
        resume = checkpoint is not None and Path(checkpoint).is_file()
        done = self._resume(Path(checkpoint), generator) if resume else 0  # type: ignore[arg-type]
        images = to_tensor(photos.images)
        types = torch.from_numpy(np.searchsorted(self.types_, photos.types))
        colours = torch.from_numpy(np.searchsorted(self.colours_, photos.colours))
        steps = max(len(photos) // self.batch_size, 1)
        with progress_bar(disable=not progress) as bar:
            task = bar.add_task(f"training {self.kind}", total=(epochs - done) * steps)
            for epoch in range(done, epochs):
                self._train_mode(True)
                order = torch.randperm(len(photos), generator=generator)
                sums: dict[str, float] = {}
                for step in range(steps):
                    rows = order[step * self.batch_size : (step + 1) * self.batch_size]
                    batch = _flip(images[rows], generator)
                    for name, value in self._step(batch, types[rows], colours[rows]).items():
                        sums[name] = sums.get(name, 0.0) + value
                    bar.advance(task)
                self.history_.append({name: total / steps for name, total in sums.items()})
                bar.update(
                    task,
                    description=f"training {self.kind} · epoch {epoch + 1}/{epochs} · "
                    + _losses(self.history_[-1]),
                )
                if checkpoint is not None:
                    self._write_checkpoint(Path(checkpoint), epoch + 1, generator)
        self._train_mode(False)
        return self

    def sample(
        self, n: int, *, product_type: str | None = None, colour: str | None = None, seed: int = 0
    ) -> np.ndarray:
        """``n`` new images as ``(n, size, size, 3)`` uint8; unnamed conditions are drawn as the catalog has them."""
        self._check_fitted()
        check_request(self, n, product_type, colour)
        generator = torch.Generator().manual_seed(seed)
        types = self._labels(n, product_type, self.types_, self.type_counts_, generator)
        colours = self._labels(n, colour, self.colours_, self.colour_counts_, generator)
        codes = torch.randn(n, self.latent, generator=generator)
        with torch.no_grad():
            return to_uint8(self._decode(codes, types, colours))

    def save(self, path: Path) -> Path:
        """Write the trained generator to one ``.vgen`` file, atomically."""
        self._check_fitted()
        path = Path(path)
        weights = io.BytesIO()
        torch.save({name: module.state_dict() for name, module in self._saved_modules().items()}, weights)
        header = {
            "kind": self.kind,
            "params": self.get_params(),
            "size": self.size_,
            "types": list(self.types_),
            "colours": list(self.colours_),
            "type_counts": self.type_counts_.tolist(),
            "colour_counts": self.colour_counts_.tolist(),
            "history": self.history_,
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("header.json", json.dumps(header, indent=1))
            archive.writestr("weights.pt", weights.getvalue())
        atomic_write(path, buffer.getvalue())
        return path

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a generator written by :meth:`save` (weights only: no pickled code runs)."""
        with zipfile.ZipFile(path) as archive:
            header = json.loads(archive.read("header.json"))
            state = torch.load(io.BytesIO(archive.read("weights.pt")), weights_only=True)
        if header.get("kind") != cls.kind:
            raise ValueError(f"{path}: holds a {header.get('kind')!r} generator, not {cls.kind!r}")
        model = cls(**header["params"])
        model.size_ = int(header["size"])
        model.types_, model.colours_ = tuple(header["types"]), tuple(header["colours"])
        model.type_counts_ = np.asarray(header["type_counts"], dtype=np.float64)
        model.colour_counts_ = np.asarray(header["colour_counts"], dtype=np.float64)
        model.history_ = header.get("history", [])
        model._build()
        for name, module in model._saved_modules().items():
            module.load_state_dict(state[name])
        model._train_mode(False)
        return model

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments (JSON-ready), as scikit-learn's ``get_params``."""
        return {
            "latent": self.latent,
            "width": self.width,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "seed": self.seed,
        }

    # ------------------------------------------------------------- subclass hooks
    @abstractmethod
    def _build(self) -> None:
        """Create the networks and optimisers for ``size_``, ``types_`` and ``colours_``."""

    @abstractmethod
    def _step(self, images: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> dict[str, float]:
        """One optimisation step on a minibatch; returns the losses to report."""

    @abstractmethod
    def _decode(self, codes: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1] (N×3×S×S) for latent codes and conditions."""

    @abstractmethod
    def _saved_modules(self) -> dict[str, nn.Module]:
        """The networks a ``.vgen`` file keeps (what sampling and latent walks need)."""

    @abstractmethod
    def _trained_modules(self) -> dict[str, nn.Module | torch.optim.Optimizer]:
        """Everything a checkpoint keeps: networks and optimisers."""

    # ---------------------------------------------------------------- helpers
    def _check_fitted(self) -> None:
        if not hasattr(self, "types_"):
            raise RuntimeError(f"this {self.kind} generator is not trained: call fit() or load a .vgen file")

    def _train_mode(self, training: bool) -> None:
        for module in self._trained_modules().values():
            if isinstance(module, nn.Module):
                module.train(training)

    def _labels(
        self,
        n: int,
        name: str | None,
        names: tuple[str, ...],
        counts: np.ndarray,
        generator: torch.Generator,
    ) -> torch.Tensor:
        """Condition indices: the named one, or drawn by the training frequencies."""
        if name is not None:
            return torch.full((n,), names.index(name), dtype=torch.long)
        weights = torch.as_tensor(counts, dtype=torch.float64)
        return torch.multinomial(weights, n, replacement=True, generator=generator)

    def _write_checkpoint(self, path: Path, epochs_done: int, generator: torch.Generator) -> None:
        """Networks, optimisers and both random streams, so a resumed run continues exactly."""
        state = {name: part.state_dict() for name, part in self._trained_modules().items()}
        state["random"] = {"minibatches": generator.get_state(), "torch": torch.get_rng_state()}
        buffer = io.BytesIO()
        torch.save(
            {"epochs": epochs_done, "params": self.get_params(), "size": self.size_, "types": list(self.types_),
             "colours": list(self.colours_), "history": self.history_, "state": state},
            buffer,
        )  # fmt: skip
        atomic_write(path, buffer.getvalue())

    def _resume(self, path: Path, generator: torch.Generator) -> int:
        """Load a checkpoint written by this configuration; the number of epochs it holds."""
        try:
            saved = torch.load(path, weights_only=True)
        except Exception as error:  # torch raises many kinds (KeyError, RuntimeError, …) on a damaged file
            raise ValueError(
                f"{path}: not a readable checkpoint ({error}); remove it to start afresh"
            ) from error
        mine = {
            **self.get_params(),
            "size": self.size_,
            "types": list(self.types_),
            "colours": list(self.colours_),
        }
        theirs = {**saved["params"], **{key: saved.get(key) for key in ("size", "types", "colours")}}
        changed = [key for key in mine if mine[key] != theirs.get(key)]
        if changed:
            raise ValueError(
                f"{path}: checkpoint of a different run ({', '.join(changed)} differ); remove it to start afresh"
            )
        for name, part in self._trained_modules().items():
            part.load_state_dict(saved["state"][name])
        generator.set_state(saved["state"]["random"]["minibatches"])
        torch.set_rng_state(saved["state"]["random"]["torch"])
        self.history_ = list(saved["history"])
        return int(saved["epochs"])


def _counts(values: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    return np.array([(values == name).sum() for name in names], dtype=np.float64)


def _flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror a random half of the batch: a product seen from the left is still the product."""
    mirror = torch.rand(len(images), generator=generator) < 0.5
    return torch.where(mirror[:, None, None, None], images.flip(3), images)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """``(n, S, S, 3)`` uint8 images as the networks' ``(n, 3, S, S)`` floats in [-1, 1]; :func:`to_uint8` undoes it."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def to_uint8(images: torch.Tensor) -> np.ndarray:
    pixels = images.clamp(-1, 1).add(1).mul(127.5).round().to(torch.uint8)
    return pixels.permute(0, 2, 3, 1).contiguous().numpy()


def _losses(losses: dict[str, float]) -> str:
    return " ".join(f"{name} {value:.3f}" for name, value in losses.items())
