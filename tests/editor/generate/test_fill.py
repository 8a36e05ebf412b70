"""Filling a timeline through a real generator client and worker process, with the tiny models on the CPU."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest

from editor.generate import fill, find_pending
from editor.generate.places import places_for
from editor.generate.session import open_client
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, GenerationSpec, History, MediaClip, Settings, Timeline
from editor.model.commands import RemoveTake

SMALL = Settings(width=90, height=160, fps=Fraction(30))


def add_media(tl: Timeline, media_id: str, path: Path) -> None:
    tl.media[media_id] = media_source_from_info(probe(path), media_id)


def sandwich(colours, *, spec: GenerationSpec | None = None, duration: int = 15) -> Timeline:
    """V1: red [0,15), pending g [15,15+duration), blue after it."""
    tl = Timeline.empty(SMALL)
    add_media(tl, "red", colours["red"])
    add_media(tl, "blue", colours["blue"])
    v1 = tl.video_tracks[0]
    v1.add(MediaClip("r", 0, 15, media="red"))
    v1.add(GeneratedClip("g", 15, duration, spec=spec or GenerationSpec(prompt="a kite over the sea", seed=3)))
    v1.add(MediaClip("b", 15 + duration, 15, media="blue"))
    tl.check()
    return tl


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    return places_for(tmp_path_factory.mktemp("fill") / "cut.promptcut").make()


@pytest.fixture(scope="module")
def client(places):
    """One client (and so one warm worker) for the module."""
    with open_client(places) as c:
        yield c


def frame_count(path: str | Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def test_places_sit_beside_the_document(tmp_path):
    p = places_for(tmp_path / "My cut.promptcut")
    assert p.output_dir == tmp_path / "My cut.media" / "generated"
    assert p.store_path.parent == p.output_dir and p.frames_dir.parent == p.output_dir
    assert places_for(None).output_dir.parts[-2:] == ("promptcut", "generated")


def test_fill_attaches_a_take_as_one_undo_step_with_the_spec_that_made_it(colours, client, places):
    tl = sandwich(colours)
    before = tl.copy()
    history = History(tl)
    seen = []
    result = fill(tl, client, places, history=history, model="tiny-wan", progress=seen.append)
    assert result.ok, result.problems
    assert len(result.attached) == 1 and len(history.undo_stack) == 1
    tl.check()
    _, g = tl.find("g")
    assert isinstance(g, GeneratedClip) and not g.pending and len(g.takes) == 1
    media = tl.media[g.media_id()]
    assert Path(media.path).parent.parent == places.output_dir and media.has_video
    assert media.duration_frames(tl.fps) >= g.duration   # covers the segment; trimmed on placement
    # 15 frames at 30 fps = 0.5 s -> 12 frames at 24 fps -> 13 (4k+1)
    assert frame_count(media.path) == 13
    spec = g.spec
    assert (spec.prompt, spec.model, spec.seed, spec.steps, spec.guidance) == ("a kite over the sea", "tiny-wan", 3,
                                                                                2, 5.0)
    assert (spec.width, spec.height) == (64, 128)   # the 9:16 canvas gets the portrait size
    assert spec.first_image and Path(spec.first_image).parent == places.frames_dir
    assert spec.last_image is None   # tiny-wan cannot end on a frame: dropped, with a note
    assert any("next clip's first frame is not used" in note for note in result.notes)
    assert g.takes[0].spec_hash == spec.content_hash()
    assert seen and seen[-1].finished == seen[-1].total == 1 and seen[-1].fraction == 1.0
    # one undo step takes it all back (the media, the spec, the take); redo puts it back
    history.undo()
    assert tl == before
    tl.check()
    history.redo()
    assert tl.find("g")[1] == g


def test_regenerating_from_the_recorded_spec_hits_the_cache(colours, places):
    tl = sandwich(colours, spec=GenerationSpec(prompt="a lighthouse at night"))   # no seed: a random one
    with open_client(places) as first_client:
        first = fill(tl, first_client, places, model="tiny-wan")
    assert first.ok, first.problems
    _, g = tl.find("g")
    assert g.spec.seed is not None
    path = first.attached[0].path
    history = History(tl)
    history.do(RemoveTake("g", 0))
    assert [s.key for s in find_pending(tl)] == ["g"]
    with open_client(places) as second_client:
        again = fill(tl, second_client, places)   # no --model: the recorded spec names it
        assert second_client.worker_starts == 0   # answered from the cache, no generator started
    assert again.ok, again.problems
    assert again.attached[0].path == path
    _, g2 = tl.find("g")
    assert g2.spec == g.spec and g2.takes[0].spec_hash == g.takes[0].spec_hash


def test_gaps_are_filled_with_new_clips_one_undo_step_each(colours, client, places):
    tl = sandwich(colours)
    v1 = tl.video_tracks[0]
    v1.remove("g")   # a 15-frame gap between red and blue
    before = tl.copy()
    history = History(tl)
    result = fill(tl, client, places, history=history, include_gaps=True, gap_prompt="fog rolls in",
                  model="tiny-wan")
    assert result.ok, result.problems
    clip = v1.clip_at(20)
    assert isinstance(clip, GeneratedClip) and (clip.start, clip.end) == (15, 30) and not clip.pending
    assert clip.spec.prompt == "fog rolls in" and clip.spec.model == "tiny-wan"
    tl.check()
    history.undo()
    assert tl == before


def test_nearest_the_playhead_goes_first_and_problems_do_not_stop_the_rest(colours, client, places):
    tl = sandwich(colours, spec=GenerationSpec(prompt="near the start", seed=8, model="tiny-wan"))
    v1 = tl.video_tracks[0]
    v1.add(GeneratedClip("later", 60, 10, spec=GenerationSpec(prompt="near the playhead", seed=8,
                                                              model="tiny-wan")))
    # a segment the first+last-frame model cannot make (no neighbours at all), far along the timeline
    v1.add(GeneratedClip("lonely", 200, 10, spec=GenerationSpec(prompt="x", model="tiny-wan-flf", seed=1)))
    result = fill(tl, client, places, playhead=64)
    assert sorted(a.clip_id for a in result.attached) == ["g", "later"]
    priority = {j.spec.prompt: j.priority for j in client.jobs()}
    assert priority["near the playhead"] > priority["near the start"]
    assert len(result.problems) == 1
    label, why = result.problems[0]
    assert "00:00:06:20" in label and "cannot generate from text alone" in why
    assert "1 segment not generated" in result.summary()
    assert tl.find("lonely")[1].pending
    tl.check()


def test_a_real_model_that_is_not_installed_is_a_problem_naming_the_fix(colours, client, places):
    tl = sandwich(colours)
    result = fill(tl, client, places)   # no model named anywhere, and no real model installed
    assert not result.attached
    assert "no video model is installed" in result.problems[0][1]
    result = fill(tl, client, places, model="wan2.1-t2v-1.3b")
    assert "promptcut models download wan2.1-t2v-1.3b" in result.problems[0][1]
    assert tl.find("g")[1].pending


def test_first_and_last_frame_model_gets_both_neighbours(colours, client, places):
    tl = sandwich(colours, spec=GenerationSpec(prompt="a bridge", seed=4))
    result = fill(tl, client, places, model="tiny-wan-flf")
    assert result.ok, result.problems
    spec = tl.find("g")[1].spec
    assert spec.first_image and spec.last_image and spec.first_image != spec.last_image
    job = client.jobs()[0]
    assert job.spec.first_image == spec.first_image and job.mode == "first_last_frame"


def test_cancelling_a_fill_cancels_its_jobs_and_leaves_the_timeline_alone(colours, client, places):
    import threading

    from editor.generate import FillCancelled

    tl = sandwich(colours, spec=GenerationSpec(prompt="never made", seed=12345, model="tiny-wan", steps=300))
    before = tl.copy()
    cancel = threading.Event()

    def progress(p):
        cancel.set()   # as soon as the jobs are submitted

    with pytest.raises(FillCancelled):
        fill(tl, client, places, progress=progress, cancel=cancel)
    assert tl == before
    job = next(j for j in client.jobs() if j.spec.prompt == "never made")
    job = client.wait(job.id, timeout=120)
    assert job.state == "cancelled"
