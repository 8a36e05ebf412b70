"""Sound made to match a video shot: a sound clip under the shot, with the shot's prompt, on the first audio
track free over it (a new "SFX" track when none is, in the same undo step), queued at once. A take that brought
its own sound (LTX-2) needs none."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
from shot_support import Doc

from editor.generate.places import places_for
from editor.generate.shot_jobs import Ticket
from editor.media import synth
from editor.model import GeneratedClip, GenerationSpec, Settings, Timeline

SMALL = Settings(width=160, height=90, fps=Fraction(30))
SHOT = GenerationSpec("waves breaking on black rocks", model="tiny-wan")


@pytest.fixture
def places(tmp_path):
    return places_for(tmp_path / "cut.promptcut").make()


def sounds(tl: Timeline) -> list[tuple[str, GeneratedClip]]:
    return [(t.name, c) for t in tl.audio_tracks for c in t.clips
            if isinstance(c, GeneratedClip) and c.spec.kind == "sound"]


def test_matching_sound_goes_under_the_shot_on_a_new_sfx_track_when_the_audio_tracks_are_busy(places):
    tl = Timeline.empty(SMALL)
    tl.video_tracks[0].add(GeneratedClip("shot", 15, 30, spec=SHOT))
    tl.audio_tracks[0].add(GeneratedClip("talk", 0, 60, spec=GenerationSpec("Hello.", kind="speech")))   # a draft
    doc = Doc(tl, places)
    try:
        assert doc.queue.matching_sound("shot", model="tiny-stable-audio")
        assert len(doc.history.undo_stack) == 1 and [t.name for t in tl.audio_tracks] == ["A1", "SFX"]
        [(track, fx)] = sounds(tl)
        assert (track, fx.start, fx.duration, fx.spec.prompt) == ("SFX", 15, 30, SHOT.prompt)
        assert fx.spec.seed is not None and doc.queue.status(fx).state == "queued"   # queued at once
        doc.run_until(lambda: not tl.find(fx.id)[1].pending)
        fx = tl.find(fx.id)[1]
        assert (fx.start, fx.duration) == (15, 30) and tl.media[fx.media_id()].has_audio
        tl.check()
        doc.history.undo()
        doc.history.undo()                                  # the take, then the sound and its track
        assert sounds(tl) == [] and [t.name for t in tl.audio_tracks] == ["A1"]
        tl.check()
    finally:
        doc.queue.close()


def test_request_sound_uses_the_first_free_audio_track_and_says_what_it_cannot_do(places):
    tl = Timeline.empty(SMALL, audio_tracks=2)
    tl.audio_tracks[0].add(GeneratedClip("talk", 0, 20, spec=GenerationSpec("Hello.", kind="speech")))
    doc = Doc(tl, places, client=False)
    try:
        assert doc.queue.request_sound(None, 10, 20, "a door creaks", model="tiny-stable-audio") is True
        [(track, fx)] = sounds(tl)
        assert track == "A2" and fx.spec.model == "tiny-stable-audio"
        refusals = [
            doc.queue.request_sound(tl.video_tracks[0].id, 0, 10, "thunder", model="tiny-stable-audio"),
            doc.queue.request_sound(tl.audio_tracks[0].id, 0, 10, "thunder", model="tiny-stable-audio"),
            doc.queue.request_sound(None, 0, 10, "  ", model="tiny-stable-audio"),
            doc.queue.request_sound(None, 0, 10, "thunder", model="no-such-model"),
            doc.queue.request_sound(None, 0, 10, "thunder", model="tiny-whisper"),
            doc.queue.request_sound(None, 0, 10, "thunder"),   # no real sound model on this machine
        ]
        assert refusals == [False] * 6 and len(sounds(tl)) == 1
        said = doc.queue.notices[-6:]
        assert said[0] == "Sounds go on audio tracks" and "taken" in said[1] and "Describe" in said[2]
        assert "no-such-model" in said[3] and "not sound" in said[4]
        assert "no sound model is installed" in said[5] and "promptcut models download" in said[5]
        assert all("\n" not in s for s in said)
    finally:
        doc.queue.close()


def test_a_take_that_brought_its_own_sound_needs_no_matching_sound(places, tmp_path):
    loud = synth.color_clip(tmp_path / "take-loud.mp4", "red", 1.0, size=(160, 90), tone_hz=440.0)
    tl = Timeline.empty(SMALL)
    shot = GeneratedClip("g", 0, 30, spec=GenerationSpec("a bell rings", model="tiny-wan", seed=7))
    tl.video_tracks[0].add(shot)
    doc = Doc(tl, places, client=False)
    try:
        ticket = Ticket("job-loud", "g", shot.spec, 30, state="done", output=str(loud))   # an LTX-2 take, landed
        doc.queue.tickets[ticket.job_id] = ticket
        deadline = time.monotonic() + 30
        while "g" not in ticket.attached:
            assert time.monotonic() < deadline, "the take was not attached"
            doc.queue.poll()
            doc.queue.sync()
            time.sleep(0.02)
        assert not doc.queue.matching_sound("g", model="tiny-stable-audio")
        assert "already has its own sound" in doc.queue.notices[-1] and sounds(tl) == []
        assert not doc.queue.matching_sound("nope") and not doc.queue.matching_sound(tl.audio_tracks[0].clips[0].id)
    finally:
        doc.queue.close()
