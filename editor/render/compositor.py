"""The viewer's picture: the composited frame of a timeline at a timeline frame, as RGB numpy arrays.

It draws the render plan's layers (``editor.render.plan.layers_at``: the same ``VideoLayer``s the exporter
executes) with the exporter's rules (``editor.render.ffgraph``): video tracks bottom-up, within a track by
``order`` (a dissolve's incoming picture over the outgoing one), hidden tracks skipped, gaps black, each
picture placed by ``layout.place`` (crop in source pixels first, then scale, when the placement crops; scale
then crop otherwise), bicubic scaling, rotation from the probe applied (PyAV does not auto-rotate as the
ffmpeg CLI does), a picture that does not cover the canvas showing the layer below, PNG alpha blended over
it. Effects (``editor.render.compose_effects``): the keyframed transform, opacity x fade/dissolve envelope,
dips to a colour, fit-over-blur, titles from the one text engine (rendered at the timeline's canvas size,
scaled to the viewer's). Output frame i of a layer shows the source frame at ``layer.source_time(i)`` (the
nearest at or before it plus half an output frame, as the exporter's ``fps`` filter picks; see
``editor.media.decoding``), so VFR footage, speed changes, reverse and freeze frames are conformed the same
way. "blend" interpolation mixes the two source frames around that time by the fractional position.

Differences, on purpose: a pending generated segment shows a placeholder card with its prompt and offline
media a "media offline" slate (the exporter refuses both). HDR (PQ/HLG) sources are tone-mapped
approximately in numpy (PQ or HLG to linear with reference white at 203 nits, BT.2020 to BT.709 primaries, a
soft shoulder above 0.8, BT.709 gamma): close to the exporter's zscale+mobius chain, not identical. A
transformed picture is warped in RGB with bilinear sampling at sub-pixel positions; the exporter rotates in
YUV and overlays at whole (even) pixels: edges differ by a pixel's blur.

Thread-safe: one lock serialises ``frame`` (decoders are stateful); call it from a worker thread.
"""

from __future__ import annotations

import os
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import av
import numpy as np

from editor.media.decoding import DecoderPool
from editor.media.info import MediaError, MediaInfo
from editor.media.probe import probe
from editor.model import Fit, GeneratedClip, MediaKind, Timeline
from editor.render.compose_alpha import AlphaDecoder, alpha_codec
from editor.render.compose_effects import (
    Geometry,
    as_exported,
    blend_over,
    blurred_backdrop,
    keyed_warp,
    premultiplied_resize,
    tint,
    warp,
)
from editor.render.ffeffects import keyed_square
from editor.render.ffgraph import SourceFacts, source_window_int
from editor.render.layout import Placement, place
from editor.render.plan import VideoLayer, layers_at

__all__ = ["Compositor", "placeholder_card", "offline_slate"]

CARD_BG = (34, 36, 48)
CARD_FG = (200, 205, 230)
SLATE_BG = (70, 14, 18)
SLATE_FG = (255, 235, 235)
_CACHE_LIMIT = 32
_CROPS = ("crop_left", "crop_top", "crop_right", "crop_bottom")
_TITLE_LIMIT = 16
# The largest side a transformed picture is scaled to before it is warped (a picture scaled 20x is warped
# from at most this, then magnified by the warp: nothing of it outside the canvas is ever scaled).
_WARP_SIDE_LIMIT = 2


@dataclass(frozen=True)
class _Item:
    """One thing to draw: kind "picture" (extra: MediaInfo), "title", "pending" (extra: prompt) or
    "offline" (extra: path)."""

    kind: str
    track: int
    order: int
    layer: VideoLayer | None
    extra: Any = None
    clip_id: str = ""


