"""Compose the warped garment into the person photo.

Order of work: fill the old clothing the new garment leaves uncovered (the person's own skin
where skin would show: arms, and for a top the torso and neck; inpainting elsewhere), paint the
garment where it lands on the person, carry the photo's shading onto it, feather the edge and
put face, hair and hands back on top. Pixels outside the person are never touched, except a
thin rim where the old clothing's soft edge met the background, and a skirt or dress hanging
across the background between the legs.

Skin is painted from a robust CIELAB model of the person's visible skin (face, neck, hands,
bare arms and legs; eyes, lips, brows, highlights and shadows fall outside it), taken near
where it is painted, so a neck lit differently from the hands gives each its own tone. The
light comes from the old clothing: its low-frequency luminance relative to a wider mean, so a
sleeve's folds and the roundness of the arm under it stay, and a dark shirt darkens nothing.
The skin's own fine texture is added as grain. All the work is done inside the box around the
person, low frequencies at reduced resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vestis.tryon.body import Body
from vestis.tryon.types import BodyMasks
from vestis.tryon.warp import Warp
from vestis.vision.colour import rgb_to_lab
from vestis.vision.filters import weighted_blur
from vestis.vision.segment import bounding_box

__all__ = ["Composite", "Compositor", "ciede2000", "skin_delta_e"]

_INPAINT_SCALE = 0.25
_COARSE_STEP = 1.5
"""Reduced pixels spanned by the finest low-frequency blur (see :class:`_Coarse`)."""
_MIN_SKIN = 50
"""Fewest pixels a colour or a light is measured on (face skin and filled skin for
:func:`skin_delta_e`, the skin model, a material's shading)."""
_SKIN_SAMPLE = 40_000
"""Most skin pixels the skin model is fitted on (a regular subsample of larger areas)."""
_SAMPLE = 10_000
"""Pixels a median or a mean colour is taken over, at least, before a larger area is subsampled."""
_SKIN_SPREAD = 2.5
"""Robust standard deviations (1.4826 MAD) from the median, per CIELAB channel, of pixels that count as skin."""
_SKIN_SPREAD_FLOOR = np.array([4.0, 2.0, 2.0], np.float32)
"""Smallest per-channel deviation allowed, so that an evenly lit face keeps enough of its pixels."""
_SKIN_PRIOR = 0.05
"""Weight of the person's overall skin colour against the nearby skin in a skin fill."""
_TONE_SIGMA = 0.35
"""Reach, in shoulder widths, of the nearby skin whose colour a skin fill takes."""
_SKIN_LIGHT = (0.75, 1.15)
"""Darkest and lightest relative shading (see :func:`_relative_shading`) carried onto skin."""
_GARMENT_LIGHT = (0.7, 1.12)
"""Darkest and lightest relative shading carried onto the garment."""
_CLOTH_SHADE = 0.04
"""Fine blur, in shoulder widths, of the clothing's luminance whose ratio to a broad one
(:data:`_BROAD_SHADE`) is its shading: folds and the body's roundness pass, the clothing's own
colour does not."""
_SKIN_SHADE = 0.12
"""Fine blur of bare skin's luminance for its shading: the light across a shoulder, not its
collarbones and highlights."""
_BROAD_SHADE = 0.8
"""Broad blur, in shoulder widths, of the luminance the shading is relative to."""
_SHADE_OFFSET = 40.0
"""Added to luminance (0..255) before the ratio, so that the sheen and noise of a black shirt
are no deep folds."""
_SPREAD = 0.05
"""Weight, against a material's own pixels, of its light spread to the pixels around it."""
_TRUST = 0.1
"""Share of a fine blur's window a material must fill for its shading to count fully there."""
_MATERIAL_STEP = 0.6
"""Largest lightness ratio (dark over light side, see :func:`_materials`) of two colours that are
two materials, not one in light and shadow."""
_MATERIAL_SHARE = 0.15
"""Smallest share of a region each of its two materials must hold (a fold's deep shadow is none)."""
_SHADE_BAND = 0.25
"""Largest luminance difference, relative to the local mean, of pixels that carry shading (a
print's letters do not)."""
_FORM_DEPTH = 0.12
"""How much darker filled skin gets at the person's outline, where a limb turns away from the light."""
_FORM_REACH = 0.06
"""Distance from the outline, in shoulder widths, over which that darkening fades out."""
_STRAY_REACH = 0.1
"""How far, in shoulder widths, beside the old and the new clothing the old top is looked for."""
_STRAY_COLOUR = 18.0
"""Largest CIELAB distance from the old clothing's median colour of a pixel that is more of it."""
_GRAIN_LIMIT = (0.8, 5.0)
"""Weakest and strongest grain (luminance standard deviation) added to filled skin."""


@dataclass(frozen=True)
class Composite:
    """The composed RGB image, the masks of what was painted and what was filled, where the
    fill is the person's skin, and how far that skin is from the face's (see :func:`skin_delta_e`)."""

    rgb: np.ndarray
    painted: np.ndarray
    filled: np.ndarray
    skin: np.ndarray
    skin_delta_e: float | None


class _Coarse:
    """The work box at reduced resolution, where the low-frequency fields (skin tone, light) are
    computed: blurs many pixels wide lose nothing there and cost a fraction. The finest of them
    (:data:`_CLOTH_SHADE`) spans :data:`_COARSE_STEP` reduced pixels."""

    def __init__(self, image: np.ndarray, scale: float) -> None:
        height, width = image.shape[:2]
        self.scale = scale
        self.shrink = min(1.0, _COARSE_STEP / max(_CLOTH_SHADE * scale, 1e-6))
        self.size = (max(1, round(width * self.shrink)), max(1, round(height * self.shrink)))
        self.full = (width, height)
        self.rgb = self.down(image)
        self.luminance = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)

    def down(self, values: np.ndarray) -> np.ndarray:
        """``values`` (a mask or an image of the box) averaged down to the reduced size, as float32
        (a mask as the share of each reduced pixel it covers, averaged in 8 bits, which is quicker)."""
        if values.dtype == bool:
            shares = cv2.resize(
                values.view(np.uint8) * np.uint8(255), self.size, interpolation=cv2.INTER_AREA
            )
            return shares.astype(np.float32) / 255
        return cv2.resize(values.astype(np.float32), self.size, interpolation=cv2.INTER_AREA)

    def mean(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The reduced luminance of ``mask``'s pixels alone (the others left out of each average)
        and how much of each reduced pixel they cover."""
        weight = self.down(mask)
        values = self.down(np.where(mask, self.luminance, 0)) / np.maximum(weight, 1e-6)
        return values, weight

    def up(self, field: np.ndarray, window: tuple[slice, slice]) -> np.ndarray:
        """The reduced ``field`` interpolated back to full resolution (as :func:`cv2.resize`
        would), over just ``window`` of the box."""
        rows, columns = (span.indices(size) for span, size in zip(window, self.full[::-1], strict=True))
        scale_x, scale_y = self.size[0] / self.full[0], self.size[1] / self.full[1]
        to_field = np.array(
            [
                [scale_x, 0.0, (columns[0] + 0.5) * scale_x - 0.5],
                [0.0, scale_y, (rows[0] + 0.5) * scale_y - 0.5],
            ]
        )
        shape = (columns[1] - columns[0], rows[1] - rows[0])
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        return cv2.warpAffine(field, to_field, shape, flags=flags, borderMode=cv2.BORDER_REPLICATE)


class Compositor:
    """Blend a :class:`~vestis.tryon.warp.Warp` into the person photo using the body regions."""

    def __init__(self, feather: float = 1.5, shading_strength: float = 0.8) -> None:
        self.feather = feather
        self.shading_strength = shading_strength

    def compose(
        self,
        person: np.ndarray,
        body: Body,
        warp: Warp,
        *,
        long_sleeves: bool,
        category: str = "upper",
        skirt: bool = False,
    ) -> Composite:
        """The person photo wearing the warped garment (H×W×3 uint8, same size as ``person``).

        ``category`` (``upper``, ``lower`` or ``dress``) says which old clothing is replaced and
        where bare skin may show instead (arms; legs); ``skirt`` lets a skirt or dress hang
        across the background between the legs (``between_legs``), the one place outside the
        person it may paint.
        """
        # 1. Work inside the box around the person and what may be painted.
        full = body.masks
        reach = _dilate(full.person, 3) | (full.between_legs if skirt else False)
        box = bounding_box(reach | warp.mask, 16)
        m = full.apply(lambda mask: mask[box])
        image = person[box]
        coarse = _Coarse(image, body.shoulder_width)
        old, bare, front = _roles(m, category, long_sleeves)
        protected = m.face | front
        painted = warp.mask[box] & reach[box] & ~protected
        if category != "lower":
            old = old | _stray_clothing(image, m, old, painted | old, body.shoulder_width) & ~protected
        # The light on what is replaced: the old clothing (not a lower garment a top reaches over).
        clothing = old & ~m.skin
        if category == "upper":
            clothing &= ~m.lower_body
        # 2. Fill what the old clothing showed and the new garment does not cover, with its soft
        # edge (a dark sleeve's outline against the background).
        leftover = old & ~painted & ~protected
        leftover |= _dilate(leftover, 2) & _dilate(m.person, 2) & ~painted & ~protected
        skin = leftover & bare
        # The old clothing under the garment and the garment's own area are no inpainting source.
        filled = _inpaint(image, leftover & ~skin, m.person if category == "lower" else painted | old)
        if skin.any():
            # Skin filled in fades into the skin around it, over a ring of a few pixels filled alike.
            ring = _dilate(skin, 3) & bare & m.skin & ~painted & ~protected & ~leftover
            sources = m.skin & ~old & ~leftover & m.person
            _fill_skin(filled, image, coarse, skin, ring, sources, clothing, m.person, body.skin_rgb)
        # 3. Shade the garment like the photo (the light on the old clothing and skin under it),
        # feather its edge and blend; keep protected regions and the outside exactly.
        if painted.any():
            light = _garment_light(coarse, painted & clothing, painted & m.skin)
            self._lay(filled, warp.rgb[box], coarse, light, painted, m.person & ~protected)
            filled[protected] = image[protected]
        rgb = person.copy()
        rgb[box] = filled
        shape = person.shape[:2]
        # The skin's colour is judged where it shows, clear of the garment's feathered edge.
        shown = skin & ~_dilate(painted, 2)
        return Composite(
            rgb=rgb,
            painted=_uncrop(painted, box, shape),
            filled=_uncrop(leftover, box, shape),
            skin=_uncrop(skin, box, shape),
            skin_delta_e=skin_delta_e(filled, m.face & m.skin, shown),
        )

    def _lay(
        self,
        image: np.ndarray,
        garment: np.ndarray,
        coarse: _Coarse,
        light: np.ndarray,
        painted: np.ndarray,
        free: np.ndarray,
    ) -> None:
        """Lay ``garment`` (its colours times the reduced ``light`` to the power of the shading
        strength) over ``painted`` in ``image`` (in place), its edge feathered onto the ``free``
        pixels around it."""
        zone = bounding_box(painted, 4)
        inside = painted[zone]
        alpha = inside.astype(np.float32)
        if self.feather > 0:
            alpha = cv2.GaussianBlur(alpha, (0, 0), self.feather)
        alpha = np.where(inside | (_dilate(inside, 2) & free[zone]), alpha, 0.0)[..., None]
        shaded = garment[zone].astype(np.float32) * coarse.up(light, zone)[..., None] ** self.shading_strength
        blended = image[zone].astype(np.float32) * (1 - alpha) + shaded * alpha
        image[zone] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def skin_delta_e(rgb: np.ndarray, face_skin: np.ndarray, filled: np.ndarray) -> float | None:
    """CIEDE2000 between the mean CIELAB colour of the ``filled`` skin in ``rgb`` and the median
    of the ``face_skin`` pixels (H×W masks); ``None`` when either holds too few pixels to tell."""
    if face_skin.sum() < _MIN_SKIN or filled.sum() < _MIN_SKIN:
        return None
    face = np.median(rgb_to_lab(_sample(rgb, face_skin)), axis=0)
    return float(ciede2000(rgb_to_lab(_sample(rgb, filled)).mean(axis=0), face))


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005) of CIELAB colours, broadcast over
    any leading shape ending in 3: how different two colours look, evener across hues than ΔE76."""
    lab1, lab2 = (np.asarray(lab, np.float64) for lab in (lab1, lab2))
    l1, a1, b1 = np.moveaxis(lab1, -1, 0)
    l2, a2, b2 = np.moveaxis(lab2, -1, 0)
    chroma = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(chroma**7 / (chroma**7 + 25.0**7)))
    a1, a2 = a1 * (1 + g), a2 * (1 + g)
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = (np.degrees(np.arctan2(b, a)) % 360 for a, b in ((a1, b1), (a2, b2)))
    grey = c1 * c2 == 0
    dh = np.where(grey, 0.0, (h2 - h1 + 180) % 360 - 180)
    d_hue = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    h_mean = np.where(grey, h1 + h2, (h1 + dh / 2) % 360)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean
    s_h = 1 + 0.015 * c_mean * t
    rotation = (
        -2
        * np.sqrt(c_mean**7 / (c_mean**7 + 25.0**7))
        * np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2))))
    )
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_hue / s_h
    return np.sqrt(dl**2 + dc**2 + dhh**2 + rotation * dc * dhh)


