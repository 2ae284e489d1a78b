"""The networks behind the generators, in PyTorch, sized for training on two CPU cores.

* :class:`Generator` — DCGAN-shaped (Radford et al. 2016): a projected latent code grows by
  transposed convolutions from 4×4 to the image size. The product type and colour enter as
  learned embeddings joined to the code and again at every layer, through conditional batch
  norm (de Vries et al. 2017; as in Miyato & Koyama 2018): each layer's scale and shift are
  functions of the conditions, so the colour asked for reaches the last pixels and does not
  have to survive five layers of mixing with the code. ``squash`` ends it with tanh (the
  DCGAN's and the VAE's decoder) or leaves the output linear (the SN-GAN; values outside
  [-1, 1] are clipped when images are made).
* :class:`Critic` — the mirror image, strided convolutions down to 4×4. With
  ``spectral=True`` every layer is spectrally normalised (Miyato et al. 2018) and the
  conditions enter by projection (Miyato & Koyama 2018): the score adds the inner product of
  the pooled features with the type's and colour's embeddings. With ``spectral=False`` it
  is the plain DCGAN discriminator (batch norm, unconditional), the baseline.
* :class:`Encoder` — the VAE's encoder: the critic's trunk, then the mean and log-variance of
  the latent code given the image and its conditions.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional
from torch.nn.utils.parametrizations import spectral_norm

__all__ = ["Critic", "Encoder", "Generator", "channels"]

EMBEDDING = 16
"""Width of the type and colour embeddings."""


def channels(size: int, width: int) -> list[int]:
    """Feature channels at 4×4, 8×8, … up to ``size``/2, widest first (capped at 16 × ``width``)."""
    if size < 16 or not math.log2(size).is_integer():
        raise ValueError(f"size must be a power of two of at least 16; got {size}")
    steps = int(math.log2(size)) - 2
    return [min(width * 2 ** (steps - 1 - i), 16 * width) for i in range(steps)]


class Conditions(nn.Module):
    """Embeddings of the product type and colour (none for an unconditional model)."""

    def __init__(self, n_types: int, n_colours: int, dimension: int = EMBEDDING) -> None:
        super().__init__()
        self.types = nn.Embedding(n_types, dimension) if n_types else None
        self.colours = nn.Embedding(n_colours, dimension) if n_colours else None
        self.width = dimension * ((n_types > 0) + (n_colours > 0))

    def forward(self, types: torch.Tensor, colours: torch.Tensor) -> torch.Tensor:
        """The embeddings side by side, ``(batch, width)``; zero columns for an unconditional model."""
        parts = [
            table(labels)
            for table, labels in ((self.types, types), (self.colours, colours))
            if table is not None
        ]
        return torch.cat(parts, dim=1) if parts else torch.zeros(len(types), 0, device=types.device)


class Generator(nn.Module):
    """Latent code (+ conditions) → ``size``×``size`` RGB image in [-1, 1] (roughly, when not squashed)."""

    def __init__(
        self,
        size: int,
        latent: int,
        n_types: int = 0,
        n_colours: int = 0,
        width: int = 16,
        *,
        squash: bool = True,
    ) -> None:
        super().__init__()
        widths = channels(size, width)
        self.latent = latent
        self.conditions = Conditions(n_types, n_colours)
        self.project = nn.Sequential(
            nn.Linear(latent + self.conditions.width, widths[0] * 16, bias=False),
            nn.Unflatten(1, (widths[0], 4, 4)),
        )
        outputs = [*widths[1:], widths[-1]]
        self.norms = nn.ModuleList(
            [ConditionalNorm(wide, self.conditions.width) for wide in [widths[0], *outputs]]
        )
        self.grows = nn.ModuleList(
            [
                nn.ConvTranspose2d(wide, narrow, 4, stride=2, padding=1, bias=False)
                for wide, narrow in zip(widths, outputs, strict=True)
            ]
        )
        out = nn.Conv2d(widths[-1], 3, 3, padding=1)
        self.colour_out = nn.Sequential(out, nn.Tanh()) if squash else nn.Sequential(out)

    def forward(self, codes: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> torch.Tensor:
        joined = self.conditions(types, colours)
        features = functional.relu(self.norms[0](self.project(torch.cat([codes, joined], dim=1)), joined))
        for grow, norm in zip(self.grows, self.norms[1:], strict=True):
            features = functional.relu(norm(grow(features), joined))
        return self.colour_out(features)


class ConditionalNorm(nn.Module):
    """Batch norm whose scale and shift depend on the conditions; plain batch norm without any.

    The condition maps start at zero, so training begins from ordinary batch norm and learns
    how far each type and colour should move each channel.
    """

    def __init__(self, channels: int, conditions: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=not conditions)
        self.modulation = nn.Linear(conditions, 2 * channels) if conditions else None
        if self.modulation is not None:
            nn.init.zeros_(self.modulation.weight)
            nn.init.zeros_(self.modulation.bias)

    def forward(self, features: torch.Tensor, conditions: torch.Tensor) -> torch.Tensor:
        normed = self.norm(features)
        if self.modulation is None:
            return normed
        scale, shift = self.modulation(conditions)[:, :, None, None].chunk(2, dim=1)
        return normed * (1.0 + scale) + shift


class Critic(nn.Module):
    """Image (+ conditions) → one realness score per image."""

    def __init__(
        self, size: int, n_types: int = 0, n_colours: int = 0, width: int = 16, *, spectral: bool = True
    ) -> None:
        super().__init__()
        widths = channels(size, width)[::-1]
        wrap = spectral_norm if spectral else (lambda layer: layer)
        layers: list[nn.Module] = []
        for index, (narrow, wide) in enumerate(zip([3, *widths[:-1]], widths, strict=True)):
            layers.append(wrap(nn.Conv2d(narrow, wide, 4, stride=2, padding=1, bias=spectral or index == 0)))
            if not spectral and index > 0:
                layers.append(nn.BatchNorm2d(wide))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
        self.trunk = nn.Sequential(*layers)
        self.score = wrap(nn.Linear(widths[-1], 1))
        conditions = Conditions(n_types, n_colours, widths[-1])
        self.projections = nn.ModuleList(
            [wrap(table) for table in (conditions.types, conditions.colours) if table is not None]
        )
        self.condition_slots = [table is not None for table in (conditions.types, conditions.colours)]

    def forward(self, images: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> torch.Tensor:
        pooled = self.trunk(images).sum(dim=(2, 3))
        score = self.score(pooled).squeeze(1)
        labels = [label for label, used in zip((types, colours), self.condition_slots, strict=True) if used]
        for table, label in zip(self.projections, labels, strict=True):
            score = score + (table(label) * pooled).sum(dim=1)
        return score


class Encoder(nn.Module):
    """Image + conditions → mean and log-variance of the latent code (the VAE's posterior)."""

    def __init__(self, size: int, latent: int, n_types: int = 0, n_colours: int = 0, width: int = 16) -> None:
        super().__init__()
        widths = channels(size, width)[::-1]
        layers: list[nn.Module] = []
        for narrow, wide in zip([3, *widths[:-1]], widths, strict=True):
            layers += [nn.Conv2d(narrow, wide, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(wide)]
            layers.append(nn.LeakyReLU(0.2, inplace=True))
        self.trunk = nn.Sequential(*layers, nn.Flatten())
        self.conditions = Conditions(n_types, n_colours)
        self.posterior = nn.Linear(widths[-1] * 16 + self.conditions.width, 2 * latent)

    def forward(
        self, images: torch.Tensor, types: torch.Tensor, colours: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        joined = torch.cat([self.trunk(images), self.conditions(types, colours)], dim=1)
        mean, log_variance = self.posterior(joined).chunk(2, dim=1)
        return mean, log_variance.clamp(-10.0, 10.0)
