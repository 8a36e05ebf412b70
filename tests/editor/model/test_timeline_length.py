"""A timeline's own length (a trailing gap kept from an imported timeline) and named gaps: what the model
holds, the rules it checks, and the commands that drop or set the length, each with an exact undo."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from editor.model import Command, EditError, History, Timeline
from editor.model.commands import Delete, Move
from editor.model.commands.length import DropTrailingGap, SetTimelineLength, trailing_gap
from editor.model.testing import clip, timeline, video

Do = Callable[[Timeline, Command], Command]
Refuse = Callable[[Timeline, Command, str], EditError]


@pytest.fixture
def cut() -> Timeline:
    """V1: a [0,30) and b [40,70); A1: s [0,50); the timeline lasts 120 frames (50 of them a trailing gap),
    with a named gap on V1 at 30 and one at 70 (the trailing gap)."""
    t = timeline(1, 1, media=[video("cam", 300)])
    t.track("V1").add(clip("cam", 0, 30, clip_id="a"))
    t.track("V1").add(clip("cam", 40, 30, clip_id="b"))
    t.track("A1").add(clip("cam", 0, 50, clip_id="s"))
    t.track("V1").gap_names = {30: "slug", 70: "tail"}
    t.length = 120
    t.check()
    return t


def test_duration_is_the_later_of_the_last_clip_and_the_length(cut: Timeline) -> None:
    assert (cut.content_end, cut.duration, trailing_gap(cut)) == (70, 120, 50)
    cut.length = 10   # a length before the last clip changes nothing
    assert (cut.duration, trailing_gap(cut)) == (70, 0)
    cut.length = 0
    assert cut.duration == 70


def test_an_empty_timeline_with_a_length_lasts_that_long() -> None:
    t = Timeline.empty()
    t.length = 45
    assert (t.content_end, t.duration) == (0, 45)
    t.check()


@pytest.mark.parametrize("bad", [-1, True, 2.5, "90", None])
def test_a_length_that_is_not_a_frame_count_breaks_the_rules(cut: Timeline, bad: object) -> None:
    cut.length = bad   # type: ignore[assignment]
    assert any("timeline length" in p for p in cut.problems())


@pytest.mark.parametrize("names", [{-1: "x"}, {True: "x"}, {"30": "x"}, {30: 7}, [(30, "x")]])
def test_gap_names_must_be_text_at_frame_numbers(cut: Timeline, names: object) -> None:
    cut.track("V1").gap_names = names   # type: ignore[assignment]
    assert any("gap name" in p for p in cut.problems())


def test_length_and_gap_names_are_part_of_the_state(cut: Timeline) -> None:
    other = cut.copy()
    assert other == cut and other.length == 120
    other.length = 0
    assert other != cut
    other = cut.copy()
    other.track("V1").gap_names = {30: "renamed"}
    assert other != cut


def test_a_copy_has_its_own_gap_names(cut: Timeline) -> None:
    other = cut.copy()
    other.track("V1").gap_names[99] = "only in the copy"
    assert 99 not in cut.track("V1").gap_names


def test_clip_edits_keep_the_length(cut: Timeline, do: Do) -> None:
    do(cut, Delete("b"))
    assert (cut.content_end, cut.duration) == (50, 120)
    do(cut, Move("a", "V1", 200))   # past the old end: the timeline grows with its content
    assert cut.duration == 230 and cut.length == 120


def test_drop_trailing_gap_ends_the_timeline_at_its_last_clip(cut: Timeline, do: Do) -> None:
    do(cut, DropTrailingGap())
    assert (cut.length, cut.duration, trailing_gap(cut)) == (0, 70, 0)
    assert cut.track("V1").gap_names == {30: "slug"}   # the name of the gap that started in the tail went with it


def test_drop_trailing_gap_is_one_undo_step(cut: Timeline) -> None:
    before = cut.copy()
    history = History(cut)
    history.do(DropTrailingGap())
    assert history.undo_label == "Remove trailing gap"
    history.undo()
    assert cut == before and cut.track("V1").gap_names == {30: "slug", 70: "tail"}
    history.redo()
    assert cut.duration == 70


def test_drop_trailing_gap_is_refused_without_one(cut: Timeline, refuse: Refuse) -> None:
    cut.length = 0
    refuse(cut, DropTrailingGap(), "no trailing gap")
    cut.length = 60   # before the last clip: nothing trails it either
    refuse(cut, DropTrailingGap(), "no trailing gap")


def test_set_timeline_length(cut: Timeline, do: Do) -> None:
    do(cut, SetTimelineLength(300))
    assert cut.duration == 300
    do(cut, SetTimelineLength(0))
    assert cut.duration == 70


@pytest.mark.parametrize("bad", [-5, True, 1.5])
def test_set_timeline_length_refuses_what_is_not_a_frame_count(cut: Timeline, refuse: Refuse, bad: object) -> None:
    refuse(cut, SetTimelineLength(bad), "whole number of frames")   # type: ignore[arg-type]


def test_set_timeline_length_to_the_same_is_refused(cut: Timeline, refuse: Refuse) -> None:
    refuse(cut, SetTimelineLength(120), "already")
