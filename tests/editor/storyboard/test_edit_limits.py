"""Edits that would make a shot the storyboard cannot use are refused in one line: a merge whose narration
or picture passes a shot's length; a voice named by its model alone is stored as the model's default voice,
so the speech spoken in it settles."""

from __future__ import annotations

import pytest

from editor.model import EditError
from editor.model.testing import timeline
from editor.storyboard import build_storyboard, edit_card, merge_cards, parse_script, set_board
from editor.storyboard.cards import cards
from editor.storyboard.script import MAX_SHOT_CHARS


def _two_long_lines(field: str):
    words = ("word " * (MAX_SHOT_CHARS // 5 - 10)).strip()
    tl = timeline(1, 1)
    line = f"{words}" if field == "narration" else f"| {words}"
    build_storyboard(tl, parse_script(f"{line}\n{line}", mode="lines")).apply(tl)
    return tl


@pytest.mark.parametrize("field", ["narration", "visual"])
def test_a_merge_past_a_shots_length_is_refused_in_one_line(field):
    tl = _two_long_lines(field)
    before = tl.state()
    with pytest.raises(EditError) as caught:
        merge_cards(tl, cards(tl)[0].shot.id)
    assert str(caught.value).startswith("the merged card") and str(MAX_SHOT_CHARS) in str(caught.value)
    assert "\n" not in str(caught.value) and tl.state() == before


@pytest.mark.parametrize("given, stored", [("espeak-ng", "espeak-ng:en-us"), ("kokoro-82m", "kokoro-82m:af_heart"),
                                           ("espeak-ng:en-gb", "espeak-ng:en-gb")])
def test_a_voice_named_by_its_model_is_stored_as_the_models_default_voice(given, stored):
    """A take records "<model>:<voice>"; a voice stored as the bare model name would never equal it, and
    the speech would say "Voice changed" for ever."""
    tl = timeline(1, 1)
    build_storyboard(tl, parse_script("A cat sleeps.\nA dog barks."), voice=given).apply(tl)
    assert tl.story.storyboard.voice == stored
    set_board(tl, voice="").apply(tl)
    set_board(tl, voice=given).apply(tl)
    assert tl.story.storyboard.voice == stored
    shot = cards(tl)[1].shot.id
    edit_card(tl, shot, voice=given).apply(tl)
    assert cards(tl)[1].speech.spec.voice == stored
