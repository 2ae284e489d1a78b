"""Generated images say so: in the PNG file's metadata and, on contact sheets, in the pixels.

Every PNG that Vestis writes from a generator carries two labels a reader can check:

- PNG text chunks: ``Generated: true``, ``Software: Vestis <version>``, a plain-words
  ``Description`` and the request that made it (generator kind, seed, product type, colour,
  and, for one image of a batch, its place in the batch), so the image can be drawn again;
- an XMP packet (the iTXt chunk ``XML:com.adobe.xmp``) whose IPTC
  ``Iptc4xmpExt:DigitalSourceType`` is ``trainedAlgorithmicMedia``, the IPTC NewsCodes term
  for "created by a model trained on sampled content", which image tools and marketplaces read.

Neither is tamper-proof: anyone can strip or copy metadata. A C2PA manifest would bind the
claim to the pixels with a signature, but signing needs an X.509 certificate from a C2PA
trust list that an installation has to obtain itself; an unsigned manifest would only look
like one, so none is written. Contact sheets also carry a visible label strip, which survives
any metadata stripping.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

import vestis

__all__ = [
    "DIGITAL_SOURCE_TYPE",
    "IPTC_EXT_NS",
    "XMP_KEYWORD",
    "contact_sheet",
    "read_provenance",
    "save_generated_png",
]

DIGITAL_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
"""IPTC Digital Source Type for media created by a model trained on sampled content."""
IPTC_EXT_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
"""XML namespace of the IPTC Photo Metadata extension schema, where ``DigitalSourceType`` lives."""
XMP_KEYWORD = "XML:com.adobe.xmp"
"""The iTXt keyword under which PNG files carry their XMP packet."""
DESCRIPTION = "Machine-generated product image (Vestis); not a photograph of a real product."

_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XMP_NS = "http://ns.adobe.com/xap/1.0/"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_GAP = 4
_BACKGROUND = (255, 255, 255)
_STRIP = (24, 24, 24)
_STRIP_TEXT = (255, 255, 255)
_FIELDS = {"Generator": "generator_kind", "Product type": "product_type", "Colour": "colour"}
_NUMBERS = {"Seed": "seed", "Index": "index", "Count": "count"}

ImageLike = Image.Image | np.ndarray
Destination = str | Path | IO[bytes]
Source = str | Path | bytes | IO[bytes]


def save_generated_png(
    image: ImageLike,
    path_or_buffer: Destination,
    *,
    generator_kind: str,
    product_type: str | None,
    colour: str | None,
    seed: int,
    index: int | None = None,
    count: int | None = None,
) -> None:
    """Write ``image`` as a PNG labelled as generated (PNG text chunks and IPTC XMP).

    Parameters
    ----------
    image
        A PIL image or an ``(H, W, 3)`` uint8 array.
    path_or_buffer
        A file path or a binary buffer to write to.
    generator_kind, product_type, colour, seed
        The request that drew the image (type and colour ``None`` when left to the generator).
    index, count
        For one image of a batch: its position and the batch size, so that
        ``sample(count, …, seed=seed)[index]`` draws it again; a contact sheet gives ``count`` alone.
    """
    picture = image if isinstance(image, Image.Image) else Image.fromarray(_rgb_array(image))
    info = PngInfo()
    info.add_text("Generated", "true")
    info.add_text("Software", f"Vestis {vestis.__version__}")
    info.add_text("Description", DESCRIPTION)
    request = {"generator_kind": generator_kind, "product_type": product_type, "colour": colour}
    request |= {"seed": seed, "index": index, "count": count}
    for keyword, name in (_FIELDS | _NUMBERS).items():
        if request[name] is not None:
            info.add_text(keyword, str(request[name]))
    info.add_itxt(XMP_KEYWORD, _xmp_packet(), zip=False)
    picture.save(path_or_buffer, format="PNG", pnginfo=info)


def read_provenance(path_or_bytes: Source) -> dict[str, Any] | None:
    """The generation labels of a PNG, or ``None`` when it carries none.

    Returns a dict with ``generated`` (True), ``digital_source_type`` (the XMP's IPTC term or
    ``None``), ``software``, ``generator_kind``, ``product_type``, ``colour``, ``seed``,
    ``index`` and ``count`` (``None`` where the file does not say). A file labelled by
    another tool through XMP alone counts as generated too. Pixels are never decoded.
    """
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    with Image.open(source) as picture:
        text: dict[str, str] = dict(getattr(picture, "text", {}))
    source_type = _digital_source_type(text.get(XMP_KEYWORD))
    if text.get("Generated", "").lower() != "true" and source_type != DIGITAL_SOURCE_TYPE:
        return None
    found: dict[str, Any] = {
        "generated": True,
        "digital_source_type": source_type,
        "software": text.get("Software"),
    }
    found |= {name: text.get(keyword) for keyword, name in _FIELDS.items()}
    found |= {name: _integer(text.get(keyword)) for keyword, name in _NUMBERS.items()}
    return found


def contact_sheet(
    images: np.ndarray | Sequence[ImageLike], *, columns: int, label: str = "generated"
) -> Image.Image:
    """The images in a grid under a dark strip that says ``label`` in capitals.

    The strip is part of the pixels, so the sheet stays visibly marked after its metadata
    is stripped; save it with :func:`save_generated_png` to label the file as well.
    ``columns`` is the most images per row; fewer images make a narrower sheet.
    """
    tiles = [tile if isinstance(tile, Image.Image) else Image.fromarray(_rgb_array(tile)) for tile in images]
    if not tiles:
        raise ValueError("images: a contact sheet needs at least one image; got none")
    if columns < 1:
        raise ValueError(f"columns: must be at least 1; got {columns}")
    width = max(tile.width for tile in tiles)
    height = max(tile.height for tile in tiles)
    across = min(columns, len(tiles))
    down = math.ceil(len(tiles) / across)
    sheet_width = across * width + (across + 1) * _GAP
    text = label.upper()
    font = _font_fitting(text, sheet_width - 2 * _GAP)
    left, top, right, bottom = font.getbbox(text)
    strip = bottom - top + 4 * _GAP
    sheet = Image.new("RGB", (sheet_width, strip + down * height + (down + 1) * _GAP), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.rectangle((0, 0, sheet_width - 1, strip - 1), fill=_STRIP)
    draw.text(((sheet_width - right - left) // 2, 2 * _GAP - top), text, fill=_STRIP_TEXT, font=font)
    for i, tile in enumerate(tiles):
        row, column = divmod(i, across)
        x = _GAP + column * (width + _GAP) + (width - tile.width) // 2
        y = strip + _GAP + row * (height + _GAP) + (height - tile.height) // 2
        sheet.paste(tile.convert("RGB"), (x, y))
    return sheet


def _rgb_array(array: np.ndarray) -> np.ndarray:
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image: expected an (H, W, 3) uint8 array; got {array.dtype} {array.shape}")
    return array


def _font_fitting(text: str, width: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font at the largest size (up to 28 px) that fits ``text`` into ``width``."""
    for size in range(28, 7, -1):
        font = ImageFont.load_default(size=size)
        if font.getlength(text) <= width:
            return font
    return font


