"""Generated images say so: PNG text chunks, an IPTC XMP packet and a visible label on contact sheets."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ElementTree
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tests.unit.fake_generator import FakeGenerator
from vestis.generate.provenance import (
    DIGITAL_SOURCE_TYPE,
    IPTC_EXT_NS,
    XMP_KEYWORD,
    contact_sheet,
    read_provenance,
    save_generated_png,
)

IMAGES = FakeGenerator(size=32).sample(5, seed=7)


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of every PNG chunk, read with the PNG layout itself rather than Pillow."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, payload = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + payload)
        chunks.append((kind, payload))
        offset += 12 + length
    return chunks


def _saved(**request: object) -> bytes:
    buffer = io.BytesIO()
    fields = {"generator_kind": "vae", "product_type": "dress", "colour": "red", "seed": 42} | request
    save_generated_png(IMAGES[0], buffer, **fields)  # type: ignore[arg-type]
    return buffer.getvalue()


def test_the_png_carries_text_chunks_and_an_uncompressed_iptc_xmp_packet() -> None:
    chunks = _chunks(_saved())
    texts = dict(payload.split(b"\0", 1) for kind, payload in chunks if kind == b"tEXt")
    assert texts[b"Generated"] == b"true"
    assert texts[b"Software"].startswith(b"Vestis ")
    assert b"Machine-generated" in texts[b"Description"]
    assert (texts[b"Generator"], texts[b"Seed"], texts[b"Product type"], texts[b"Colour"]) == (
        b"vae",
        b"42",
        b"dress",
        b"red",
    )
    itxt = [payload for kind, payload in chunks if kind == b"iTXt"]
    assert len(itxt) == 1
    keyword, rest = itxt[0].split(b"\0", 1)
    assert keyword == XMP_KEYWORD.encode()
    assert rest[:2] == b"\0\0"  # not compressed, as XMP in PNG must be for readers that scan for it
    packet = rest[2:].split(b"\0", 2)[2].decode("utf-8")
    root = ElementTree.fromstring(packet.split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
    sources = [el.get(f"{{{IPTC_EXT_NS}}}DigitalSourceType") for el in root.iter() if el.attrib]
    assert DIGITAL_SOURCE_TYPE in sources
    assert DIGITAL_SOURCE_TYPE == "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    kinds = [kind for kind, _ in chunks]
    assert kinds.index(b"iTXt") < kinds.index(b"IDAT")


def test_read_provenance_gives_back_the_request_and_the_pixels_are_untouched(tmp_path: Path) -> None:
    path = tmp_path / "one.png"
    save_generated_png(
        IMAGES[3],
        path,
        generator_kind="gan",
        product_type="blåbær kjole",
        colour="rød",
        seed=9,
        index=3,
        count=5,
    )
    assert read_provenance(path) == {
        "generated": True,
        "digital_source_type": DIGITAL_SOURCE_TYPE,
        "software": read_provenance(path.read_bytes())["software"],  # type: ignore[index]
        "generator_kind": "gan",
        "product_type": "blåbær kjole",
        "colour": "rød",
        "seed": 9,
        "index": 3,
        "count": 5,
    }
    assert np.array_equal(np.asarray(Image.open(path)), IMAGES[3])


def test_left_out_type_and_colour_read_back_as_none() -> None:
    found = read_provenance(_saved(product_type=None, colour=None))
    assert found is not None and found["product_type"] is None and found["colour"] is None
    assert found["index"] is None and found["count"] is None


def test_a_plain_png_has_no_provenance() -> None:
    buffer = io.BytesIO()
    Image.fromarray(IMAGES[0]).save(buffer, format="PNG")
    assert read_provenance(buffer.getvalue()) is None
    assert read_provenance(io.BytesIO(buffer.getvalue())) is None


def _with_xmp(packet: str) -> bytes:
    info = PngInfo()
    info.add_itxt(XMP_KEYWORD, packet)
    buffer = io.BytesIO()
    Image.fromarray(IMAGES[1]).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def test_another_tools_xmp_label_in_element_form_counts_as_generated() -> None:
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="{IPTC_EXT_NS}">'
        f"<Iptc4xmpExt:DigitalSourceType>{DIGITAL_SOURCE_TYPE}</Iptc4xmpExt:DigitalSourceType>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    found = read_provenance(_with_xmp(packet))
    assert found is not None and found["digital_source_type"] == DIGITAL_SOURCE_TYPE
    assert found["generator_kind"] is None and found["seed"] is None


def test_an_xmp_packet_declaring_entities_is_not_expanded() -> None:
    packet = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY dst "' + DIGITAL_SOURCE_TYPE + '">]>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description xmlns:Iptc4xmpExt="{IPTC_EXT_NS}" Iptc4xmpExt:DigitalSourceType="&dst;"/>'
        "</rdf:RDF></x:xmpmeta>"
    )
    assert read_provenance(_with_xmp(packet)) is None


def test_the_contact_sheet_lays_out_a_grid_under_a_dark_label_strip() -> None:
    sheet = np.asarray(contact_sheet(IMAGES, columns=3))
    gap, tile = 4, 32
    assert sheet.shape[1] == 3 * tile + 4 * gap
    strip = sheet.shape[0] - (2 * tile + 3 * gap)
    assert strip >= 12
    top = sheet[:strip]
    assert (top.max(axis=2) < 60).mean() > 0.6, "the strip is dark"
    assert (top.min(axis=2) > 200).sum() > 30, "and carries light text"
    for i, image in enumerate(IMAGES):
        row, column = divmod(i, 3)
        y, x = strip + gap + row * (tile + gap), gap + column * (tile + gap)
        assert np.array_equal(sheet[y : y + tile, x : x + tile], image), i
    assert (sheet[strip + gap + tile + gap :, gap + 2 * (tile + gap) :] == 255).all(), (
        "the empty cell is blank"
    )


def test_the_label_is_drawn_in_capitals_and_a_short_batch_makes_a_narrow_sheet() -> None:
    generated = np.asarray(contact_sheet(IMAGES[:2], columns=8))
    assert generated.shape[1] == 2 * 32 + 3 * 4
    upper = np.asarray(contact_sheet(IMAGES[:2], columns=8, label="GENERATED"))
    other = np.asarray(contact_sheet(IMAGES[:2], columns=8, label="preview"))
    assert np.array_equal(generated, upper)
    assert not np.array_equal(generated[:12], other[:12])


def test_a_single_small_image_still_gets_a_readable_label() -> None:
    sheet = np.asarray(contact_sheet(IMAGES[:1], columns=4))
    assert sheet.shape[1] == 32 + 2 * 4
    strip = sheet.shape[0] - (32 + 2 * 4)
    assert (sheet[:strip].min(axis=2) > 200).sum() > 10


@pytest.mark.parametrize(
    ("images", "columns", "field"),
    [([], 2, "images"), (IMAGES, 0, "columns"), ([IMAGES[0].astype(np.float32)], 2, "image")],
)
def test_bad_contact_sheet_input_names_the_argument(images: object, columns: int, field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        contact_sheet(images, columns=columns)  # type: ignore[arg-type]
