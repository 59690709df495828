"""Counter QR codes: a valid deep link, a PNG that scans back to it, an SVG with the text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from io import BytesIO

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from bot.qr import MIN_CODE_PX, counter_link, qr_png, qr_svg

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "{http://www.w3.org/2000/svg}"
TITLE = "Loket KTP & KK — Disdukcapil"
INSTRUCTION = "Pindai untuk menilai layanan kami"
LINK = "https://t.me/kinerja_bot?start=c_ktp-01"


def scan(png: bytes) -> list[zxingcpp.Barcode]:
    with Image.open(BytesIO(png)) as image:
        return zxingcpp.read_barcodes(np.asarray(image.convert("L")))


def test_counter_link() -> None:
    assert counter_link("kinerja_bot", "ktp-01") == LINK
    assert counter_link("@kinerja_bot", "ktp-01") == LINK


def test_payload_length_rule() -> None:
    # the payload c_<code> may have 64 characters: a 62-character code is the longest
    assert counter_link("kinerja_bot", "a" * 30).endswith("?start=c_" + "a" * 30)
    assert counter_link("kinerja_bot", "b" * 62).endswith("?start=c_" + "b" * 62)
    with pytest.raises(ValueError, match="at most 62"):
        counter_link("kinerja_bot", "c" * 63)


@pytest.mark.parametrize("code", ["", "loket 1", "loket.1", "loket/1", "ktp+kk", "lóket", "a=b"])
def test_characters_outside_the_alphabet_are_refused(code: str) -> None:
    with pytest.raises(ValueError):
        counter_link("kinerja_bot", code)


@pytest.mark.parametrize("username", ["", "bot", "kinerja-bot", "kinerja bot", "1kinerja_bot"])
def test_bad_bot_username_is_refused(username: str) -> None:
    with pytest.raises(ValueError, match="username"):
        counter_link(username, "ktp")


def test_png_scans_back_to_the_link() -> None:
    png = qr_png(LINK, TITLE, INSTRUCTION)

    assert png.startswith(PNG_SIGNATURE)
    [barcode] = scan(png)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.text == LINK
    assert barcode.ec_level in {"M", "Q", "H"}
    corners = barcode.position
    assert corners.top_right.x - corners.top_left.x >= MIN_CODE_PX - 1


def test_png_is_portrait_with_the_text_under_the_code() -> None:
    with Image.open(BytesIO(qr_png(LINK, TITLE, INSTRUCTION))) as image:
        pixels = np.asarray(image.convert("L"))
    height, width = pixels.shape
    assert height > width
    assert (pixels[width:] < 128).any()  # ink below the square holding the code
    with Image.open(BytesIO(qr_png(LINK, "", ""))) as bare:
        assert bare.size == (width, width)


def test_long_title_still_scans() -> None:
    title = "Loket Pelayanan Administrasi Kependudukan " * 4 + "X" * 80
    png = qr_png(LINK, title, INSTRUCTION)

    assert [barcode.text for barcode in scan(png)] == [LINK]


def test_output_is_deterministic() -> None:
    assert qr_png(LINK, TITLE, INSTRUCTION) == qr_png(LINK, TITLE, INSTRUCTION)
    assert qr_svg(LINK, TITLE, INSTRUCTION) == qr_svg(LINK, TITLE, INSTRUCTION)
    assert qr_png(LINK, TITLE, INSTRUCTION) != qr_png(LINK, "Loket SIM", INSTRUCTION)


def test_svg_has_the_code_and_the_text_under_it() -> None:
    svg = qr_svg(LINK, "Loket <A> & B", INSTRUCTION)
    root = ET.fromstring(svg)

    assert root.tag == f"{SVG_NS}svg"
    _, _, width, height = (int(value) for value in root.attrib["viewBox"].split())
    assert (root.attrib["width"], root.attrib["height"]) == (str(width), str(height))
    assert height > width
    assert root.find(f"{SVG_NS}path") is not None
    texts = root.findall(f"{SVG_NS}text")
    assert [text.text for text in texts] == ["Loket <A> & B", INSTRUCTION]
    assert all(int(text.attrib["y"]) > width for text in texts)
    assert texts[0].attrib["font-weight"] == "bold"


def test_png_and_svg_share_the_layout() -> None:
    root = ET.fromstring(qr_svg(LINK, TITLE, INSTRUCTION))
    with Image.open(BytesIO(qr_png(LINK, TITLE, INSTRUCTION))) as image:
        assert image.size == (int(root.attrib["width"]), int(root.attrib["height"]))
