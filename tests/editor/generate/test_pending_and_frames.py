"""Finding what to generate, and the neighbouring frames that condition it."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from editor.generate import conditioning_images, extract_frame, find_pending
from editor.media.ffmpeg import ffmpeg_exe
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, GenerationSpec, MediaClip, Settings, Take, Timeline

SMALL = Settings(width=90, height=160, fps=Fraction(30))


def rgb(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return next(c.decode(video=0)).to_ndarray(format="rgb24")


def is_colour(pixels: np.ndarray, colour: str) -> bool:
    r, g, b = (float(pixels[..., i].mean()) for i in range(3))
    return {"red": r > 200 and g < 60 and b < 60, "blue": b > 200 and r < 60 and g < 60,
            "green": g > 90 and r < 60 and b < 60, "yellow": r > 200 and g > 200 and b < 60}[colour]


def add_media(tl: Timeline, media_id: str, path: Path) -> None:
    tl.media[media_id] = media_source_from_info(probe(path), media_id)


def pending_clip(clip_id: str, start: int, duration: int, prompt: str = "a kite") -> GeneratedClip:
    return GeneratedClip(clip_id, start, duration, spec=GenerationSpec(prompt=prompt))


@pytest.fixture
def tl(colours) -> Timeline:
    """V1: red [0,15), pending g1 [15,30), blue [30,45), gap [45,60), green [60,75); V2: pending g2 [5,10)."""
    t = Timeline.empty(SMALL, video_tracks=2)
    for name in ("red", "blue", "green"):
        add_media(t, name, colours[name])
    v1, v2 = t.video_tracks
    v1.add(MediaClip("r", 0, 15, media="red"))
    v1.add(pending_clip("g1", 15, 15))
    v1.add(MediaClip("b", 30, 15, media="blue"))
    v1.add(MediaClip("gr", 60, 15, media="green"))
    v2.add(pending_clip("g2", 5, 5, "a logo"))
    t.check()
    return t


def test_find_pending_lists_generated_clips_without_a_ready_take(tl):
    found = find_pending(tl)
    assert [(s.track_id, s.key, s.is_gap) for s in found] == [(tl.video_tracks[0].id, "g1", False),
                                                               (tl.video_tracks[1].id, "g2", False)]
    g1 = found[0]
    assert (g1.previous.id, g1.next.id) == ("r", "b")
    # g2 sits on V2 over the red clip: its neighbours are what shows below its edges
    assert (found[1].previous.id, found[1].next.id) == ("r", "r")


def test_a_clip_with_a_ready_take_is_not_pending_but_an_offline_take_is(tl, colours):
    from dataclasses import replace

    v1 = tl.video_tracks[0]
    add_media(tl, "take", colours["green"])
    i = v1.index_of("g1")
    v1.clips[i] = v1.clips[i].moved(takes=(Take("take", "h"),), active_take=0)
    assert [s.key for s in find_pending(tl)] == ["g2"]
    tl.media["take"] = replace(tl.media["take"], online=False)
    assert [s.key for s in find_pending(tl)] == ["g1", "g2"]


def test_gaps_become_new_generated_clips_with_the_callers_prompt(tl):
    found = find_pending(tl, include_gaps=True, gap_prompt="waves at dusk")
    gaps = [s for s in found if s.is_gap]
    assert [(s.clip.start, s.clip.end) for s in gaps] == [(45, 60)]
    gap = gaps[0]
    assert gap.track_id == tl.video_tracks[0].id and gap.clip.spec.prompt == "waves at dusk"
    assert gap.clip.pending and gap.clip.id not in {c.id for _, c in tl.clips()}
    assert (gap.previous.id, gap.next.id) == ("b", "gr")
    # the leading gap and a gap before the end of the picture are found too
    v1 = tl.video_tracks[0]
    v1.remove("r")
    v1.remove("gr")
    tl.video_tracks[1].add(MediaClip("top", 70, 10, media="green"))
    spans = [(s.clip.start, s.clip.end) for s in find_pending(tl, include_gaps=True, gap_prompt="x") if s.is_gap]
    assert spans == [(0, 15), (45, 80)]


def test_gaps_of_other_tracks_on_request(tl):
    v2 = tl.video_tracks[1].id
    found = [s for s in find_pending(tl, True, gap_prompt="x", gap_tracks=[v2]) if s.is_gap]
    assert {s.track_id for s in found} == {v2}
    assert [(s.clip.start, s.clip.end) for s in found] == [(0, 5), (10, 75)]


def test_order_by_playhead(tl):
    keys = [s.key for s in find_pending(tl, playhead=40)]
    assert keys == ["g1", "g2"]
    keys = [s.key for s in find_pending(tl, playhead=6)]
    assert keys == ["g2", "g1"]


def test_conditioning_frames_are_the_neighbours_colours(tl, tmp_path):
    g1 = find_pending(tl)[0]
    first, last, notes = conditioning_images(tl, g1, tmp_path / "frames")
    assert not notes
    assert first.suffix == ".png" and first.parent == tmp_path / "frames"
    assert is_colour(rgb(first), "red")     # the previous clip's last frame
    assert is_colour(rgb(last), "blue")     # the next clip's first frame
    # asking again gives the same files (stable paths: the same job hash)
    assert conditioning_images(tl, g1, tmp_path / "frames")[:2] == (first, last)


def test_without_neighbours_there_are_no_images(tl, tmp_path):
    g = find_pending(tl, include_gaps=True, gap_prompt="x", gap_tracks=[tl.video_tracks[0].id])
    tl.video_tracks[0].remove("b")
    g1 = find_pending(tl)[0]
    assert g1.next is None
    first, last, _ = conditioning_images(tl, g1, tmp_path)
    assert first is not None and last is None
    assert g  # the earlier search is unaffected


def two_tone(path: Path) -> Path:
    """Red for 15 frames, then green for 15 (30 fps)."""
    graph = "color=c=red:s=64x64:r=30:d=0.5[a];color=c=green:s=64x64:r=30:d=0.5[b];[a][b]concat=n=2:v=1[v]"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "4", str(path)], check=True)
    return path


@pytest.mark.parametrize(("duration", "source_in", "colour"), [(15, 0, "red"), (16, 0, "green"), (5, 10, "red"),
                                                               (5, 11, "green")])
def test_the_previous_clips_last_frame_is_the_exact_frame(tmp_path, duration, source_in, colour):
    t = Timeline.empty(SMALL)
    add_media(t, "tt", two_tone(tmp_path / "tt.mp4"))
    v1 = t.video_tracks[0]
    v1.add(MediaClip("p", 0, duration, source_in, media="tt"))
    v1.add(pending_clip("g", duration, 10))
    t.check()
    first, _, _ = conditioning_images(t, find_pending(t)[0], tmp_path / "frames")
    assert is_colour(rgb(first), colour)


def test_the_next_clips_first_frame_follows_its_source_in(tmp_path):
    t = Timeline.empty(SMALL)
    add_media(t, "tt", two_tone(tmp_path / "tt.mp4"))
    v1 = t.video_tracks[0]
    v1.add(pending_clip("g", 0, 10))
    v1.add(MediaClip("n", 10, 10, 16, media="tt"))
    t.check()
    _, last, _ = conditioning_images(t, find_pending(t)[0], tmp_path / "frames")
    assert is_colour(rgb(last), "green")


def test_stills_and_rotated_footage(colours, tmp_path):
    png = extract_frame(colours["yellow_png"], Fraction(3), tmp_path)
    assert is_colour(rgb(png), "yellow") and rgb(png).shape == (64, 64, 3)
    upright = rgb(extract_frame(colours["rot_cw"], Fraction(1, 2), tmp_path))
    assert upright.shape == (320, 180, 3)   # coded 320x180, shown upright as 180x320
    assert is_colour(upright[:100], "red") and is_colour(upright[-100:], "blue")   # red on top (synth's doc)


def test_an_unreadable_neighbour_is_a_note_not_an_error(tl, tmp_path):
    from dataclasses import replace

    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    tl.media["red"] = replace(tl.media["red"], path=str(broken))
    first, last, notes = conditioning_images(tl, find_pending(tl)[0], tmp_path / "frames")
    assert first is None and is_colour(rgb(last), "blue")
    assert len(notes) == 1 and "previous clip's frame is not used" in notes[0] and "broken.mp4" in notes[0]
