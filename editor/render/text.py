"""The one text engine: a text clip rendered once to a full-canvas RGBA image (Pillow + FreeType + raqm).

The preview compositor and the ffmpeg exporter both show this image (as a still with alpha), so the two
executors never have to agree on glyphs, shaping or line breaks.

Pillow draws one font per call and has no fallback, so a line is cut into runs by font coverage (the style's
family, then Noto Sans, Noto Sans Arabic, Noto Sans Hebrew, Twemoji): raqm shapes each run (Arabic joining,
emoji sequences), and the runs of a line are put in visual order by a reduced Unicode bidi algorithm (levels
from each run's strong characters; neutrals between two runs of one direction take it, others the
paragraph's). Emoji come from Twemoji Mozilla, a COLRv0 font that scales to any size (Noto Color Emoji's
bitmaps exist at 109 px only).

Shaping needs raqm, which Pillow's wheels carry, and FriBiDi, which they load from the system (libfribidi0 on
Debian: tools/system-packages.sh). Without them text still renders, unshaped: ``shaping_available()`` tells.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import threading
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

from editor.install_places import data_places
from editor.model.text import TextStyle, parse_color

# Bump when the drawing changes in a way that alters pixels: cached PNGs are keyed on it.
ENGINE_VERSION = "1"

_FONT_FILES: dict[tuple[str, bool, bool], str] = {
    ("Inter", False, False): "Inter-Regular.otf",
    ("Inter", True, False): "Inter-Bold.otf",
    ("Inter", False, True): "Inter-Italic.otf",
    ("Inter", True, True): "Inter-BoldItalic.otf",
    ("Noto Sans", False, False): "NotoSans-Regular.ttf",
    ("Noto Sans", True, False): "NotoSans-Bold.ttf",
}
# After the style's own family, in this order. (regular, bold) files.
_FALLBACKS: tuple[tuple[str, str], ...] = (
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
)
EMOJI_FONT = "TwemojiMozilla.woff"
_FONT_SUFFIXES = (".ttf", ".otf", ".woff")


# ---- finding the fonts ---------------------------------------------------------------------------------------

def _font_dir_candidates() -> list[Path]:
    # The same places, in the same order, as the stylesheet's and the icons' (editor.install_places).
    return data_places("fonts")


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """The folder holding the shipped fonts. FileNotFoundError when neither place has them."""
    for folder in _font_dir_candidates():
        if (folder / EMOJI_FONT).is_file():
            return folder
    places = " or ".join(str(p) for p in _font_dir_candidates())
    raise FileNotFoundError(f"PromptCut's fonts are missing (looked in {places})")


def font_paths() -> dict[str, Path]:
    """Every shipped font file by file name (e.g. ``"Inter-Bold.otf"``), from ``font_dir()``."""
    folder = font_dir()
    return {p.name: p for p in sorted(folder.iterdir()) if p.suffix.lower() in _FONT_SUFFIXES}


def shaping_available() -> bool:
    """Whether raqm (with FriBiDi) is there to shape Arabic and order right-to-left text."""
    return bool(features.check("raqm"))


@lru_cache(maxsize=64)
def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if shaping_available() else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(font_dir() / name), px, layout_engine=engine)


# ---- which characters a font has (its cmap), read without fontTools -------------------------------------------

def _sfnt_tables(data: bytes) -> dict[bytes, bytes]:
    if data[:4] == b"wOFF":  # WOFF 1: each table zlib-compressed unless stored as is
        count = struct.unpack_from(">H", data, 12)[0]
        tables = {}
        for i in range(count):
            tag, offset, comp, orig, _ = struct.unpack_from(">4sIIII", data, 44 + 20 * i)
            raw = data[offset:offset + comp]
            tables[tag] = zlib.decompress(raw) if comp < orig else raw
        return tables
    count = struct.unpack_from(">H", data, 4)[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        tables[tag] = data[offset:offset + length]
    return tables


def _parse_cmap(cmap: bytes) -> frozenset[int]:
    count = struct.unpack_from(">H", cmap, 2)[0]
    subtables = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        subtables[(platform, encoding)] = offset
    # Full-repertoire (format 12) subtables first, then the BMP ones.
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3)):
        if key in subtables:
            offset = subtables[key]
            break
    else:
        return frozenset()
    fmt = struct.unpack_from(">H", cmap, offset)[0]
    codes: set[int] = set()
    if fmt == 12:
        groups = struct.unpack_from(">I", cmap, offset + 12)[0]
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", cmap, offset + 16 + 12 * g)
            codes.update(range(start, end + 1))
    elif fmt == 4:
        segs = struct.unpack_from(">H", cmap, offset + 6)[0] // 2
        ends = struct.unpack_from(f">{segs}H", cmap, offset + 14)
        starts = struct.unpack_from(f">{segs}H", cmap, offset + 16 + 2 * segs)
        deltas = struct.unpack_from(f">{segs}h", cmap, offset + 16 + 4 * segs)
        range_base = offset + 16 + 6 * segs
        offsets = struct.unpack_from(f">{segs}H", cmap, range_base)
        for s in range(segs):
            for code in range(starts[s], ends[s] + 1):
                if code == 0xFFFF:
                    continue
                if offsets[s] == 0:
                    glyph = (code + deltas[s]) & 0xFFFF
                else:
                    at = range_base + 2 * s + offsets[s] + 2 * (code - starts[s])
                    glyph = struct.unpack_from(">H", cmap, at)[0]
                    glyph = (glyph + deltas[s]) & 0xFFFF if glyph else 0
                if glyph:
                    codes.add(code)
    return frozenset(codes)


@lru_cache(maxsize=32)
def coverage(name: str) -> frozenset[int]:
    """The code points a shipped font file maps to glyphs."""
    tables = _sfnt_tables((font_dir() / name).read_bytes())
    return _parse_cmap(tables[b"cmap"]) if b"cmap" in tables else frozenset()


# ---- runs: cutting a paragraph by font and direction ------------------------------------------------------------

_STRONG = ("L", "R", "AL")
# Weak and neutral bidi classes that can stand apart from a run (not NSM: a combining mark stays on its letter).
_NEUTRAL = frozenset({"WS", "ON", "CS", "ES", "ET", "EN", "AN", "S", "B", "BN"})
_JOINERS = {0x200C, 0x200D, 0xFE0E, 0xFE0F, 0x20E3}


def _sticks_to_previous(code: int) -> bool:
    # Joiners, selectors, skin tones, tag characters and combining marks belong to the character before them:
    # cutting them off would break an emoji sequence or an Arabic vowel sign.
    return (code in _JOINERS or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F
            or unicodedata.category(chr(code)) in ("Mn", "Me"))


def _wants_emoji(text: str, i: int) -> bool:
    code = ord(text[i])
    after = text[i + 1:i + 3]
    if "\ufe0e" in after[:1]:
        return False
    return code >= 0x1F000 or "\ufe0f" in after or "\u20e3" in after


def _chain(style: TextStyle) -> list[str]:
    bold = style.bold
    own = _FONT_FILES.get((style.font, bold, style.italic)) or _FONT_FILES[(style.font, bold, False)]
    chain = [own]
    for regular, heavy in _FALLBACKS:
        name = heavy if bold else regular
        if name not in chain:
            chain.append(name)
    chain.append(EMOJI_FONT)
    return chain


def _direction(run_direction: str | None) -> str | None:
    # Pillow's basic layout refuses any direction argument.
    return run_direction if shaping_available() else None


@dataclass
class _Run:
    text: str
    font: str
    direction: str | None = None   # "ltr", "rtl", or None for neutral (digits, spaces, emoji, punctuation)
    width: float = 0.0


def _strong(text: str) -> str | None:
    kinds = {unicodedata.bidirectional(ch) for ch in text}
    if kinds & {"R", "AL"}:
        return "rtl"
    return "ltr" if "L" in kinds else None


def _font_runs(text: str, chain: list[str], bidi: bool = False) -> list[_Run]:
    runs: list[_Run] = []
    covers = [coverage(name) for name in chain]
    for i, ch in enumerate(text):
        code = ord(ch)
        if runs and _sticks_to_previous(code):
            runs[-1].text += ch
            continue
        if _wants_emoji(text, i) and code in covers[-1]:
            font = chain[-1]
        elif (runs and runs[-1].font != chain[-1] and unicodedata.bidirectional(ch) not in _STRONG
              and code in coverage(runs[-1].font)):
            # Spaces, digits and punctuation stay in the current font: an Arabic sentence with its spaces and
            # numbers is then one run that raqm shapes and orders as a whole.
            font = runs[-1].font
        else:
            font = next((name for name, cover in zip(chain, covers, strict=True) if code in cover), chain[0])
        if runs and runs[-1].font == font:
            runs[-1].text += ch
        else:
            runs.append(_Run(ch, font))
    if not bidi:
        for run in runs:
            run.direction = _strong(run.text)
        return runs
    # Spaces, punctuation and digits at a run's ends belong between runs: they take the direction around them
    # (the paragraph's where the two sides differ), not the run's, or raqm would put them on the wrong side.
    split: list[_Run] = []
    for run in runs:
        start, end = 0, len(run.text)
        while start < end and unicodedata.bidirectional(run.text[start]) in _NEUTRAL:
            start += 1
        while end > start and unicodedata.bidirectional(run.text[end - 1]) in _NEUTRAL:
            end -= 1
        for piece in (run.text[:start], run.text[start:end], run.text[end:]):
            if piece:
                split.append(_Run(piece, run.font, _strong(piece)))
    return split


def _paragraph_direction(text: str) -> str:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"


def _visual_order(runs: list[_Run], base: str) -> list[_Run]:
    base_level = 1 if base == "rtl" else 0
    strong = [run.direction for run in runs]
    levels = []
    for i, run in enumerate(runs):
        direction = run.direction
        if direction is None:
            before = next((d for d in reversed(strong[:i]) if d), base)
            after = next((d for d in strong[i + 1:] if d), base)
            direction = before if before == after else base
            # Drawn in the direction it resolved to: "— " between Hello and Arabic must come out as " —".
            run.direction = direction
        if direction == "rtl":
            levels.append(base_level if base_level % 2 else base_level + 1)
        else:
            levels.append(base_level if base_level % 2 == 0 else base_level + 1)
    order = list(range(len(runs)))
    top = max(levels, default=0)
    lowest_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [runs[k] for k in order]


# ---- layout ----------------------------------------------------------------------------------------------------

@dataclass
class _Line:
    runs: list[_Run]          # visual order, left to right
    width: float


def _measure(runs: list[_Run], px: int) -> float:
    total = 0.0
    for run in runs:
        run.width = _font(run.font, px).getlength(run.text, direction=_direction(run.direction))
        total += run.width
    return total


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    # Other control characters have no glyph: drawing them would only show boxes.
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")


def _clusters(word: str) -> list[str]:
    """The word cut between user-perceived characters (near enough: joiners, marks, selectors and whatever
    follows a zero-width joiner stay with the character before)."""
    clusters: list[str] = []
    for ch in word:
        if clusters and (_sticks_to_previous(ord(ch)) or clusters[-1].endswith("\u200d")):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _break_word(word: str, chain: list[str], px: int, limit: float) -> list[str]:
    # A word wider than the wrapping width (a URL, a run of emoji, text with no spaces) is cut between
    # characters rather than left to run off the canvas.
    pieces = [""]
    used = 0.0
    for cluster in _clusters(word):
        advance = _measure(_font_runs(cluster, chain), px)
        if pieces[-1] and used + advance > limit:
            pieces.append("")
            used = 0.0
        pieces[-1] += cluster
        used += advance
    return pieces


def _wrap(paragraph: str, chain: list[str], px: int, limit: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in paragraph.split(" "):
        candidate = word if not current else f"{current} {word}"
        if _measure(_font_runs(candidate, chain), px) <= limit:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        if _measure(_font_runs(word, chain), px) > limit:
            *whole, current = _break_word(word, chain, px, limit)
            lines.extend(whole)
    lines.append(current)
    return lines


def _layout(text: str, style: TextStyle, width: int, height: int) -> tuple[list[_Line], int]:
    px = max(1, round(style.size * height))
    chain = _chain(style)
    limit = style.max_width * width
    lines: list[_Line] = []
    for paragraph in _clean(text).split("\n"):
        base = _paragraph_direction(paragraph)
        bidi = any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in paragraph)
        for line_text in _wrap(paragraph, chain, px, limit):
            runs = _font_runs(line_text, chain, bidi)
            line_width = _measure(runs, px)
            lines.append(_Line(_visual_order(runs, base), line_width))
    return lines, px


# ---- drawing ---------------------------------------------------------------------------------------------------

def _solid(mask: Image.Image, color: str) -> Image.Image:
    r, g, b, a = parse_color(color)
    layer = Image.new("RGBA", mask.size, (r, g, b, 0))
    layer.putalpha(mask if a == 255 else mask.point(lambda v: v * a // 255))
    return layer


# The viewer, the exporter and the proxy workers may all render titles; the cached FreeType faces are not
# meant to be used from two threads at once.
_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def _render(text: str, style: TextStyle, width: int, height: int) -> tuple[Image.Image | None, int, int]:
    """The text block as a small RGBA image and where its top-left goes on the canvas (may be off-canvas)."""
    with _LOCK:
        return _render_locked(text, style, width, height)


def _render_locked(text: str, style: TextStyle, width: int, height: int) -> tuple[Image.Image | None, int, int]:
    if not _clean(text).strip():
        return None, 0, 0
    lines, px = _layout(text, style, width, height)
    ascent, descent = _font(_chain(style)[0], px).getmetrics()
    pitch = (ascent + descent) * style.line_spacing
    block_w = max(line.width for line in lines)
    block_h = pitch * (len(lines) - 1) + ascent + descent

    outline = round(style.outline_width * px) if style.has_outline else 0
    pad = style.box_padding * px if style.has_box else 0.0
    blur = style.shadow_blur * px if style.has_shadow else 0.0
    dx, dy = ((style.shadow_offset[0] * px, style.shadow_offset[1] * px) if style.has_shadow else (0.0, 0.0))
    # Room around the block for everything drawn outside the glyphs' advance boxes (side bearings, stroke,
    # box padding, shadow offset and blur), so nothing is clipped before it reaches the canvas.
    margin = int(px * 0.5 + outline + pad + 3 * blur + abs(dx) + abs(dy)) + 2
    full_height = int(block_h) + 2 * margin + 1
    left = round(style.x * width - block_w / 2) - margin
    top = round(style.y * height - block_h / 2) - margin
    # Only the rows that can reach the canvas are drawn (a margin more, for the blur): a hostile text of
    # thousands of lines then costs a canvas worth of memory, not a block of them.
    skip = max(0, -top - margin)
    rows = min(full_height, height - top + margin) - skip
    if rows <= 0:
        return None, 0, 0
    size = (int(block_w) + 2 * margin + 1, rows)

    fill = Image.new("L", size, 0)
    stroke = Image.new("L", size, 0) if outline else None
    emoji = Image.new("RGBA", size, (0, 0, 0, 0))
    draw_fill, draw_emoji = ImageDraw.Draw(fill), ImageDraw.Draw(emoji)
    draw_stroke = ImageDraw.Draw(stroke) if stroke is not None else None
    for row, line in enumerate(lines):
        free = block_w - line.width
        x = margin + {"left": 0.0, "center": free / 2, "right": free}[style.align]
        baseline = margin + ascent + row * pitch - skip
        if baseline + descent + margin < 0 or baseline - ascent - margin > rows:
            continue
        for run in line.runs:
            font = _font(run.font, px)
            where = (x, baseline)
            direction = _direction(run.direction)
            if run.font == EMOJI_FONT:
                draw_emoji.text(where, run.text, font=font, anchor="ls", embedded_color=True)
            else:
                draw_fill.text(where, run.text, font=font, fill=255, anchor="ls", direction=direction)
            if draw_stroke is not None:
                # The emoji's outline too: its plain (monochrome) glyph is the silhouette of its colour layers.
                draw_stroke.text(where, run.text, font=font, fill=255, anchor="ls", direction=direction,
                                 stroke_width=outline, stroke_fill=255)
            x += run.width

    layers: list[Image.Image] = []
    if style.has_box:
        box = Image.new("L", size, 0)
        radius = min(style.box_radius * px, (block_h + 2 * pad) / 2)
        ImageDraw.Draw(box).rounded_rectangle(
            (margin - pad, margin - pad - skip, margin + block_w + pad, margin + block_h + pad - skip),
            radius=radius, fill=255)
        layers.append(_solid(box, style.box_color))
    if style.has_shadow:
        silhouette = stroke if stroke is not None else Image.fromarray(
            np.maximum(np.asarray(fill), np.asarray(emoji.getchannel("A"))))
        shadow = Image.new("L", size, 0)
        shadow.paste(silhouette, (round(dx), round(dy)))
        if blur > 0:
            shadow = shadow.filter(ImageFilter.GaussianBlur(blur / 2))
        layers.append(_solid(shadow, style.shadow_color))
    if stroke is not None:
        layers.append(_solid(stroke, style.outline_color))
    layers.append(_solid(fill, style.color))
    layers.append(emoji)

    block = layers[0]
    for layer in layers[1:]:
        block = Image.alpha_composite(block, layer)
    return block, left, top + skip


def render_text(text: str, style: TextStyle, width: int, height: int) -> np.ndarray:
    """The text drawn on a transparent width x height canvas: uint8 (height, width, 4), straight (not
    premultiplied) RGBA. Empty or blank text gives a fully transparent image."""
    if width <= 0 or height <= 0:
        raise ValueError(f"text canvas must have a positive size, not {width}x{height}")
    canvas = np.zeros((height, width, 4), np.uint8)
    block, left, top = _render(text, style, width, height)
    if block is None:
        return canvas
    pixels = np.asarray(block)
    bh, bw = pixels.shape[:2]
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + bw, width), min(top + bh, height)
    if x0 < x1 and y0 < y1:
        canvas[y0:y1, x0:x1] = pixels[y0 - top:y1 - top, x0 - left:x1 - left]
    return canvas


def text_box(text: str, style: TextStyle, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The canvas pixels the text draws on (x0, y0, x1, y1; x1, y1 exclusive), outline, shadow and box
    included, clipped to the canvas; None when nothing is drawn (blank text, or all of it off-canvas)."""
    block, left, top = _render(text, style, width, height)
    if block is None:
        return None
    inked = block.getchannel("A").getbbox()
    if inked is None:
        return None
    x0, y0 = max(inked[0] + left, 0), max(inked[1] + top, 0)
    x1, y1 = min(inked[2] + left, width), min(inked[3] + top, height)
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


