"""Side views of shoes (drawn as a pair) and accessories: bags, caps, hats, scarves and belts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from vestis.data.demo.drawing import Canvas, Point, arc, curve, luminance, shade
from vestis.data.demo.garments import METAL, Drawer, draw_graphic
from vestis.data.demo.products import DemoProduct

GOLD_CLASP = (212, 172, 80)
RUBBER = (48, 44, 42)
Shoe = Callable[[Canvas, Callable[[Sequence[Point]], list[Point]], np.random.Generator], None]


def draw_sneaker(
    canvas: Canvas, at: Callable[[Sequence[Point]], list[Point]], rng: np.random.Generator
) -> None:
    """A low lace-up sneaker with a cupsole, heel tab, side stripe and toe cap."""
    sole = (226, 226, 222) if luminance(canvas.colour) > 200 else (246, 246, 242)
    canvas.part(at([(92, 440), (400, 440), *curve((400, 440), (428, 456), (404, 474)), (100, 474),
                    *curve((100, 474), (78, 458), (92, 440))]), fill=sole)  # fmt: skip
    canvas.part(at([(96, 442), (100, 350), (132, 338), (170, 356), (214, 318), (238, 322), (300, 370), (372, 396),
                    (404, 422), (404, 442)]))  # fmt: skip
    canvas.part(at([(204, 330), (222, 296), (246, 302), (242, 334)]), fill=shade(canvas.colour, 0.9))
    canvas.part(at([(96, 352), (116, 344), (118, 424), (98, 428)]), fill=shade(canvas.colour, 0.8))
    stripe = shade(canvas.colour, 0.7) if luminance(canvas.colour) > 120 else (236, 236, 232)
    canvas.part(at([(150, 424), (262, 360), (282, 372), (180, 432)]), fill=stripe)
    canvas.line(at(curve((326, 442), (334, 402), (384, 402))), width=1.2)
    canvas.line(at([(100, 452), (402, 452)]), colour=shade(sole, 0.8), width=1)
    for i in range(5):
        x, y = 220 + i * 17, 334 + i * 10
        canvas.line(at([(x - 8, y - 6), (x + 8, y + 6)]), colour=(244, 244, 240), width=2)
        canvas.line(at([(x - 8, y + 6), (x + 8, y - 6)]), colour=(244, 244, 240), width=2)


def draw_boot(canvas: Canvas, at: Callable[[Sequence[Point]], list[Point]], rng: np.random.Generator) -> None:
    """A Chelsea ankle boot: tall shaft, elastic side panel, stacked heel and pull tab."""
    canvas.part(at([(94, 452), (398, 452), (406, 468), (96, 468)]), fill=RUBBER)
    canvas.part(at([(96, 452), (150, 452), (146, 482), (100, 482)]), fill=RUBBER)
    canvas.part(at([(104, 454), (100, 238), (198, 234), (204, 300), *curve((204, 300), (232, 384), (330, 404)),
                    (390, 426), (404, 454)]))  # fmt: skip
    canvas.part(at([(128, 240), (178, 240), (164, 372), (150, 374)]), fill=shade(canvas.colour, 0.62))
    canvas.stitches(at([(108, 444), (396, 444)]), colour=shade(canvas.colour, 1.35), dash=5)


def draw_heel(canvas: Canvas, at: Callable[[Sequence[Point]], list[Point]], rng: np.random.Generator) -> None:
    """A pointed pump with a slim stiletto heel."""
    lift = float(rng.uniform(0, 14))
    canvas.part(
        at([(106, 388 - lift), (148, 396 - lift), (138, 488), (127, 488)]), fill=shade(canvas.colour, 0.7)
    )
    canvas.part(at([(104, 348 - lift), (106, 396 - lift), *curve((106, 396 - lift), (210, 410), (290, 462)),
                    (380, 474), *curve((380, 474), (418, 472), (408, 450)), *curve((408, 450), (384, 418), (320, 408)),
                    *curve((320, 408), (230, 394), (150, 362 - lift)), (124, 350 - lift)]))  # fmt: skip
    canvas.line(
        at(curve((124, 356 - lift), (200, 384), (316, 410))), colour=shade(canvas.colour, 0.55), width=2.5
    )


def draw_loafer(
    canvas: Canvas, at: Callable[[Sequence[Point]], list[Point]], rng: np.random.Generator
) -> None:
    """A slip-on loafer with a saddle strap."""
    canvas.part(at([(92, 452), (404, 452), (410, 466), (94, 466)]), fill=RUBBER)
    canvas.part(at([(94, 452), (140, 452), (138, 476), (98, 476)]), fill=RUBBER)
    canvas.part(at([(96, 454), (98, 388), (150, 394), (240, 376), *curve((240, 376), (334, 376), (398, 420)),
                    (408, 454)]))  # fmt: skip
    canvas.part(at([(234, 384), (296, 388), (300, 406), (238, 402)]), fill=shade(canvas.colour, 0.78))
    canvas.stitches(at(curve((250, 380), (340, 372), (396, 430))), colour=shade(canvas.colour, 1.3), dash=4)


def draw_sandal(
    canvas: Canvas, at: Callable[[Sequence[Point]], list[Point]], rng: np.random.Generator
) -> None:
    """A flat sandal: footbed, two crossing front straps and an ankle strap."""
    canvas.part(at([(92, 452), (400, 452), (406, 468), (94, 468)]), fill=RUBBER)
    canvas.part(at([(94, 440), (396, 442), (400, 452), (92, 452)]), fill=(214, 190, 150))
    for strap in (
        [(240, 446), (300, 392), (328, 402), (282, 450)],
        [(314, 448), (350, 400), (378, 412), (352, 452)],
        [(112, 446), (106, 380), (130, 378), (138, 446)],
        [(106, 392), (206, 400), (204, 414), (108, 408)],
    ):
        canvas.part(at(strap))


def draw_tote(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """A tote bag: trapezoid body, two handles and a top hem."""
    handle = shade(canvas.colour, 0.8)
    canvas.line(curve((206, 254), (256, 70), (306, 254)), colour=shade(canvas.colour, 0.6), width=12)
    canvas.line(curve((186, 254), (256, 88), (326, 254)), colour=handle, width=13)
    canvas.mask_ellipse((200, 150, 312, 260))
    canvas.part([(146, 250), (366, 250), (386, 566), (126, 566)])
    canvas.line([(144, 280), (368, 280)], width=1.2)
    if product.pattern == "graphic print":
        draw_graphic(canvas, (256, 420), 70, product)


def draw_crossbody(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """A crossbody bag: long strap, rounded body, flap and clasp."""
    canvas.line(curve((166, 340), (256, -80), (346, 340)), colour=shade(canvas.colour, 0.7), width=7)
    canvas.part([*arc((176, 346), 26, 26, 180, 270), *arc((336, 346), 26, 26, 270, 360),
                 *arc((336, 474), 26, 26, 0, 90), *arc((176, 474), 26, 26, 90, 180)])  # fmt: skip
    canvas.part([*arc((176, 346), 26, 26, 180, 270), *arc((336, 346), 26, 26, 270, 360), (362, 404),
                 *curve((362, 404), (256, 462), (150, 404))], fill=shade(canvas.colour, 0.92))  # fmt: skip
    canvas.dot((256, 428), 9, GOLD_CLASP, rim=shade(GOLD_CLASP, 0.7))


def draw_cap(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """A baseball cap in three-quarter view: six-panel crown, button and curved brim."""
    canvas.part([*arc((250, 400), 118, 132, 180, 360), (368, 404), (132, 404)])
    canvas.part([(296, 392), (440, 400), *curve((440, 400), (478, 420), (446, 446)), (300, 424)],
                fill=shade(canvas.colour, 0.9))  # fmt: skip
    for dx in (-70, 0, 60):
        canvas.line(curve((250, 270), (250 + dx * 0.8, 300), (250 + dx, 400)), width=1.2)
    canvas.dot((250, 270), 7, shade(canvas.colour, 0.85))
    canvas.stitches([(300, 412), (436, 420)], colour=shade(canvas.colour, 1.3), dash=4)


def draw_beanie(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """A knitted beanie with a turned-up cuff and, sometimes, a pom-pom."""
    if rng.random() < 0.5:
        canvas.ellipse((216, 142, 296, 222), fill=shade(canvas.colour, 0.95))
    canvas.part([*arc((256, 360), 116, 170, 180, 360), (372, 470), (140, 470)])
    canvas.part([(136, 396), (376, 396), (378, 480), (134, 480)], fill=shade(canvas.colour, 0.9))
    for x in np.arange(142.0, 372.0, 9.0):
        canvas.line([(float(x), 402), (float(x), 474)], colour=shade(canvas.colour, 0.75), width=1.5)


def draw_bucket_hat(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """A bucket hat: rounded crown and a sloping brim with stitched rings."""
    canvas.part(
        [(182, 382), *curve((182, 382), (166, 226), (256, 222)), *curve((256, 222), (346, 226), (330, 382))]
    )
    canvas.part([(180, 372), (332, 372), (426, 452), *curve((426, 452), (256, 500), (86, 452))])
    for offset in (14, 30):
        canvas.stitches(curve((100 + offset, 452 - offset * 0.6), (256, 494 - offset * 0.9), (412 - offset, 452 - offset * 0.6)),
                        colour=shade(canvas.colour, 0.6), dash=4)  # fmt: skip
    canvas.line([(182, 372), (330, 372)], width=2)


def draw_scarf(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """A folded scarf hanging in two ends with fringes."""
    ends = (
        [(166, 120), (262, 120), (252, 540), (160, 540)],
        [(238, 170), (334, 160), (356, 510), (262, 520)],
    )
    canvas.part(ends[0])
    canvas.part(ends[1])
    canvas.part([*curve((160, 170), (150, 96), (256, 92)), *curve((256, 92), (362, 96), (344, 176)),
                 *curve((344, 176), (256, 150), (160, 170))])  # fmt: skip
    for (x0, y0), (x1, y1) in ((ends[0][3], ends[0][2]), (ends[1][3], ends[1][2])):
        for t in np.linspace(0.04, 0.96, 12):
            x, y = x0 + (x1 - x0) * float(t), y0 + (y1 - y0) * float(t)
            canvas.line([(x, y), (x, y + 26)], width=2)
        canvas.mask_ellipse((x0, y0, x1, y1 + 26))


def draw_belt(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """A belt folded in two: strap with a metal buckle, holes and a pointed tip."""
    canvas.part([(110, 280), (392, 280), (392, 318), (110, 318)])
    canvas.part([(150, 352), (392, 352), (392, 390), (150, 390), (118, 371)])
    canvas.part([*arc((392, 335), 55, 55, -90, 90), *arc((392, 335), 17, 17, 90, -90)])
    for x in range(172, 262, 20):
        canvas.dot((float(x), 371), 3.2, shade(canvas.colour, 0.35))
    canvas.part([(70, 262), (124, 262), (124, 336), (70, 336)], fill=METAL)
    canvas.part([(82, 274), (112, 274), (112, 324), (82, 324)])
    canvas.line([(92, 299), (136, 299)], colour=shade(METAL, 0.6), width=3)
    canvas.stitches([(130, 286), (388, 286)], colour=shade(canvas.colour, 1.4), dash=5)
    canvas.stitches([(130, 312), (388, 312)], colour=shade(canvas.colour, 1.4), dash=5)


def pair_of(shoe: Shoe) -> Drawer:
    """A drawer that shows ``shoe`` as a pair: one behind and above the other, both facing right."""

    def draw(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
        seed = int(rng.integers(2**31))
        for dx, dy in ((-24.0, -100.0), (10.0, 24.0)):
            shoe(canvas, _shifted(dx, dy), np.random.default_rng(seed))

    return draw


GOODS: dict[str, Drawer] = {
    "sneakers": pair_of(draw_sneaker),
    "boots": pair_of(draw_boot),
    "heels": pair_of(draw_heel),
    "loafers": pair_of(draw_loafer),
    "sandals": pair_of(draw_sandal),
    "tote": draw_tote,
    "crossbody": draw_crossbody,
    "cap": draw_cap,
    "beanie": draw_beanie,
    "bucket hat": draw_bucket_hat,
    "scarf": draw_scarf,
    "belt": draw_belt,
}


def _shifted(dx: float, dy: float, scale: float = 1.12) -> Callable[[Sequence[Point]], list[Point]]:
    """Moves a shoe drawn around (256, 420) by ``(dx, dy)`` and enlarges it by ``scale``."""
    return lambda points: [(256 + (x - 256) * scale + dx, 420 + (y - 420) * scale + dy) for x, y in points]
