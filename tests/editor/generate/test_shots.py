"""The live shot queue the window uses: a real generator client and worker, the tiny model on the CPU."""

from __future__ import annotations

from fractions import Fraction

import pytest
from shot_support import Doc

from editor.generate.places import places_for
from editor.generate.shots import ShotOptions, ShotQueue
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, GenerationSpec, MediaClip, Settings, Timeline
from editor.model.commands import SetClipProperties, Split, TrimTail

SMALL = Settings(width=90, height=160, fps=Fraction(30))


def sandwich(colours) -> Timeline:
    """V1: red [0,15), a 20-frame gap, blue [35,50)."""
    tl = Timeline.empty(SMALL)
    for name in ("red", "blue"):
        tl.media[name] = media_source_from_info(probe(colours[name]), name)
    tl.video_tracks[0].add(MediaClip("r", 0, 15, media="red"))
    tl.video_tracks[0].add(MediaClip("b", 35, 15, media="blue"))
    return tl


@pytest.fixture
def places(tmp_path):
    return places_for(tmp_path / "cut.promptcut").make()


def V1(doc: Doc) -> str:  # noqa: N802 - reads as the track's name
    return doc.tl.video_tracks[0].id


def generated(tl: Timeline) -> list[GeneratedClip]:
    return [c for _, c in tl.clips() if isinstance(c, GeneratedClip)]


def test_a_prompt_in_a_gap_becomes_a_queued_segment_then_a_ready_take(colours, places):
    doc = Doc(sandwich(colours), places)
    try:
        clip = doc.queue.create(V1(doc), 15, 20, ShotOptions("a paper kite over the sea", model="tiny-wan-flf"))
        assert clip is not None and len(doc.history.undo_stack) == 1
        assert clip.spec.seed is not None and clip.spec.model == "tiny-wan-flf"   # a random seed, recorded
        assert clip.spec.first_image and clip.spec.last_image                  # red's last and blue's first
        status = doc.queue.status(clip)
        assert status.state in ("queued", "generating") and status.job_id
        seen = set()

        def ready() -> bool:
            current = doc.queue.status_by_id(clip.id)
            seen.add(current.state)
            return current.state == "ready"

        doc.run_until(ready)
        assert "generating" in seen or "queued" in seen
        g = doc.tl.find(clip.id)[1]
        assert not g.pending and g.takes[0].spec == g.spec
        assert len(doc.history.undo_stack) == 2          # the segment, then its take: two undo steps
        doc.history.undo()
        assert doc.tl.find(clip.id)[1].pending
        doc.history.undo()
        assert generated(doc.tl) == []
    finally:
        doc.queue.close()


def test_a_split_queued_segment_gives_both_parts_the_take_and_a_longer_trim_replans(colours, places):
    doc = Doc(sandwich(colours), places)
    try:
        clip = doc.queue.create(V1(doc), 15, 20, ShotOptions("waves at dusk", continue_previous=False,
                                                        land_on_next=False))
        assert clip is not None and clip.spec.first_image is None
        doc.do(Split(clip.id, 25, right_id="g2"))
        doc.queue.sync()
        doc.run_until(lambda: all(not c.pending for c in generated(doc.tl)))
        a, b = generated(doc.tl)
        assert a.media_id() == b.media_id()          # one job, one take, two parts
        assert len(doc.queue.tickets) == 1
        # a pending segment trimmed longer than its job covers is planned again (a new job)
        tl2 = Timeline.empty(SMALL)
        tl2.video_tracks[0].add(GeneratedClip("p", 0, 10, spec=a.spec))
        doc2 = Doc(tl2, places)
        try:
            doc2.queue.sync()
            doc2.run_until(lambda: not tl2.find("p")[1].pending)   # the same request: answered from the cache
            assert tl2.find("p")[1].media_id() is not None
        finally:
            doc2.queue.close()
    finally:
        doc.queue.close()


def test_regenerate_adds_a_take_edit_marks_stale_and_switching_takes_is_undoable(colours, places):
    seeds = iter(range(100, 200))
    doc = Doc(sandwich(colours), places, seeds=lambda: next(seeds))
    try:
        clip = doc.queue.create(V1(doc), 15, 20, ShotOptions("a red fox", land_on_next=False))
        doc.run_until(lambda: doc.queue.status_by_id(clip.id).state == "ready")
        first_seed = doc.tl.find(clip.id)[1].spec.seed
        assert first_seed == 100
        assert doc.queue.regenerate(clip.id) == 1
        assert doc.queue.status_by_id(clip.id).state in ("queued", "generating")   # the old take still plays
        doc.run_until(lambda: len(doc.tl.find(clip.id)[1].takes) == 2)
        g = doc.tl.find(clip.id)[1]
        assert g.active_take == 1 and g.spec.seed == 101 and doc.queue.status(g).state == "ready"
        # switching back restores take 1's spec (seed 100); undo switches again
        assert doc.queue.switch_take(clip.id, 0)
        g = doc.tl.find(clip.id)[1]
        assert (g.active_take, g.spec.seed, doc.queue.status(g).state) == (0, 100, "ready")
        doc.history.undo()
        assert doc.tl.find(clip.id)[1].active_take == 1
        # editing the prompt marks the shot stale
        g = doc.tl.find(clip.id)[1]
        doc.do(SetClipProperties(clip.id, spec=GenerationSpec(**{**g.spec.__dict__, "prompt": "a grey fox"})))
        assert doc.queue.status_by_id(clip.id).state == "stale"
    finally:
        doc.queue.close()


