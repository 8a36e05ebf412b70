"""A generated sound made for a shot (``ShotQueue.matching_sound``: a sound clip wholly under the shot on
another audio track) goes where the shot goes: it moves with the card, ripples with the cards, and goes
when the card is removed."""

from __future__ import annotations

from editor.model import GeneratedClip, GenerationSpec
from editor.model.testing import timeline
from editor.storyboard import build_storyboard, edit_card, move_card, parse_script, remove_card
from editor.storyboard.cards import cards

SCRIPT = "A cat sleeps. [2s]\nA dog barks at the gate. [2s]\nThe end comes. [2s]"


def made_with_a_sound():
    tl = timeline(1, 1)
    build_storyboard(tl, parse_script(SCRIPT)).apply(tl)
    dog = cards(tl)[1]
    sfx = tl.audio_tracks[0]   # A1: not the storyboard's Voice track
    assert sfx.id != tl.story.storyboard.voice_track
    sfx.add(GeneratedClip("bark", dog.start + 10, 30, spec=GenerationSpec("a dog barks", kind="sound", seed=1)))
    sfx.add(GeneratedClip("wind", 175, 60, spec=GenerationSpec("wind", kind="sound", seed=1)))  # past the end
    tl.check()
    return tl, dog


def bark(tl):
    return next((c for t in tl.audio_tracks for c in t.clips if c.id == "bark"), None)


def test_a_sound_moves_with_its_card(exact):
    tl, dog = made_with_a_sound()
    exact(tl, move_card(tl, dog.shot.id, 2))
    moved = next(c for c in cards(tl) if c.shot.id == dog.shot.id)
    assert moved.start == 120 and bark(tl).start == moved.start + 10
    exact(tl, move_card(tl, dog.shot.id, 0))
    assert bark(tl).start == 10
    assert tl.find("wind")[1].start == 175   # past the last shot: made for none, left alone


def test_a_sound_ripples_with_the_cards_before_it_and_goes_with_its_card(exact):
    tl, dog = made_with_a_sound()
    exact(tl, edit_card(tl, cards(tl)[0].shot.id, seconds=3))
    assert bark(tl).start == cards(tl)[1].start + 10 == 100
    exact(tl, remove_card(tl, cards(tl)[0].shot.id))
    assert bark(tl).start == 10
    exact(tl, remove_card(tl, dog.shot.id))
    assert bark(tl) is None
