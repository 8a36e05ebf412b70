"""Timed words to captions: cues split where a subtitler would (sentence ends, pauses, length), mapped from the
source's seconds to timeline frames through the clip that plays them, never overlapping and never a flash; then
put on a caption track as text clips carrying their words, one undo step on a real timeline."""

from __future__ import annotations

from fractions import Fraction

import pytest

from editor.generate.transcripts import CaptionCue, caption_command, cues_from_words
from editor.model import EditError, TextClip, Timeline
from editor.model.commands import History
from editor.model.commands.captions import ImportCaptions
from editor.model.commands.structure import SetTrackFlags
from editor.model.text import DEFAULT_CAPTION_STYLE, TextStyle
from generation.audio.result import Word


def words(*spec: tuple[str, float, float]) -> list[dict]:
    return [{"text": t, "start": s, "end": e} for t, s, e in spec]


def even(text: str, start: float = 0.0, each: float = 0.3) -> list[dict]:
    """The words of ``text`` spoken back to back, ``each`` seconds apiece from ``start``."""
    return words(*((w, start + i * each, start + (i + 1) * each) for i, w in enumerate(text.split())))


def texts(cues: list[CaptionCue]) -> list[str]:
    return [c.text for c in cues]


def assert_well_formed(cues: list[CaptionCue], fps: int = 30) -> None:
    """In order, not overlapping, at least 0.3 s each, words inside their cue and in order."""
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.end <= b.start
    for c in cues:
        assert c.duration >= 0.3 * fps
        assert [w for w, _, _ in c.words] == c.text.split(" ")
        previous = 0
        for _, first, end in c.words:
            assert previous <= first <= end <= c.duration
            previous = end


# -- splitting ---------------------------------------------------------------------------------------------------------


def test_a_cue_ends_with_its_sentence():
    cues = cues_from_words(even("The harbour wakes. Gulls call!"), fps=30, offset_frames=0)
    assert texts(cues) == ["The harbour wakes.", "Gulls call!"]
    assert [(c.start, c.end) for c in cues] == [(0, 27), (27, 45)]
    assert_well_formed(cues)


def test_a_pause_longer_than_six_tenths_of_a_second_starts_a_new_cue():
    spoken = words(("Wait", 0.0, 0.3), ("for", 0.3, 0.5), ("it", 0.5, 0.7),      # 0.5 s pause: same cue
                   ("now", 1.2, 1.5), ("then", 2.2, 2.5))                          # 0.7 s pause: new cue
    cues = cues_from_words(spoken, fps=30, offset_frames=0)
    assert texts(cues) == ["Wait for it now", "then"]
    assert_well_formed(cues)


def test_long_runs_split_by_characters_words_and_seconds():
    line = "and so the little boats went out across the quiet water while the town slept on under grey skies"
    for cues, limit in ((cues_from_words(even(line, each=0.2), fps=30, offset_frames=0), "chars"),
                        (cues_from_words(even(line, each=0.2), fps=30, offset_frames=0, max_chars=200), "words"),
                        (cues_from_words(even(line, each=0.6), fps=30, offset_frames=0, max_chars=200,
                                         max_words=50), "seconds")):
        assert " ".join(texts(cues)) == line                        # nothing lost, nothing repeated
        assert all(len(t) <= 32 for t in texts(cues)) or limit != "chars"
        assert all(len(t.split()) <= 7 for t in texts(cues))
        assert all(c.duration <= 3.5 * 30 for c in cues)
        assert_well_formed(cues)


def test_a_comma_late_in_a_full_cue_is_where_it_breaks():
    cues = cues_from_words(even("Over the hills and far away, we go home tonight"), fps=30, offset_frames=0)
    assert texts(cues) == ["Over the hills and far away,", "we go home tonight"]


