"""Probing media files with PyAV: what a file holds, how long it lasts, and whether it is whole.

``probe(path)`` answers with a ``MediaInfo`` or raises ``MediaError`` whose one-line message names the file
and says why it cannot be used ("no such file", "not a media file", "file is truncated or damaged (...)").
PyAV and ffmpeg errors never escape raw.

What a probe does, and what it costs (all of it demuxing, plus at most a few decoded frames):

* opens the file through ffmpeg's ``file:`` protocol only (so names with colons, ``%`` or brackets are
  taken literally and a crafted playlist cannot reach the network);
* decodes the first video frame: proves the stream decodes and reads the display matrix (rotation) that
  PyAV, unlike the ffmpeg CLI, does not apply;
* checks the file is whole: for MP4/MOV the sample index says where every packet lies, so a file shorter
  than its index is truncated; for other containers it seeks near the declared end and demuxes to the end
  of the data, which must reach the declared duration (give or take half a second);
* detects variable frame rate from packet timestamps: the MP4 index gives them all for free, other
  containers give the first few hundred packets and the last few seconds.

Results are cached in memory by file identity (absolute path, size, mtime in ns). A small on-disk JSON
cache (``<user cache>/probe``) is opt-in: pass ``disk_cache=True`` (or a folder), or set
``PROMPTCUT_PROBE_CACHE=1`` (or to a folder).

Rotation convention: ``MediaInfo.rotation`` is the clockwise turn that shows the picture upright, as the
ffmpeg CLI (which autorotates) shows it. PyAV's ``VideoFrame.rotation`` is the counter-clockwise angle of the
display matrix, so ``rotation = -frame.rotation mod 360``: a file written with ``-display_rotation 90``
probes as 270.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections import OrderedDict
from fractions import Fraction
from typing import Any

import av

from editor.media.info import MediaError, MediaInfo
from editor.media.probe_cache import default_disk_cache_dir, disk_folder, disk_read, disk_write
from editor.model.media import MediaKind, MediaSource

__all__ = [
    "MediaError", "MediaInfo", "clear_probe_cache", "content_hash", "default_disk_cache_dir",
    "media_source_from_info", "probe",
]

# Bump when what a probe records changes: older disk-cache entries are then ignored.

# How far the data may fall short of the declared duration before the file counts as damaged.
END_TOLERANCE = Fraction(1, 2)
# Seconds before the declared end where the end check starts demuxing.
END_WINDOW = Fraction(3)
# Packets read from the start for frame-rate analysis when the container has no full index.
HEAD_PACKETS = 600
# Packets fed to the decoder while waiting for the first picture.
DECODE_PACKETS = 128

_MEMORY_LIMIT = 4096
_memory: OrderedDict[tuple[str, int, int], MediaInfo] = OrderedDict()
_memory_lock = threading.Lock()

# ffmpeg's names (av_color_*_name) for the enum values it stores; "unspecified" is left out (None).
_PRIMARIES = {
    1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film", 9: "bt2020",
    10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213",
}
_TRANSFERS = {
    1: "bt709", 4: "gamma22", 5: "gamma28", 6: "smpte170m", 7: "smpte240m", 8: "linear", 9: "log100",
    10: "log316", 11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1", 14: "bt2020-10", 15: "bt2020-12",
    16: "smpte2084", 17: "smpte428", 18: "arib-std-b67",
}
_SPACES = {
    0: "gbr", 1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "ycgco", 9: "bt2020nc",
    10: "bt2020c", 11: "smpte2085", 12: "chroma-derived-nc", 13: "chroma-derived-c", 14: "ictcp",
    15: "ipt-c2", 16: "ycgco-re", 17: "ycgco-ro",
}

# Demuxers that read one still picture (ffmpeg's image2 and the *_pipe family).
_STILL_CODECS = frozenset({"png", "mjpeg", "webp", "bmp", "tiff", "jpegxl", "jpeg2000", "gif", "qoi", "dpx",
                           "exr", "targa", "sgi", "pam", "ppm", "pgm", "pbm", "photocd", "hdr", "psd"})


# --- public API ----------------------------------------------------------------------------------------


def probe(path: str | os.PathLike[str], *, cache: bool = True,
          disk_cache: bool | str | os.PathLike[str] | None = None) -> MediaInfo:
    """What ``path`` holds. Raises ``MediaError`` (one line naming the file) when it cannot be used.

    ``cache``: use and fill the in-memory cache. ``disk_cache``: also use the JSON cache on disk; True for
    the default folder, a path for another, None to follow ``PROMPTCUT_PROBE_CACHE``, False for never.
    """
    shown = os.fspath(path)
    absolute = os.path.abspath(shown)
    st = _stat(absolute, shown)
    key = (absolute, st.st_size, st.st_mtime_ns)
    if cache:
        with _memory_lock:
            hit = _memory.get(key)
            if hit is not None:
                _memory.move_to_end(key)
                return hit
    folder = disk_folder(disk_cache)
    info = disk_read(folder, key) if folder is not None else None
    if info is None:
        info = _probe_file(absolute, st.st_size, shown)
        if folder is not None:
            disk_write(folder, key, info)
    if cache:
        with _memory_lock:
            _memory[key] = info
            while len(_memory) > _MEMORY_LIMIT:
                _memory.popitem(last=False)
    return info


def clear_probe_cache() -> None:
    """Forget every in-memory probe result (the disk cache is keyed by file identity and needs no clearing)."""
    with _memory_lock:
        _memory.clear()


def content_hash(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of the file size and its first and last MiB: identifies media for relinking, fast.

    As Shotcut and Kdenlive do (with MD5): a renamed or moved copy hashes the same; a re-encode does not.
    """
    shown = os.fspath(path)
    st = _stat(os.path.abspath(shown), shown)
    digest = hashlib.sha256(f"promptcut-media-v1:{st.st_size}:".encode())
    try:
        with open(shown, "rb") as fh:
            digest.update(fh.read(chunk))
            if st.st_size > chunk:
                fh.seek(max(chunk, st.st_size - chunk))
                digest.update(fh.read(chunk))
    except OSError as exc:
        raise _error(shown, _os_reason(exc)) from None
    return digest.hexdigest()


