"""Segments as ffmpeg commands: inputs seeked with ``-ss`` before ``-i``, a filter graph (always passed as a
file through ``-/filter_complex``, so no argv limit and no path ever inside a graph), the video encoded with
the export's encoder settings and the sound written as raw float PCM with an exact sample count.

Within a segment the bottom track's pictures are made whole canvases and concatenated (black where that
track is empty); every picture above is overlaid from its frame offset for its length; every sound is
delayed to its exact sample offset and mixed at its level with ``amix normalize=0``.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from editor.media.ffmpeg import ffmpeg_exe
from editor.media.info import MediaInfo
from editor.model import Fit
from editor.model.effects import IDENTITY
from editor.model.time import format_rate, seconds_arg
from editor.render.encoders import hardware_input_args, hardware_upload_filter
from editor.render.ffeffects import GraphError, blur_fit_chains, look_steps, timing_steps, transform_steps
from editor.render.ffsound import sound_chains
from editor.render.layout import Placement, place
from editor.render.plan import Segment, SoundLayer, VideoLayer
from editor.render.settings import ExportSettings, timescale, video_encoder_args
from editor.render.text import text_image, text_sprite

# Seconds read past a segment's end from each input, so rate conversion always has a frame to look at.
READ_MARGIN = Fraction(1, 5)

# HDR (PQ/HLG, BT.2020) to SDR BT.709: linearise with HDR reference white (BT.2408: 203 nits) as 1.0, tone-map
# the highlights with Mobius (linear below its knee), back to BT.709 limited range. Measured on PQ and HLG
# colour bars mastered at 203 nits: mid grey 128 -> 127, red stays (211, 11, 11), white -> 214. The common
# npl=100 + Hable recipe gave grey 112 / white 191 (Hable is filmic and darkens the whole picture).
ZSCALE_TONEMAP = ("zscale=t=linear:npl=203,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:desat=0,"
                  "zscale=t=bt709:m=bt709:r=tv,format=yuv420p")
PLACEBO_TONEMAP = ("libplacebo=tonemapping=auto:colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv:"
                   "format=yuv420p")

_ALPHA_FORMATS = ("yuva", "rgba", "argb", "bgra", "abgr", "gbrap", "ya8", "ya16", "pal8")
# ffmpeg's own VP8/VP9 decoders drop the alpha a WebM keeps beside the picture: libvpx reads it.
_ALPHA_DECODERS = {"vp9": "libvpx-vp9", "vp8": "libvpx"}

__all__ = ["GraphError", "SegmentCommand", "SourceFacts", "job_command"]


@dataclass(frozen=True)
class SourceFacts:
    """What the exporter needs to know about one media file (from the probe)."""

    path: str             # absolute
    width: int            # display size: upright, square pixels
    height: int
    square_pixels: bool = True   # False: the decoded (upright) picture is not width x height pixels
    still: bool = False
    hdr: bool = False
    alpha: bool = False
    has_video: bool = True
    has_audio: bool = False
    channels: int = 2
    decoder: str = ""     # the video decoder to ask for ("" = ffmpeg's choice)
    at: tuple[int, int] | None = None   # a title's sprite: placed unscaled at this canvas position
    matrix: str = "bt709"  # the Y'CbCr matrix the source is read with (see source_matrix)

    @property
    def scale_opts(self) -> str:
        """swscale options taking this source to the export's BT.709 limited range. The input matrix is
        named, never left to swscale's default (BT.601): for a BT.709 source that made every frame go through
        a matrix conversion that changes nothing it should (a third of a 1080p FILL's scaling time)."""
        return f"flags=bicubic:in_color_matrix={self.matrix}:out_color_matrix=bt709:out_range=tv"

    @classmethod
    def from_info(cls, info: MediaInfo) -> SourceFacts:
        w, h = info.width, info.height
        sar = info.sample_aspect_ratio
        square = not (sar and sar > 0 and sar != 1)
        if not square:
            w = max(1, round(w * sar))
        if info.rotation in (90, 270):
            w, h = h, w
        fmt = (info.pixel_format or "").lower()
        alpha = fmt.startswith(_ALPHA_FORMATS)
        codec = (info.video_codec or "").lower()
        decoder = ""
        if codec in _ALPHA_DECODERS and (alpha or _webm_alpha(info.path)):
            alpha, decoder = True, _ALPHA_DECODERS[codec]
        return cls(path=os.path.abspath(info.path), width=w, height=h, square_pixels=square,
                   still=info.is_image, hdr=info.is_hdr,
                   alpha=alpha, has_video=info.has_video, has_audio=info.has_audio,
                   channels=info.channels or 2, decoder=decoder,
                   matrix=source_matrix(info.color_space, info.width, info.height))


BT709_SCALE = "flags=bicubic:in_color_matrix=bt709:out_color_matrix=bt709:out_range=tv"


def source_matrix(color_space: str | None, width: int, height: int) -> str:
    """The Y'CbCr matrix to read a source with: its tag when it has one; untagged, BT.709 for HD and larger
    and BT.601 below (what players assume: mpv, VLC, browsers). The preview decodes with the same rule
    (``editor.render.compositor``)."""
    if color_space in ("bt709",):
        return "bt709"
    if color_space in ("bt470bg", "smpte170m", "fcc"):
        return "bt601"
    if color_space in ("bt2020nc", "bt2020c"):
        return "bt2020"
    if color_space == "smpte240m":
        return "smpte240m"
    return "bt709" if max(width, height) >= 1280 or min(width, height) >= 720 else "bt601"


def _webm_alpha(path: str) -> bool:
    """True when a VP8/VP9 stream carries alpha: the probe's pixel format says yuv420p, the alpha lives in
    block additions the Matroska track announces with its ``alpha_mode`` tag."""
    try:
        import av
        with av.open(path) as c:
            return bool(c.streams.video) and c.streams.video[0].metadata.get("alpha_mode", "") == "1"
    except Exception:   # unreadable here means the probe's answer stands  # noqa: BLE001
        return False


@functools.cache
def _filters() -> frozenset[str]:
    try:
        done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-filters"], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.split()[1] for line in done.stdout.splitlines() if len(line.split()) >= 3)


def tonemap_chain() -> tuple[str | None, str | None]:
    """(filters, note): zscale+tonemap when this ffmpeg has them, else libplacebo, else nothing (with a note)."""
    have = _filters()
    if {"zscale", "tonemap"} <= have:
        return ZSCALE_TONEMAP, None
    if "libplacebo" in have:
        return PLACEBO_TONEMAP, None
    return None, "this ffmpeg has neither zscale nor libplacebo: HDR media is converted without tone mapping"


def ffmpeg_path(path: str) -> str:
    """A file path as an ffmpeg URL that no protocol prefix or pattern can reinterpret."""
    return "file:" + os.path.abspath(path)


def source_window_int(window: tuple[Fraction, ...], src_w: int, src_h: int) -> tuple[int, int, int, int]:
    """A source window rounded to whole pixels, kept inside the source."""
    x, y, w, h = window
    iw, ih = max(1, min(src_w, round(w))), max(1, min(src_h, round(h)))
    ix, iy = min(max(0, round(x)), src_w - iw), min(max(0, round(y)), src_h - ih)
    return ix, iy, iw, ih


@dataclass(frozen=True)
class Shown:
    """A layer's picture ready to overlay: its label and where its top-left corner goes (whole pixels, or
    per-frame expressions when it moves)."""

    label: str
    x: str
    y: str
    covers: bool          # opaque and filling the canvas
    alpha: bool
    per_frame: bool

    def position(self) -> str:
        """overlay's options placing it (and its format: in 4:2:0 overlay rounds odd positions down to even,
        so a picture placed per frame is laid in 4:4:4, every pixel position exact)."""
        if self.per_frame:
            return f"x='{self.x}':y='{self.y}':eval=frame:format=yuv444"
        return f"x={self.x}:y={self.y}:format=yuv420"


@dataclass
class SegmentCommand:
    args: list[str]       # full argv, ffmpeg first
    graph: str            # the filter graph text, to be written to ``graph_path`` before running
    graph_path: Path
    video_path: Path
    audio_path: Path | None


def job_command(segments: Sequence[Segment], settings: ExportSettings, facts: dict[str, SourceFacts],
                folder: Path, name: str, threads: int = 0) -> SegmentCommand:
    """One ffmpeg process rendering ``segments`` (consecutive) into one MP4 and one raw PCM file.

    Several short segments share a process (the concat filter joins them, exact to the frame and sample):
    each ffmpeg start and x264 start costs more than a 10-frame segment's own encoding.
    """
    fps = settings.fps
    rate = format_rate(fps)
    sr = settings.sample_rate
    segments, facts = _with_titles(segments, facts, settings, folder)
    inputs: list[list[str]] = []
    chains: list[str] = []
    batch = len(segments) > 1
    sounding = any(_sounds(seg, facts) for seg in segments)
    vlabels, alabels = [], []
    for j, seg in enumerate(segments):
        index: dict[tuple, int] = {}

        def input_for(layer: VideoLayer | SoundLayer, index=index) -> int:
            """One input per source use: seeked to where the layer's source range starts (its lowest source
            time: a reversed layer plays down to it), read for the range's length plus a margin."""
            media_id, frames, speed = layer.media_id, layer.frames, layer.timing.speed
            f = facts[media_id]
            span = Fraction(frames) * abs(speed) / fps
            start = layer.start if speed >= 0 else max(Fraction(0), layer.start - span)
            key = (media_id, Fraction(0) if f.still else start, layer.offset, frames, speed)
            if key in index:
                return index[key]
            read = seconds_arg(max(span, Fraction(1) / fps) + READ_MARGIN)
            if f.still:
                args = ["-f", "image2", "-pattern_type", "none", "-loop", "1", "-framerate", rate, "-t", read]
            else:
                args = ["-ss", seconds_arg(start), "-t", read] if start > 0 else ["-t", read]
            if f.decoder:
                args += ["-c:v", f.decoder]
            inputs.append([*args, "-i", ffmpeg_path(f.path)])
            index[key] = len(inputs) - 1
            return index[key]

        prefix = f"g{j}"
        video, sound = _segment_graph(seg, settings, facts, prefix, input_for, chains)
        if batch:
            chains.append(f"[{video}]trim=end_frame={seg.frames},setpts=PTS-STARTPTS[{prefix}v]")
            vlabels.append(f"[{prefix}v]")
            if sounding:
                if sound is None:
                    chains.append(f"anullsrc=r={sr}:cl=stereo,atrim=end_sample={seg.samples},"
                                  f"aformat=sample_fmts=flt:channel_layouts=stereo[{prefix}a]")
                    sound = f"{prefix}a"
                alabels.append(f"[{sound}]")
        else:
            vlabels.append(f"[{video}]")
            if sound is not None:
                alabels.append(f"[{sound}]")

    # ffmpeg 9 takes colour tags from the frames over the encoder's options: set them on the frames.
    tail = ("format=yuv420p,setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv"
            + hardware_upload_filter(settings.encoder))
    if batch:
        chains.append(f"{''.join(vlabels)}concat=n={len(vlabels)}:v=1:a=0,{tail}[v]")
        if alabels:
            chains.append(f"{''.join(alabels)}concat=n={len(alabels)}:v=0:a=1[a]")
    else:
        chains.append(f"{vlabels[0]}{tail}[v]")
        if alabels:
            chains.append(f"{alabels[0]}anull[a]")

    frames = sum(seg.frames for seg in segments)
    graph_path = folder / f"{name}.graph"
    video_path = folder / f"{name}.mp4"
    audio_path = folder / f"{name}.f32" if alabels else None
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
            "-stats_period", "0.2", *hardware_input_args(settings.encoder)]
    for item in inputs:
        args += item
    args += ["-/filter_complex", str(graph_path),
             "-map", "[v]", "-frames:v", str(frames), *video_encoder_args(settings, threads),
             "-video_track_timescale", str(timescale(fps)), "-an", "-f", "mp4", ffmpeg_path(str(video_path))]
    if audio_path is not None:
        args += ["-map", "[a]", "-c:a", "pcm_f32le", "-ar", str(sr), "-ac", "2", "-f", "f32le",
                 ffmpeg_path(str(audio_path))]
    return SegmentCommand(args, ";\n".join(chains) + "\n", graph_path, video_path, audio_path)