def _fill_skin(
    filled: np.ndarray,
    image: np.ndarray,
    coarse: _Coarse,
    skin: np.ndarray,
    ring: np.ndarray,
    sources: np.ndarray,
    clothing: np.ndarray,
    person: np.ndarray,
    fallback: np.ndarray,
) -> None:
    """Paint the person's skin (see :func:`_paint_skin`, which reads the photo ``image``) over
    ``skin`` in ``filled`` (in place), fading over the ``ring`` around it into the skin there."""
    region = skin | ring
    colours = _paint_skin(image, coarse, region, sources, clothing, person, fallback)
    window = bounding_box(region, 4)
    fade = cv2.GaussianBlur(skin[window].astype(np.float32), (0, 0), 1.5)[region[window]]
    fade = np.where(skin[region], 1.0, fade)[:, None]
    filled[region] = (colours * fade + image[region] * (1 - fade) + 0.5).astype(np.uint8)


def _paint_skin(
    image: np.ndarray,
    coarse: _Coarse,
    region: np.ndarray,
    sources: np.ndarray,
    clothing: np.ndarray,
    person: np.ndarray,
    fallback: np.ndarray,
) -> np.ndarray:
    """N×3 float colours (0..255) for the ``region`` pixels: the person's skin, lit like the
    clothing it replaces.

    Tone: the robust skin pixels among ``sources``, averaged near each pixel (the neck's beside
    the neck, the hands' along the forearms), tending to their overall colour far from any;
    ``fallback`` (the face's colour) where the photo shows too little skin.
    Light: the relative shading of ``clothing``, times a darkening towards the ``person``'s
    outline, around a mean of 1. Texture: grain as strong as the fine detail of the photo's own skin.
    """
    skin = _robust_skin(image, sources)
    if skin.sum() >= _MIN_SKIN:
        overall = np.median(_sample(image, skin), axis=0).astype(np.float32)
        sigma = max(1.0, _TONE_SIGMA * coarse.scale * coarse.shrink)
        tone = weighted_blur(coarse.rgb, coarse.down(skin), sigma, prior=(overall, _SKIN_PRIOR))
    else:
        tone = np.broadcast_to(np.asarray(fallback, np.float32), coarse.rgb.shape).copy()
    light = _relative_shading(coarse, [(clothing, _CLOTH_SHADE)], _SKIN_LIGHT)
    window = bounding_box(region, round(_FORM_REACH * coarse.scale) + 2)
    outline = cv2.distanceTransform(_dilate(person[window], 1).astype(np.uint8), cv2.DIST_L2, 3)
    form = 1 - _FORM_DEPTH * (1 - np.clip(outline / max(_FORM_REACH * coarse.scale, 1.0), 0, 1)) ** 2
    inside = region[window]
    shade = coarse.up(light, window)[inside] * form[inside]
    # Light and shadow move the skin around its own tone, not the tone itself.
    shade = np.clip(shade / max(float(shade.mean()), 1e-6), *_SKIN_LIGHT)[:, None]
    colours = coarse.up(tone, window)[inside] * shade + _grain(image, skin, int(region.sum()))
    return np.clip(colours, 0, 255)


