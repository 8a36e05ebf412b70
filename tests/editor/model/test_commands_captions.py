"""Caption commands: importing a caption file's cues makes a caption track on top, cue for cue at exact frames;
undo removes it; adding and retiming cues keep one caption at a time."""

from __future__ import annotations

from fractions import Fraction

from editor.interchange.caption_tracks import caption_cues, timeline_cues
from editor.interchange.captions import cues_to_frames, non_overlapping, parse_srt
from editor.model import TextClip
from editor.model.commands import Delete, SetClipProperties
from editor.model.commands.captions import AddCue, ImportCaptions, SetCueTiming
from editor.model.text import DEFAULT_CAPTION_STYLE

HOSTILE_SRT = (
    "1\n00:00:00,500 --> 00:00:01,000\nIt's 100% \"real\": C:\\path\n\n"
    "2\n00:00:01,000 --> 00:00:02,000\nFire 🔥 and\nmore lines\n\n"
    "3\n00:00:02,500 --> 00:00:03,200\nمرحبا بالعالم\n"
)


def test_import_makes_a_caption_track_on_top_with_one_text_clip_per_cue_at_exact_frames(tl, do):
    cues = cues_to_frames(non_overlapping(parse_srt(HOSTILE_SRT)), tl.fps)
    tops = len(tl.video_tracks)
    cmd = do(tl, ImportCaptions(cues))
    track = tl.video_tracks[-1]
    assert len(tl.video_tracks) == tops + 1 and track.id == cmd.track_id
    assert track.captions and track.name == "Captions"
    assert all(isinstance(c, TextClip) and c.style == DEFAULT_CAPTION_STYLE for c in track.clips)
    assert [(c.start, c.end, c.text) for c in track.clips] == [
        (15, 30, "It's 100% \"real\": C:\\path"), (30, 60, "Fire 🔥 and\nmore lines"), (75, 96, "مرحبا بالعالم")]
    assert caption_cues(tl) == parse_srt(HOSTILE_SRT)   # exact seconds back at 30 fps


def test_undo_removes_the_caption_track(tl):
    before = tl.copy()
    cmd = ImportCaptions([(0, 30, "hi")])
    cmd.apply(tl)
    cmd.revert(tl)
    assert tl == before and not any(t.captions for t in tl.tracks)


def test_overlapping_or_empty_cues_are_refused_with_one_line(tl):
    import pytest

    from editor.model import EditError
    with pytest.raises(EditError, match="overlaps"):
        ImportCaptions([(0, 30, "a"), (20, 40, "b")])
    with pytest.raises(EditError, match="no cues"):
        ImportCaptions([])


def test_cue_edits_are_commands_with_exact_inverses(tl, do, refuse):
    imported = do(tl, ImportCaptions([(0, 30, "one"), (60, 90, "two")]))
    first, second = imported.clip_ids
    do(tl, SetClipProperties(first, text="uno"))
    do(tl, SetCueTiming(second, 45, 100))
    added = do(tl, AddCue(imported.track_id, 120, 150, "three"))
    assert [(c.start, c.end, c.text) for c in timeline_cues(tl)] == [(0, 30, "uno"), (45, 100, "two"),
                                                                      (120, 150, "three")]
    refuse(tl, SetCueTiming(second, 10, 50), "overlap")
    refuse(tl, AddCue(imported.track_id, 140, 160, "x"), "overlap")
    do(tl, Delete(added.clip_id))
    assert [c.text for c in timeline_cues(tl)] == ["uno", "two"]
    assert caption_cues(tl)[1].start == Fraction(45, 30)


def test_a_transcribed_caption_keeps_its_words_on_their_frames_when_trimmed_or_split(tl, do):
    from editor.model.commands import Split, TrimHead, TrimTail

    cmd = do(tl, ImportCaptions([(0, 60, "the harbour wakes")]))
    cue = tl.track(cmd.track_id).clips[0]
    words = (("the", 0, 10), ("harbour", 10, 35), ("wakes", 35, 60))
    do(tl, SetClipProperties(cue.id, words=words))
    do(tl, TrimHead(cue.id, 5))
    trimmed = tl.track(cmd.track_id).clips[0]
    assert trimmed.words == (("the", 0, 5), ("harbour", 5, 30), ("wakes", 30, 55))  # same timeline frames
    do(tl, TrimTail(trimmed.id, 40))
    assert tl.track(cmd.track_id).clips[0].words == (("the", 0, 5), ("harbour", 5, 30), ("wakes", 30, 35))
    do(tl, Split(trimmed.id, 20, right_id="right"))
    left, right = tl.track(cmd.track_id).clips
    assert left.words == (("the", 0, 5), ("harbour", 5, 15)) and right.words == (("harbour", 0, 15), ("wakes", 15, 20))


def test_words_outside_the_caption_are_refused(tl, do):
    import pytest

    from editor.model.commands import EditError

    cmd = do(tl, ImportCaptions([(0, 30, "hi")]))
    cue = tl.track(cmd.track_id).clips[0]
    with pytest.raises(EditError, match="within the caption"):
        SetClipProperties(cue.id, words=(("hi", 0, 31),)).apply(tl)
