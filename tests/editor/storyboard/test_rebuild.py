"""A second script added to a project that has a storyboard keeps the board as it is: its style, model,
voice, seed and chain (options left out mean "as the board has them"), and the shots already there keep
their seeds and the takes they play."""

from __future__ import annotations

from editor.model import Take
from editor.model.commands import AddTake, Group
from editor.model.testing import sound, timeline, video
from editor.storyboard import build_storyboard, generate, parse_script
from editor.storyboard.cards import cards


def made(tl):
    """Every card's video and speech as the shot queue leaves them: seeded, a take playing."""
    generate(tl, seed_source=lambda: 5).apply(tl)
    steps = []
    for card in cards(tl):
        pairs = ((card.clip, video(f"v-{card.shot.id}", 600)), (card.speech, sound(f"w-{card.shot.id}", 600)))
        for clip, media in pairs:
            if clip is not None:
                tl.media[media.id] = media
                steps.append(AddTake(clip.id, Take(media.id, "hash")))
    Group("takes", steps).apply(tl)
    tl.check()


def test_a_second_script_keeps_the_boards_options_and_the_made_shots():
    tl = timeline(1, 1)
    build_storyboard(tl, parse_script("A cat sleeps.\nA dog barks."), style="noir film", chain=True, seed=7,
                     voice="espeak-ng:en-gb").apply(tl)
    board = tl.story.storyboard
    made(tl)
    before = {c.shot.id: (c.clip, c.speech) for c in cards(tl)}
    assert all(not v.pending and not s.pending for v, s in before.values())

    build_storyboard(tl, parse_script("A bird sings."), at=cards(tl)[-1].end).apply(tl)
    tl.check()
    after = tl.story.storyboard
    assert (after.style, after.seed, after.chain, after.model, after.voice) == \
        (board.style, board.seed, board.chain, board.model, board.voice)
    found = cards(tl)
    assert len(found) == 3
    for card in found[:2]:
        video_clip, speech_clip = before[card.shot.id]
        assert card.clip == video_clip and card.speech == speech_clip   # same seed, same take playing
    new = found[2]
    assert new.clip.pending and new.clip.spec.seed is None and "noir film" in new.clip.spec.prompt


def test_options_given_on_a_second_script_change_the_board_and_a_fresh_board_starts_plain():
    tl = timeline(1, 1)
    build_storyboard(tl, parse_script("A cat sleeps.")).apply(tl)
    board = tl.story.storyboard
    assert (board.style, board.seed, board.chain, board.model, board.voice) == ("", None, False, "", "")
    build_storyboard(tl, parse_script("A dog barks."), style="watercolour", seed=3, chain=True,
                     at=cards(tl)[-1].end).apply(tl)
    board = tl.story.storyboard
    assert (board.style, board.seed, board.chain) == ("watercolour", 3, True)
    assert all("watercolour" in c.clip.spec.prompt for c in cards(tl))