def test_a_word_longer_than_a_line_gets_a_cue_of_its_own():
    cues = cues_from_words(even("Supercalifragilisticexpialidocious-ness-ish-thing is long"), fps=30,
                           offset_frames=0)
    assert texts(cues) == ["Supercalifragilisticexpialidocious-ness-ish-thing", "is long"]


def test_words_of_unspaced_scripts_join_without_spaces():
    cues = cues_from_words(words(("港", 0.0, 0.2), ("口", 0.2, 0.4), ("醒", 0.4, 0.6), ("了。", 0.6, 0.8)), fps=30,
                           offset_frames=0)
    assert texts(cues) == ["港口醒了。"]


# -- timing ------------------------------------------------------------------------------------------------------------


def test_source_seconds_land_at_the_clips_start_plus_their_distance_from_source_in_over_speed():
    spoken = words(("early", 0.2, 0.6), ("one", 2.0, 2.4), ("two", 2.4, 3.0), ("late", 9.0, 9.5))
    cues = cues_from_words(spoken, fps=30, offset_frames=120, source_in_seconds=Fraction(3, 2), speed=2,
                           duration_frames=60)
    # "one" at 2.0 s: 120 + (2.0 - 1.5) * 30 / 2 = 127.5 -> 128; "two" from 2.4 s (133.5 -> 134) to 3.0 s (143).
    [cue] = cues
    assert (cue.start, cue.end, cue.text) == (128, 143, "one two")
    assert cue.words == (("one", 0, 6), ("two", 6, 15))           # "early" was before source_in, "late" after the clip


def test_slow_motion_stretches_the_words_and_a_non_integer_rate_is_exact_enough():
    spoken = words(("slow", 1.0, 1.5))
    [half] = cues_from_words(spoken, fps=30, offset_frames=0, speed=Fraction(1, 2))
    assert (half.start, half.end) == (60, 90)
    [ntsc] = cues_from_words(spoken, fps=Fraction(30000, 1001), offset_frames=10)
    assert (ntsc.start, ntsc.end) == (40, 55)                     # 29.97 fps: 1.0 s -> 29.97 frames, 1.5 s -> 44.96


def test_words_cut_by_the_clips_edges_are_kept_in_part():
    spoken = words(("half", 0.8, 1.4), ("in", 1.4, 1.8), ("over", 1.9, 2.6))
    [cue] = cues_from_words(spoken, fps=30, offset_frames=0, source_in_seconds=1.0, duration_frames=30)
    assert cue.text == "half in over" and (cue.start, cue.end) == (0, 30)


def test_a_freeze_frame_plays_no_words_and_bad_words_are_skipped():
    assert cues_from_words(even("still here"), fps=30, offset_frames=0, speed=0) == []
    junk = [{"text": "", "start": 0, "end": 1}, {"text": "ok", "start": "x", "end": 1}, {"start": 0, "end": 1},
            {"text": "fine", "start": 0.0, "end": float("nan")}, {"text": " kept ", "start": 0.0, "end": 0.5}]
    assert texts(cues_from_words(junk, fps=30, offset_frames=0)) == ["kept"]


def test_transcript_word_objects_work_as_well_as_dicts():
    spoken = [Word("Hello", 0.0, 0.4, 0.9), Word("there.", 0.4, 0.8)]
    assert cues_from_words(spoken, fps=30, offset_frames=0) == cues_from_words(
        [w.to_dict() for w in spoken], fps=30, offset_frames=0)


