"""Real media made with ffmpeg (once per module) and projects that use it, for the archive tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaSource, Timeline
from editor.model.testing import clip


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("archive-media")
    return {"red": synth.color_clip(d / "red.mp4", seconds=1.0),
            "blue": synth.color_clip(d / "blue.mp4", color="blue", seconds=1.0),
            "tone": synth.tone(d / "tone.wav", seconds=1.0),
            "still": synth.still(d / "logo.png")}


def pool_entry(media_id: str, path: Path) -> MediaSource:
    return media_source_from_info(probe(path), media_id, str(path))


def place(tl: Timeline, media_id: str, path: Path, *, track: str = "video", start: int | None = None) -> None:
    """``path`` in the pool as ``media_id`` and a 15-frame clip of it at the end of the first track of its kind."""
    tl.media[media_id] = pool_entry(media_id, path)
    target = (tl.video_tracks if track == "video" else tl.audio_tracks)[0]
    target.add(clip(media_id, target.end if start is None else start, 15, clip_id=f"c-{media_id}"))


def copy_to(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, target))
