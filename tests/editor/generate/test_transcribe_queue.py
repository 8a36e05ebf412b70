"""Captions from a clip's sound: the shot queue transcribes the file a clip plays (tiny-whisper here, whose
words are arbitrary) and, when done, puts the words the clip plays on a caption track over it, one undo step."""

from __future__ import annotations

from fractions import Fraction

import pytest
from shot_support import Doc

from editor.generate.places import places_for
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, GenerationSpec, MediaClip, Settings, TextClip, Timeline

SMALL = Settings(width=160, height=90, fps=Fraction(30))


@pytest.fixture
def places(tmp_path):
    return places_for(tmp_path / "cut.promptcut").make()


def caption_tracks(tl: Timeline):
    return [t for t in tl.video_tracks if t.captions]


def test_a_clips_sound_becomes_timed_captions_inside_the_clip_in_one_undo_step(places, tmp_path):
    voice = synth.color_clip(tmp_path / "talk.mp4", "red", 3.0, size=(160, 90), tone_hz=330.0)
    tl = Timeline.empty(SMALL)
    tl.media["talk"] = media_source_from_info(probe(voice), "talk")
    tl.audio_tracks[0].add(MediaClip("t", 12, 45, source_in=15, media="talk"))
    doc = Doc(tl, places)
    try:
        assert doc.queue.transcribe("t", model="tiny-whisper")
        assert doc.queue.transcribing("t")
        doc.run_until(lambda: bool(caption_tracks(tl)) or any("Cannot" in n for n in doc.queue.notices))
        assert not doc.queue.transcribing("t")
        [track] = caption_tracks(tl)
        assert track.clips and all(isinstance(c, TextClip) and c.text.strip() for c in track.clips)
        for cue in track.clips:                                  # inside the clip, words inside their cue
            assert cue.start >= 12 and cue.end <= 12 + 45
            assert cue.words and all(0 <= a <= b <= cue.duration for _, a, b in cue.words)
        assert len(doc.history.undo_stack) == 1
        tl.check()
        doc.history.undo()
        assert caption_tracks(tl) == []
        tl.check()
    finally:
        doc.queue.close()


def test_transcribe_says_at_once_why_it_cannot(places, colours):
    tl = Timeline.empty(SMALL)
    tl.media["red"] = media_source_from_info(probe(colours["red"]), "red")        # a picture without sound
    tl.video_tracks[0].add(MediaClip("silent", 0, 20, media="red", name="red"))
    tl.audio_tracks[0].add(GeneratedClip("line", 0, 20, spec=GenerationSpec("Hello.", kind="speech")))
    doc = Doc(tl, places, client=False)
    try:
        assert not doc.queue.transcribe("silent", model="tiny-whisper")
        assert not doc.queue.transcribe("line", model="tiny-whisper")
        assert not doc.queue.transcribe("nope")
        said = doc.queue.notices[-3:]
        assert "no sound" in said[0] and "no take yet" in said[1] and "no longer" in said[2]
        tl.media["loud"] = media_source_from_info(probe(synth.color_clip(
            places.output_dir / "loud.mp4", "red", 1.0, size=(160, 90), tone_hz=440.0)), "loud")
        tl.audio_tracks[0].add(MediaClip("loud", 30, 20, media="loud"))
        assert not doc.queue.transcribe("loud")                 # no real Whisper on this machine
        assert "no speech-to-text model is installed" in doc.queue.notices[-1]
        assert not doc.queue.transcribe("loud", model="tiny-stable-audio")
        assert "does not transcribe" in doc.queue.notices[-1]
    finally:
        doc.queue.close()