class Compositor:
    """``Compositor(timeline).frame(index, width, height)``: the (height, width, 3) uint8 picture at timeline
    frame ``index``. The timeline is read on every call, so edits show at once."""

    def __init__(self, timeline: Timeline, decoders: DecoderPool | None = None) -> None:
        self.timeline = timeline
        self.decoders = decoders or DecoderPool()
        self._lock = threading.RLock()
        self._stills: OrderedDict[str, np.ndarray] = OrderedDict()
        self._placed: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._titles: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._alpha_decoders: dict[str, AlphaDecoder] = {}
        self.still_loads = 0
        self.title_renders = 0
        # The preview's proxy for a media file, when proxies are on and one is ready (editor.playback.proxies).
        self.proxy_for: Callable[[MediaInfo], MediaInfo | None] | None = None
        # What each pending generated segment's card says: clip id -> (title, progress 0..1 or None). Set by
        # whoever knows the generator's state (the viewer, from the shot queue); "Generating…" otherwise.
        self.cards: dict[str, tuple[str, float | None]] = {}

    def close(self) -> None:
        with self._lock:
            self.decoders.close()
            self._stills.clear()
            self._placed.clear()
            self._titles.clear()
            for dec in self._alpha_decoders.values():
                dec.close()
            self._alpha_decoders.clear()

    # --- the frame -----------------------------------------------------------------------------------------

    def render(self, timeline: Timeline, index: int, width: int, height: int,
               cards: dict[str, tuple[str, float | None]] | None = None) -> np.ndarray:
        """``frame`` of ``timeline`` (a snapshot), for callers on several threads (scrubbing and playback)."""
        with self._lock:
            self.timeline = timeline
            if cards is not None:
                self.cards = cards
            return self.frame(index, width, height)

    def frame(self, index: int, width: int, height: int) -> np.ndarray:
        if width <= 0 or height <= 0:
            raise ValueError(f"size must be positive: {width}x{height}")
        with self._lock:
            items = self._items(index)
            # Nothing under an opaque layer that covers the canvas is seen: start from the topmost such layer.
            start = 0
            for i in range(len(items) - 1, -1, -1):
                if self._covers(items[i], width, height):
                    start = i
                    break
            canvas = np.zeros((height, width, 3), np.uint8)
            for item in items[start:]:
                self._draw(canvas, item)
            return canvas

    def _items(self, index: int) -> list[_Item]:
        """What shows at ``index``, bottom first: the plan's layers, and the cards of pending generated
        segments (which the plan leaves out: the exporter refuses them)."""
        tl = self.timeline
        out: list[_Item] = []
        for layer in layers_at(tl, index):
            if layer.title is not None:
                out.append(_Item("title", layer.track, layer.order, layer, clip_id=layer.timing.clip_id))
                continue
            media = tl.media[layer.media_id]
            if not media.online or not os.path.isfile(media.path):
                out.append(_Item("offline", layer.track, layer.order, layer, media.path, layer.timing.clip_id))
                continue
            try:
                info = probe(media.path)
            except MediaError:
                out.append(_Item("offline", layer.track, layer.order, layer, media.path, layer.timing.clip_id))
                continue
            if info.has_video:
                out.append(_Item("picture", layer.track, layer.order, layer, info, layer.timing.clip_id))
        for i, track in enumerate(tl.video_tracks):
            clip = None if track.hidden else track.clip_at(index)
            if isinstance(clip, GeneratedClip) and clip.pending and clip.enabled:   # a disabled one shows nothing
                out.append(_Item("pending", i, 0, None, clip.spec.prompt or clip.name, clip.id))
        out.sort(key=lambda x: (x.track, x.order))
        return out

    def _covers(self, item: _Item, width: int, height: int) -> bool:
        if item.kind in ("pending", "offline"):
            return True
        if item.kind != "picture":
            return False
        layer = item.layer
        assert layer is not None
        frame = float(layer.clip_frame_at(0))
        if layer.opacity_at(0) < 1 or not Geometry.of(layer.transform, frame).identity:
            return False
        facts = _facts(item.extra)
        if facts.alpha:
            return False
        return layer.fit is Fit.BLUR or place(facts.width, facts.height, width, height, layer.fit).covers(width, height)

    def _draw(self, canvas: np.ndarray, item: _Item) -> None:
        height, width = canvas.shape[:2]
        if item.kind == "pending":
            title, progress = self.cards.get(item.clip_id, ("Generating…", None))
            canvas[:] = placeholder_card(item.extra, width, height, title=title, progress=progress)
            return
        if item.kind == "offline":
            canvas[:] = offline_slate(item.extra, width, height)
            return
        layer = item.layer
        assert layer is not None
        opacity = layer.opacity_at(0)
        if opacity <= 0:
            return
        frame = float(layer.clip_frame_at(0))
        g = Geometry.of(layer.transform, frame)
        if item.kind == "title":
            drawn = self._title(layer, g, width, height)
        else:
            try:
                drawn = self._layer_picture(layer, item.extra, g, width, height)
            except MediaError:
                canvas[:] = offline_slate(item.extra.path, width, height)
                return
        if drawn is None:
            return
        rgb, alpha, x, y = drawn
        if layer.tint:
            rgb = tint(rgb, layer.tint, layer.tint_amount.at(frame))
        blend_over(canvas, rgb, alpha, x, y, opacity)

    # --- a layer's picture ---------------------------------------------------------------------------------

    def _layer_picture(self, layer: VideoLayer, info: MediaInfo, g: Geometry, width: int, height: int
                       ) -> tuple[np.ndarray, np.ndarray | None, int, int] | None:
        """(rgb, alpha or None, x, y) of the layer on the canvas, before its opacity and tint."""
        facts = _facts(info)
        p = place(facts.width, facts.height, width, height, layer.fit)
        source = self._source(layer, info, facts)
        if g.identity:
            pic = self._placed_picture(source, p)
            # ffmpeg's pad and overlay put 4:2:0 pictures at even positions: so do we.
            drawn = (pic[:, :, :3], pic[:, :, 3] if pic.shape[2] == 4 else None, p.x & ~1, p.y & ~1)
        else:
            keyed = any(layer.transform.curve(n).animated for n in layer.transform.names() if n != "opacity")
            box = (p.x - p.crop_x, p.y - p.crop_y, p.scaled_w, p.scaled_h)
            if keyed and not any(layer.transform.curve(n).animated for n in _CROPS):
                # Drawn in the exporter's order (rotate at the fitted size, then scale): see keyed_warp.
                whole = self._placed_picture(source, Placement(p.scaled_w, p.scaled_h, 0, 0, p.scaled_w,
                                                               p.scaled_h, 0, 0))
                drawn = keyed_warp(whole, g, box, (width, height),
                                   lambda d: keyed_square(d, layer.transform.scale))
            else:
                # The whole fitted picture (not only its part inside the canvas: a moved picture shows more).
                s = max(g.scale, 0.0)
                limit = _WARP_SIDE_LIMIT * max(width, height)
                k = min(s, limit / max(p.scaled_w, p.scaled_h)) if s > 0 else 0
                tw, th = max(1, round(p.scaled_w * k)), max(1, round(p.scaled_h * k))
                whole = self._placed_picture(source, Placement(tw, th, 0, 0, tw, th, 0, 0))
                drawn = warp(whole, as_exported(g, box, (width, height), keyed), box, (width, height))
        if layer.fit is not Fit.BLUR:
            return drawn
        fill = place(facts.width, facts.height, width, height, Fit.FILL)
        key = ("blur", source[1], fill)
        backdrop = self._cached(key)
        if backdrop is None:
            backdrop = self._remember(key, blurred_backdrop(self._placed_picture(source, fill)[:, :, :3]))
        out = backdrop.copy()
        if drawn is not None:
            blend_over(out, *drawn)
        return out, None, 0, 0

    def _source(self, layer: VideoLayer, info: MediaInfo, facts: SourceFacts) -> tuple:
        """(kind, cache id, payload) of the layer's source picture at its frame: ("still", path, array),
        ("video", (path, pts), (frame, info, facts)) or ("blend", (path, pts, pts2, weight), ...)."""
        fps = self.timeline.fps
        if layer.still or facts.still or self.timeline.media[layer.media_id].kind is MediaKind.IMAGE:
            return "still", (info.path, facts.alpha), (self._still(info, facts.alpha), info, facts)
        # A proxy keeps the original's timestamps and display shape: the same frame, placed the same way.
        proxy = self.proxy_for(info) if self.proxy_for is not None else None
        if proxy is not None and not facts.alpha:
            # Its pixels keep the original's matrix (scaled Y'CbCr to Y'CbCr): read it as the original is read.
            info, facts = proxy, replace(SourceFacts.from_info(proxy), matrix=facts.matrix)
        t = layer.source_time(0, fps)
        speed = layer.timing.speed
        # The clip's first source frame: frames before it are never shown (a seek may land on them).
        first = max(Fraction(0), t - max(layer.clip_frame_at(0), Fraction(0)) * speed / fps) if speed > 0 else t
        dec = self._decoder(info.path)
        with self.decoders.lock:
            frame = dec.frame_at(t + 1 / (2 * fps), first if speed >= 0 else Fraction(0))
            if layer.timing.interpolation == "blend" and 0 < abs(speed) < 1:
                nxt = dec._next          # the decoder's look-ahead: the frame after ``frame``, or None at the end
                if nxt is not None:
                    t0, t1 = dec._time(frame), dec._time(nxt)
                    w = float((t - t0) / (t1 - t0)) if t1 > t0 else 0.0
                    if 0 < w < 1:
                        return "blend", (info.path, frame.pts, nxt.pts, round(w, 3)), (frame, nxt, w, info, facts)
            return "video", (info.path, frame.pts), (frame, info, facts)

    def _decoder(self, path: str) -> Any:
        codec = alpha_codec(path)
        if codec is None:
            return self.decoders.get(path)
        dec = self._alpha_decoders.get(path)
        if dec is None:
            with self.decoders.lock:
                try:
                    dec = AlphaDecoder(path, codec)
                except MediaError:
                    return self.decoders.get(path)
                self._alpha_decoders[path] = dec
        return dec

    def _placed_picture(self, source: tuple, p: Placement) -> np.ndarray:
        """The source placed by ``p``: (crop_h, crop_w, 3 or 4) uint8, cached by source and placement."""
        kind, ident, payload = source
        key = (kind, ident, p)
        hit = self._cached(key)
        if hit is not None:
            return hit
        if kind == "still":
            arr, info, facts = payload
            pic = _place_array(arr, p, facts, _subsampling(info.pixel_format))
        elif kind == "video":
            frame, info, facts = payload
            with self.decoders.lock:
                pic = _place_frame(frame, info, facts, p)
        else:
            a, b, w, info, facts = payload
            with self.decoders.lock:
                pa, pb = _place_frame(a, info, facts, p), _place_frame(b, info, facts, p)
            pic = np.clip(pa.astype(np.float32) * (1 - w) + pb.astype(np.float32) * w + 0.5, 0, 255).astype(np.uint8)
        return self._remember(key, pic)

    def _title(self, layer: VideoLayer, g: Geometry, width: int, height: int
               ) -> tuple[np.ndarray, np.ndarray | None, int, int] | None:
        """The title's picture: the text engine's image at the timeline's canvas size (what the exporter
        overlays), scaled to the viewer's size, then transformed like any picture filling the canvas."""
        from editor.render.text import render_text

        assert layer.title is not None
        text, style = layer.title
        cw, ch = self.timeline.settings.width, self.timeline.settings.height
        key = (text, style, cw, ch, width, height)
        pic = self._titles.get(key)
        if pic is None:
            full_key = (text, style, cw, ch, cw, ch)
            full = self._titles.get(full_key)
            if full is None:
                full = render_text(text, style, cw, ch)
                self.title_renders += 1
                self._titles[full_key] = full
            pic = premultiplied_resize(full, width, height)
            self._titles[key] = pic
            while len(self._titles) > _TITLE_LIMIT:
                self._titles.popitem(last=False)
        else:
            self._titles.move_to_end(key)
        if g.identity:
            return pic[:, :, :3], pic[:, :, 3], 0, 0
        return warp(pic, g, (0, 0, width, height), (width, height))

    def _cached(self, key: tuple) -> np.ndarray | None:
        hit = self._placed.get(key)
        if hit is not None:
            self._placed.move_to_end(key)
        return hit

    def _remember(self, key: tuple, value: np.ndarray) -> np.ndarray:
        self._placed[key] = value
        while len(self._placed) > _CACHE_LIMIT:
            self._placed.popitem(last=False)
        return value

    def _still(self, info: MediaInfo, alpha: bool) -> np.ndarray:
        """The image, upright, RGB or RGBA, decoded once."""
        hit = self._stills.get(info.path)
        if hit is not None:
            return hit
        try:
            with av.open(info.path) as c:
                frame = next(c.decode(video=0))
                arr = frame.to_ndarray(format="rgba" if alpha else "rgb24")
        except (av.FFmpegError, StopIteration, OSError) as exc:
            raise MediaError(f"cannot decode {info.path}: {exc}", path=info.path) from None
        arr = _rotate(arr, info.rotation)
        self.still_loads += 1
        self._stills[info.path] = arr
        while len(self._stills) > 16:
            self._stills.popitem(last=False)
        return arr


