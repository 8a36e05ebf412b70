"""Speech and sound clips in the live shot queue: a real generator client and worker, the built-in voice and
the tiny sound model on the CPU. A speech clip is queued once it has a seed and becomes as long as what it
says; a sound clip gets a take of its own length."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from shot_support import Doc

from editor.generate.places import places_for
from editor.model import GeneratedClip, GenerationSpec, Settings, Timeline
from editor.model.commands import SetClipProperties
from editor.model.commands.story import set_storyboard
from editor.model.story import Story, Storyboard

SMALL = Settings(width=90, height=160, fps=Fraction(30))
LINE = "The kite climbs over the harbour wall and the gulls follow it."


@pytest.fixture
def places(tmp_path):
    return places_for(tmp_path / "cut.promptcut").make()


def speech(clip_id: str, text: str, start: int, duration: int, **spec) -> GeneratedClip:
    return GeneratedClip(clip_id, start, duration, spec=GenerationSpec(text, kind="speech", **spec))


def sound(clip_id: str, prompt: str, start: int, duration: int, **spec) -> GeneratedClip:
    spec.setdefault("model", "tiny-stable-audio")
    return GeneratedClip(clip_id, start, duration, spec=GenerationSpec(prompt, kind="sound", **spec))


def clip(doc: Doc, clip_id: str) -> GeneratedClip:
    return doc.tl.find(clip_id)[1]


def seeded(doc: Doc, clip_id: str, seed: int) -> None:
    assert doc.do(SetClipProperties(clip_id, spec=replace(clip(doc, clip_id).spec, seed=seed), label="Generate"))


def test_a_spoken_line_is_queued_once_it_has_a_seed_and_becomes_as_long_as_its_speech(places):
    tl = Timeline.empty(SMALL, audio_tracks=2)
    a1, a2 = tl.audio_tracks
    a1.add(speech("a", LINE, 0, 10))
    a1.add(speech("b", "Then it falls.", 40, 10))      # a draft: never queued here
    a2.add(speech("c", LINE, 0, 10))                   # the same line: the same job, the same take
    doc = Doc(tl, places)
    attached: list[str] = []
    doc.queue.on_attached = lambda clips: attached.extend(c.id for c in clips)
    try:
        doc.queue.sync()
        assert doc.queue.status(clip(doc, "a")).state == "draft" and not doc.queue.started
        seeded(doc, "a", 5)
        seeded(doc, "c", 5)
        doc.queue.sync()
        assert doc.queue.status(clip(doc, "a")).state in ("queued", "generating")
        doc.run_until(lambda: not clip(doc, "a").pending and not clip(doc, "c").pending)
        a, c = clip(doc, "a"), clip(doc, "c")
        media = tl.media[c.media_id()]
        assert media.path.endswith(".wav") and media.has_audio and not media.has_video
        spoken = media.duration_frames(tl.fps)
        assert spoken > 40                                  # a dozen words: well over a second and a third
        assert c.duration == spoken                         # as long as the speech
        assert (a.duration, a.media_id()) == (40, c.media_id())   # up to the next clip on its track
        assert a.takes[0].spec.voice == "espeak-ng:en-us" and a.spec.voice == ""   # the voice it was spoken in
        assert doc.queue.status(a).state == "ready" and doc.queue.status(clip(doc, "b")).state == "draft"
        assert sorted(attached) == ["a", "c"]
        steps = len(doc.history.undo_stack)
        doc.history.undo()                                   # the take and the new length: one step
        assert clip(doc, "c").pending and clip(doc, "c").duration == 10
        tl.check()
        doc.history.redo()
        assert clip(doc, "c").duration == spoken and not clip(doc, "c").pending
        assert len(doc.history.undo_stack) == steps
        tl.check()
    finally:
        doc.queue.close()


def test_speech_follows_the_storyboard_voice_and_regenerates_only_when_the_voice_or_words_change(places):
    tl = Timeline.empty(SMALL)
    tl.story = Story(storyboard=Storyboard(voice="espeak-ng:en-gb"))
    tl.audio_tracks[0].add(speech("s", "Good morning.", 0, 30, seed=1))
    doc = Doc(tl, places)
    try:
        doc.queue.sync()
        doc.run_until(lambda: not clip(doc, "s").pending)
        s = clip(doc, "s")
        assert s.takes[0].spec.voice == "espeak-ng:en-gb" and doc.queue.status(s).state == "ready"
        assert doc.queue.regenerate("s") == 0                # the same words in the same voice: nothing new
        assert "already spoken" in doc.queue.notices[-1]
        assert doc.do(set_storyboard(tl, replace(tl.story.storyboard, voice="espeak-ng:en-us")))
        status = doc.queue.status(clip(doc, "s"))
        assert (status.state, status.text()) == ("stale", "Voice changed: regenerate?")
        assert doc.queue.regenerate("s") == 1
        doc.run_until(lambda: len(clip(doc, "s").takes) == 2)
        s = clip(doc, "s")
        assert s.active_take == 1 and s.takes[1].spec.voice == "espeak-ng:en-us" and s.spec.voice == ""
        assert doc.queue.status(s).state == "ready"
        assert doc.queue.switch_take("s", 0)                 # the old voice again: the clip still follows the board
        assert clip(doc, "s").spec.voice == "" and doc.queue.status(clip(doc, "s")).state == "stale"
        doc.do(SetClipProperties("s", spec=replace(clip(doc, "s").spec, voice_speed=1.5)))
        assert doc.queue.status(clip(doc, "s")).state == "stale"   # faster now: the take says it slower
        tl.check()
    finally:
        doc.queue.close()


def test_a_sound_clip_gets_a_take_of_its_own_length_and_regenerate_makes_another_with_a_new_seed(places):
    tl = Timeline.empty(SMALL)
    tl.audio_tracks[0].add(sound("rain", "rain on a tin roof", 5, 20, seed=3))
    doc = Doc(tl, places, seeds=iter(range(100, 200)).__next__)
    try:
        doc.queue.sync()
        doc.run_until(lambda: not clip(doc, "rain").pending)
        rain = clip(doc, "rain")
        media = tl.media[rain.media_id()]
        assert (rain.start, rain.duration) == (5, 20) and media.has_audio
        assert media.duration_frames(tl.fps) >= 20 and doc.queue.status(rain).state == "ready"
        assert doc.queue.regenerate("rain") == 1
        assert doc.queue.status(clip(doc, "rain")).state == "queued"   # a new take is on its way
        doc.run_until(lambda: len(clip(doc, "rain").takes) == 2)
        rain = clip(doc, "rain")
        assert rain.active_take == 1 and rain.spec.seed == 100 and rain.takes[1].media_id != rain.takes[0].media_id
        assert rain.duration == 20 and doc.queue.status(rain).state == "ready"
        doc.history.undo()
        assert clip(doc, "rain").active_take == 0 and clip(doc, "rain").spec.seed == 3
        tl.check()
    finally:
        doc.queue.close()


def test_a_sound_being_made_can_be_cancelled_and_retried(places):
    tl = Timeline.empty(SMALL)
    tl.audio_tracks[0].add(sound("slow", "wind in the rigging", 0, 15, seed=4, steps=400))
    doc = Doc(tl, places)
    try:
        doc.queue.sync()
        doc.run_until(lambda: doc.queue.status(clip(doc, "slow")).state == "generating")
        assert doc.queue.cancel("slow")
        doc.run_until(lambda: doc.queue.status(clip(doc, "slow")).state == "cancelled")
        assert doc.queue.status(clip(doc, "slow")).can_retry and clip(doc, "slow").pending
        doc.do(SetClipProperties("slow", spec=replace(clip(doc, "slow").spec, steps=2)))   # quick now: a new job
        doc.queue.sync()
        doc.run_until(lambda: not clip(doc, "slow").pending)
        assert clip(doc, "slow").duration == 15
    finally:
        doc.queue.close()


def test_a_speech_clip_with_nothing_to_say_or_an_unknown_voice_fails_with_one_line(places):
    tl = Timeline.empty(SMALL)
    tl.audio_tracks[0].add(speech("quiet", "   ", 0, 10, seed=1))
    tl.audio_tracks[0].add(speech("odd", "Hello.", 20, 10, seed=1, voice="espeak-ng:klingon"))
    doc = Doc(tl, places)
    try:
        doc.queue.sync()
        doc.run_until(lambda: all(doc.queue.status(clip(doc, i)).state == "failed" for i in ("quiet", "odd")))
        assert "nothing to say" in doc.queue.status(clip(doc, "quiet")).message
        assert "klingon" in doc.queue.status(clip(doc, "odd")).message
        assert "\n" not in doc.queue.status(clip(doc, "odd")).text()
    finally:
        doc.queue.close()


@pytest.mark.parametrize("board_voice", ["espeak-ng", "espeak-ng:en-us"])
def test_a_voice_named_by_its_model_alone_is_its_default_voice_not_a_change(board_voice):
    """A project may hold a bare model name as its voice; the take records "<model>:<voice>". They are the
    same voice, so the line settles instead of asking "Voice changed" for ever."""
    from editor.generate.audio_shots import voice_changed
    from editor.model import Take

    tl = Timeline.empty(SMALL)
    tl.story = Story(storyboard=Storyboard(voice=board_voice))
    spoken = GenerationSpec("Good morning.", kind="speech", seed=1)
    line = GeneratedClip("s", 0, 30, spec=spoken, active_take=0,
                         takes=(Take("m", "h", replace(spoken, voice="espeak-ng:en-us")),))
    assert not voice_changed(tl, line)
    tl.story = Story(storyboard=Storyboard(voice="espeak-ng:en-gb"))
    assert voice_changed(tl, line)
