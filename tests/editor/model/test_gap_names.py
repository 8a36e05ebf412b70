"""Named gaps follow the edits around them: a gap's name keeps its place before the clip after it (the trailing
gap's before the timeline's end), moves to its gap's new start when that start moves, and is dropped when its gap
is gone. Every edit brings the old names back on undo (the ``do`` fixture proves revert and redo exactly)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.interchange.otio_export import timeline_to_otio
from editor.model import Command, EditError, History, Timeline
from editor.model.commands import (
    Delete,
    Insert,
    Move,
    Overwrite,
    RippleDelete,
    RippleTrim,
    Split,
    TrimHead,
    TrimTail,
)
from editor.model.commands.gap_names import followed_gap_names
from editor.model.testing import clip, timeline, video

Do = Callable[[Timeline, Command], Command]


@pytest.fixture
def cut() -> Timeline:
    """V1: a [0,30), the gap "slug" [30,40), b [40,70), the gap "mid" [70,90), c [90,110), then the trailing gap
    "tail" up to the timeline's length, 150. A1: s [0,50) with the gap "room" after it."""
    t = timeline(2, 1, media=[video("cam", 300)])
    for c in [clip("cam", 0, 30, clip_id="a"), clip("cam", 40, 30, 50, clip_id="b"),
              clip("cam", 90, 20, 50, clip_id="c")]:
        t.track("V1").add(c)
    t.track("A1").add(clip("cam", 0, 50, clip_id="s"))
    t.track("V1").gap_names = {30: "slug", 70: "mid", 110: "tail"}
    t.track("A1").gap_names = {50: "room"}
    t.length = 150
    t.check()
    return t


def names(t: Timeline, track: str = "V1") -> dict[int, str]:
    return t.track(track).gap_names


# --- ripple delete --------------------------------------------------------------------------------------------


def test_ripple_delete_of_the_first_clip_moves_every_name_with_the_clips_after_it(cut: Timeline, do: Do) -> None:
    do(cut, RippleDelete("a"))   # b -> [10,40), c -> [60,80); the timeline still lasts 150
    assert names(cut) == {0: "slug", 40: "mid", 80: "tail"}
    assert names(cut, "A1") == {50: "room"}   # a track the edit did not touch keeps its names


def test_ripple_delete_between_two_named_gaps_joins_them_each_with_its_name(cut: Timeline, do: Do) -> None:
    do(cut, RippleDelete("b"))   # c -> [60,80): the gap [30,60) is slug's 10 frames, then mid's 20
    assert names(cut) == {30: "slug", 40: "mid", 80: "tail"}


def test_a_move_that_closes_a_gap_drops_its_name(cut: Timeline, do: Do) -> None:
    do(cut, Move("b", "V1", 30))   # b [30,60) now abuts a: slug's gap is gone; mid's grows at its start
    assert names(cut) == {60: "mid", 110: "tail"}


# --- delete, move ---------------------------------------------------------------------------------------------


def test_deleting_the_clip_after_a_name_keeps_the_name_where_its_gap_still_is(cut: Timeline, do: Do) -> None:
    do(cut, Delete("b"))   # the gap [30,90): slug, then (from 70) mid
    assert names(cut) == {30: "slug", 70: "mid", 110: "tail"}


def test_a_name_follows_its_clip_when_the_clip_moves(cut: Timeline, do: Do) -> None:
    do(cut, Move("b", "V1", 45))   # b [45,75): slug names [30,45), mid what is left before c
    assert names(cut) == {30: "slug", 75: "mid", 110: "tail"}


def test_a_name_follows_its_clip_past_other_clips(cut: Timeline, do: Do) -> None:
    do(cut, Move("c", "V1", 120))   # c [120,140): mid names the gap before it, tail what is left of the end
    assert names(cut) == {30: "slug", 70: "mid", 140: "tail"}