def _facts(info: MediaInfo) -> SourceFacts:
    """The exporter's facts, with alpha for a VP8/VP9 WebM that carries it (the probe says yuv420p)."""
    facts = SourceFacts.from_info(info)
    if not facts.alpha and not facts.still and alpha_codec(info.path) is not None:
        facts = replace(facts, alpha=True)
    return facts


# --- pixels ------------------------------------------------------------------------------------------------


def _rotate(arr: np.ndarray, clockwise: int) -> np.ndarray:
    turns = (clockwise // 90) % 4
    return np.ascontiguousarray(np.rot90(arr, -turns)) if turns else arr


def _resize(arr: np.ndarray, w: int, h: int) -> np.ndarray:
    if arr.shape[1] == w and arr.shape[0] == h:
        return arr
    fmt = "rgba" if arr.shape[2] == 4 else "rgb24"
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(arr), format=fmt)
    return frame.reformat(width=w, height=h, interpolation="BICUBIC").to_ndarray(format=fmt)


def _subsampling(pixel_format: str | None) -> tuple[int, int]:
    """Masks for ffmpeg's rounding to the chroma grid of the source's pixel format (1: to even)."""
    fmt = (pixel_format or "").lower()
    if "420" in fmt or fmt.startswith(("nv12", "nv21", "p010", "p016")):
        return 1, 1
    if "422" in fmt or fmt.startswith(("yuyv", "uyvy", "nv16")):
        return 1, 0
    return 0, 0


