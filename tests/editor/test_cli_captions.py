"""`promptcut export --captions FILE`: the caption file is burnt into the video in the default caption style and
written as OUTPUT.srt beside it; the project itself is not changed. Platform checks print as warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from editor.interchange.captions import cues_to_frames, read_captions
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline
from editor.model.text import DEFAULT_CAPTION_STYLE
from editor.project import load_project, save_project
from editor.render.text import text_box

SRT = "1\n00:00:00,200 --> 00:00:00,800\nC'est \"ça\" : 50% \\o/\n\n2\n00:00:01,000 --> 00:00:01,500\n🔥 مرحبا\n"


def promptcut(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "editor.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli-captions")
    clip = synth.color_clip(folder / "green.mp4", "green", 2.0, size=(180, 320), tone_hz=None)
    tl = Timeline.empty(Settings(180, 320, Fraction(30)), video_tracks=1, audio_tracks=0)
    tl.media["m"] = media_source_from_info(probe(clip), "m", str(clip))
    tl.video_tracks[0].add(MediaClip(id="c", start=0, duration=60, media="m"))
    path = folder / "p.promptcut"
    save_project(tl, path)
    return path


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in c.decode(video=0)]


def test_captions_are_burnt_in_and_written_beside(project, tmp_path):
    subs = tmp_path / "subs.srt"
    subs.write_text(SRT, encoding="utf-8")
    plain, out = tmp_path / "plain.mp4", tmp_path / "out.mp4"
    assert promptcut("export", str(project), "-o", str(plain), "-q", "--loudness", "off").returncode == 0
    done = promptcut("export", str(project), "-o", str(out), "-q", "--loudness", "off", "--captions", str(subs))
    assert done.returncode == 0, done.stderr
    a, b = _frames(plain), _frames(out)
    cues = cues_to_frames(read_captions(subs), Fraction(30))
    assert cues == [(6, 24, "C'est \"ça\" : 50% \\o/"), (30, 45, "🔥 مرحبا")]
    for start, end, text in cues:        # each cue's own box changes while it lasts
        x0, y0, x1, y1 = text_box(text, DEFAULT_CAPTION_STYLE, 180, 320)
        for i in (start, end - 1):
            assert np.abs(a[i] - b[i])[y0:y1, x0:x1].mean() > 8, f"cue {text!r} not visible at frame {i}"
    shown = {i for s, e, _ in cues for i in range(s, e)}
    for i in set(range(60)) - shown:
        assert np.abs(a[i] - b[i]).mean() < 1, f"a caption shows at frame {i}, outside every cue"
    assert read_captions(tmp_path / "out.srt") == read_captions(subs)
    assert not any(t.captions for t in load_project(project).timeline.tracks)


def test_a_bad_caption_file_is_one_line_and_nothing_is_written(project, tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:02,000 --> 00:00:01,000\nbackwards\n", encoding="utf-8")
    out = tmp_path / "x.mp4"
    done = promptcut("export", str(project), "-o", str(out), "-q", "--captions", str(bad))
    assert done.returncode != 0 and len(done.stderr.strip().splitlines()) == 1 and "bad.srt" in done.stderr
    assert not out.exists()


def test_platform_checks_print_warnings(project, tmp_path):
    done = promptcut("export", str(project), "-o", str(tmp_path / "s.mp4"), "-q", "--preset", "shorts",
                     "--size", "320x180", "--loudness", "off")
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("warning: YouTube Shorts") and "landscape" in line
               for line in done.stderr.splitlines())
