"""Exporting a timeline with a caption track: each cue is burnt into the picture exactly while it lasts, and
the cues are written as ``<output>.srt`` beside the video."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest
from render_support import place_clip, timeline

from editor.interchange.caption_tracks import caption_cues, srt_beside
from editor.interchange.captions import cues_to_frames, read_captions
from editor.model.commands.captions import ImportCaptions
from editor.model.text import DEFAULT_CAPTION_STYLE
from editor.render.export import export, resolve_settings
from editor.render.text import text_box

FRAMES = 60
CUES = [(6, 24, "It's 100% \"hi\""), (36, 51, "🔥 مرحبا\nline two")]


def _frames(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in c.decode(video=0)]


@pytest.fixture(scope="module")
def exports(media, tmp_path_factory):
    """The same blue picture exported without and with a caption track; (plain, captioned, timeline)."""
    folder = tmp_path_factory.mktemp("captions-export")
    plain_tl = timeline()
    place_clip(plain_tl, 0, media["green_silent"], 0, FRAMES)
    captioned = plain_tl.copy()
    ImportCaptions(CUES).apply(captioned)
    settings = resolve_settings(plain_tl, None, loudness=None)
    plain = export(plain_tl, folder / "plain.mp4", settings).path
    result = export(captioned, folder / "captioned.mp4", settings)
    return plain, result, captioned


def test_each_cue_shows_in_its_region_during_its_frames_and_nowhere_else(exports):
    plain, result, tl = exports
    a, b = _frames(plain), _frames(result.path)
    assert len(a) == len(b) == FRAMES
    w, h = tl.settings.width, tl.settings.height
    for start, end, text in CUES:
        x0, y0, x1, y1 = text_box(text, DEFAULT_CAPTION_STYLE, w, h)
        for i in (start, (start + end) // 2, end - 1):
            diff = np.abs(a[i] - b[i])[y0:y1, x0:x1].mean()
            assert diff > 8, f"cue {text!r} not visible at frame {i} (mean difference {diff:.1f})"
    shown = {i for s, e, _ in CUES for i in range(s, e)}
    for i in range(FRAMES):
        if i not in shown:
            assert np.abs(a[i] - b[i]).mean() < 2, f"a caption shows at frame {i}, outside every cue"


def test_the_srt_beside_the_output_equals_the_cues(exports):
    _, result, tl = exports
    srt = srt_beside(result.path)
    assert srt.name == "captioned.srt" and srt.exists()
    cues = read_captions(srt)
    assert cues == caption_cues(tl)
    assert cues_to_frames(cues, Fraction(30)) == CUES


def test_no_caption_track_writes_no_srt(exports):
    plain, _, _ = exports
    assert not srt_beside(plain).exists()


def test_a_caption_file_that_cannot_be_written_is_a_note_not_a_lost_export(media, tmp_path):
    tl = timeline()
    place_clip(tl, 0, media["green_silent"], 0, 15)
    ImportCaptions([(0, 10, "hi")]).apply(tl)
    srt_beside(tmp_path / "out.mp4").mkdir()   # a folder where the .srt would go
    result = export(tl, tmp_path / "out.mp4", resolve_settings(tl, None, loudness=None))
    assert result.path.exists() and result.frames == 15
    assert any("captions not written" in n and "out.srt" in n for n in result.notes)