def _with_titles(segments: Sequence[Segment], facts: dict[str, SourceFacts], settings: ExportSettings,
                 folder: Path) -> tuple[list[Segment], dict[str, SourceFacts]]:
    """Title layers drawn by the text engine (once per text, style and canvas) into ``folder/titles`` and
    read as full-canvas RGBA stills; their layers get a media id naming that picture."""
    if not any(x.title is not None for seg in segments for x in seg.layers):
        return list(segments), facts
    facts = dict(facts)
    out = []
    for seg in segments:
        layers = []
        for layer in seg.layers:
            if layer.title is not None:
                text, style = layer.title
                if layer.transform == IDENTITY and layer.fit is not Fit.BLUR:
                    # Unmoved: only the part with ink, where the canvas image has it (see text_sprite).
                    sprite = text_sprite(text, style, settings.width, settings.height, folder / "titles")
                    if sprite is None:
                        continue                    # nothing drawn (empty or blank text)
                    png, x, y, w, h = sprite
                    key = f"title:{png.name}"
                    facts.setdefault(key, SourceFacts(str(png), w, h, still=True, alpha=True, at=(x, y)))
                else:
                    png = text_image(text, style, settings.width, settings.height, folder / "titles")
                    key = f"title:{png.name}"
                    facts.setdefault(key, SourceFacts(str(png), settings.width, settings.height, still=True,
                                                      alpha=True))
                layer = replace(layer, media_id=key)
            layers.append(layer)
        out.append(replace(seg, layers=tuple(layers)))
    return out, facts


