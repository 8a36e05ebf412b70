"""What the install tests share (the wheel in a fresh venv, the desktop bundle): a small timeline to export,
the check of what came out, and a subprocess that must succeed."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av

from editor.interchange.otio import write_otio
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline

SMALL = Settings(width=180, height=320, fps=Fraction(30), sample_rate=48000)
SMALL_FRAMES = 45   # red 15, gap 15, blue 15
SMOKE_PREFIX = "the window opened and closed; "


def checked(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{done.args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def small_timeline(folder: Path) -> Path:
    """A small .otio timeline in ``folder``: a red and a blue clip made with ffmpeg, a gap between them."""
    tl = Timeline.empty(SMALL)
    for media_id, color in (("m1", "red"), ("m2", "blue")):
        path = synth.color_clip(folder / f"{color}.mp4", color, seconds=1.0)
        tl.media[media_id] = media_source_from_info(probe(path), media_id)
    track = tl.video_tracks[0]
    track.add(MediaClip(id="c1", start=0, duration=15, media="m1"))
    track.add(MediaClip(id="c2", start=30, duration=15, media="m2"))
    tl.check()
    return write_otio(tl, folder / "cut.otio")


def assert_small_export(out: Path) -> None:
    """``out`` is the export of :func:`small_timeline`: its size and every frame."""
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (SMALL.width, SMALL.height)
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == SMALL_FRAMES


def smoke_places(done: subprocess.CompletedProcess[str]) -> dict[str, Path]:
    """The theme, icons and fonts folders that ``promptcut open --smoke`` names on its last line."""
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith(SMOKE_PREFIX), line
    found = dict(part.split(" ", 1) for part in line.removeprefix(SMOKE_PREFIX).split(", "))
    assert set(found) == {"theme", "icons", "fonts"}
    return {name: Path(place) for name, place in found.items()}