def test_moving_the_clip_after_a_name_to_another_track_leaves_the_name_in_its_gap(cut: Timeline, do: Do) -> None:
    do(cut, Move("b", "V2", 40))
    assert names(cut) == {30: "slug", 70: "mid", 110: "tail"}
    assert names(cut, "V2") == {}


# --- trims ---------------------------------------------------------------------------------------------------


def test_a_trim_into_a_named_gap_shortens_it_from_its_start(cut: Timeline, do: Do) -> None:
    do(cut, TrimTail("a", 35))
    assert names(cut) == {35: "slug", 70: "mid", 110: "tail"}


def test_a_trim_that_opens_a_named_gap_at_its_start_extends_the_name(cut: Timeline, do: Do) -> None:
    do(cut, TrimTail("a", 20))
    assert names(cut)[20] == "slug" and 30 not in names(cut)


def test_a_trim_of_the_clip_after_a_name_keeps_the_name_on_its_gap(cut: Timeline, do: Do) -> None:
    do(cut, TrimHead("c", 80))   # c's head moves into mid's gap: [70,80) is left of it
    assert names(cut) == {30: "slug", 70: "mid", 110: "tail"}
    do(cut, TrimHead("c", 100))
    assert names(cut) == {30: "slug", 70: "mid", 110: "tail"}


def test_a_trim_that_covers_a_named_gap_drops_its_name(cut: Timeline, do: Do) -> None:
    do(cut, TrimTail("a", 40))
    assert names(cut) == {70: "mid", 110: "tail"}


def test_a_ripple_trim_moves_the_names_after_it(cut: Timeline, do: Do) -> None:
    do(cut, RippleTrim("a", "tail", 20))   # b -> [30,60), c -> [80,100)
    assert names(cut) == {20: "slug", 60: "mid", 100: "tail"}


# --- split, insert, overwrite --------------------------------------------------------------------------------


@pytest.mark.parametrize("clip_id, at", [("a", 15), ("b", 50), ("c", 100)])
def test_a_split_leaves_every_name_in_place(cut: Timeline, do: Do, clip_id: str, at: int) -> None:
    do(cut, Split(clip_id, at, right_id="right"))
    assert names(cut) == {30: "slug", 70: "mid", 110: "tail"}


def test_an_insert_moves_the_names_after_it(cut: Timeline, do: Do) -> None:
    do(cut, Insert("V1", clip("cam", 0, 15, clip_id="x"), 10, split_id="a2"))   # everything from 10 on: +15
    assert names(cut) == {45: "slug", 85: "mid", 125: "tail"}


def test_an_insert_that_pushes_the_clips_past_the_end_drops_the_trailing_name(cut: Timeline, do: Do) -> None:
    do(cut, Insert("V1", clip("cam", 0, 50, clip_id="x"), 0))   # c ends at 160: no trailing gap is left
    assert names(cut) == {80: "slug", 120: "mid"}


def test_an_insert_in_a_named_gap_keeps_the_name_before_the_clip_after_it(cut: Timeline, do: Do) -> None:
    do(cut, Insert("V1", clip("cam", 0, 5, clip_id="x"), 80))   # x [80,85), c -> [95,115)
    assert names(cut) == {30: "slug", 85: "mid", 115: "tail"}


def test_an_overwrite_over_the_start_of_a_named_gap_keeps_the_rest_named(cut: Timeline, do: Do) -> None:
    do(cut, Overwrite("V1", clip("cam", 0, 10, clip_id="x"), 65, split_id="b2"))   # b [40,65), x [65,75)
    assert names(cut) == {30: "slug", 75: "mid", 110: "tail"}


# --- undo, redo, export ---------------------------------------------------------------------------------------


