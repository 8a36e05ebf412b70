"""A narration may run on past its shot: a fixed-length shot says more than it lasts, and its speech plays on
into the next shot that has no narration (the shot queue lets a take grow up to the next clip on the Voice
track). Card edits near it still work: a card's block moves and goes whole (its video sets where it sits),
and a narration that would run into another card's speech is cut where that speech starts."""

from __future__ import annotations

import pytest

from editor.model import Take
from editor.model.commands import AddTake, Group, TrimTail
from editor.model.testing import sound, timeline
from editor.storyboard import build_storyboard, edit_card, merge_cards, move_card, parse_script, remove_card, split_card
from editor.storyboard.cards import cards

SCRIPT = "Ana walks into the market and looks around slowly. [2s]\n| a sunset over roofs [2s]\nThe end comes. [2s]"


@pytest.fixture
def overrun():
    """Three 2 s shots (60 frames at 30 fps); the first one's speech take is 3 s and plays to frame 90, into
    the second shot, which says nothing."""
    tl = timeline(1, 1)
    build_storyboard(tl, parse_script(SCRIPT)).apply(tl)
    first = cards(tl)[0]
    tl.media["w"] = sound("w", 90)
    Group("take", [AddTake(first.speech.id, Take("w", "hash")), TrimTail(first.speech.id, 90)]).apply(tl)
    tl.check()
    assert cards(tl)[0].speech.end == 90 and cards(tl)[1].start == 60
    return tl


def spans(tl):
    return [(c.start, c.end, c.speech and (c.speech.start, c.speech.end)) for c in cards(tl)]


def test_removing_the_card_whose_narration_runs_on_closes_up_the_cards_after_it(overrun, exact):
    tl = overrun
    first, second, third = cards(tl)
    exact(tl, remove_card(tl, first.shot.id))
    assert [c.shot.id for c in cards(tl)] == [second.shot.id, third.shot.id]
    assert spans(tl) == [(0, 60, None), (60, 120, (60, third.speech.end - 60))]


def test_removing_the_card_its_narration_runs_into_keeps_that_narration_up_to_the_next(overrun, exact):
    tl = overrun
    first, second, third = cards(tl)
    exact(tl, remove_card(tl, second.shot.id))
    assert spans(tl) == [(0, 60, (0, 60)), (60, 120, (60, third.speech.end - 60))]   # cut where the next starts


def test_moving_the_card_whose_narration_runs_on_carries_all_of_it(overrun, exact):
    tl = overrun
    first, second, third = cards(tl)
    exact(tl, move_card(tl, first.shot.id, 2))
    assert [c.shot.id for c in cards(tl)] == [second.shot.id, third.shot.id, first.shot.id]
    assert spans(tl)[2] == (120, 180, (120, 210))   # still all of its 3 s
    exact(tl, move_card(tl, first.shot.id, 0))
    assert [c.shot.id for c in cards(tl)] == [first.shot.id, second.shot.id, third.shot.id]
    assert spans(tl)[0] == (0, 60, (0, 90))


def test_moving_a_card_into_the_run_on_cuts_the_narration_where_the_moved_cards_starts(overrun, exact):
    tl = overrun
    first, second, third = cards(tl)
    exact(tl, move_card(tl, third.shot.id, 1))
    assert [c.shot.id for c in cards(tl)] == [first.shot.id, third.shot.id, second.shot.id]
    assert spans(tl)[:2] == [(0, 60, (0, 60)), (60, 120, (60, third.speech.end - 60))]


def test_giving_the_next_card_words_cuts_the_run_on_where_they_start(overrun, exact):
    tl = overrun
    second = cards(tl)[1]
    exact(tl, edit_card(tl, second.shot.id, narration="Now the sun sets."))
    first, second = cards(tl)[:2]
    assert second.speech.start == second.start == first.speech.end


def test_other_edits_beside_the_run_on_hold(overrun, exact):
    tl = overrun
    first, second, third = cards(tl)
    exact(tl, edit_card(tl, second.shot.id, visual="a red sunset over the roofs", seconds=3))
    assert spans(tl)[0] == (0, 60, (0, 90)) and spans(tl)[1][:2] == (60, 150)
    exact(tl, split_card(tl, third.shot.id))
    exact(tl, merge_cards(tl, second.shot.id))
    tl.check()
