"""Shared fixtures: a small standard timeline, and helpers that apply a command the strict way."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from editor.model import Change, Command, EditError, Timeline
from editor.model.testing import clip, generated, sound, still, timeline, video


@pytest.fixture
def tl() -> Timeline:
    """V1: a [0,100) cam@50, b [100,150) cam@0, c [200,240) logo (still); V2: g [50,110) pending generated;
    A1: m [0,300) music. Pool: cam (300 f, sound), mute (200 f, no sound), logo (still), music (600 f, sound
    only), take1 (120 f), take2 (60 f)."""
    t = timeline(2, 1, media=[video("cam", 300), video("mute", 200, audio=False), still("logo"),
                              sound("music", 600), video("take1", 120), video("take2", 60)])
    for track_id, c in [("V1", clip("cam", 0, 100, 50, clip_id="a")), ("V1", clip("cam", 100, 50, clip_id="b")),
                        ("V1", clip("logo", 200, 40, clip_id="c")), ("V2", generated(50, 60, clip_id="g")),
                        ("A1", clip("music", 0, 300, clip_id="m"))]:
        t.track(track_id).add(c)
    t.check()
    return t


@pytest.fixture
def do() -> Callable[[Timeline, Command], Command]:
    """Apply a command, then prove its inverse: revert gives back the exact state, re-apply the same result.
    Checks the invariants at each step and that each step emits one change event."""

    def run(t: Timeline, cmd: Command) -> Command:
        before = t.copy()
        events: list[Change] = []
        unsubscribe = t.subscribe(events.append)
        cmd.apply(t)
        t.check()
        after = t.copy()
        cmd.revert(t)
        t.check()
        assert t == before, f"{cmd!r} did not revert exactly"
        cmd.apply(t)
        t.check()
        assert t == after, f"{cmd!r} re-applied differently"
        unsubscribe()
        assert [e.label for e in events] == [cmd.label] * 3
        assert [e.undo for e in events] == [False, True, False]
        return cmd

    return run


@pytest.fixture
def refuse() -> Callable[[Timeline, Command, str], EditError]:
    """Apply a command that must be refused: EditError matching ``match``, one line, timeline unchanged,
    no event fired."""

    def run(t: Timeline, cmd: Command, match: str) -> EditError:
        before = t.copy()
        events: list[Change] = []
        unsubscribe = t.subscribe(events.append)
        with pytest.raises(EditError, match=match) as info:
            cmd.apply(t)
        unsubscribe()
        assert t == before
        assert events == []
        assert not cmd.applied
        assert "\n" not in str(info.value)
        t.check()
        return info.value

    return run
