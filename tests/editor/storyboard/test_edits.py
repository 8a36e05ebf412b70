"""Card edits: each is one undoable command (undo restores the exact state), moves a card's video, speech
and caption together, ripples the cards after it, and turns what it changed into drafts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from editor.model import EditError, Take
from editor.model.commands import AddTake, Group, History, SetTrackFlags, TrimTail
from editor.model.testing import clip, sound, video
from editor.storyboard import (
    add_cast,
    edit_card,
    edit_cast,
    estimate_seconds,
    generate,
    merge_cards,
    move_card,
    remove_card,
    remove_cast,
    set_board,
    split_card,
)
from editor.storyboard.cards import cards


def ids(tl):
    return [c.shot.id for c in cards(tl)]


def assert_blocks_hold(tl):
    """Every card's speech starts with it and ends within it, its caption spans it, the cards follow each
    other without gaps."""
    found = cards(tl)
    for a, b in zip(found, found[1:], strict=False):
        assert a.end == b.start
    for c in found:
        if c.speech is not None:
            assert c.speech.start == c.start and c.speech.end <= c.end
        if c.caption is not None:
            assert (c.caption.start, c.caption.end, c.caption.text) == (c.start, c.end, c.shot.narration)


def with_music(tl):
    """A clip on V1 and A1 (not the storyboard's tracks): storyboard edits leave them where they are."""
    tl.media["cam"] = video("cam", 900)
    tl.video_tracks[0].add(clip("cam", 0, 300, clip_id="bg"))
    tl.audio_tracks[0].add(clip("cam", 0, 300, clip_id="music"))
    tl.check()
    return tl


def test_move_card_moves_the_block_and_closes_up(built, exact):
    tl = with_music(built())
    before = ids(tl)
    exact(tl, move_card(tl, before[0], 3))
    assert ids(tl) == [before[1], before[2], before[3], before[0], before[4], before[5]]
    assert_blocks_hold(tl)
    assert cards(tl)[0].start == 0 and tl.track("V1").clips[0].start == 0 and tl.track("A1").clips[0].start == 0
    exact(tl, move_card(tl, before[5], 0))
    assert ids(tl)[0] == before[5] and ids(tl)[-1] == before[4]
    assert_blocks_hold(tl)


def test_moving_a_card_to_where_it_is_changes_nothing(built):
    tl = built()
    state = tl.state()
    move_card(tl, ids(tl)[2], 2).apply(tl)
    assert tl.state() == state


@pytest.mark.parametrize(("index", "message"), [(6, "out of range 0..5"), (-1, "out of range"),
                                                ("2", "out of range"), (True, "out of range")])
def test_move_card_refuses_positions_out_of_range(built, index, message):
    tl = built()
    with pytest.raises(EditError, match=message):
        move_card(tl, ids(tl)[0], index)


def test_unknown_cards_and_missing_storyboards_are_refused(built):
    tl = built()
    for edit in (lambda: move_card(tl, "nope", 0), lambda: split_card(tl, "nope"), lambda: remove_card(tl, "nope"),
                 lambda: edit_card(tl, "nope", narration="x"), lambda: merge_cards(tl, "nope")):
        with pytest.raises(EditError, match="no card 'nope' on the storyboard"):
            edit()
    from editor.model.testing import timeline
    with pytest.raises(EditError, match="no storyboard"):
        move_card(timeline(1, 1), "s", 0)


def test_remove_card_closes_the_gap(built, exact):
    tl = with_music(built())
    before = cards(tl)
    exact(tl, remove_card(tl, before[1].shot.id))
    after = cards(tl)
    assert ids(tl) == [before[0].shot.id, *[c.shot.id for c in before[2:]]]
    assert after[-1].end == before[-1].end - before[1].duration
    assert all(c.id not in {before[1].clip.id, before[1].speech.id, before[1].caption.id} for _, c in tl.clips())
    assert before[1].shot.id not in [s.id for s in tl.story.storyboard.shots]
    assert_blocks_hold(tl)


def test_split_card_at_a_sentence_boundary(built, exact):
    tl = built()
    card = cards(tl)[0]
    exact(tl, edit_card(tl, card.shot.id, narration="Ana wakes up early. She smiles at the morning sun."))
    card = cards(tl)[0]
    exact(tl, split_card(tl, card.shot.id))
    left, right = cards(tl)[:2]
    assert (left.shot.narration, right.shot.narration) == ("Ana wakes up early.", "She smiles at the morning sun.")
    assert left.start == card.start and left.duration + right.duration == card.duration
    assert right.duration > left.duration                  # the length is shared by what each half says
    assert left.shot.cast == card.shot.cast and right.shot.cast == ()   # Ana is named in the first half only
    assert right.speech.spec.prompt == right.shot.narration and right.speech.spec.seed is None
    assert left.speech.spec.prompt == left.shot.narration
    assert len(cards(tl)) == 7
    assert_blocks_hold(tl)


def test_split_card_in_half_and_refused_for_one_word(built, exact):
    tl = built()
    card = cards(tl)[1]     # "The stalls are full of oranges. | close-up of oranges piled high"
    exact(tl, split_card(tl, card.shot.id))
    left, right = cards(tl)[1:3]
    assert (left.shot.narration, right.shot.narration) == ("The stalls are", "full of oranges.")
    assert left.shot.visual == right.shot.visual == "close-up of oranges piled high"
    exact(tl, edit_card(tl, left.shot.id, narration="Oranges."))
    with pytest.raises(EditError, match="one word"):
        split_card(tl, left.shot.id)


def test_merge_cards_joins_a_card_with_the_next(built, exact):
    tl = built()
    a, b = cards(tl)[2:4]
    exact(tl, merge_cards(tl, a.shot.id))
    merged = cards(tl)[2]
    assert merged.shot.id == a.shot.id and merged.shot.narration == f"{a.shot.narration} {b.shot.narration}"
    assert merged.duration == a.duration + b.duration and merged.shot.seconds is None   # only one was fixed
    assert merged.speech.spec.prompt == merged.shot.narration and merged.caption.text == merged.shot.narration
    assert merged.shot.cast == b.shot.cast                  # Ana, from the second
    assert len(cards(tl)) == 5
    assert b.shot.id not in [s.id for s in tl.story.storyboard.shots]
    with pytest.raises(EditError, match="the last card has no next card"):
        merge_cards(tl, cards(tl)[-1].shot.id)


def give_speech_a_take(tl, card, frames=40):
    """The speech clip as the shot queue leaves it: a WAV take ``frames`` long attached."""
    tl.media[f"w-{card.shot.id}"] = sound(f"w-{card.shot.id}", frames)
    Group("take", [TrimTail(card.speech.id, card.speech.start + min(frames, card.speech.duration)),
                   AddTake(card.speech.id, Take(f"w-{card.shot.id}", "hash"))]).apply(tl)
    return cards(tl)[card.index]


def test_a_new_narration_makes_the_speech_a_draft_and_the_caption_follow(built, exact):
    tl = built()
    card = give_speech_a_take(tl, cards(tl)[0])
    assert not card.speech.pending
    old_video_prompt = card.clip.spec.prompt
    exact(tl, edit_card(tl, card.shot.id, narration="Ana strolls into the busy market, looking for fruit."))
    card = cards(tl)[0]
    assert card.speech.spec.prompt == "Ana strolls into the busy market, looking for fruit."
    assert card.speech.spec.seed is None and card.speech.pending and len(card.speech.takes) == 1
    assert card.caption.text == card.shot.narration
    assert card.clip.spec.prompt != old_video_prompt        # no visual: the narration is the picture
    assert card.duration == round(estimate_seconds(card.shot.narration) * 30)
    assert_blocks_hold(tl)


def test_a_new_visual_makes_only_the_video_a_draft(built, exact):
    tl = built()
    card = cards(tl)[0]
    spec = card.speech.spec
    exact(tl, edit_card(tl, card.shot.id, visual="a crowded market from above"))
    card = cards(tl)[0]
    assert card.clip.spec.prompt.startswith("a crowded market from above.") and card.clip.pending
    assert card.speech.spec == spec


def test_a_fixed_length_ripples_the_later_cards(built, exact):
    tl = with_music(built())
    before = cards(tl)
    exact(tl, edit_card(tl, before[1].shot.id, seconds=Fraction(6)))
    after = cards(tl)
    assert after[1].duration == 180 and after[1].shot.seconds == 6
    assert after[-1].end == before[-1].end + 180 - before[1].duration
    assert tl.track("V1").clips[0].end == 300          # other tracks stay
    exact(tl, edit_card(tl, before[1].shot.id, seconds=None))
    assert cards(tl)[1].duration == before[1].duration and cards(tl)[1].shot.seconds is None
    for bad in (0, -1, 10_000, float("nan"), "4"):
        with pytest.raises(EditError):
            edit_card(tl, before[1].shot.id, seconds=bad)


def test_cast_voice_and_pitch_edits(built, exact):
    tl = built(model="tiny-wan")
    card = cards(tl)[1]
    (ana,) = tl.story.cast
    exact(tl, edit_card(tl, card.shot.id, cast=["ana"]))
    assert cards(tl)[1].clip.spec.first_image == ana.image and cards(tl)[1].shot.cast == (ana.id,)
    exact(tl, edit_card(tl, card.shot.id, voice="espeak-ng:en-gb", voice_speed=1.25, pitch=-2))
    spec = cards(tl)[1].speech.spec
    assert (spec.voice, spec.voice_speed, spec.pitch, spec.seed) == ("espeak-ng:en-gb", 1.25, -2.0, None)
    for bad, message in [({"cast": ["Zed"]}, "no cast member 'Zed'"), ({"voice": "nope:x"}, "unknown sound model"),
                         ({"pitch": 99}, "a pitch is"), ({"voice_speed": 0}, "a speaking speed"),
                         ({"narration": "", "visual": ""}, "a card needs words or a picture")]:
        with pytest.raises(EditError, match=message):
            edit_card(tl, card.shot.id, **bad)


def test_clearing_the_narration_removes_its_speech_and_caption(built, exact):
    tl = built()
    card = cards(tl)[1]
    exact(tl, edit_card(tl, card.shot.id, narration=""))
    card = cards(tl)[1]
    assert card.speech is None and card.caption is None and card.shot.speech is None
    exact(tl, edit_card(tl, card.shot.id, narration="Oranges, everywhere."))
    card = cards(tl)[1]
    assert card.speech.spec.prompt == card.caption.text == "Oranges, everywhere."


def test_set_board_reprompts_every_shot(built, exact):
    tl = built(model="tiny-wan")
    exact(tl, set_board(tl, style="ink drawing", model="tiny-wan-vace", chain=True, seed=3))
    board = tl.story.storyboard
    assert (board.style, board.model, board.chain, board.seed) == ("ink drawing", "tiny-wan-vace", True, 3)
    found = cards(tl)
    assert all(c.clip.spec.prompt.endswith("ink drawing.") and c.clip.spec.model == "tiny-wan-vace" for c in found)
    assert found[0].clip.spec.reference_images == (tl.story.cast[0].image,)
    with pytest.raises(EditError, match="unknown storyboard option 'colour'"):
        set_board(tl, colour="red")
    with pytest.raises(EditError, match="unknown model"):
        set_board(tl, model="nope")


def test_generate_gives_the_drafts_seeds(built, exact):
    tl = built()
    seeds = iter(range(100, 200))
    exact(tl, generate(tl, seed_source=lambda: next(seeds)))
    found = cards(tl)
    assert all(c.clip.spec.seed is not None and c.speech.spec.seed is not None for c in found)
    assert len({c.clip.spec.seed for c in found}) == 6
    assert generate(tl, seed_source=lambda: 1) is None     # nothing left to give a seed


def test_generate_some_cards_or_only_their_speech_with_the_boards_seed(built):
    tl = built(seed=5)
    first, second = cards(tl)[:2]
    generate(tl, [second.shot.id], seed_source=lambda: 1 / 0, what=("speech",)).apply(tl)
    found = cards(tl)
    assert found[1].speech.spec.seed == 5 and found[1].clip.spec.seed is None and found[0].speech.spec.seed is None
    with pytest.raises(EditError, match="generate makes"):
        generate(tl, seed_source=lambda: 1, what=("music",))


def test_a_chained_board_generates_down_the_chain(built):
    tl = built(chain=True)
    generate(tl, seed_source=lambda: 9, what=("video",)).apply(tl)
    assert [c.clip.spec.seed for c in cards(tl)] == [9, None, None, None, None, None]
    assert generate(tl, seed_source=lambda: 9, what=("video",)) is None   # the rest wait for the first


def test_cast_edits_reprompt_the_shots_that_show_the_member(built, exact, pictures):
    tl = built(model="tiny-wan")
    exact(tl, add_cast(tl, "dog", str(pictures / "bo.png"), "a scruffy terrier"))
    dog = tl.story.member_named("Dog")
    found = cards(tl)
    assert found[2].shot.cast == (dog.id,) and "dog: a scruffy terrier." in found[2].clip.spec.prompt
    assert found[2].clip.spec.first_image == dog.image
    exact(tl, edit_cast(tl, dog.id, description="a black poodle"))
    assert "dog: a black poodle." in cards(tl)[2].clip.spec.prompt
    ana = tl.story.member_named("ana")
    exact(tl, remove_cast(tl, ana.id))
    assert all(c.clip.spec.first_image is None for c in cards(tl) if c.index != 2)
    assert all(ana.id not in s.cast for s in tl.story.storyboard.shots)
    for edit, message in [(lambda: add_cast(tl, "Dog"), "the cast already has dog"),
                          (lambda: add_cast(tl, "Cy", "/no/such.png"), "no picture at"),
                          (lambda: add_cast(tl, "  "), "needs a name"),
                          (lambda: edit_cast(tl, "nope", name="x"), "no cast member 'nope'")]:
        with pytest.raises(EditError, match=message):
            edit()


def test_a_stale_edit_and_a_locked_track_are_refused(built):
    tl = built()
    found = cards(tl)
    stale = move_card(tl, found[0].shot.id, 2)
    remove_card(tl, found[5].shot.id).apply(tl)
    state = tl.state()
    with pytest.raises(EditError, match="changed since this edit was prepared"):
        stale.apply(tl)
    assert tl.state() == state
    SetTrackFlags(tl.story.storyboard.voice_track, locked=True).apply(tl)
    with pytest.raises(EditError, match="is locked"):
        move_card(tl, found[0].shot.id, 2).apply(tl)
    assert tl.state() != state and len(cards(tl)) == 5


def test_a_history_of_edits_undoes_to_the_built_board(built, pictures):
    tl = built(model="tiny-wan")
    start = tl.state()
    history = History(tl)
    found = cards(tl)
    history.do(move_card(tl, found[0].shot.id, 4))
    history.do(split_card(tl, found[3].shot.id))
    history.do(merge_cards(tl, cards(tl)[0].shot.id))
    history.do(edit_card(tl, found[5].shot.id, narration="Home at last.", seconds=3))
    history.do(add_cast(tl, "pigeon", "", "a fat grey pigeon"))
    history.do(generate(tl, seed_source=lambda: 1))
    history.do(remove_card(tl, found[1].shot.id))
    tl.check()
    end = tl.state()
    while history.can_undo:
        history.undo()
        tl.check()
    assert tl.state() == start
    while history.can_redo:
        history.redo()
        tl.check()
    assert tl.state() == end