def test_undo_and_redo_bring_back_exactly_the_names_of_each_step(cut: Timeline) -> None:
    history = History(cut)
    steps = [dict(names(cut))]
    for command in [RippleDelete("a"), Move("c", "V1", 100), TrimTail("b", 30)]:
        history.do(command)
        steps.append(dict(names(cut)))
    assert steps[1:] == [{0: "slug", 40: "mid", 80: "tail"}, {0: "slug", 40: "mid", 120: "tail"},
                         {0: "slug", 30: "mid", 120: "tail"}]
    for expected in reversed(steps[:-1]):
        history.undo()
        assert names(cut) == expected
        cut.check()
    for expected in steps[1:]:
        history.redo()
        assert names(cut) == expected


def test_an_export_after_a_ripple_delete_names_the_gaps_where_they_moved(cut: Timeline, do: Do) -> None:
    do(cut, RippleDelete("a"))
    track = timeline_to_otio(cut).tracks[0]
    items = [(type(i).__name__, i.name, i.range_in_parent().start_time.to_frames(),
              i.duration().to_frames()) for i in track]
    assert items == [("Gap", "slug", 0, 10), ("Clip", "", 10, 30), ("Gap", "mid", 40, 20),
                     ("Clip", "", 60, 20), ("Gap", "tail", 80, 70)]


# --- the rule itself, on clip lists ---------------------------------------------------------------------------


def test_a_name_that_was_not_in_a_gap_is_not_kept() -> None:
    a = clip("cam", 0, 30, clip_id="a")
    assert followed_gap_names({10: "inside a"}, [a], 60, [a], 60) == {}


def test_two_names_clamped_to_one_frame_keep_the_one_nearer_the_clip_after_them() -> None:
    a, b = clip("cam", 0, 30, clip_id="a"), clip("cam", 60, 30, clip_id="b")
    longer = clip("cam", 0, 55, clip_id="a")
    assert followed_gap_names({30: "first", 50: "second"}, [a, b], 90, [longer, b], 90) == {55: "second"}


# --- any sequence of edits --------------------------------------------------------------------------------------


def in_a_gap(t: Timeline, frame: int) -> bool:
    track = t.track("V1")
    return 0 <= frame < t.duration and track.clip_at(frame) is None


EDITS = st.one_of(
    st.builds(lambda i: ("ripple", i), st.integers(0, 5)),
    st.builds(lambda i: ("delete", i), st.integers(0, 5)),
    st.builds(lambda i, to: ("move", i, to), st.integers(0, 5), st.integers(0, 200)),
    st.builds(lambda i, to: ("tail", i, to), st.integers(0, 5), st.integers(0, 200)),
    st.builds(lambda i, to: ("head", i, to), st.integers(0, 5), st.integers(0, 200)),
    st.builds(lambda at, n: ("insert", at, n), st.integers(0, 160), st.integers(1, 40)),
    st.builds(lambda i, at: ("split", i, at), st.integers(0, 5), st.integers(0, 200)),
)


def _command(t: Timeline, edit: tuple, n: int) -> Command:
    clips = t.track("V1").clips
    kind, *args = edit
    if kind == "insert":
        return Insert("V1", clip("cam", 0, args[1], clip_id=f"x{n}"), args[0], split_id=f"s{n}")
    target = clips[args[0] % len(clips)].id if clips else "none"
    return {
        "ripple": lambda: RippleDelete(target),
        "delete": lambda: Delete(target),
        "move": lambda: Move(target, "V1", args[1]),
        "tail": lambda: TrimTail(target, args[1]),
        "head": lambda: TrimHead(target, args[1]),
        "split": lambda: Split(target, args[1], right_id=f"r{n}"),
    }[kind]()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=8))
def test_after_any_edits_every_name_is_in_a_gap_and_undo_restores_them(cut: Timeline, edits: list[tuple]) -> None:
    start = cut.copy()
    history = History(cut)
    for n, edit in enumerate(edits):
        try:
            history.do(_command(cut, edit, n))
        except EditError:
            continue
        cut.check()
        assert all(in_a_gap(cut, frame) for frame in names(cut)), names(cut)
    while history.can_undo:
        history.undo()
    assert cut == start