def _xmp_packet() -> str:
    tool = quoteattr(f"Vestis {vestis.__version__}")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        f' <rdf:RDF xmlns:rdf="{_RDF_NS}">\n'
        '  <rdf:Description rdf:about=""\n'
        f'    xmlns:Iptc4xmpExt="{IPTC_EXT_NS}"\n'
        f'    xmlns:xmp="{_XMP_NS}"\n'
        f'    xmlns:dc="{_DC_NS}"\n'
        f'    Iptc4xmpExt:DigitalSourceType="{DIGITAL_SOURCE_TYPE}"\n'
        f"    xmp:CreatorTool={tool}>\n"
        "   <dc:description><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{escape(DESCRIPTION)}</rdf:li>'
        "</rdf:Alt></dc:description>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    )


def _digital_source_type(packet: str | None) -> str | None:
    """``Iptc4xmpExt:DigitalSourceType`` of an XMP packet, as an attribute or an element; else None.

    Packets that declare a DTD or entities are not parsed (no entity expansion from a file).
    """
    if not packet or re.search(r"<!(DOCTYPE|ENTITY)", packet, re.IGNORECASE):
        return None
    body = re.sub(r"<\?xpacket[^>]*\?>", "", packet).strip()
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    name = f"{{{IPTC_EXT_NS}}}DigitalSourceType"
    for description in root.iter(f"{{{_RDF_NS}}}Description"):
        if name in description.attrib:
            return description.attrib[name].strip()
        element = description.find(name)
        if element is not None:
            return (element.text or element.get(f"{{{_RDF_NS}}}resource") or "").strip() or None
    return None


def _integer(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None
