"""Synthetic media made with ffmpeg's test sources: fixtures for tests, benchmarks and the demo project.

Every maker writes one file and returns its path. Colours are solid so a decoder can tell which source is
on screen; tones are pure so a mixer's levels can be measured.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

from editor.media.ffmpeg import ffmpeg_exe
from editor.model.time import format_rate


def _run(args: list[str]) -> None:
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed making test media: {done.stderr.strip()[-500:]}")


def _x264(crf: int = 18, gop: int | None = None) -> list[str]:
    args = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf), "-pix_fmt", "yuv420p"]
    if gop:
        args += ["-g", str(gop)]
    return args


def color_clip(
    path: str | Path,
    color: str = "red",
    seconds: float = 2.0,
    size: tuple[int, int] = (320, 180),
    fps: Fraction | int = 30,
    tone_hz: float | None = 440.0,
    sample_rate: int = 48000,
    channels: int = 2,
) -> Path:
    """A solid-colour clip with a steady sine tone (or no audio when ``tone_hz`` is None)."""
    path = Path(path)
    w, h = size
    rate = format_rate(Fraction(fps))
    args = ["-f", "lavfi", "-i", f"color=c={color}:s={w}x{h}:r={rate}:d={seconds}"]
    if tone_hz is not None:
        layout = "mono" if channels == 1 else "stereo"
        args += ["-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate={sample_rate}:duration={seconds}",
                 "-af", f"aformat=channel_layouts={layout}", "-c:a", "aac", "-b:a", "128k"]
    args += [*_x264(), "-t", str(seconds), str(path)]
    _run(args)
    return path


def indexed_clip(path: str | Path, frames: int = 72, fps: int = 30, size: tuple[int, int] = (160, 90),
                 step: int = 3) -> Path:
    """Flat grey frames whose luma says the frame number (Y = 16 + step * n), with a tone; lossless (qp 0), so a
    decoded frame tells which source frame it shows. Keep ``16 + step * (frames - 1)`` within 255."""
    path = Path(path)
    w, h = size
    seconds = float(Fraction(frames, fps))
    _run(["-f", "lavfi", "-i", f"nullsrc=s={w}x{h}:r={fps}:d={seconds},geq=lum='16+{step}*N':cb=128:cr=128",
          "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
          "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", "-g", "24",
          "-c:a", "aac", "-shortest", str(path)])
    return path


def pattern_clip(path: str | Path, seconds: float = 2.0, size: tuple[int, int] = (320, 240),
                 fps: Fraction | int = 30) -> Path:
    """A moving test pattern with a tone: real motion for encoder benchmarks."""
    path = Path(path)
    w, h = size
    rate = format_rate(Fraction(fps))
    _run(["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r={rate}:d={seconds}",
          "-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=48000:duration={seconds}",
          *_x264(), "-c:a", "aac", "-t", str(seconds), str(path)])
    return path


def vfr_clip(path: str | Path, color: str = "green", seconds: float = 3.0, size: tuple[int, int] = (320, 240)) -> Path:
    """Variable frame rate, as phones record: 30 fps for the first half, 15 fps after, with a tone."""
    path = Path(path)
    w, h = size
    half = seconds / 2
    graph = (
        f"color=c={color}:s={w}x{h}:r=30:d={half}[a];"
        f"color=c={color}:s={w}x{h}:r=15:d={half}[b];"
        "[a][b]concat=n=2:v=1:a=0,settb=1/90000[v]"
    )
    _run(["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
          "-filter_complex", graph, "-map", "[v]", "-map", "0:a",
          "-fps_mode", "vfr", "-video_track_timescale", "90000",
          *_x264(), "-c:a", "aac", str(path)])
    return path


def rotated_clip(path: str | Path, seconds: float = 2.0, size: tuple[int, int] = (320, 180),
                 rotation: int = 90) -> Path:
    """A landscape-coded clip with a display matrix, as a phone held upright writes.

    ``rotation`` is ffmpeg's ``-display_rotation``: degrees counter-clockwise. The coded picture is red on its
    left half and blue on its right half, so upright display is checkable: with the default 90 the player
    turns it counter-clockwise and the blue half ends up on top (probe reports 270 clockwise); with -90 the
    red half does.
    """
    path = Path(path)
    w, h = size
    raw = path.with_name(path.stem + ".raw.mp4")
    graph = (f"color=c=red:s={w // 2}x{h}:r=30:d={seconds}[l];"
             f"color=c=blue:s={w - w // 2}x{h}:r=30:d={seconds}[r];[l][r]hstack[v]")
    _run(["-filter_complex", graph, "-f", "lavfi", "-i",
          f"sine=frequency=523:sample_rate=48000:duration={seconds}",
          "-map", "[v]", "-map", "0:a", *_x264(), "-c:a", "aac", str(raw)])
    # The display matrix is container metadata: set it on a stream copy.
    _run(["-display_rotation", str(rotation), "-i", str(raw), "-c", "copy", str(path)])
    raw.unlink()
    return path


def tone(path: str | Path, hz: float = 1000.0, seconds: float = 2.0, sample_rate: int = 44100,
         channels: int = 1) -> Path:
    """An audio-only file: a sine tone (44.1 kHz mono by default, as phones and music libraries give)."""
    path = Path(path)
    layout = "mono" if channels == 1 else "stereo"
    codec = ["-c:a", "pcm_s16le"] if path.suffix.lower() == ".wav" else ["-c:a", "aac", "-b:a", "128k"]
    _run(["-f", "lavfi", "-i", f"sine=frequency={hz}:sample_rate={sample_rate}:duration={seconds}",
          "-af", f"aformat=channel_layouts={layout}", *codec, str(path)])
    return path


def still(path: str | Path, color: str = "yellow", size: tuple[int, int] = (400, 400)) -> Path:
    """A still image (PNG or JPEG by extension)."""
    path = Path(path)
    w, h = size
    _run(["-f", "lavfi", "-i", f"color=c={color}:s={w}x{h}", "-frames:v", "1", "-update", "1", str(path)])
    return path


def hdr_clip(path: str | Path, seconds: float = 1.0, size: tuple[int, int] = (320, 180)) -> Path:
    """10-bit HEVC tagged BT.2020 / PQ, as an iPhone's HDR recording is."""
    path = Path(path)
    w, h = size
    _run(["-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30:d={seconds}",
          "-vf", "format=yuv420p10le", "-c:v", "libx265", "-preset", "ultrafast",
          "-x265-params", "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc",
          "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
          "-tag:v", "hvc1", str(path)])
    return path


