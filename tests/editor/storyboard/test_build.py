"""Building a storyboard from a script: the Story, Voice and caption tracks, a draft video shot, a speech line
and a caption per line, the cast, the record, as one undo step that saves and loads."""

from __future__ import annotations

from fractions import Fraction

import pytest

from editor.model import EditError, GeneratedClip, TextClip, TrackKind
from editor.model.commands import History, Move
from editor.model.testing import clip, timeline, video
from editor.model.text import DEFAULT_CAPTION_STYLE
from editor.project.format import from_dict, to_dict
from editor.storyboard import build_storyboard, estimate_seconds, parse_script
from editor.storyboard.cards import cards

LINES = ["Ana walks into the market.", "The stalls are full of oranges.", "A dog barks at a pigeon.",
         "Ana buys three oranges.", "The sun sets over the roofs.", "Ana walks home, happy."]


def test_six_lines_make_six_shots_six_speech_lines_and_six_captions(script, exact):
    tl = timeline(1, 1)
    exact(tl, build_storyboard(tl, script, model="tiny-wan"))
    board = tl.story.storyboard
    story = tl.track(board.track)
    assert story.name == "Story" and story.kind is TrackKind.VIDEO
    shots = story.clips
    assert len(shots) == 6 and all(isinstance(c, GeneratedClip) and c.spec.seed is None for c in shots)
    assert [c.start for c in shots] == [0] + [c.end for c in shots[:-1]]   # back to back, in script order
    assert [s.clip for s in board.shots] == [c.id for c in shots]
    assert shots[2].duration == 4 * 30                                       # [4s]
    for c, line in zip(shots, LINES, strict=True):
        if c is not shots[2]:
            assert c.duration == round(estimate_seconds(line) * 30)
    assert shots[1].spec.prompt == "close-up of oranges piled high."      # the visual, not the words
    speech = tl.track(board.voice_track)
    assert speech.kind is TrackKind.AUDIO and speech.name == "Voice"
    assert [c.start for c in speech.clips] == [c.start for c in shots]
    assert all(s.spec.kind == "speech" and s.spec.voice == "" and s.spec.seed is None and s.duration <= c.duration
               for s, c in zip(speech.clips, shots, strict=True))
    assert [s.spec.prompt for s in speech.clips] == LINES
    captions = tl.track(board.caption_track)
    assert captions.captions and tl.video_tracks[-1] is captions             # above the picture
    assert [(c.text, c.start, c.end) for c in captions.clips] == [(line, s.start, s.end)
                                                                   for line, s in zip(LINES, shots, strict=True)]
    assert all(isinstance(c, TextClip) and c.style == DEFAULT_CAPTION_STYLE for c in captions.clips)
    assert [card.shot.narration for card in cards(tl)] == LINES


def test_the_cast_member_conditions_the_shots_that_name_her(script):
    for model, check in [
        ("tiny-wan", lambda spec, pic: spec.first_image == pic and spec.reference_images == ()),
        ("tiny-wan-vace", lambda spec, pic: spec.reference_images == (pic,) and spec.first_image is None),
        ("tiny-wan-a14b", lambda spec, pic: spec.first_image is None and spec.reference_images == ()),
    ]:
        tl = timeline(1, 1)
        build_storyboard(tl, script, model=model).apply(tl)
        (ana,) = tl.story.cast
        assert ana.name == "Ana" and ana.image.endswith("ana.png")
        found = cards(tl)
        for card in found:
            shows_ana = "Ana" in card.shot.narration
            assert (card.shot.cast == (ana.id,)) == shows_ana
            if shows_ana:
                assert check(card.clip.spec, ana.image), model
                assert "Ana: a tall woman in a red coat." in card.clip.spec.prompt
            else:
                assert card.clip.spec.first_image is None and card.clip.spec.reference_images == ()
        notes = [n for card in found for n in card.notes]
        if model == "tiny-wan-a14b":
            assert notes == ["tiny-wan-a14b cannot take a picture: Ana is described in words only"] * 3
        else:
            assert notes == []


def test_options_go_on_the_board_and_into_the_prompts(script):
    tl = timeline(1, 1)
    build_storyboard(tl, script, style="watercolour, soft light", model="tiny-wan", voice="espeak-ng:en-gb",
                     seed=42, chain=True).apply(tl)
    board = tl.story.storyboard
    assert (board.style, board.model, board.voice, board.seed, board.chain) == (
        "watercolour, soft light", "tiny-wan", "espeak-ng:en-gb", 42, True)
    found = cards(tl)
    assert all(c.clip.spec.prompt.endswith("watercolour, soft light.") and c.clip.spec.model == "tiny-wan"
               for c in found)
    assert all(c.clip.spec.seed is None for c in found)        # still drafts: generate() gives the seeds
    assert found[0].clip.spec.first_image is not None          # the chain's first shot starts from Ana
    assert found[3].clip.spec.first_image is None              # a chained shot starts from the previous one


