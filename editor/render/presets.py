"""Export presets: the canvas, rate and encoding each platform wants.

Choices, with the reasons (figures from research/export.md, 2-core machine, 1080x1920):

- x264 ``veryfast`` at CRF 20: 49 fps against 25 for ``medium`` (45.6 vs 47.8 dB PSNR, 6.9 vs 7.9 Mbps).
  Every platform below re-encodes what it receives, so the last 2 dB buy little and halve export speed;
  ``encoder_preset="medium"`` (or slower) is one override away for a final master.
- H.264 High, yuv420p, AAC-LC 48 kHz stereo: what TikTok, Reels, Shorts and YouTube all take.
- Loudness: the short-video platforms turn everything to about -14 LUFS on playback; a mix made at -23
  (broadcast) plays quiet beside others, one at -6 gets turned down and its peaks clip on the way. Their
  presets normalise to -14 LUFS with a -1 dBTP ceiling (``editor.render.loudness``); the others leave the
  mix as it is.
- GOP: 2 s closed GOPs for the vertical platforms (players seek well, files stay small); YouTube asks for
  closed GOPs of half the frame rate and 2 B-frames, so its preset says so. x264 GOPs are closed by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    width: int
    height: int
    fps: Fraction
    encoder: str = "libx264"
    encoder_preset: str = "veryfast"
    crf: int = 20
    profile: str = "high"
    pix_fmt: str = "yuv420p"
    audio_codec: str = "aac"
    audio_bitrate: str = "192k"
    sample_rate: int = 48000
    gop_seconds: Fraction = Fraction(2)   # keyframe interval; GOPs are closed
    bframes: int | None = None            # None: the encoder preset's own choice
    maxrate: str | None = None            # VBV cap, e.g. "20M"; None: pure CRF
    bufsize: str | None = None
    loudness: float | None = None         # integrated loudness target in LUFS; None: the mix as it is

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


_VERTICAL = dict(width=1080, height=1920, fps=Fraction(30), loudness=-14.0)

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("tiktok", "TikTok: 1080x1920 9:16, 30 fps, H.264 High, AAC 48 kHz, -14 LUFS", **_VERTICAL),
        Preset("reels", "Instagram Reels: 1080x1920 9:16, 30 fps, H.264 High, AAC 48 kHz, -14 LUFS", **_VERTICAL),
        Preset("shorts", "YouTube Shorts: 1080x1920 9:16, 30 fps, H.264 High, AAC 48 kHz, -14 LUFS", **_VERTICAL),
        Preset("youtube", "YouTube: 1920x1080 16:9, 30 fps, H.264 High, closed GOP of fps/2, 2 B-frames, AAC 48 kHz",
               width=1920, height=1080, fps=Fraction(30), gop_seconds=Fraction(1, 2), bframes=2),
        Preset("square", "Square feed post: 1080x1080 1:1, 30 fps, H.264 High, AAC 48 kHz",
               width=1080, height=1080, fps=Fraction(30)),
    )
}


def get_preset(name: str) -> Preset:
    key = (name or "").strip().lower()
    try:
        return PRESETS[key]
    except KeyError:
        raise ValueError(f"unknown preset {name!r} (choose from: {', '.join(PRESETS)})") from None