def _place_array(arr: np.ndarray, p: Placement, facts: SourceFacts, sub: tuple[int, int] = (0, 0)) -> np.ndarray:
    """An upright full picture placed: crop the source window then scale (as the exporter does for square
    pixels), or scale then crop."""
    if p.needs_crop and facts.square_pixels:
        src_h, src_w = arr.shape[:2]
        x, y, w, h = source_window_int(p.source_window(src_w, src_h), src_w, src_h)
        # ffmpeg's crop rounds position and size down to the chroma subsampling.
        hsub, vsub = sub
        x, w, y, h = x & ~hsub, max(1, w & ~hsub), y & ~vsub, max(1, h & ~vsub)
        return _resize(arr[y:y + h, x:x + w], p.crop_w, p.crop_h)
    scaled = _resize(arr, p.scaled_w, p.scaled_h)
    if p.needs_crop:
        scaled = scaled[p.crop_y:p.crop_y + p.crop_h, p.crop_x:p.crop_x + p.crop_w]
    return np.ascontiguousarray(scaled)


# AVColorSpace of each matrix name ``SourceFacts.matrix`` uses.
_MATRIX_SPACE = {"bt709": 1, "bt601": 6, "smpte240m": 7, "bt2020": 9}
_UNSPECIFIED = 2