def test_exact_frames_at_ntsc_rates():
    tl = timeline(1, 1, fps=Fraction(30000, 1001))
    build_storyboard(tl, parse_script("A [2.5s]\nB [4s]")).apply(tl)
    assert [c.duration for c in tl.track(tl.story.storyboard.track).clips] == [75, 120]   # 74.925, 119.88


def test_without_captions_there_is_no_caption_track():
    tl = timeline(1, 1)
    build_storyboard(tl, parse_script("One.\nTwo."), captions=False).apply(tl)
    assert tl.story.storyboard.caption_track == "" and not any(t.captions for t in tl.video_tracks)
    assert all(s.caption is None for s in tl.story.storyboard.shots)


def test_building_again_inserts_on_the_same_tracks_and_merges_the_cast(script, pictures):
    tl = timeline(1, 1)
    build_storyboard(tl, script).apply(tl)
    board = tl.story.storyboard
    end = tl.track(board.track).end
    first_ids = [c.id for c in tl.track(board.track).clips]
    more = parse_script("@ana: | with a basket\n@Bo: bo.png\nAna meets Bo. [2s]", base_dir=pictures)
    history = History(tl)
    history.do(build_storyboard(tl, more, at=tl.track(board.track).clips[1].start))
    board = tl.story.storyboard
    assert len(board.shots) == 7 and tl.track(board.track).end == end + 60
    found = cards(tl)
    assert found[1].shot.narration == "Ana meets Bo." and [c.clip.id for c in found[2:]] == first_ids[1:]
    assert [(m.name, m.description) for m in tl.story.cast] == [("Ana", "with a basket"), ("Bo", "")]
    assert found[1].shot.cast == (tl.story.cast[0].id, tl.story.cast[1].id)
    assert len(tl.video_tracks) == 3 and len(tl.audio_tracks) == 2   # reused, not added again
    history.undo()
    tl.check()
    assert len(tl.story.storyboard.shots) == 6


def test_a_story_track_and_a_voice_track_by_name_are_reused():
    tl = timeline(1, 1, media=[video("cam", 300)])
    tl.video_tracks[0].name = "Story"
    tl.audio_tracks[0].name = "Voice"
    tl.video_tracks[0].add(clip("cam", 0, 30, clip_id="x"))
    build_storyboard(tl, parse_script("One."), at=30).apply(tl)
    assert tl.story.storyboard.track == "V1" and tl.story.storyboard.voice_track == "A1"
    assert [c.id for c in tl.video_tracks[0].clips][0] == "x"


def test_bad_options_are_refused_in_one_line(script):
    tl = timeline(1, 1)
    for options, message in [({"model": "nope"}, "unknown model 'nope'"),
                             ({"voice": "nope:x"}, "unknown sound model 'nope'"),
                             ({"seed": -1}, "a seed is a whole number"),
                             ({"at": -5}, "a storyboard starts at a frame of 0 or more"),
                             ({"chain": "yes"}, "chain is true or false")]:
        with pytest.raises(EditError, match=message) as info:
            build_storyboard(tl, script, **options)
        assert "\n" not in str(info.value)
    assert tl.story.storyboard is None


def test_building_in_the_middle_of_a_clip_is_refused():
    tl = timeline(1, 1, media=[video("cam", 300)])
    tl.video_tracks[0].name = "Story"
    tl.video_tracks[0].add(clip("cam", 0, 90, clip_id="x"))
    with pytest.raises(EditError, match="spans frame 30"):
        build_storyboard(tl, parse_script("One."), at=30)


def test_the_project_saves_and_loads_the_storyboard(built, tmp_path):
    tl = built(model="tiny-wan", style="ink")
    loaded = from_dict(to_dict(tl, base_dir=tmp_path), base_dir=tmp_path).timeline
    assert loaded.state() == tl.state()
    assert [c.shot for c in cards(loaded)] == [c.shot for c in cards(tl)]


def test_a_shot_moved_on_the_timeline_after_building_keeps_its_card(built):
    tl = built()
    board = tl.story.storyboard
    last = tl.track(board.track).clips[-1]
    Move(last.id, board.track, tl.track(board.track).end + 30).apply(tl)
    assert cards(tl)[-1].clip.id == last.id


def test_estimates_grow_with_words_and_shrink_with_speed():
    assert estimate_seconds("") == 2 and estimate_seconds("Hi.") == 2
    long = "This sentence has quite a few more words in it, and a pause, so it takes longer."
    assert estimate_seconds(long) > 4
    assert estimate_seconds(long, 1.5) < estimate_seconds(long)
    assert estimate_seconds("我们今天去市场买很多新鲜的水果和蔬菜。") > 2
    with pytest.raises(ValueError, match="speaking speed"):
        estimate_seconds("x", 0)