def test_cancel_then_retry_and_pending_jobs_resume_after_reopening(colours, places):
    doc = Doc(sandwich(colours), places)
    try:
        slow = doc.queue.create(V1(doc), 15, 20, ShotOptions("slow clouds", steps=400, continue_previous=False,
                                                        land_on_next=False))
        doc.run_until(lambda: doc.queue.status_by_id(slow.id).state == "generating")
        assert doc.queue.cancel(slow.id)
        doc.run_until(lambda: doc.queue.status_by_id(slow.id).state == "cancelled")
        assert doc.queue.status_by_id(slow.id).can_retry
        # make it quick, which re-plans it (a new job); then close with it queued
        g = doc.tl.find(slow.id)[1]
        doc.do(SetClipProperties(slow.id, spec=GenerationSpec(**{**g.spec.__dict__, "steps": 2})))
        doc.queue.sync()
        assert doc.queue.status_by_id(slow.id).state in ("queued", "generating")
        saved = doc.tl.copy()
    finally:
        doc.queue.close()
    reopened = Doc(saved, places)
    try:
        reopened.queue.sync()
        reopened.run_until(lambda: not reopened.tl.find(slow.id)[1].pending)
        assert reopened.queue.status_by_id(slow.id).state == "ready"
    finally:
        reopened.queue.close()


def test_an_unusable_model_is_refused_in_one_line_and_nothing_changes(colours, places):
    doc = Doc(sandwich(colours), places)
    before = doc.tl.copy()
    assert doc.queue.create(V1(doc), 15, 20, ShotOptions("x", model="wan2.1-t2v-1.3b")) is None
    assert doc.tl == before and not doc.queue.started
    assert len(doc.queue.notices) == 1 and "\n" not in doc.queue.notices[0]
    assert doc.queue.notices[0].startswith("Cannot generate this shot:")
    assert doc.queue.create(doc.tl.audio_tracks[0].id, 15, 20, ShotOptions("x")) is None


def test_conditioning_is_offered_only_where_the_model_can(colours):
    from generation.models import list_models

    t2v = next(m.id for m in list_models() if m.id.startswith("wan2.1-t2v"))
    cond = ShotQueue.conditioning_for(t2v)
    assert not cond.continue_ok and "text only" in cond.continue_reason
    flf = ShotQueue.conditioning_for("tiny-wan-flf")
    assert flf.continue_ok and flf.land_ok


def test_a_ready_shot_trimmed_longer_than_its_take_is_generated_again_at_the_new_length(colours, places):
    doc = Doc(sandwich(colours), places)
    try:
        clip = doc.queue.create(V1(doc), 15, 10, ShotOptions("a lighthouse", continue_previous=False,
                                                        land_on_next=False))
        doc.run_until(lambda: doc.queue.status_by_id(clip.id).state == "ready")
        take_frames = doc.tl.media[doc.tl.find(clip.id)[1].media_id()].duration_frames(doc.tl.fps)
        assert take_frames < 20
        assert doc.do(TrimTail(clip.id, 35))          # 20 frames: longer than the take
        g = doc.tl.find(clip.id)[1]
        assert g.pending and len(g.takes) == 1
        doc.queue.sync()
        doc.run_until(lambda: not doc.tl.find(clip.id)[1].pending)
        g = doc.tl.find(clip.id)[1]
        assert len(g.takes) == 2 and g.active_take == 1
        assert doc.tl.media[g.media_id()].duration_frames(doc.tl.fps) >= 20
        doc.tl.check()
    finally:
        doc.queue.close()


def test_a_draft_shot_is_not_queued_until_asked_then_generates(colours, places):
    tl = sandwich(colours)
    tl.video_tracks[0].add(GeneratedClip("d", 15, 20, spec=GenerationSpec("a paper boat", model="tiny-wan")))
    doc = Doc(tl, places)
    try:
        doc.queue.sync()
        status = doc.queue.status_by_id("d")
        assert status.state == "draft" and status.can_retry and not doc.queue.started
        assert doc.queue.retry("d")                      # "Generate": a seed is recorded, the job queued
        assert doc.tl.find("d")[1].spec.seed is not None
        doc.run_until(lambda: doc.queue.status_by_id("d").state == "ready")
    finally:
        doc.queue.close()
