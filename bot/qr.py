"""Print-ready QR codes that open the rating flow of a service counter.

No aiogram and no gettext here: the counter's name and the instruction come in translated.
The code uses error correction M or higher and a quiet zone of four modules, scaled so the
symbol is at least 800 px wide (sharp on an A5 or A6 poster); the title and the instruction
are set under it in DejaVu Sans, the font matplotlib ships, so every machine draws the same
pixels. The same input always gives the same bytes; nothing is cached between calls, so
handlers may run these in a worker thread.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
import segno
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

PAYLOAD_PREFIX = "c_"
PAYLOAD_MAX = 64  # Telegram's limit on a /start payload
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
ERROR = "m"  # segno may raise it when that costs no extra size
BORDER = 4  # quiet zone, modules
MIN_CODE_PX = 800  # the symbol without its quiet zone
DPI = 300  # recorded in the PNG: about 9 cm wide, fits A6 and A5
TITLE_LINES = 3
TITLE_DIVISOR = 16  # title size = width / 16, shrunk while it needs more lines
INSTRUCTION_DIVISOR = 26
MIN_SIZE_DIVISOR = 48  # never smaller than width / 48
SHRINK = 0.9
LINE_SPACING = 1.2
GAP_EM = 0.6  # between the title and the instruction, in instruction ems
SVG_FONTS = "DejaVu Sans, Verdana, Arial, sans-serif"
_SVG_PATH = re.compile(r"<path\b[^>]*/>")
_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


def counter_link(bot_username: str, code: str) -> str:
    """`https://t.me/<bot>?start=c_<code>`; ValueError for a payload Telegram would refuse.

    A payload is 1..64 characters of A-Z a-z 0-9 _ -, so a code has 1..62 of them.
    """
    username = bot_username.removeprefix("@")
    if not _USERNAME.fullmatch(username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    payload = f"{PAYLOAD_PREFIX}{code}"
    if not code or len(payload) > PAYLOAD_MAX or not _PAYLOAD.fullmatch(payload):
        raise ValueError(
            f"counter code {code!r} does not make a deep-link payload: "
            f"use A-Z a-z 0-9 _ - and at most {PAYLOAD_MAX - len(PAYLOAD_PREFIX)} characters"
        )
    return f"https://t.me/{username}?start={payload}"


@dataclass(frozen=True)
class _Line:
    text: str
    size: int  # font size, px
    bold: bool
    baseline: int  # y of the baseline, px, from the top of the canvas


@dataclass(frozen=True)
class _Layout:
    symbol: segno.QRCode
    scale: int  # px per module
    width: int  # code with its quiet zone; also the canvas width
    height: int  # canvas: code, quiet zone, text, bottom margin
    lines: tuple[_Line, ...]


def _font_path(bold: bool) -> str:
    shipped = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / _FONT_FILES[bold]
    if shipped.is_file():
        return str(shipped)
    weight = "bold" if bold else "normal"
    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight=weight))


class _Fonts:
    """Fonts loaded for one render (not shared between threads)."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[bool, int], ImageFont.FreeTypeFont] = {}

    def get(self, bold: bool, size: int) -> ImageFont.FreeTypeFont:
        key = (bold, size)
        if key not in self._loaded:
            self._loaded[key] = ImageFont.truetype(_font_path(bold), size)
        return self._loaded[key]


def _clean(text: str) -> str:
    """One line of printable text: runs of whitespace become one space."""
    return " ".join("".join(ch for ch in part if ch.isprintable()) for part in text.split())


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to `width` px; a word wider than a line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for ch in word:
            if current and font.getlength(current + ch) > width:
                lines.append(current)
                current = ""
            current += ch
    if current:
        lines.append(current)
    return lines


def _fit(
    text: str, fonts: _Fonts, bold: bool, start: int, least: int, width: int, max_lines: int
) -> tuple[int, list[str]]:
    """The largest size from `start` down to `least` at which `text` needs at most `max_lines`."""
    size = start
    while True:
        lines = _wrap(text, fonts.get(bold, size), width)
        if len(lines) <= max_lines or size <= least:
            return size, lines
        size = max(least, int(size * SHRINK))


def _layout(link: str, title: str, instruction: str) -> _Layout:
    symbol = segno.make(link, error=ERROR, micro=False)
    modules = symbol.symbol_size(border=0)[0]
    scale = math.ceil(MIN_CODE_PX / modules)
    width = (modules + 2 * BORDER) * scale
    margin = BORDER * scale
    text_width = width - 2 * margin
    least = width // MIN_SIZE_DIVISOR
    fonts = _Fonts()
    lines: list[_Line] = []
    y = width  # the text starts under the bottom quiet zone
    blocks = (
        (_clean(title), True, width // TITLE_DIVISOR, TITLE_LINES),
        (_clean(instruction), False, width // INSTRUCTION_DIVISOR, 1),
    )
    for number, (text, bold, start, max_lines) in enumerate(blocks):
        if not text:
            continue
        size, wrapped = _fit(text, fonts, bold, start, least, text_width, max_lines)
        ascent, descent = fonts.get(bold, size).getmetrics()
        if number and lines:
            y += round(GAP_EM * size)
        for row, line in enumerate(wrapped):
            top = y + round(row * LINE_SPACING * (ascent + descent))
            lines.append(_Line(line, size, bold, top + ascent))
        y += round((len(wrapped) - 1) * LINE_SPACING * (ascent + descent)) + ascent + descent
    height = y + margin if lines else width
    return _Layout(symbol, scale, width, height, tuple(lines))


def qr_png(link: str, title: str, instruction: str) -> bytes:
    """A grayscale PNG: the QR code of `link`, with `title` (bold) and `instruction` under it."""
    layout = _layout(link, title, instruction)
    code = BytesIO()
    layout.symbol.save(code, kind="png", scale=layout.scale, border=BORDER)
    canvas = Image.new("L", (layout.width, layout.height), 255)
    with Image.open(code) as image:
        canvas.paste(image.convert("L"), (0, 0))
    draw = ImageDraw.Draw(canvas)
    fonts = _Fonts()
    for line in layout.lines:
        font = fonts.get(line.bold, line.size)
        draw.text((layout.width // 2, line.baseline), line.text, fill=0, font=font, anchor="ms")
    out = BytesIO()
    canvas.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


def qr_svg(link: str, title: str, instruction: str) -> bytes:
    """An SVG (UTF-8) with the same layout as `qr_png`, the text as <text> elements."""
    layout = _layout(link, title, instruction)
    code = BytesIO()
    layout.symbol.save(code, kind="svg", scale=layout.scale, border=BORDER, xmldecl=False)
    path = _SVG_PATH.search(code.getvalue().decode("ascii"))
    if path is None:  # pragma: no cover - segno always draws one path
        raise RuntimeError("segno produced an SVG without a path")
    width, height = layout.width, layout.height
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        path.group(0),
    ]
    for line in layout.lines:
        weight = ' font-weight="bold"' if line.bold else ""
        parts.append(
            f'<text x="{width // 2}" y="{line.baseline}" text-anchor="middle" '
            f'font-family="{SVG_FONTS}" font-size="{line.size}"{weight} fill="#000">'
            f"{escape(line.text)}</text>"
        )
    parts.append("</svg>")
    return ("\n".join(parts) + "\n").encode("utf-8")