def _place_frame(frame: Any, info: MediaInfo, facts: SourceFacts, p: Placement) -> np.ndarray:
    if frame.colorspace == _UNSPECIFIED and facts.matrix in _MATRIX_SPACE:
        # swscale reads an untagged frame as BT.601; the exporter reads it by source_matrix's rule (BT.709 for
        # HD): so do we.
        frame.colorspace = _MATRIX_SPACE[facts.matrix]
    if info.is_hdr:
        return _place_array(_rotate(hdr_to_sdr(frame, info.color_transfer or ""), info.rotation), p, facts,
                            _subsampling(info.pixel_format))
    fmt = "rgba" if facts.alpha else "rgb24"
    if p.needs_crop and facts.square_pixels:
        if not facts.alpha and info.rotation == 0 and frame.format.name in _PLANAR_420:
            return _crop_420_then_scale(frame, p)
        return _place_array(_rotate(frame.to_ndarray(format=fmt), info.rotation), p, facts,
                            _subsampling(info.pixel_format))
    # Scale straight from YUV to the placed size (cheap at preview sizes), then turn upright and crop.
    w, h = (p.scaled_h, p.scaled_w) if info.rotation in (90, 270) else (p.scaled_w, p.scaled_h)
    arr = _rotate(frame.reformat(width=w, height=h, format=fmt, interpolation="BICUBIC").to_ndarray(), info.rotation)
    if p.needs_crop:
        arr = arr[p.crop_y:p.crop_y + p.crop_h, p.crop_x:p.crop_x + p.crop_w]
    return np.ascontiguousarray(arr)


