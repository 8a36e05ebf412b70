"""Cards are derived from the timeline every time: the video clip's place orders them, a deleted clip takes
its card away, and the notes say what the model cannot do with the cast."""

from __future__ import annotations

from fractions import Fraction

from editor.model.commands import Delete, Move
from editor.model.story import CastMember, Storyboard, StoryShot
from editor.storyboard.cards import cards, chained_first, shot_prompt


def test_a_card_per_shot_with_its_clips_and_times(built):
    tl = built(model="tiny-wan")
    found = cards(tl)
    assert [c.index for c in found] == list(range(6))
    third = found[2]
    assert (third.start, third.duration, third.seconds) == (third.clip.start, 120, Fraction(4))
    assert third.shot.seconds == 4
    assert third.speech.start == third.start and third.caption.text == third.shot.narration
    assert third.prompt == third.clip.spec.prompt
    assert [m.name for m in found[0].cast] == ["Ana"] and found[1].cast == []


def test_moving_a_clip_on_the_timeline_reorders_the_cards(built):
    tl = built()
    board = tl.story.storyboard
    first = cards(tl)[0]
    Move(first.clip.id, board.track, tl.track(board.track).end).apply(tl)
    found = cards(tl)
    assert found[-1].shot.id == first.shot.id and [c.index for c in found] == list(range(6))


def test_deleting_the_video_clip_removes_the_card(built):
    tl = built()
    second = cards(tl)[1]
    Delete(second.clip.id).apply(tl)
    found = cards(tl)
    assert len(found) == 5 and second.shot.id not in [c.shot.id for c in found]
    assert second.shot in tl.story.storyboard.shots    # the record stays (undo brings the card back)


def test_notes_say_when_the_model_cannot_take_the_picture(built):
    tl = built(model="tiny-wan-a14b")
    notes = [c.notes for c in cards(tl)]
    assert notes[0] == ["tiny-wan-a14b cannot take a picture: Ana is described in words only"]
    assert notes[1] == []


def test_notes_say_when_the_narration_is_lost(built):
    tl = built()
    card = cards(tl)[0]
    Delete(card.speech.id).apply(tl)
    assert "the narration's speech clip is no longer on the timeline" in cards(tl)[0].notes


def test_a_timeline_without_a_storyboard_has_no_cards():
    from editor.model.testing import timeline
    assert cards(timeline(1, 1)) == []


def test_the_prompt_is_the_picture_then_the_cast_then_the_style():
    ana = CastMember("m1", "Ana", "", "a tall woman in a red coat")
    bo = CastMember("m2", "Bo", "", "")
    board = Storyboard(style="watercolour, soft light")
    shot = StoryShot("s1", "c1", narration="Ana and Bo walk", visual="")
    assert shot_prompt(board, shot, [ana, bo]) == ("Ana and Bo walk. Ana: a tall woman in a red coat. "
                                                   "watercolour, soft light.")
    assert shot_prompt(Storyboard(), StoryShot("s2", "c2", narration="Hi", visual="A wave!"), []) == "A wave!"


def test_chained_shots_start_from_the_previous_card(built):
    tl = built(chain=True)
    found = cards(tl)
    assert not chained_first(tl, found[0].clip.id)
    assert all(chained_first(tl, c.clip.id) for c in found[1:])
    plain = built()
    assert not any(chained_first(plain, c.clip.id) for c in cards(plain))
