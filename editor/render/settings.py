"""Resolved export settings, and the encoder arguments they turn into.

Every segment of an export is encoded with exactly the arguments ``video_encoder_args`` gives, so the
segments share one SPS/PPS (same size, profile, level, pixel format, preset, CRF) and can be joined by
stream copy. The H.264 level is computed here and pinned rather than left to x264.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

from editor.model import Timeline
from editor.model.time import format_rate, parse_rate
from editor.render.encoders import choose_encoder, family
from editor.render.loudness import check_target
from editor.render.presets import PRESETS, Preset, get_preset

X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
                "placebo")
# x264/x265 preset names as NVENC's p1 (fastest) .. p7 (best).
_NVENC_PRESETS = {"ultrafast": "p1", "superfast": "p1", "veryfast": "p2", "faster": "p3", "fast": "p4",
                  "medium": "p4", "slow": "p5", "slower": "p6", "veryslow": "p7", "placebo": "p7"}

# H.264 levels (Table A-1): (name, max frame size in macroblocks, max macroblocks per second).
_H264_LEVELS = (
    ("3.0", 1620, 40500), ("3.1", 3600, 108000), ("3.2", 5120, 216000), ("4.1", 8192, 245760),
    ("4.2", 8704, 522240), ("5.0", 22080, 589824), ("5.1", 36864, 983040), ("5.2", 36864, 2073600),
    ("6.0", 139264, 4177920), ("6.1", 139264, 8355840), ("6.2", 139264, 16711680),
)


def h264_level(width: int, height: int, fps: Fraction) -> str:
    """The lowest H.264 level (3.0 at least, 4.1 rather than 4.0 for its bitrate headroom) for the size and rate."""
    mbs = math.ceil(width / 16) * math.ceil(height / 16)
    side = max(math.ceil(width / 16), math.ceil(height / 16))
    rate = mbs * fps
    for name, max_fs, max_mbps in _H264_LEVELS:
        if mbs <= max_fs and side * side <= 8 * max_fs and rate <= max_mbps:
            return name
    return _H264_LEVELS[-1][0]


@dataclass(frozen=True)
class ExportSettings:
    """Everything the exporter needs to know about the output file. Build it with ``resolve_settings``."""

    width: int
    height: int
    fps: Fraction
    encoder: str = "libx264"
    encoder_preset: str = "veryfast"
    crf: int = 20
    profile: str = "high"
    pix_fmt: str = "yuv420p"
    level: str | None = None        # None: computed from size and rate (H.264 only)
    gop: int = 60                   # keyframe interval in frames (closed GOPs)
    bframes: int | None = None
    maxrate: str | None = None
    bufsize: str | None = None
    audio_codec: str = "aac"
    audio_bitrate: str = "192k"
    sample_rate: int = 48000
    channels: int = 2
    loudness: float | None = None   # integrated loudness target (LUFS, EBU R128); None: the mix as it is
    preset: str | None = None       # the preset these came from, for messages
    notes: tuple[str, ...] = field(default=(), compare=False)   # fallbacks and adjustments, to print

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def describe(self) -> str:
        what = (f"{self.width}x{self.height} {format_rate(self.fps)} fps "
                f"{self.encoder} {self.encoder_preset} crf {self.crf}")
        if self.loudness is not None:
            what += f", loudness {self.loudness:g} LUFS"
        return f"{self.preset}: {what}" if self.preset else what


class _PresetLoudness(str):
    """The default of ``resolve_settings(loudness=...)``: whatever the preset says (None means off there)."""


PRESET_LOUDNESS = _PresetLoudness("preset")


def _parse_size(size: tuple[int, int] | str) -> tuple[int, int]:
    if isinstance(size, str):
        m = re.fullmatch(r"\s*(\d+)\s*[xX:]\s*(\d+)\s*", size)
        if not m:
            raise ValueError(f"not a size: {size!r} (expected WIDTHxHEIGHT, e.g. 1080x1920)")
        w, h = int(m.group(1)), int(m.group(2))
    else:
        w, h = (int(v) for v in size)
    if w < 16 or h < 16 or w > 8192 or h > 8192:
        raise ValueError(f"output size {w}x{h} out of range (16..8192 per side)")
    return w, h


def resolve_settings(timeline: Timeline, preset: str | None = None, *, size: tuple[int, int] | str | None = None,
                     fps: Fraction | str | int | None = None, crf: int | None = None, encoder: str | None = None,
                     encoder_preset: str | None = None,
                     loudness: float | str | None = PRESET_LOUDNESS) -> ExportSettings:
    """Settings for exporting ``timeline``: a preset (or, with None, the project's canvas and rate with the
    vertical presets' encoding) plus overrides. Raises ValueError on a bad name or value.

    ``loudness``: a target in LUFS (number or text), None or "off" for none; left out, the preset's own
    (-14 for the short-video presets, off for the others and for the project's settings)."""
    notes: list[str] = []
    if preset is not None:
        base = get_preset(preset)
        w, h, rate, sample_rate = base.width, base.height, base.fps, base.sample_rate
    else:
        base = PRESETS["tiktok"]
        w, h, rate, sample_rate = timeline.settings.width, timeline.settings.height, timeline.fps, \
            timeline.settings.sample_rate
    if size is not None:
        w, h = _parse_size(size)
    if fps is not None:
        rate = parse_rate(fps)
    if w % 2 or h % 2:
        even = (w - w % 2, h - h % 2)
        notes.append(f"output size {w}x{h} rounded down to {even[0]}x{even[1]} (4:2:0 video needs even sizes)")
        w, h = even
    if crf is None:
        crf = base.crf
    if not isinstance(crf, int) or not 0 <= crf <= 51:
        raise ValueError(f"crf must be a whole number from 0 to 51, got {crf!r}")
    chosen, note = choose_encoder(encoder or base.encoder)
    if note:
        notes.append(note)
    speed = (encoder_preset or base.encoder_preset).strip().lower()
    if speed not in X264_PRESETS:
        raise ValueError(f"unknown encoder preset {speed!r} (choose from: {', '.join(X264_PRESETS)})")
    own_target = base.loudness if preset is not None else None
    target = own_target if loudness is PRESET_LOUDNESS else check_target(loudness)
    return ExportSettings(
        width=w, height=h, fps=rate, encoder=chosen, encoder_preset=speed, crf=crf, profile=base.profile,
        pix_fmt=base.pix_fmt, gop=max(1, round(base.gop_seconds * rate)), bframes=base.bframes,
        maxrate=base.maxrate, bufsize=base.bufsize, audio_codec=base.audio_codec, audio_bitrate=base.audio_bitrate,
        sample_rate=sample_rate, loudness=target, preset=base.name if preset is not None else None, notes=tuple(notes),
    )


def preset_of(settings: ExportSettings) -> Preset | None:
    return PRESETS.get(settings.preset or "")


def video_encoder_args(s: ExportSettings, threads: int = 0) -> list[str]:
    """Encoder arguments, identical for every segment of an export (threads aside, which x264 keeps out of
    the SPS/PPS)."""
    enc = s.encoder
    args = ["-c:v", enc]
    if enc in ("libx264", "libx265"):
        args += ["-preset", s.encoder_preset, "-crf", str(s.crf)]
        if enc == "libx264":
            args += ["-profile:v", s.profile, "-level:v", s.level or h264_level(s.width, s.height, s.fps)]
            params = ["open-gop=0"]
            args += ["-x264-params", ":".join(params)]
        else:
            params = ["log-level=error", "open-gop=0", f"keyint={s.gop}", f"min-keyint={s.gop}"]
            if s.bframes is not None:
                params.append(f"bframes={s.bframes}")
            args += ["-profile:v", "main", "-tag:v", "hvc1", "-x265-params", ":".join(params)]
        args += ["-threads", str(threads)]
    elif enc.endswith("_nvenc"):
        args += ["-preset", _NVENC_PRESETS.get(s.encoder_preset, "p4"), "-rc", "vbr", "-cq", str(s.crf), "-b:v", "0",
                 "-profile:v", s.profile if family(enc) == "h264" else "main"]
    elif enc.endswith("_qsv"):
        args += ["-preset", s.encoder_preset if s.encoder_preset in ("veryfast", "faster", "fast", "medium", "slow",
                                                                     "slower", "veryslow") else "medium",
                 "-global_quality", str(s.crf), "-profile:v", s.profile if family(enc) == "h264" else "main"]
    elif enc.endswith("_vaapi"):
        args += ["-rc_mode", "CQP", "-qp", str(s.crf), "-profile:v", s.profile if family(enc) == "h264" else "main"]
    args += ["-g", str(s.gop)]
    if s.bframes is not None and enc != "libx265":
        args += ["-bf", str(s.bframes)]
    if s.maxrate:
        args += ["-maxrate", s.maxrate, "-bufsize", s.bufsize or s.maxrate]
    if not enc.endswith("_vaapi"):
        args += ["-pix_fmt", s.pix_fmt]
    args += ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"]
    return args


def timescale(fps: Fraction) -> int:
    """An MP4 track timescale in which every frame lasts a whole number of ticks (at least 10000)."""
    num = fps.numerator
    return num * max(1, math.ceil(10000 / num))