_PLANAR_420 = ("yuv420p", "yuvj420p")


def _crop_420_then_scale(frame: Any, p: Placement) -> np.ndarray:
    """The placed picture of a 4:2:0 frame that needs cropping: the source window is cut from the Y, U and V
    planes (on the chroma grid, as ffmpeg's crop does) and one swscale call converts and scales only that.
    Converting the whole frame to RGB first and then scaling took twice as long (8.6 against 4.0 ms for
    the FILL of a 1080p frame at half preview resolution)."""
    src_w, src_h = frame.width, frame.height
    x, y, w, h = source_window_int(p.source_window(src_w, src_h), src_w, src_h)
    x, w, y, h = x & ~1, max(2, w & ~1), y & ~1, max(2, h & ~1)
    luma, cb, cr = (np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size) for plane in frame.planes[:3])
    parts = (luma[y:y + h, x:x + w], cb[y // 2:(y + h) // 2, x // 2:(x + w) // 2],
             cr[y // 2:(y + h) // 2, x // 2:(x + w) // 2])
    cut = av.VideoFrame.from_ndarray(np.concatenate([part.ravel() for part in parts]).reshape(h * 3 // 2, w),
                                     format=frame.format.name)
    cut.colorspace, cut.color_range = frame.colorspace, frame.color_range
    return cut.reformat(width=p.crop_w, height=p.crop_h, format="rgb24", interpolation="BICUBIC").to_ndarray()


# BT.2020 to BT.709 primaries (linear light).
_BT2020_TO_709 = np.array([[1.6605, -0.5876, -0.0728],
                           [-0.1246, 1.1329, -0.0083],
                           [-0.0182, -0.1006, 1.1187]], np.float32)


def hdr_to_sdr(frame: Any, transfer: str) -> np.ndarray:
    """An approximate tone map of a PQ or HLG BT.2020 frame to 8-bit BT.709 RGB (reference white 203 nits)."""
    rgb = frame.reformat(format="rgb48le", src_colorspace="BT2020", dst_colorspace="BT2020").to_ndarray()
    e = rgb.astype(np.float32) / 65535.0
    if transfer == "arib-std-b67":        # HLG: inverse OETF, then the OOTF of a 1000-nit display
        a, b, c = 0.17883277, 0.28466892, 0.55991073
        scene = np.where(e <= 0.5, e * e / 3.0, (np.exp((e - c) / a) + b) / 12.0)
        nits = 1000.0 * np.power(np.maximum(scene, 0), 1.2)
    else:                                 # PQ (SMPTE 2084) EOTF
        m1, m2, c1, c2, c3 = 0.1593017578125, 78.84375, 0.8359375, 18.8515625, 18.6875
        p = np.power(np.clip(e, 0, 1), 1 / m2)
        nits = 10000.0 * np.power(np.maximum(p - c1, 0) / (c2 - c3 * p), 1 / m1)
    lin = (nits / 203.0) @ _BT2020_TO_709.T
    lin = np.maximum(lin, 0)
    knee = 0.8
    lin = np.where(lin <= knee, lin, knee + (1 - knee) * (1 - np.exp(-(lin - knee) / (1 - knee))))
    v = np.where(lin < 0.018, 4.5 * lin, 1.099 * np.power(lin, 0.45) - 0.099)
    return np.clip(v * 255.0 + 0.5, 0, 255).astype(np.uint8)


# --- cards -------------------------------------------------------------------------------------------------

_card_cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
_card_lock = threading.Lock()


def _font(size: int) -> Any:
    from PIL import ImageFont
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _card(kind: str, title: str, text: str, width: int, height: int, bg: tuple, fg: tuple) -> np.ndarray:
    key = (kind, title, text, width, height)
    with _card_lock:
        hit = _card_cache.get(key)
        if hit is not None:
            return hit
    arr = np.empty((height, width, 3), np.uint8)
    arr[:] = bg
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        Image = None  # noqa: N806 - flat colour without PIL
    if Image is not None:
        img = Image.fromarray(arr)
        draw = ImageDraw.Draw(img)
        size = max(8, min(width, height) // 14)
        margin = max(4, width // 16)
        big_size = int(size * 1.3)
        big, small = _font(big_size), _font(size)
        while big_size > size and draw.textlength(title, font=big) > width - 2 * margin:
            big_size -= 1   # a short title fits on one line: "Generating 42% · 1:05 left" on a narrow card
            big = _font(big_size)
        chars = max(8, int((width - 2 * margin) / (size * 0.55)))
        # A long title (a failure's reason) wraps at the text's size rather than shrinking out of sight.
        titles = [title] if draw.textlength(title, font=big) <= width - 2 * margin else \
            textwrap.wrap(title, max(8, int((width - 2 * margin) / (big_size * 0.58))), max_lines=4, placeholder=" …")
        lines = textwrap.wrap(text, chars)[:8]
        y = max(margin, height // 2 - (len(lines) + len(titles) + 1) * size)
        for line in titles:
            draw.text((margin, y), line, fill=fg, font=big)
            y += int(big_size * 1.25)
        y += int(size * 0.95)
        for line in lines:
            draw.text((margin, y), line, fill=fg, font=small)
            y += int(size * 1.3)
        border = max(1, min(width, height) // 60)
        draw.rectangle((0, 0, width - 1, height - 1), outline=fg, width=border)
        arr = np.asarray(img, np.uint8).copy()
    arr.setflags(write=False)
    with _card_lock:
        _card_cache[key] = arr
        while len(_card_cache) > 16:
            _card_cache.popitem(last=False)
    return arr


def placeholder_card(prompt: str, width: int, height: int, *, title: str = "Generating…",
                     progress: float | None = None) -> np.ndarray:
    """A dark card with the state and the prompt (and a progress bar along the bottom while it generates):
    what a generated segment without a take shows in the viewer."""
    card = _card("pending", title, prompt or "(no prompt)", width, height, CARD_BG, CARD_FG)
    if progress is None:
        return card
    out = card.copy()
    bar_h = max(3, height // 60)
    margin = max(4, width // 16)
    top = height - margin - bar_h
    out[top:top + bar_h, margin:width - margin] = (70, 74, 96)
    done = margin + int((width - 2 * margin) * max(0.0, min(1.0, progress)))
    out[top:top + bar_h, margin:done] = (242, 140, 56)
    return out


def offline_slate(path: str, width: int, height: int) -> np.ndarray:
    """A red slate saying the media is offline, with its file name."""
    return _card("offline", "MEDIA OFFLINE", os.path.basename(path) or path, width, height, SLATE_BG, SLATE_FG)
