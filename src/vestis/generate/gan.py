"""Generative adversarial networks of product photos: conditional SN-GAN and the plain DCGAN baseline.

:class:`ConditionalGAN` trains a DCGAN-shaped generator against a spectrally normalised
projection critic with the hinge loss (Miyato et al. 2018), conditioned on product type and
colour. :class:`DCGAN` is the reference it must beat: the architecture and recipe of Radford
et al. (2016) — batch-norm discriminator, binary cross-entropy, Adam(2e-4, β₁ = 0.5),
unconditional — trained on the same photos for the same number of steps.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional

from vestis.generate.model import TrainedGenerator
from vestis.generate.nets import Critic, Generator

__all__ = ["DCGAN", "ConditionalGAN"]


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

    def _build(self) -> None:
        n_types, n_colours = (len(self.types_), len(self.colours_)) if self.conditional else (0, 0)
        self.generator_ = Generator(self.size_, self.latent, n_types, n_colours, self.width)
        self.critic_ = self._critic(n_types, n_colours)
        self.generator_optimizer_ = torch.optim.Adam(
            self.generator_.parameters(), self.learning_rate, betas=self.betas
        )
        self.critic_optimizer_ = torch.optim.Adam(
            self.critic_.parameters(), self.learning_rate, betas=self.betas
        )

    def _step(self, images: torch.Tensor, types: torch.Tensor, colours: torch.Tensor) -> dict[str, float]:
        codes = torch.randn(len(images), self.latent)
        fake = self.generator_(codes, types, colours)
        critic_loss = self._critic_loss(
            self.critic_(images, types, colours), self.critic_(fake.detach(), types, colours)
        )
        self.critic_optimizer_.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_optimizer_.step()
        generator_loss = self._generator_loss(self.critic_(fake, types, colours))
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

    def _critic(self, n_types: int, n_colours: int) -> Critic:
        return Critic(self.size_, n_types, n_colours, self.width, spectral=True)

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

    def _critic(self, n_types: int, n_colours: int) -> Critic:
        return Critic(self.size_, 0, 0, self.width, spectral=False)

    @staticmethod
    def _critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return functional.softplus(-real).mean() + functional.softplus(fake).mean()

    @staticmethod
    def _generator_loss(fake: torch.Tensor) -> torch.Tensor:
        return functional.softplus(-fake).mean()
