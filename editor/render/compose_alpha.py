"""WebM (VP8/VP9) with an alpha channel, for the preview.

FFmpeg's native vp8/vp9 decoders drop the alpha plane (carried beside each frame as Matroska BlockAdditional
data, the stream tagged ``alpha_mode=1``); only libvpx decodes it. The probe reports such files as plain
``yuv420p``, so they are recognised by that tag and decoded through a libvpx codec context fed with the
demuxed packets: frames come out ``yuva420p``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import av

from editor.media.decoding import VideoDecoder

__all__ = ["AlphaDecoder", "alpha_codec"]

_LIBVPX = {"vp9": "libvpx-vp9", "vp8": "libvpx"}


@functools.lru_cache(maxsize=64)
def alpha_codec(path: str) -> str | None:
    """The libvpx decoder's name when ``path`` is a VP8/VP9 file whose video carries alpha, else None."""
    try:
        with av.open(path) as c:
            stream = c.streams.video[0]
            tagged = str((stream.metadata or {}).get("alpha_mode", "")).strip() == "1"
            name = _LIBVPX.get(stream.codec_context.name) if tagged else None
    except (av.FFmpegError, IndexError, OSError):
        return None
    if name is None:
        return None
    try:
        av.codec.Codec(name, "r")
    except (av.FFmpegError, ValueError):
        return None        # this FFmpeg has no libvpx: the picture shows opaque, as without this module
    return name


class AlphaDecoder(VideoDecoder):
    """``VideoDecoder`` (same seeking and frame choice) decoding through libvpx, so frames keep alpha."""

    def __init__(self, path: str, codec: str) -> None:
        self.codec = codec
        super().__init__(path)

    def _decode(self) -> Iterator[Any]:
        ctx = av.CodecContext.create(self.codec, "r")
        ctx.extradata = self.stream.codec_context.extradata
        ctx.thread_type = "AUTO"
        for packet in self.container.demux(self.stream):
            if packet.size == 0:
                continue
            yield from ctx.decode(packet)
        yield from ctx.decode(None)

