"""Front-view silhouettes of clothing: tops, shirts, dresses, skirts, trousers, jeans and outerwear.

Each drawer paints one garment on a :class:`Canvas` from the product's shape options
(sleeve, neckline, hem, leg …) and a per-product generator that varies proportions a
little, so two t-shirts of the demo shop are never quite the same cut.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vestis.data.demo.drawing import WIDTH, Canvas, Point, curve, mirror, shade
from vestis.data.demo.products import DemoProduct
from vestis.data.demo.vocabulary import COLOUR_RGB

X = WIDTH / 2
GOLD: tuple[int, int, int] = (206, 150, 62)
METAL: tuple[int, int, int] = (186, 186, 190)

Drawer = Callable[[Canvas, DemoProduct, np.random.Generator], None]


def draw_top(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """T-shirts, tank tops, sweaters: body, sleeves (none/short/long), neckline, rib bands."""
    options = product.options
    width = {"slim-fit": 104.0, "oversized": 134.0}.get(product.fit, 118.0) + float(rng.uniform(-4, 4))
    hem = float(rng.uniform(548, 580))
    neck = 40.0 + float(rng.uniform(-3, 3))
    depth = {"crew": 22.0, "scoop": 48.0, "v-neck": 62.0}[options["neck"]]
    top = 112.0
    rib = options.get("rib") == "yes"
    _back_neck(canvas, neck, top)
    if options["sleeve"] == "none":
        strap = neck + 30
        left = [
            (X - neck, top),
            (X - strap, top),
            *curve((X - strap, top), (X - strap, 215), (X - width + 4, 248)),
        ]
    else:
        drop = 12.0 if product.fit == "oversized" else 0.0
        shoulder = (X - width - 16, 140 + drop)
        armpit = (X - width, 250 + drop)
        _sleeve(canvas, shoulder, armpit, long=options["sleeve"] == "long", cuff=rib)
        left = [(X - neck, top), shoulder, armpit]
    body = [*left, (X - width + 3, hem), *mirror([*left, (X - width + 3, hem)])]
    canvas.part([*body, *_neckline(neck, top, depth, v=options["neck"] == "v-neck")])
    canvas.line(_neckline(neck - 5, top + 8, depth, v=options["neck"] == "v-neck"))
    if rib:
        _ribbed_band(canvas, (X - width + 2.5, hem - 26), (X + width - 2.5, hem))
    else:
        canvas.line([(X - width + 4, hem - 10), (X + width - 4, hem - 10)], width=1)
    if product.pattern == "graphic print":
        draw_graphic(canvas, (X, 300), 62, product)


def draw_shirt(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """Shirts and blouses: pointed collar, button placket, cuffs, an optional chest pocket."""
    width = {"slim-fit": 108.0, "relaxed": 126.0}.get(product.fit, 116.0) + float(rng.uniform(-3, 3))
    hem = float(rng.uniform(560, 585))
    neck, top = 36.0, 112.0
    shoulder = (X - width - 14, 138.0)
    armpit = (X - width, 250.0)
    canvas.part([(X - neck - 4, top + 4), *curve((X - neck, top), (X, top - 20), (X + neck, top)),
                 (X + neck + 4, top + 4), (X + neck, top + 26), (X - neck, top + 26)], fill=shade(canvas.colour, 0.8))  # fmt: skip
    long = product.options["sleeve"] == "long"
    _sleeve(canvas, shoulder, armpit, long=long, cuff=long)
    left = [(X - neck, top), shoulder, armpit, (X - width + 2, hem - 34), *curve((X - width + 2, hem - 34),
            (X - width + 30, hem + 4), (X, hem))]  # fmt: skip
    canvas.part([*left, *mirror(left), (X, top + 46)])
    for side in (-1, 1):
        wing = [(X + side * (neck + 5), top), (X + side * (neck + 16), top + 42), (X + side * 10, top + 70),
                (X + side * 2, top + 44)]  # fmt: skip
        canvas.part(wing)
    canvas.line([(X - 9, top + 46), (X - 9, hem - 2)], width=1)
    canvas.line([(X + 9, top + 46), (X + 9, hem - 2)], width=1)
    button = shade(canvas.colour, 1.12) if canvas.colour[0] < 200 else shade(canvas.colour, 0.9)
    for y in np.arange(top + 70, hem - 20, 62.0):
        canvas.dot((X, float(y)), 4.2, button)
    if rng.random() < 0.5:
        canvas.part([(X + 34, 206), (X + 84, 206), (X + 84, 258), (X + 59, 266), (X + 34, 258)])
    if product.pattern == "graphic print":
        draw_graphic(canvas, (X - 56, 240), 26, product)


def draw_dress(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """Dresses: fitted bodice, waist seam and a flared skirt of mini, midi or maxi length."""
    options = product.options
    hem, flare = {"mini": (470.0, 140.0), "midi": (562.0, 170.0), "maxi": (612.0, 184.0)}[options["hem"]]
    hem += float(rng.uniform(-10, 8))
    flare += float(rng.uniform(-18, 14))
    waist = 64.0 + float(rng.uniform(-3, 3))
    neck, top = 40.0, 108.0
    depth = {"crew": 20.0, "scoop": 50.0, "v-neck": 72.0}[options["neck"]]
    armpit = (X - 84, 212.0)
    _back_neck(canvas, neck, top)
    if options["sleeve"] == "none":
        left = [
            (X - neck, top),
            (X - neck - 20, top),
            *curve((X - neck - 20, top), (X - neck - 24, 190), armpit),
        ]
    else:
        shoulder = (X - 98, 128.0)
        if options["sleeve"] == "long":
            canvas.part([(shoulder[0] + 6, shoulder[1] - 4), (X - 148, 300), (X - 172, 440), (X - 136, 448),
                         (X - 102, 300), (armpit[0] + 4, armpit[1])])  # fmt: skip
        else:
            canvas.part(
                [
                    (shoulder[0] + 6, shoulder[1] - 4),
                    (X - 150, 196),
                    (X - 124, 224),
                    (armpit[0] + 4, armpit[1]),
                ]
            )
        left = [(X - neck, top), shoulder]
    left += [armpit, (X - waist, 300), (X - flare, hem)]
    canvas.part([*left, *curve((X - flare, hem), (X, hem + 18), (X + flare, hem)), *mirror(left),
                 *_neckline(neck, top, depth, v=options["neck"] == "v-neck")])  # fmt: skip
    canvas.line(curve((X - waist, 300), (X, 308), (X + waist, 300)))
    for offset in (-0.55, -0.15, 0.3, 0.65):
        canvas.line(curve((X + offset * waist, 318), (X + offset * flare * 0.7, (300 + hem) / 2),
                          (X + offset * flare * 0.95, hem - 4)), colour=shade(canvas.seam, 1.25), width=1)  # fmt: skip
    if options.get("wrap") == "yes":
        canvas.line([(X - neck + 4, top + 4), (X + waist - 6, 300)], width=2)
        canvas.part(
            [(X + waist - 4, 298), (X + waist + 30, 330), (X + waist + 18, 382), (X + waist - 10, 312)]
        )


def draw_skirt(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """Skirts: waistband and an A-line, straight, pencil or pleated body of varying length."""
    options = product.options
    band = 84.0 + float(rng.uniform(-4, 4))
    hem = {"mini": 340.0, "midi": 480.0, "maxi": 570.0}[options["hem"]] + float(rng.uniform(-12, 10))
    cut = options["cut"]
    flare = {"a-line": 170.0, "straight": 118.0, "pencil": 100.0, "pleated": 168.0}[cut]
    flare = flare * (0.86 if options["hem"] == "mini" else 1.0) + float(rng.uniform(-8, 8))
    hip = (X - band - (18 if cut == "pencil" else 8), 220.0)
    left = [(X - band - 1, 150.0), hip, (X - flare, hem)]
    canvas.part([*left, *curve((X - flare, hem), (X, hem + 14), (X + flare, hem)), *mirror(left)])
    canvas.part([(X - band, 120), (X + band, 120), (X + band + 1, 150), (X - band - 1, 150)])
    canvas.dot((X + band - 16, 135), 4.0, shade(canvas.colour, 0.8))
    if cut == "pleated":
        for k in range(-4, 5):
            canvas.line([(X + k * band / 5, 152), (X + k * flare / 5.2, hem + 10 - abs(k))], width=1)
    elif cut == "pencil":
        canvas.line([(X, hem + 4), (X, hem - 70)], width=1.5)
    else:
        for offset in (-0.5, 0.1, 0.6):
            canvas.line(curve((X + offset * band, 170), (X + offset * flare * 0.8, (150 + hem) / 2),
                              (X + offset * flare, hem - 2)), colour=shade(canvas.seam, 1.25), width=1)  # fmt: skip


def draw_trousers(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """Trousers, joggers, cargo pants and shorts: two legs, waistband, fly, pockets."""
    left_leg = _legs(canvas, product, rng)
    band = left_leg[0][0]
    if product.options.get("crease") == "yes":
        for side in (-1, 1):
            top_x, bottom_x = (band + X) / 2, (left_leg[2][0] + left_leg[3][0]) / 2
            canvas.line(
                [(X + side * (top_x - X), 104), (X + side * (bottom_x - X), left_leg[2][1] - 4)], width=1
            )
    if product.options.get("cargo") == "yes":
        for side in (-1, 1):
            x0 = X + side * (X - left_leg[2][0] - 8)
            box = [(x0, 320), (x0 - side * 62, 322), (x0 - side * 60, 400), (x0 + side * 2, 398)]
            canvas.part(box)
            canvas.line([(x0, 340), (x0 - side * 62, 342)], width=1)
    if product.options["leg"] == "cuffed":
        for side in (-1, 1):
            outer, inner = left_leg[2], left_leg[3]
            points = [(outer[0], outer[1] - 30), (inner[0], inner[1] - 30), inner, outer]
            canvas.part([(X + side * (x - X), y) for x, y in points], fill=shade(canvas.colour, 0.88))
        canvas.line([(X - 6, 100), (X - 14, 170)], colour=(240, 240, 236), width=2.5)
        canvas.line([(X + 6, 100), (X + 14, 170)], colour=(240, 240, 236), width=2.5)
    else:
        canvas.line(
            [(X - 22, 104), (X - 22, 196), *curve((X - 22, 196), (X - 20, 222), (X - 2, 228))], width=1.2
        )
        canvas.dot((X, 87), 4.5, shade(canvas.colour, 0.75))


def draw_jeans(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """Jeans and denim shorts: denim legs, gold top stitching, scooped pockets, rivets."""
    left_leg = _legs(canvas, product, rng)
    band = X - left_leg[0][0]
    canvas.stitches([(X - band + 2, 80), (X + band - 2, 80)], colour=GOLD)
    canvas.stitches([(X - band + 2, 96), (X + band - 2, 96)], colour=GOLD)
    fly = [(X - 24, 104), (X - 24, 190), *curve((X - 24, 190), (X - 22, 222), (X - 2, 230))]
    canvas.line(fly, width=1.2)
    canvas.stitches([(x + 6, y) for x, y in fly], colour=GOLD)
    for side in (-1, 1):
        pocket = curve(
            (X + side * (band - 36), 101), (X + side * (band - 34), 160), (X + side * (band + 6), 168)
        )
        canvas.line(pocket, width=1.5)
        canvas.stitches([(x + side * 6, y - 4) for x, y in pocket], colour=GOLD)
        canvas.dot((X + side * (band - 34), 106), 3.2, (176, 120, 64))
        outer, inner = left_leg[2], left_leg[3]
        hem_y = outer[1] - 12
        canvas.stitches(
            [(X + side * (X - outer[0] - 3), hem_y), (X + side * (X - inner[0] + 3), hem_y)], colour=GOLD
        )
    canvas.part([(X + band - 62, 108), (X + band - 30, 108), (X + band - 31, 138), (X + band - 61, 138)])
    canvas.stitches([(X + band - 60, 114), (X + band - 32, 114)], colour=GOLD, dash=4)
    canvas.dot((X, 88), 5.5, METAL)


def draw_outerwear(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> None:
    """Coats and jackets: long sleeves, hood or lapels, zip or buttons, belt, quilting, pockets."""
    options = product.options
    long = options["length"] == "long"
    width = 128.0 + float(rng.uniform(-4, 6))
    hem = (598.0 if long else 452.0) + float(rng.uniform(-10, 8))
    flare = width + (16 if long else -2)
    neck, top = 44.0, 108.0
    shoulder, armpit = (X - width - 16, 138.0), (X - width - 2, 252.0)
    lining = shade(canvas.colour, 0.5)
    if options.get("hood") == "yes":
        canvas.part([*curve((X - neck - 30, 150), (X - neck - 42, 24), (X, 30)),
                     *curve((X, 30), (X + neck + 42, 24), (X + neck + 30, 150))])  # fmt: skip
        canvas.ellipse((X - neck + 2, 66, X + neck - 2, 150), fill=lining)
    _sleeve(canvas, shoulder, armpit, long=True, cuff=options.get("rib") == "yes", wide=True)
    lapel = options.get("lapel") == "yes"
    opening = top + (170.0 if lapel else 18.0)
    left = [(X - neck, top), shoulder, armpit, (X - flare, hem), (X, hem)]
    canvas.part([*left, *mirror(left), (X, opening)])
    if lapel:
        canvas.part([(X - neck, top), (X, opening), (X + neck, top), (X, top + 20)], fill=lining)
        for side in (-1, 1):
            canvas.part([(X + side * neck, top - 2), (X + side * (neck + 34), top + 78), (X + side * 4, opening + 6),
                         (X + side * 16, top + 70)])  # fmt: skip
    elif options.get("hood") != "yes":
        canvas.part([(X - neck - 4, top + 6), (X - neck + 2, top - 22), (X + neck - 2, top - 22),
                     (X + neck + 4, top + 6), (X, top + 18)], fill=shade(canvas.colour, 0.9))  # fmt: skip
    closure = options["closure"]
    if closure == "zip":
        canvas.line([(X, opening), (X, hem)], colour=shade(canvas.seam, 0.8), width=2.5)
        for y in np.arange(opening + 4, hem, 7.0):
            canvas.line([(X - 3, float(y)), (X + 3, float(y))], colour=METAL, width=1)
        canvas.part([(X - 5, opening + 10), (X + 5, opening + 10), (X + 4, opening + 36), (X - 4, opening + 36)],
                    fill=METAL)  # fmt: skip
    else:
        canvas.line([(X, opening), (X, hem)], width=1.5)
        columns = (-26.0, 26.0) if closure == "double buttons" else (-12.0,)
        for y in np.linspace(opening + 34, min(hem - 40, opening + 250), 4):
            for dx in columns:
                canvas.dot((X + dx, float(y)), 6.0, shade(canvas.colour, 0.65))
    if options.get("quilted") == "yes":
        for y in np.arange(top + 70, hem - 10, 46.0):
            canvas.line(
                curve((X - width + 1, float(y)), (X, float(y) + 10), (X + width - 1, float(y))), width=1.5
            )
    if options.get("belt") == "yes":
        belt = [(X - width - 4, 330), (X + width + 4, 330), (X + width + 5, 354), (X - width - 5, 354)]
        canvas.part(belt)
        canvas.part(
            [(X - 26, 324), (X + 26, 324), (X + 26, 360), (X - 26, 360)], fill=shade(canvas.colour, 0.75)
        )
    if options.get("rib") == "yes":
        _ribbed_band(canvas, (X - flare + 1, hem - 30), (X + flare - 1, hem))
    pocket_y = hem - (120 if long else 90)
    for side in (-1, 1):
        canvas.line([(X + side * (width - 34), pocket_y), (X + side * (width - 64), pocket_y + 52)], width=2)
    if "denim" in product.material:
        for side in (-1, 1):
            canvas.part([(X + side * 30, 200), (X + side * 92, 200), (X + side * 92, 226), (X + side * 61, 236),
                         (X + side * 30, 226)])  # fmt: skip
            canvas.stitches([(X + side * 32, 232), (X + side * 32, 300)], colour=GOLD)


def draw_graphic(canvas: Canvas, centre: Point, radius: float, product: DemoProduct) -> None:
    """A chest print: a sun over hills in the accent colour, clipped to a circle."""
    accent = COLOUR_RGB[product.accent]
    x, y = centre
    canvas.ellipse((x - radius, y - radius, x + radius, y + radius), fill=accent, outline=False)
    canvas.ellipse((x - radius * 0.45, y - radius * 0.7, x + radius * 0.45, y + radius * 0.2),
                   fill=(238, 180, 60), outline=False)  # fmt: skip
    hills = [(x - radius * 0.96, y + radius * 0.25), (x - radius * 0.3, y - radius * 0.2), (x + radius * 0.2, y + 0.1 * radius),
             (x + radius * 0.6, y - radius * 0.1), (x + radius * 0.96, y + radius * 0.25), (x + radius * 0.7, y + radius * 0.7),
             (x, y + radius), (x - radius * 0.7, y + radius * 0.7)]  # fmt: skip
    canvas.part(hills, fill=canvas.colour, outline=False)


GARMENTS: dict[str, Drawer] = {
    "top": draw_top,
    "shirt": draw_shirt,
    "dress": draw_dress,
    "skirt": draw_skirt,
    "trousers": draw_trousers,
    "jeans": draw_jeans,
    "outerwear": draw_outerwear,
}


def _legs(canvas: Canvas, product: DemoProduct, rng: np.random.Generator) -> list[Point]:
    """Both legs and the waistband; returns the left leg outline (waist, hip, hem out, hem in, crotch)."""
    leg = product.options["leg"]
    band = 92.0 + float(rng.uniform(-4, 4))
    shorts = leg == "shorts"
    hem = (300.0 if shorts else 604.0) + float(rng.uniform(-8, 6))
    crotch = 250.0 if shorts else 268.0
    outer, inner = {"straight": (104, 16), "tapered": (92, 28), "wide": (142, 6), "skinny": (80, 32),
                    "cuffed": (90, 30), "shorts": (118, 8)}[leg]  # fmt: skip
    left = [(X - band, 100.0), (X - band - 10, 190.0), (X - outer, hem), (X - inner, hem + 2), (X - 1, crotch),
            (X - 1, 100.0)]  # fmt: skip
    canvas.part(left)
    canvas.part(mirror(left))
    canvas.part([(X - band, 72), (X + band, 72), (X + band, 101), (X - band, 101)])
    for dx in (-0.8, -0.35, 0.35, 0.8):
        canvas.line([(X + dx * band, 70), (X + dx * band, 104)], colour=shade(canvas.seam, 0.9), width=3)
    if not shorts:
        canvas.line([(X - outer + 2, hem - 12), (X - inner - 2, hem - 10)], width=1)
        canvas.line([(X + outer - 2, hem - 12), (X + inner + 2, hem - 10)], width=1)
    return left


def _sleeve(
    canvas: Canvas, shoulder: Point, armpit: Point, *, long: bool, cuff: bool, wide: bool = False
) -> None:
    """A left sleeve and its mirror, hanging slightly away from the body."""
    sx, sy = shoulder
    extra = 10.0 if wide else 0.0
    if long:
        outer = [(sx + 6, sy - 4), (sx - 40 - extra, sy + 200), (sx - 56 - extra, 516.0)]
        inner = [(sx - 16 + extra / 2, 524.0), (armpit[0] - 4, armpit[1] + 4)]
    else:
        outer = [(sx + 6, sy - 4), (sx - 54, sy + 84)]
        inner = [(sx - 24, sy + 114), (armpit[0] + 6, armpit[1])]
    left = [*outer, *inner]
    canvas.part(left)
    canvas.part(mirror(left))
    end_a, end_b = outer[-1], inner[0]
    back_a = (end_a[0] + (outer[-2][0] - end_a[0]) * 0.1, end_a[1] + (outer[-2][1] - end_a[1]) * 0.1)
    back_b = (end_b[0] + (inner[1][0] - end_b[0]) * 0.1, end_b[1] + (inner[1][1] - end_b[1]) * 0.1)
    for side in (1, -1):
        band = [back_a, back_b, end_b, end_a]
        points = band if side == 1 else [(2 * X - x, y) for x, y in band]
        if cuff:
            canvas.part(points, fill=shade(canvas.colour, 0.9))
        else:
            canvas.line(points[:2], width=1)


def _back_neck(canvas: Canvas, neck: float, top: float) -> None:
    """The inside of the back neckline, seen through the front opening."""
    canvas.part([*curve((X - neck, top), (X, top - 16), (X + neck, top)), (X + neck, top + 40), (X - neck, top + 40)],
                fill=shade(canvas.colour, 0.68))  # fmt: skip


def _neckline(neck: float, top: float, depth: float, *, v: bool) -> list[Point]:
    """Front neckline from the right neck point to the left one."""
    if v:
        return [(X + neck, top), (X, top + depth), (X - neck, top)]
    return curve((X + neck, top), (X, top + 2 * depth), (X - neck, top))


def _ribbed_band(canvas: Canvas, top_left: Point, bottom_right: Point) -> None:
    """A knitted rib band (hem or cuff): a slightly darker strip with vertical ribs."""
    (x0, y0), (x1, y1) = top_left, bottom_right
    canvas.part([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], fill=shade(canvas.colour, 0.9))
    for x in np.arange(x0 + 5, x1 - 2, 6.0):
        canvas.line([(float(x), y0 + 2), (float(x), y1 - 2)], colour=shade(canvas.colour, 0.78), width=1)
