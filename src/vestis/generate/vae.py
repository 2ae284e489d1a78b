"""A conditional variational auto-encoder (Kingma & Welling 2014; Sohn et al. 2015) of product photos.

The encoder maps a photo and its type and colour to a Gaussian over latent codes; the
decoder maps a code and conditions back to a photo. Because the code carries the shape and
the conditions carry type and colour, re-decoding a photo's code under another colour gives
a "new colourway" preview of that very product (:meth:`ConditionalVAE.colourways`), codes
walked away from a photo's toward a random one give variations of it
(:meth:`ConditionalVAE.variations`), and codes on the line between two photos give the
products in between (:meth:`ConditionalVAE.walk`).
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional

from vestis.generate.base import GenerationRequestError, check_request
from vestis.generate.model import TrainedGenerator, to_tensor, to_uint8
from vestis.generate.nets import Encoder, Generator
from vestis.vision.border import square_on_border

__all__ = ["ConditionalVAE"]


class ConditionalVAE(TrainedGenerator):
    """Conditional VAE; ``beta`` weighs the KL term against the per-pixel reconstruction error.

    Examples
    --------
    >>> from vestis.generate.data import PhotoSet
    >>> photos = PhotoSet(np.zeros((8, 16, 16, 3), np.uint8), np.array(["tee"] * 8), np.array(["red"] * 8))
    >>> ConditionalVAE(latent=4, width=4, batch_size=4).fit(photos, epochs=1, progress=False).sample(2).shape
    (2, 16, 16, 3)
    """

    kind = "vae"

    def __init__(
        self,
        *,
        latent: int = 64,
        width: int = 16,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        beta: float = 1.0,
        seed: int = 0,
    ) -> None:
        super().__init__(
            latent=latent, width=width, batch_size=batch_size, learning_rate=learning_rate, seed=seed
        )
        self.beta = beta

    def get_params(self) -> dict[str, float | int]:
        """Constructor arguments, ``beta`` included."""
        return {**super().get_params(), "beta": self.beta}

    def encode(self, images: np.ndarray, product_types: list[str], colours: list[str]) -> np.ndarray:
        """Mean latent codes of ``(n, size, size, 3)`` uint8 photos with their type and colour."""
        self._check_fitted()
        if images.ndim != 4 or images.shape[1:] != (self.size_, self.size_, 3):
            raise GenerationRequestError(
                "images", f"expected (n, {self.size_}, {self.size_}, 3); got {images.shape}"
            )
        tensor = to_tensor(images)
        with torch.no_grad():
            mean, _ = self.encoder_(
                tensor, self._indices("type", product_types), self._indices("colour", colours)
            )
        return mean.numpy()

    def recolour(
        self, images: np.ndarray, product_types: list[str], colours: list[str], new_colour: str
    ) -> np.ndarray:
        """Each photo re-drawn in ``new_colour``, keeping its shape: a colourway preview."""
        codes = torch.from_numpy(self.encode(images, product_types, colours))
        with torch.no_grad():
            drawn = self._decode(
                codes,
                self._indices("type", product_types),
                self._indices("colour", [new_colour] * len(codes)),
            )
        return to_uint8(drawn)

    def colourways(
        self, photo: Image.Image, product_type: str, colour: str, new_colours: list[str]
    ) -> np.ndarray:
        """A product photo of any size re-drawn in each of ``new_colours``; the photo as the model sees it first.

        The studio's "new colourway" preview: ``(1 + len(new_colours), size, size, 3)`` uint8.
        """
        if not new_colours:
            raise GenerationRequestError("to", "name at least one colour to preview")
        pixels = self.model_input(photo)
        code = torch.from_numpy(
            self.encode(pixels, [product_type], [colour])
        )  # encoded once, drawn per colour
        with torch.no_grad():
            drawn = self._decode(
                code.expand(len(new_colours), -1),
                self._indices("type", [product_type] * len(new_colours)),
                self._indices("colour", list(new_colours)),
            )
        return np.concatenate([pixels, to_uint8(drawn)])

    def variations(
        self,
        photo: Image.Image,
        product_type: str,
        colour: str,
        n: int,
        *,
        reach: float = 0.75,
        seed: int = 0,
    ) -> np.ndarray:
        """``n`` variations of a product photo; the photo as the model sees it first.

        A latent walk: the photo's code moves in ``n`` even steps toward a code drawn at random
        (``seed``), the last step ``reach`` of the way, so the first variation is close kin of
        the product and the later ones drift further. Type and colour stay the photo's.
        ``(1 + n, size, size, 3)`` uint8.
        """
        check_request(self, n, product_type, colour)
        if not 0.0 < reach <= 1.0:
            raise GenerationRequestError("reach", f"must be in (0, 1]; got {reach}")
        pixels = self.model_input(photo)
        start = torch.from_numpy(self.encode(pixels, [product_type], [colour]))
        target = torch.randn(1, self.latent, generator=torch.Generator().manual_seed(seed))
        share = torch.linspace(0.0, reach, n + 1)[1:, None]
        codes = start * (1 - share) + target * share
        with torch.no_grad():
            drawn = self._decode(
                codes, self._indices("type", [product_type] * n), self._indices("colour", [colour] * n)
            )
        return np.concatenate([pixels, to_uint8(drawn)])

    def walk(
        self, images: np.ndarray, product_types: list[str], colours: list[str], *, steps: int = 6
    ) -> np.ndarray:
        """``steps`` images from the first photo to the second, decoding codes on the line between them."""
        if len(images) != 2 or steps < 2:
            raise GenerationRequestError("images", "a walk needs exactly two photos and at least two steps")
        ends = torch.from_numpy(self.encode(images, product_types, colours))
        share = torch.linspace(0.0, 1.0, steps)[:, None]
        codes = ends[0] * (1 - share) + ends[1] * share
        types = self._indices(
            "type", [product_types[0] if s < 0.5 else product_types[1] for s in share[:, 0]]
        )
        tints = self._indices("colour", [colours[0] if s < 0.5 else colours[1] for s in share[:, 0]])
        with torch.no_grad():
            return to_uint8(self._decode(codes, types, tints))

    # ------------------------------------------------------------- subclass hooks
    def model_input(self, photo: Image.Image) -> np.ndarray:
        """A photo of any size padded square on its border colour and resized: ``(1, size, size, 3)`` uint8.

        Idempotent (a photo already prepared comes back unchanged), so a caller drawing several
        previews of one upload prepares it once.
        """
        self._check_fitted()
        square = Image.fromarray(square_on_border(np.asarray(photo.convert("RGB"))))
        return np.array(square.resize((self.size_, self.size_), Image.Resampling.LANCZOS))[None]

    def _build(self) -> None:
        n_types, n_colours = len(self.types_), len(self.colours_)
        self.encoder_ = Encoder(self.size_, self.latent, n_types, n_colours, self.width)
        self.decoder_ = Generator(self.size_, self.latent, n_types, n_colours, self.width, squash=True)
        parameters = [*self.encoder_.parameters(), *self.decoder_.parameters()]
        self.optimizer_ = torch.optim.Adam(parameters, lr=self.learning_rate)

    def _step(self, images: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> dict[str, float]:
        mean, log_variance = self.encoder_(images, types, colours)
        codes = mean + torch.randn_like(mean) * (0.5 * log_variance).exp()
        drawn = self.decoder_(codes, types, colours)
        pixels = images[0].numel()
        reconstruction = functional.mse_loss(drawn, images, reduction="sum") / len(images) / pixels
        kl = -0.5 * (1 + log_variance - mean.square() - log_variance.exp()).sum(dim=1).mean() / pixels
        loss = reconstruction + self.beta * kl
        self.optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer_.step()
        return {"reconstruction": reconstruction.item(), "kl": kl.item()}

    def _decode(self, codes: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> torch.Tensor:
        return self.decoder_(codes, types, colours)

    def _saved_modules(self) -> dict[str, nn.Module]:
        return {"encoder": self.encoder_, "decoder": self.decoder_}

    def _trained_modules(self) -> dict[str, nn.Module | torch.optim.Optimizer]:
        return {"encoder": self.encoder_, "decoder": self.decoder_, "optimizer": self.optimizer_}

    # ---------------------------------------------------------------- helpers
    def _indices(self, field: str, names: list[str]) -> torch.Tensor:
        known = self.types_ if field == "type" else self.colours_
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise GenerationRequestError(
                field, f"unknown {field} {unknown[0]!r}; this generator knows {', '.join(known)}"
            )
        return torch.tensor([known.index(name) for name in names], dtype=torch.long)