def media_source_from_info(info: MediaInfo, media_id: str, path: str | None = None, *,
                           content_hash: str | None = None) -> MediaSource:
    """The pool entry for a probed file. Width and height are the upright (display) size. ``content_hash``
    (from :func:`content_hash`, which reads the file: compute it off the GUI thread) is kept for relinking."""
    if info.is_image:
        kind = MediaKind.IMAGE
    elif info.has_video:
        kind = MediaKind.VIDEO
    else:
        kind = MediaKind.AUDIO
    return MediaSource(
        id=media_id,
        path=path if path is not None else info.path,
        kind=kind,
        duration=None if info.is_image else info.duration,
        has_video=info.has_video,
        has_audio=info.has_audio,
        width=info.display_width,
        height=info.display_height,
        content_hash=content_hash,
    )


# --- errors --------------------------------------------------------------------------------------------


def _error(shown: str, reason: str) -> MediaError:
    reason = " ".join(str(reason).split())
    return MediaError(f"{shown}: {reason}", path=shown, reason=reason)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a media file"
    if isinstance(exc, PermissionError):
        return "cannot read it (permission denied)"
    return f"cannot read it ({exc.strerror or exc})"


def _ffmpeg_reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(":")[0].strip() or type(exc).__name__


def _stat(absolute: str, shown: str) -> os.stat_result:
    try:
        st = os.stat(absolute)
    except OSError as exc:
        raise _error(shown, _os_reason(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise _error(shown, "is a folder, not a media file")
    if not stat.S_ISREG(st.st_mode):
        raise _error(shown, "not a regular file")
    return st


def _sniff(head: bytes) -> str | None:
    """The family of a known media signature, or None: tells 'damaged media' from 'not media at all'."""
    if len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot", b"styp"):
        return "mp4"
    signatures = [
        (b"\x1a\x45\xdf\xa3", "matroska"), (b"RIFF", "riff"), (b"OggS", "ogg"), (b"fLaC", "flac"),
        (b"ID3", "mp3"), (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"), (b"FLV", "flv"),
        (b"\x00\x00\x01\xba", "mpeg"), (b"\x00\x00\x01\xb3", "mpeg"), (b"FORM", "aiff"), (b"caff", "caf"),
        (b"\x30\x26\xb2\x75", "asf"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\xff\x0a", "jpegxl"),
        (b"YUV4MPEG2", "y4m"), (b"DKIF", "ivf"), (b"\x06\x0e\x2b\x34", "mxf"), (b"#!AMR", "amr"),
        (b"wvpk", "wavpack"), (b".RMF", "realmedia"), (b"MAC ", "ape"), (b"\x0bw", "ac3"),
        (b"\xff\xf1", "aac"), (b"\xff\xf9", "aac"), (b"\xff\xfb", "mp3"), (b"\xff\xf3", "mp3"), (b"\xff\xf2", "mp3"),
    ]
    for magic, family in signatures:
        if head.startswith(magic):
            return family
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "mpegts"
    return None


def _mp4_missing_index(absolute: str) -> bool:
    """True when an ISO-BMFF file's top-level boxes hold no 'moov' (the index a recording writes last)."""
    try:
        with open(absolute, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            offset = 0
            for _ in range(10000):
                fh.seek(offset)
                header = fh.read(16)
                if len(header) < 8:
                    return True
                box_size = int.from_bytes(header[:4], "big")
                kind = header[4:8]
                if kind in (b"moov", b"moof"):
                    return False
                if box_size == 1 and len(header) >= 16:
                    box_size = int.from_bytes(header[8:16], "big")
                elif box_size == 0:
                    return True
                if box_size < 8:
                    return True
                offset += box_size
                if offset >= size:
                    return True
    except OSError:
        return False
    return False


# --- the probe itself ----------------------------------------------------------------------------------


def _probe_file(absolute: str, size: int, shown: str) -> MediaInfo:
    try:
        with open(absolute, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise _error(shown, _os_reason(exc)) from None
    if size == 0:
        raise _error(shown, "file is empty")
    family = _sniff(head)

    def damaged(detail: str) -> MediaError:
        if family is None:
            return _error(shown, "not a media file")
        return _error(shown, f"file is truncated or damaged ({detail})")

    try:
        container = av.open("file:" + absolute, container_options={"protocol_whitelist": "file"},
                            metadata_errors="replace")
    except av.error.FFmpegError as exc:
        if family == "mp4" and _mp4_missing_index(absolute):
            raise _error(shown, "file is truncated or damaged (its index, the 'moov' box, is missing: "
                                "the recording or copy did not finish)") from None
        if family is None:
            raise _error(shown, "not a media file") from None
        raise damaged(f"{family} container cannot be read: {_ffmpeg_reason(exc)}") from None
    except OSError as exc:
        raise _error(shown, _os_reason(exc)) from None
    if family is None and container.format.name != "image2":
        family = container.format.name  # ffmpeg recognised the content (image2 goes by the extension alone)
    try:
        with container:
            return _read(container, absolute, size, damaged)
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError, EOFError, ValueError, OverflowError, ZeroDivisionError) as exc:
        raise damaged(f"ffmpeg: {_ffmpeg_reason(exc)}") from None


def _usable(stream: Any) -> bool:
    if stream.codec_context is None:
        return False
    return not (stream.disposition & av.stream.Disposition.attached_pic)


def _fraction(value: Any) -> Fraction | None:
    if value is None:
        return None
    value = Fraction(value)
    return value if value > 0 else None


def _stream_seconds(stream: Any, ticks: int | None) -> Fraction | None:
    if ticks is None or stream.time_base is None:
        return None
    return ticks * Fraction(stream.time_base)


def _container_seconds(value: int | None) -> Fraction | None:
    return None if value is None else Fraction(value, av.time_base)


def _read(container: Any, absolute: str, size: int, damaged: Any) -> MediaInfo:
    videos = [s for s in container.streams.video if _usable(s)]
    audios = [s for s in container.streams.audio if _usable(s)]
    if not videos and not audios:
        if container.streams.video or container.streams.audio:
            raise damaged("ffmpeg cannot decode any of its streams")
        raise damaged("it has no audio or video")
    fmt = container.format.name
    video = videos[0] if videos else None
    audio = audios[0] if audios else None
    common: dict[str, Any] = {"path": absolute, "size": size, "format_name": fmt,
                              "bit_rate": container.bit_rate or None}

    if video is not None and _is_still(container, video):
        frame = _first_frame(container, video, damaged, timestamps=None)
        return MediaInfo(
            duration=None, has_video=True, has_audio=False, is_image=True, frame_count=1,
            **_picture_fields(video, frame), **common,
        )

    container_start = _container_seconds(container.start_time)
    container_duration = _container_seconds(container.duration)
    main = video if video is not None else audio
    duration = _stream_seconds(main, main.duration) or container_duration
    start = _stream_seconds(main, main.start_time)
    if start is None:
        start = container_start

    fully_indexed = _check_index(container, [s for s in (video, audio) if s is not None], size, damaged)

    info: dict[str, Any] = {}
    if video is not None:
        head_stamps: list[int] = []
        frame = _first_frame(container, video, damaged, timestamps=None if fully_indexed else head_stamps)
        info.update(_picture_fields(video, frame))
        info["fps"] = _fraction(video.average_rate) or _fraction(video.guessed_rate)
        info["frame_count"] = video.frames or None
        runs = _index_stamps(video) if fully_indexed else [head_stamps]
    else:
        _first_frame(container, audio, damaged, timestamps=None)
        runs = []
    if audio is not None:
        info["audio_codec"] = _codec_name(audio)
        info["sample_rate"] = audio.codec_context.sample_rate or None
        info["channels"] = audio.codec_context.channels or None

    if not fully_indexed and container_duration is not None:
        declared_end = (container_start or 0) + container_duration
        tail = _check_end(container, [s for s in (video, audio) if s is not None], video, declared_end, damaged)
        if tail:
            runs.append(tail)
    if video is not None:
        vfr = any(_varies(run) for run in runs)
        if not vfr and fully_indexed and video.duration and video.frames > 1:
            # The index samples the start and the end; a rate change in between shows as a stream whose
            # length is not its frame count times the mean frame gap at the start.
            gap = _mean_gap(runs[0])
            vfr = gap is not None and abs(video.duration - video.frames * gap) > 2 * gap
        info["variable_frame_rate"] = vfr

    return MediaInfo(
        duration=duration, has_video=video is not None, has_audio=audio is not None, start_time=start,
        **info, **common,
    )


def _is_still(container: Any, video: Any) -> bool:
    fmt = container.format.name
    if fmt == "image2" or fmt.endswith("_pipe"):
        return True
    if video.codec_context.name in _STILL_CODECS and not container.streams.audio:
        # A GIF (or an APNG-like file) is a still when it holds one picture.
        if video.frames:
            return video.frames <= 1
        count = 0
        for packet in container.demux(video):
            if packet.size:
                count += 1
                if count > 1:
                    break
        container.seek(0)
        return count <= 1
    return False


def _picture_fields(video: Any, frame: Any) -> dict[str, Any]:
    cc = video.codec_context
    sar = _fraction(video.sample_aspect_ratio) if video.sample_aspect_ratio else None
    return {
        "width": frame.width or cc.width,
        "height": frame.height or cc.height,
        "rotation": _clockwise(frame.rotation),
        "video_codec": _codec_name(video),
        "pixel_format": cc.pix_fmt or (frame.format.name if frame.format else None),
        "color_transfer": _TRANSFERS.get(frame.color_trc) or _TRANSFERS.get(cc.color_trc),
        "color_primaries": _PRIMARIES.get(frame.color_primaries) or _PRIMARIES.get(cc.color_primaries),
        "color_space": _SPACES.get(frame.colorspace) or _SPACES.get(cc.colorspace),
        "sample_aspect_ratio": sar,
    }


def _codec_name(stream: Any) -> str:
    """The codec's canonical name ("mp3"), not the decoder's ("mp3float")."""
    codec = stream.codec_context.codec
    return getattr(codec, "canonical_name", None) or codec.name


def _clockwise(counter_clockwise: float) -> int:
    """PyAV's counter-clockwise display-matrix angle as the clockwise turn to upright: 0/90/180/270."""
    return (-round(counter_clockwise / 90) * 90) % 360


def _first_frame(container: Any, stream: Any, damaged: Any, timestamps: list[int] | None) -> Any:
    """Decode the first frame of ``stream`` (proof that it decodes). Collects packet timestamps on the way
    into ``timestamps`` (up to HEAD_PACKETS) when a list is given.

    A few undecodable packets at the start (a capture that begins mid-GOP) are forgiven; a stream that
    gives no picture at all from its first DECODE_PACKETS packets is damaged.
    """
    frame = None
    fed = 0
    failure: Exception | None = None
    for packet in container.demux(stream):
        if packet.size == 0 and packet.pts is None and packet.dts is None:
            continue  # the flush packet at the end
        if timestamps is not None:
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is not None:
                timestamps.append(stamp)
        if frame is None and fed < DECODE_PACKETS:
            fed += 1
            try:
                frames = stream.decode(packet)
            except av.error.FFmpegError as exc:
                failure, frames = exc, []
            if frames:
                frame = frames[0]
        if (frame is not None or fed >= DECODE_PACKETS) and (timestamps is None or len(timestamps) >= HEAD_PACKETS):
            break
    if frame is None:
        try:
            frames = stream.decode(None)
        except av.error.FFmpegError as exc:
            failure, frames = exc, []
        if frames:
            frame = frames[0]
    if frame is None:
        why = f": {_ffmpeg_reason(failure)}" if failure is not None else ""
        raise damaged(f"no {stream.type} could be decoded from it{why}")
    return frame


def _check_index(container: Any, streams: list[Any], size: int, damaged: Any) -> bool:
    """For containers with a full sample index (MP4/MOV): raise when packets lie past the end of the file.

    Returns True when every stream is fully indexed (so the index alone vouches for the file's length).
    """
    full = True
    needed = 0
    for stream in streams:
        entries = stream.index_entries
        count = len(entries)
        if count == 0 or not stream.frames or count < stream.frames:
            full = False
        if count:
            for entry in entries[max(0, count - 16):]:
                needed = max(needed, entry.pos + entry.size)
    if full and needed > size:
        raise damaged(f"its index expects {needed:,} bytes, the file has {size:,}")
    return full


def _index_stamps(stream: Any) -> list[list[int]]:
    """Timestamps from the index: all of them, or the first and last HEAD_PACKETS as two separate runs."""
    entries = stream.index_entries
    count = len(entries)
    if count <= 2 * HEAD_PACKETS:
        return [[e.timestamp for e in entries]]
    return [[e.timestamp for e in entries[:HEAD_PACKETS]], [e.timestamp for e in entries[count - HEAD_PACKETS:]]]


def _check_end(container: Any, streams: list[Any], video: Any, declared_end: Fraction, damaged: Any) -> list[int]:
    """Seek near the declared end and demux to the end of the data; raise if the data stops short.

    Returns the video packet timestamps seen there (for frame-rate analysis).
    """
    target = max(Fraction(0), declared_end - END_WINDOW)
    stamps: list[int] = []
    data_end: Fraction | None = None
    indexes = {s.index for s in streams}
    try:
        try:
            container.seek(int(target * av.time_base), backward=True, any_frame=False)
        except av.error.FFmpegError:
            container.seek(0)
        for packet in container.demux(*streams):
            if packet.stream.index not in indexes or packet.size == 0:
                continue
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is None or packet.time_base is None:
                continue
            end = (stamp + (packet.duration or 0)) * Fraction(packet.time_base)
            data_end = end if data_end is None else max(data_end, end)
            if video is not None and packet.stream.index == video.index:
                stamps.append(stamp)
    except av.error.FFmpegError as exc:
        raise damaged(f"reading towards its end failed: {_ffmpeg_reason(exc)}") from None
    if data_end is None or data_end < declared_end - END_TOLERANCE:
        got = "no data" if data_end is None else f"data ends at {float(data_end):.2f} s"
        raise damaged(f"{got} of a declared {float(declared_end):.2f} s")
    return stamps


def _varies(stamps: list[int]) -> bool:
    """True when the gaps between consecutive timestamps differ by more than rounding can explain.

    Timestamps are integers in the stream's time base, so a constant rate that the base cannot express
    exactly (30 fps in milliseconds: 33, 33, 34) jitters by one tick; anything beyond that, and beyond 5% of
    the typical gap, is a variable rate.
    """
    gaps = _gaps(stamps)
    if len(gaps) < 2:
        return False
    typical = gaps[len(gaps) // 2]
    spread = gaps[-1] - gaps[0]
    return spread > 1 and spread > typical * 0.05


def _gaps(stamps: list[int]) -> list[int]:
    """Sorted differences between consecutive distinct timestamps."""
    ordered = sorted(set(stamps))
    return sorted(b - a for a, b in zip(ordered, ordered[1:], strict=False))


def _mean_gap(stamps: list[int]) -> Fraction | None:
    """Mean distance between consecutive timestamps (exact; rounding jitter averages out)."""
    ordered = sorted(set(stamps))
    if len(ordered) < 2:
        return None
    return Fraction(ordered[-1] - ordered[0], len(ordered) - 1)