def flash_beep_clip(path: str | Path, seconds: int = 4, size: tuple[int, int] = (320, 240), fps: int = 30,
                    sample_rate: int = 48000) -> Path:
    """Black with a one-frame white flash and a one-frame beep at the start of every second: for A/V sync."""
    path = Path(path)
    w, h = size
    frame = 1 / fps
    video = f"color=c=black:s={w}x{h}:r={fps}:d={seconds},drawbox=c=white:t=fill:enable='lt(mod(t,1),{frame})'"
    # Evaluated per sample, so each beep starts on the flash's first sample and lasts exactly one frame.
    audio = f"aevalsrc='if(lt(mod(t,1),{frame}),sin(2*PI*1000*t),0)':s={sample_rate}:d={seconds}"
    _run(["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio,
          *_x264(), "-c:a", "pcm_s16le", str(path)] if path.suffix.lower() in (".mov", ".mkv") else
         ["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio, *_x264(), "-c:a", "aac", str(path)])
    return path


def click_track(path: str | Path, seconds: int = 4, first: float = 0.0, sample_rate: int = 48000,
                level: float = 0.5) -> Path:
    """Music for checking timing: silence with a 2 ms click (a 1 kHz burst at ``level``) every second from
    ``first`` seconds, stereo, lossless (WAV) so every click keeps its exact sample position."""
    path = Path(path)
    click = f"if(lt(mod(t-{first},1),0.002)*gte(t,{first}),{level}*sin(2*PI*1000*t),0)"
    _run(["-f", "lavfi", "-i", f"aevalsrc='{click}|{click}':s={sample_rate}:d={seconds}",
          "-c:a", "pcm_f32le" if path.suffix.lower() == ".wav" else "flac", str(path)])
    return path


def truncated_copy(source: str | Path, path: str | Path, keep_fraction: float = 0.3) -> Path:
    """The first part of a file's bytes: a download that broke off."""
    data = Path(source).read_bytes()
    path = Path(path)
    path.write_bytes(data[: max(1, int(len(data) * keep_fraction))])
    return path