def test_every_cue_lasts_long_enough_to_read_borrowing_free_time_or_joining_a_neighbour():
    quick = words(("Hi.", 1.0, 1.0), ("Yes.", 1.1, 1.15), ("No.", 1.2, 1.22), ("Ok.", 5.0, 5.0))
    cues = cues_from_words(quick, fps=30, offset_frames=0)
    assert texts(cues) == ["Hi. Yes.", "No.", "Ok."]               # "Yes." had no room: it joined "Hi."
    assert_well_formed(cues)
    assert (cues[0].start, cues[0].end) == (24, 36)                # "Hi." borrowed the frames before it
    assert (cues[1].start, cues[1].end) == (36, 45)                # "No." the frames after it
    assert (cues[2].start, cues[2].end) == (142, 151)              # the last ends with the speech, so begins earlier
    overlapping = words(("one", 0.0, 0.5), ("two.", 0.4, 0.9), ("three", 0.85, 1.2))
    assert_well_formed(cues_from_words(overlapping, fps=30, offset_frames=0))


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="frame rate"):
        cues_from_words([], fps=0, offset_frames=0)
    with pytest.raises(ValueError, match="positive"):
        cues_from_words([], fps=30, offset_frames=0, max_chars=0)
    assert cues_from_words([], fps=30, offset_frames=0) == []


# -- onto a timeline ---------------------------------------------------------------------------------------------------


def captions(tl: Timeline):
    return [t for t in tl.video_tracks if t.captions]


@pytest.fixture
def tl() -> Timeline:
    t = Timeline.empty()
    t.check()
    return t


CUES = cues_from_words(even("The harbour wakes up at dawn. Gulls call over the water."), fps=30, offset_frames=15)


def test_cues_become_a_new_caption_track_on_top_with_their_words_in_one_undo_step(tl):
    history = History(tl)
    before = tl.copy()
    history.do(caption_command(tl, CUES))
    tl.check()
    [track] = captions(tl)
    assert track is tl.video_tracks[-1] and track.name == "Captions"
    assert [(c.start, c.end, c.text, c.words) for c in track.clips] == [
        (c.start, c.end, c.text, c.words) for c in CUES]
    assert all(isinstance(c, TextClip) and c.style == DEFAULT_CAPTION_STYLE for c in track.clips)
    assert len(history.undo_stack) == 1 and history.undo_label == "Auto captions"
    ids = [c.id for c in track.clips]
    history.undo()
    tl.check()
    assert tl == before
    history.redo()
    tl.check()
    assert [c.id for c in captions(tl)[0].clips] == ids            # a redo makes the same clips


def test_a_second_transcript_gets_its_own_track_named_apart(tl):
    History(tl).do(caption_command(tl, CUES))
    bold = TextStyle(size=0.08)
    History(tl).do(caption_command(tl, CUES, style=bold))
    tl.check()
    first, second = captions(tl)
    assert (first.name, second.name) == ("Captions", "Auto captions")
    assert all(c.style == bold for c in second.clips)


def test_on_an_existing_caption_track_the_cues_in_their_span_are_replaced(tl):
    history = History(tl)
    style = TextStyle(size=0.07)
    old = history.do(ImportCaptions([(0, 30, "straddles the start"), (60, 90, "inside"), (400, 430, "after")],
                                    style=style))
    before = tl.copy()
    history.do(caption_command(tl, CUES, track_id=old.track_id))
    tl.check()
    [track] = captions(tl)
    span = (CUES[0].start, CUES[-1].end)
    assert [(c.start, c.end, c.text) for c in track.clips] == [
        (0, span[0], "straddles the start"), *((c.start, c.end, c.text) for c in CUES), (400, 430, "after")]
    assert all(c.style == style for c in track.clips)              # the track's own style
    history.undo()
    tl.check()
    assert tl == before


def test_refusals_are_one_line_and_change_nothing(tl):
    with pytest.raises(EditError, match="no words"):
        caption_command(tl, [])
    with pytest.raises(EditError, match="overlaps"):
        caption_command(tl, [CaptionCue(0, 30, "a"), CaptionCue(20, 40, "b")])
    with pytest.raises(EditError, match="no caption track"):
        caption_command(tl, CUES, track_id=tl.video_tracks[0].id)
    history = History(tl)
    track = history.do(ImportCaptions([(0, 10, "x")])).track_id
    history.do(SetTrackFlags(track, locked=True))
    with pytest.raises(EditError, match="locked"):
        caption_command(tl, CUES, track_id=track)