def _robust_skin(image: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """The ``sources`` pixels, eroded off their edges, within :data:`_SKIN_SPREAD` robust
    deviations of their median CIELAB colour in every channel: skin without the eyes, lips,
    brows, stray hair, highlights and deep shadows among it."""
    core = cv2.erode(sources.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    ys, xs = np.nonzero(core)
    if len(ys) < _MIN_SKIN:
        return core
    step = max(1, int(np.ceil(np.sqrt(len(ys) / _SKIN_SAMPLE))))
    keep = (ys % step == 0) & (xs % step == 0)
    ys, xs = ys[keep], xs[keep]
    lab = rgb_to_lab(image[ys, xs])
    median = np.median(lab, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(lab - median), axis=0), _SKIN_SPREAD_FLOOR)
    inlier = (np.abs(lab - median) <= _SKIN_SPREAD * spread).all(axis=1)
    skin = np.zeros_like(sources)
    skin[ys[inlier], xs[inlier]] = True
    return skin


def _relative_shading(
    coarse: _Coarse, parts: list[tuple[np.ndarray, float]], limits: tuple[float, float]
) -> np.ndarray:
    """Reduced-resolution light on the pixels of ``parts`` (masks of the box, each with the
    width of its fine blur in shoulder widths): for each material among them, its fine-blurred
    luminance over a broad blur (:data:`_BROAD_SHADE`) of it, clamped to ``limits``.

    Each part (old clothing, bare skin) is its own material, and so is each half of a part that
    is two colours of very different lightness (black and white blocks, a top over trousers), so
    that no edge between materials reads as shading. Only pixels near a material's local mean
    count (:data:`_SHADE_BAND`), so a print or a logo leaves no trace; the ratio keeps folds and the
    roundness of the body, not the clothing's own lightness, so a black shirt shades a white
    garment as little as a white one. Away from the parts the nearest light spreads; with no
    part at all the light is 1.
    """
    broad_sigma = max(1.0, _BROAD_SHADE * coarse.scale * coarse.shrink)
    mixed = np.zeros(coarse.size[::-1], np.float32)
    total = np.zeros_like(mixed)
    materials = [(material, fine) for part, fine in parts for material in _materials(coarse.luminance, part)]
    for material, fine_share in materials:
        fine_sigma = max(1.0, fine_share * coarse.scale * coarse.shrink)
        window = bounding_box(material, 0)
        local = coarse.up(weighted_blur(*coarse.mean(material), broad_sigma), window)
        counted = np.zeros_like(material)
        near_mean = np.abs(coarse.luminance[window] - local) < _SHADE_BAND * local + 10
        counted[window] = material[window] & near_mean
        values, weight = coarse.mean(counted)
        if weight.sum() < 1:
            continue
        fine, broad = (weighted_blur(values, weight, sigma) for sigma in (fine_sigma, broad_sigma))
        ratio = np.clip((fine + _SHADE_OFFSET) / (broad + _SHADE_OFFSET), *limits)
        # Beyond the fine blur's reach of the material there is no shading to tell: 1.
        trust = np.clip(cv2.GaussianBlur(weight, (0, 0), fine_sigma) / _TRUST, 0, 1)
        near = weight + _SPREAD * cv2.GaussianBlur(weight, (0, 0), broad_sigma)
        mixed += (1 + trust * (ratio - 1)) * near
        total += near
    return np.where(total > 1e-6, mixed / np.maximum(total, 1e-6), 1.0).astype(np.float32)


def _materials(luminance: np.ndarray, part: np.ndarray) -> list[np.ndarray]:
    """``part`` as one material, or split in two at Otsu's threshold of its ``luminance`` when
    the darker side is under :data:`_MATERIAL_STEP` of the lighter one's lightness and each holds
    :data:`_MATERIAL_SHARE` of it; none when it is nearly empty."""
    if part.sum() < _MIN_SKIN:
        return []
    values = _sample(luminance, part).astype(np.uint8)
    threshold, _ = cv2.threshold(values.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark = values <= threshold
    if min(dark.mean(), 1 - dark.mean()) < _MATERIAL_SHARE:
        return [part]
    lightness = [float(values[side].mean()) + _SHADE_OFFSET for side in (dark, ~dark)]
    if lightness[0] >= _MATERIAL_STEP * lightness[1]:
        return [part]
    lower = luminance <= threshold
    return [part & lower, part & ~lower]


def _garment_light(coarse: _Coarse, clothing: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Reduced-resolution light for the garment: the relative shading of the old clothing under
    it and, where it covers bare skin, of that skin, each against its own mean, so the two meet
    without a step."""
    return _relative_shading(coarse, [(clothing, _CLOTH_SHADE), (skin, _SKIN_SHADE)], _GARMENT_LIGHT)


def _grain(image: np.ndarray, skin: np.ndarray, count: int) -> np.ndarray:
    """``count``×1 luminance grain as strong as the fine texture of the photo's own ``skin`` (its
    robust deviation from a 1.5-pixel blur), within :data:`_GRAIN_LIMIT` (the weakest without
    skin to measure), slightly smoothed like skin's pores rather than pixel noise; the same
    seed every time, so a render is reproducible."""
    strength = _GRAIN_LIMIT[0]
    if skin.sum() >= _MIN_SKIN:
        window = bounding_box(skin, 4)
        grey = cv2.cvtColor(image[window], cv2.COLOR_RGB2GRAY).astype(np.float32)
        detail = (grey - cv2.GaussianBlur(grey, (0, 0), 1.5))[skin[window]]
        spread = 1.4826 * np.median(np.abs(detail - np.median(detail)))
        strength = float(np.clip(spread, *_GRAIN_LIMIT))
    noise = np.random.default_rng(0).normal(0.0, 1.0, count).astype(np.float32)
    noise = cv2.GaussianBlur(noise.reshape(-1, 1), (1, 3), 0.6).ravel()
    return (noise / max(float(noise.std()), 1e-6) * strength)[:, None]


def _inpaint(image: np.ndarray, region: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """``image`` with ``region`` inpainted from its surroundings, at reduced resolution.

    ``hidden`` pixels (painted over afterwards, or the old clothing) are no source, so that the
    clothing being replaced does not bleed into the fill; the larger area is inpainted at a
    quarter or an eighth of the resolution, which keeps it fast and loses nothing of a smooth
    background.
    """
    result = image.copy()
    if not region.any():
        return result
    source = region | hidden
    window = bounding_box(_dilate(region, 8), 0)
    scale = _INPAINT_SCALE if source[window].sum() < 4 * region.sum() else _INPAINT_SCALE / 2
    crop = image[window]
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(source[window].astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    small_mask = cv2.dilate(small_mask, np.ones((3, 3), np.uint8))
    inpainted = cv2.inpaint(small, small_mask, 5, cv2.INPAINT_TELEA)
    inpainted = cv2.resize(inpainted, crop.shape[1::-1], interpolation=cv2.INTER_LINEAR)
    result[window][region[window]] = inpainted[region[window]]
    return result


def _stray_clothing(
    image: np.ndarray, masks: BodyMasks, old: np.ndarray, covered: np.ndarray, scale: float
) -> np.ndarray:
    """Pixels of the old top that its mask left out: beside what is ``covered`` (the old clothing
    and the new garment), in the old clothing's colour, neither skin nor the lower garment, nor
    near the hands (what they hold is no clothing).

    The old clothing is looked for inside the regions drawn along the skeleton; a loose shirt's
    sides beyond them would otherwise show as slivers between the new top's body and its sleeves.
    """
    reach = max(2, round(_STRAY_REACH * scale))
    near = _dilate(covered, reach) & masks.person & ~covered
    near &= ~masks.skin & ~masks.face & ~_dilate(masks.hands, reach)
    near &= ~masks.lower_body
    if old.sum() < _MIN_SKIN or not near.any():
        return np.zeros_like(old)
    reference = np.median(rgb_to_lab(_sample(image, old)), axis=0)
    stray = np.zeros_like(old)
    stray[near] = np.linalg.norm(rgb_to_lab(image[near]) - reference, axis=-1) < _STRAY_COLOUR
    return stray


def _roles(masks: BodyMasks, category: str, long_sleeves: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a garment of ``category`` replaces, where bare skin shows instead (a top or a dress:
    arms, torso and neck, so a shorter top bares the midriff, a neckline the chest and shorter
    sleeves the arms, each as wide as the arm drawn along the skeleton (``arms_drawn``), not as
    the loose sleeve around it; legs below a dress or shorts), and what stays in
    front of it: hands, bare forearms over short sleeves, and arms, feet and a top worn over the
    waistband over trousers and skirts (``arms_front``: just the arm pixels that are not the old
    trousers)."""
    no_sleeves = ~np.asarray(long_sleeves)
    # A loose old sleeve is wider than the arm in it: beyond the arm drawn along the skeleton it is background.
    arms = masks.arms_drawn
    if category == "upper":
        return (
            masks.old_clothing,
            arms | masks.torso | masks.neck,
            masks.hands | (masks.forearms & masks.skin & no_sleeves),
        )
    legs = masks.thighs | masks.calves
    if category == "lower":
        return masks.old_lower_clothing, legs, masks.arms_front | masks.feet | masks.top_front
    old = masks.old_clothing | masks.old_lower_clothing
    bare = arms | legs | masks.torso | masks.neck  # a neckline bares skin as a top's does
    return old, bare, masks.feet | (masks.arms_front & (masks.hands | no_sleeves))


def _sample(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The values of ``mask``'s pixels in ``image``, on a regular grid of at least
    :data:`_SAMPLE` of them when there are more."""
    step = max(1, int(np.sqrt(int(np.count_nonzero(mask)) / _SAMPLE)))
    return image[::step, ::step][mask[::step, ::step]]


def _uncrop(mask: np.ndarray, box: tuple[slice, slice], shape: tuple[int, int]) -> np.ndarray:
    """``mask`` (the box's contents) placed in a frame of ``shape`` that is ``False`` elsewhere."""
    frame = np.zeros(shape, bool)
    frame[box] = mask
    return frame


def _dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    size = 2 * pixels + 1
    return cv2.dilate(mask.astype(np.uint8), np.ones((size, size), np.uint8)) > 0
