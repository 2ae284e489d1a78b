"""Generative adversarial networks of product photos: conditional SN-GAN and the plain DCGAN baseline.

:class:`ConditionalGAN` trains a DCGAN-shaped generator against a spectrally normalised
projection critic with the hinge loss (Miyato et al. 2018), conditioned on product type and
colour. Its generator draws without a final tanh: catalog photos are mostly pure white
background, exactly where tanh saturates, and at 128 px a tanh generator drifted there within
the first epoch and stopped receiving gradients (blank white images; linear, it draws products).
Two additions make it fit a catalog's few thousand photos in a few thousand steps:
the critic learns 4× faster than the generator (the two time-scale rule, Heusel et al. 2017;
Zhang et al. 2019), and every image the critic sees, real or generated, is shifted and has a
patch cut out (differentiable augmentation, Zhao et al. 2020), so the critic cannot simply
memorise the training photos. Colour is never augmented: it is a condition.

:class:`DCGAN` is the reference it must beat: the architecture and recipe of Radford
et al. (2016) — tanh output, batch-norm discriminator, binary cross-entropy, Adam(2e-4, β₁ = 0.5),
unconditional, no augmentation — trained on the same photos for the same number of steps.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional

from vestis.generate.model import TrainedGenerator
from vestis.generate.nets import Critic, Generator

__all__ = ["DCGAN", "ConditionalGAN", "shift_and_cut"]


class ConditionalGAN(TrainedGenerator):
    """Conditional SN-GAN with the hinge loss; Adam(β₁ = 0, β₂ = 0.9) as in Miyato et al.

    Examples
    --------
    >>> import numpy as np
    >>> from vestis.generate.data import PhotoSet
    >>> photos = PhotoSet(np.zeros((8, 16, 16, 3), np.uint8), np.array(["tee"] * 8), np.array(["red"] * 8))
    >>> ConditionalGAN(latent=4, width=4, batch_size=4).fit(photos, epochs=1, progress=False).sample(2).shape
    (2, 16, 16, 3)
    """

    kind = "gan"
    betas = (0.0, 0.9)

    def __init__(
        self,
        *,
        latent: int = 64,
        width: int = 16,
        batch_size: int = 64,
        learning_rate: float = 1e-4,
        critic_learning_rate: float = 4e-4,
        augment: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__(
            latent=latent, width=width, batch_size=batch_size, learning_rate=learning_rate, seed=seed
        )
        self.critic_learning_rate = critic_learning_rate
        self.augment = augment

    def get_params(self) -> dict[str, float | int | bool]:
        """Constructor arguments, the critic's learning rate and the augmentation switch included."""
        return {
            **super().get_params(),
            "critic_learning_rate": self.critic_learning_rate,
            "augment": self.augment,
        }

    def _build(self) -> None:
        n_types, n_colours = (len(self.types_), len(self.colours_)) if self.conditional else (0, 0)
        self.generator_ = self._generator(n_types, n_colours)
        self.critic_ = self._critic(n_types, n_colours)
        self.generator_optimizer_ = torch.optim.Adam(
            self.generator_.parameters(), self.learning_rate, betas=self.betas
        )
        self.critic_optimizer_ = torch.optim.Adam(
            self.critic_.parameters(), self.critic_learning_rate, betas=self.betas
        )

    def _step(self, images: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> dict[str, float]:
        codes = torch.randn(len(images), self.latent)
        fake = self.generator_(codes, types, colours)
        critic_loss = self._critic_loss(
            self.critic_(self._augmented(images), types, colours),
            self.critic_(self._augmented(fake.detach()), types, colours),
        )
        self.critic_optimizer_.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_optimizer_.step()
        generator_loss = self._generator_loss(self.critic_(self._augmented(fake), types, colours))
        self.generator_optimizer_.zero_grad(set_to_none=True)
        generator_loss.backward()
        self.generator_optimizer_.step()
        return {"critic": critic_loss.item(), "generator": generator_loss.item()}

    def _decode(self, codes: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> torch.Tensor:
        return self.generator_(codes, types, colours)

    def _saved_modules(self) -> dict[str, nn.Module]:
        return {"generator": self.generator_}

    def _trained_modules(self) -> dict[str, nn.Module | torch.optim.Optimizer]:
        return {
            "generator": self.generator_,
            "critic": self.critic_,
            "generator_optimizer": self.generator_optimizer_,
            "critic_optimizer": self.critic_optimizer_,
        }

    def _generator(self, n_types: int, n_colours: int) -> Generator:
        return Generator(self.size_, self.latent, n_types, n_colours, self.width, squash=False)

    def _critic(self, n_types: int, n_colours: int) -> Critic:
        return Critic(self.size_, n_types, n_colours, self.width, spectral=True)

    def _augmented(self, images: torch.Tensor) -> torch.Tensor:
        return shift_and_cut(images) if self.augment else images

    @staticmethod
    def _critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return functional.relu(1.0 - real).mean() + functional.relu(1.0 + fake).mean()

    @staticmethod
    def _generator_loss(fake: torch.Tensor) -> torch.Tensor:
        return -fake.mean()


class DCGAN(ConditionalGAN):
    """The plain DCGAN baseline: unconditional, batch-norm discriminator, binary cross-entropy."""

    kind = "dcgan"
    conditional = False
    betas = (0.5, 0.999)

    def __init__(
        self,
        *,
        latent: int = 64,
        width: int = 16,
        batch_size: int = 64,
        learning_rate: float = 2e-4,
        seed: int = 0,
    ) -> None:
        super().__init__(
            latent=latent,
            width=width,
            batch_size=batch_size,
            learning_rate=learning_rate,
            critic_learning_rate=learning_rate,
            augment=False,
            seed=seed,
        )

    def get_params(self) -> dict[str, float | int | bool]:
        """Constructor arguments: one learning rate for both networks, no augmentation."""
        params = super().get_params()
        del params["critic_learning_rate"], params["augment"]
        return params

    def _generator(self, n_types: int, n_colours: int) -> Generator:
        return Generator(self.size_, self.latent, 0, 0, self.width, squash=True)

    def _critic(self, n_types: int, n_colours: int) -> Critic:
        return Critic(self.size_, 0, 0, self.width, spectral=False)

    @staticmethod
    def _critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return functional.softplus(-real).mean() + functional.softplus(fake).mean()

    @staticmethod
    def _generator_loss(fake: torch.Tensor) -> torch.Tensor:
        return functional.softplus(-fake).mean()


def shift_and_cut(images: torch.Tensor) -> torch.Tensor:
    """Each image moved by up to 1/8 of its side (edge pixels fill the gap) and a square of half its side blanked.

    Differentiable in the pixels, so the generator's gradient passes through it; the same
    transform family applies to real and generated images, so the critic learns what
    products look like, not where training photos put them.
    """
    n, _, side, _ = images.shape
    reach = max(side // 8, 1)
    padded = functional.pad(images, (reach, reach, reach, reach), mode="replicate")
    offsets = torch.randint(0, 2 * reach + 1, (n, 2))
    rows = (torch.arange(side)[None, :] + offsets[:, :1])[:, None, :, None].expand(n, 3, side, 1)
    shifted = padded.gather(2, rows.expand(n, 3, side, side + 2 * reach))
    columns = (torch.arange(side)[None, :] + offsets[:, 1:])[:, None, None, :].expand(n, 3, side, side)
    shifted = shifted.gather(3, columns)
    hole = side // 2
    corner = torch.randint(0, side - hole + 1, (n, 2))
    grid = torch.arange(side)
    inside_rows = (grid[None, :] >= corner[:, :1]) & (grid[None, :] < corner[:, :1] + hole)
    inside_columns = (grid[None, :] >= corner[:, 1:]) & (grid[None, :] < corner[:, 1:] + hole)
    keep = ~(inside_rows[:, :, None] & inside_columns[:, None, :])
    return shifted * keep[:, None].to(shifted.dtype)