@lru_cache(maxsize=1)
def _engine_key() -> str:
    files = sorted((name, path.stat().st_size) for name, path in font_paths().items())
    return json.dumps([ENGINE_VERSION, PIL.__version__, features.version("raqm"), features.version("fribidi"),
                       files])


def text_key(text: str, style: TextStyle, width: int, height: int) -> str:
    """The content hash of a rendered text image: text, style, canvas size and the engine (version, Pillow,
    raqm, the font files)."""
    payload = json.dumps([_engine_key(), text, style.to_dict(), width, height], sort_keys=True,
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def text_image(text: str, style: TextStyle, width: int, height: int, cache_dir: Path) -> Path:
    """The text rendered to a full-canvas RGBA PNG in ``cache_dir``, written once per content hash (atomically:
    a temporary file renamed into place, so a reader never sees half a file). Returns its path."""
    cache_dir = Path(cache_dir)
    target = cache_dir / f"text-{text_key(text, style, width, height)[:40]}.png"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    pixels = render_text(text, style, width, height)
    handle, temporary = tempfile.mkstemp(prefix=".text-", suffix=".png", dir=cache_dir)
    try:
        with os.fdopen(handle, "wb") as out:
            Image.fromarray(pixels).save(out, format="PNG", compress_level=3)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def text_sprite(text: str, style: TextStyle, width: int, height: int, cache_dir: Path
                ) -> tuple[Path, int, int, int, int] | None:
    """The part of ``text_image``'s canvas that has ink, as a PNG in ``cache_dir``: (path, x, y, w, h) with
    ``x``, ``y``, ``w`` and ``h`` even (a 4:2:0 overlay puts pictures at even pixels, so the sprite lands
    exactly where the canvas image has it), or None when nothing is drawn. Overlaying this instead of the whole
    canvas is the same picture at a fraction of the cost (a caption is a strip; the canvas is 2 million
    pixels blended every frame)."""
    cache_dir = Path(cache_dir)
    key = text_key(text, style, width, height)[:40]
    pixels = None
    box_file = cache_dir / f"sprite-{key}.box"
    target = cache_dir / f"sprite-{key}.png"
    if target.is_file() and box_file.is_file():
        try:
            x, y, w, h = (int(v) for v in box_file.read_text().split())
            return target, x, y, w, h
        except ValueError:
            pass
    pixels = render_text(text, style, width, height)
    ink = np.nonzero(pixels[:, :, 3])
    if not len(ink[0]):
        return None
    y0, y1 = int(ink[0].min()) & ~1, int(ink[0].max()) + 1
    x0, x1 = int(ink[1].min()) & ~1, int(ink[1].max()) + 1
    x1, y1 = min(width, x1 + (x1 - x0) % 2), min(height, y1 + (y1 - y0) % 2)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for path, write in ((target, lambda out: Image.fromarray(np.ascontiguousarray(pixels[y0:y1, x0:x1]))
                         .save(out, format="PNG", compress_level=3)),
                        (box_file, lambda out: out.write(f"{x0} {y0} {x1 - x0} {y1 - y0}".encode()))):
        handle, temporary = tempfile.mkstemp(prefix=".sprite-", dir=cache_dir)
        try:
            with os.fdopen(handle, "wb") as out:
                write(out)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return target, x0, y0, x1 - x0, y1 - y0