def _sounds(seg: Segment, facts: dict[str, SourceFacts]) -> list:
    return [x for x in seg.sounds if facts[x.media_id].has_audio]


def _segment_graph(seg: Segment, settings: ExportSettings, facts: dict[str, SourceFacts], prefix: str,
                   input_for, chains: list[str]) -> tuple[str, str | None]:
    """Append the chains compositing one segment; returns (video label, sound label or None). The video
    runs on past the segment's end (held frames): the caller trims or limits it."""
    fps = settings.fps
    rate = format_rate(fps)
    W, H = settings.width, settings.height
    P = prefix
    # --- video ---
    tonemap, _ = tonemap_chain()
    # By track, then a transition's incoming picture (order 1) over the outgoing one, then by time.
    layers = sorted(seg.layers, key=lambda x: (x.track, x.order, x.offset))
    def placement(f: SourceFacts, layer: VideoLayer) -> Placement:
        if f.at is not None:
            return Placement(f.width, f.height, 0, 0, f.width, f.height, *f.at)
        return place(f.width, f.height, W, H, layer.fit)

    placed = [(layer, facts[layer.media_id], placement(facts[layer.media_id], layer)) for layer in layers]

    def whole(layer: VideoLayer) -> bool:
        return layer.offset == 0 and layer.frames >= seg.frames

    def see_through(layer: VideoLayer) -> bool:
        return any(layer.opacity_at(i) < 1 for i in range(max(1, layer.frames)))

    # Layers under an opaque layer that covers the whole canvas for the whole segment are never seen: drop
    # them (not even decoded).
    for i in range(len(placed) - 1, 0, -1):
        layer, f, p = placed[i]
        if whole(layer) and (p.covers(W, H) or layer.fit is Fit.BLUR) and not f.alpha \
                and not layer.transform.moves and not see_through(layer):
            placed = placed[i:]
            break

    def picture(n: int, layer: VideoLayer, f: SourceFacts, p: Placement, offset: int) -> Shown:
        """The chain from a source to its placed picture (not yet on the canvas), held past its end.
        ``offset``: output frames before the layer starts on the time line it is overlaid on."""
        k = input_for(layer)
        steps = timing_steps(layer, fps, f.width * f.height)
        scale_opts = f.scale_opts
        if f.hdr and tonemap:
            steps.append(tonemap)
            scale_opts = BT709_SCALE      # tone-mapped to BT.709 already
        alpha = f.alpha or see_through(layer)
        src = f"[{k}:v]"
        if layer.fit is Fit.BLUR:
            chains.append(f"{src}{','.join(steps)}[{P}t{n}]")
            canvas = blur_fit_chains(f"{P}t{n}", f.width, f.height, W, H, f"{P}bl{n}", chains, scale_opts)
            scale_opts = BT709_SCALE
            src, steps = f"[{canvas}]", []
            p = Placement(W, H, 0, 0, W, H, 0, 0)
            alpha = see_through(layer)
        x: int | str
        y: int | str
        looked = False
        if layer.transform.moves:
            more, x, y, per_frame = transform_steps(layer, p, W, H, fps, offset, scale_opts)
            if per_frame:
                # lutyuv works on the frame size it was configured with: before a per-frame scale changes it,
                # or the opacity would reach only part of a growing picture (alpha commutes with the warp).
                steps += ["format=yuva420p", *look_steps(layer, fps, f"{P}L{n}")]
                looked = True
            steps += more
            alpha, covers = True, False
        else:
            per_frame, x, y, covers = False, p.x, p.y, p.covers(W, H)
            if layer.fit is Fit.BLUR:
                pass
            elif p.needs_crop and f.square_pixels:
                # Crop in source pixels first, then scale only what shows (FILL of 16:9 on 9:16 scales a third).
                cx, cy, cw, ch = source_window_int(p.source_window(f.width, f.height), f.width, f.height)
                steps += [f"crop={cw}:{ch}:{cx}:{cy}", f"scale={p.crop_w}:{p.crop_h}:{scale_opts}", "setsar=1"]
            else:
                steps += [f"scale={p.scaled_w}:{p.scaled_h}:{scale_opts}", "setsar=1"]
                if p.needs_crop:
                    steps.append(f"crop={p.crop_w}:{p.crop_h}:{p.crop_x}:{p.crop_y}")
            steps.append("format=yuva420p" if alpha else "format=yuv420p")
        if not looked:
            steps += look_steps(layer, fps, f"{P}L{n}")
        steps.append("setsar=1")    # scaling keeps the display aspect by bending pixels; concat wants square ones
        chains.append(f"{src}{','.join(steps)}[{P}p{n}]")
        return Shown(f"{P}p{n}", str(x), str(y), covers and not alpha, alpha, per_frame)

    def on_canvas(pic: Shown, frames: int | None, tag: str) -> str:
        """A placed picture as a whole canvas (black around it), ``frames`` long (None: endless)."""
        trim = f",trim=end_frame={frames},setpts=PTS-STARTPTS" if frames is not None else ""
        if pic.covers:
            if not trim:
                return pic.label
            chains.append(f"[{pic.label}]{trim[1:]}[{tag}]")
        elif not pic.alpha and not pic.per_frame:
            chains.append(f"[{pic.label}]pad={W}:{H}:{pic.x}:{pic.y}:color=black{trim}[{tag}]")
        else:
            end = f",trim=end_frame={frames}" if frames is not None else ""
            chains.append(f"color=c=black:s={W}x{H}:r={rate},format=yuv420p{end}[{tag}bg];"
                          f"[{tag}bg][{pic.label}]overlay={pic.position()}:eof_action=pass{trim}[{tag}]")
        return tag

    black = f"color=c=black:s={W}x{H}:r={rate},format=yuv420p"
    # The bottom track's pictures (but a transition's incoming ones, which overlap them) follow one another:
    # each made a whole canvas, then concatenated (black in between). Everything else is overlaid from its
    # offset for its length (the fps filter's time base is one frame, so offsets are in frames).
    lowest = placed[0][0].track if placed else None
    bottom = [(n, x) for n, x in enumerate(placed) if x[0].track == lowest and x[0].order == 0]
    upper = [(n, x) for n, x in enumerate(placed) if not (x[0].track == lowest and x[0].order == 0)]
    if len(bottom) == 1 and whole(bottom[0][1][0]):
        n, (layer, f, p) = bottom[0]
        current = on_canvas(picture(n, layer, f, p, 0), None, f"{P}base")
    elif bottom:
        pieces, cursor = [], 0
        for n, (layer, f, p) in bottom:
            if layer.offset > cursor:
                chains.append(f"{black},trim=end_frame={layer.offset - cursor}[{P}gap{n}]")
                pieces.append(f"[{P}gap{n}]")
            pieces.append(f"[{on_canvas(picture(n, layer, f, p, 0), layer.frames, f'{P}c{n}')}]")
            cursor = layer.end
        if cursor < seg.frames:
            chains.append(f"{black},trim=end_frame={seg.frames - cursor}[{P}tail]")
            pieces.append(f"[{P}tail]")
        # concat stamps its output in microseconds, each piece offset by the previous pieces' rounded length
        # (20 frames at 30 fps: 666666 us), while overlay's framesync rescales the upper pictures' 1/fps
        # stamps to 666667 us: two frames in three after a cut would show the overlay's previous frame.
        # Back to whole output frames.
        tb = 1 / fps
        chains.append(f"{''.join(pieces)}concat=n={len(pieces)}:v=1:a=0,"
                      f"settb={tb.numerator}/{tb.denominator},setpts=N[{P}base]")
        current = f"{P}base"
    else:
        chains.append(f"{black}[{P}base]")
        current = f"{P}base"
    for i, (n, (layer, f, p)) in enumerate(upper):
        pic = picture(n, layer, f, p, layer.offset)
        shift = f",setpts=PTS+{layer.offset}" if layer.offset else ""
        chains.append(f"[{pic.label}]trim=end_frame={layer.frames}{shift}[{P}u{n}]")
        chains.append(f"[{current}][{P}u{n}]overlay={pic.position()}:eof_action=pass[{P}o{i}]")
        current = f"{P}o{i}"

    # --- sound ---
    return current, sound_chains(seg, settings, facts, P, input_for, chains)
