"""Fixtures for the storyboard room: a script with a cast member whose picture is a real PNG, a timeline
built from it, and a helper that applies a command the strict way (undo and redo give exact states)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from editor.media import synth
from editor.model import Command, Timeline
from editor.model.testing import timeline
from editor.storyboard import build_storyboard, parse_script

# Six shots: line 3 is fixed at 4 s, Ana (with a picture) is named in shots 1, 4 and 6.
SIX_LINES = """\
# The market
@Ana: ana.png | a tall woman in a red coat
Ana walks into the market.
The stalls are full of oranges. | close-up of oranges piled high
A dog barks at a pigeon. [4s]
Ana buys three oranges.
The sun sets over the roofs.
Ana walks home, happy.
"""


@pytest.fixture(scope="session")
def pictures(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("storyboard-pictures")
    synth.still(folder / "ana.png", "red", size=(64, 64))
    synth.still(folder / "bo.png", "blue", size=(64, 64))
    return folder


@pytest.fixture
def script(pictures):
    return parse_script(SIX_LINES, base_dir=pictures)


@pytest.fixture
def built(script) -> Callable[..., Timeline]:
    """A 30 fps timeline (tracks V1, A1) with the six-line script built on it (``**options`` for the build)."""

    def make(**options) -> Timeline:
        tl = timeline(1, 1)
        build_storyboard(tl, script, **options).apply(tl)
        tl.check()
        return tl

    return make


@pytest.fixture
def exact() -> Callable[[Timeline, Command], Command]:
    """Apply a command, prove that undo gives back the exact state and redo the same result; the
    timeline's rules hold at every step."""

    def run(tl: Timeline, cmd: Command) -> Command:
        before = tl.state()
        cmd.apply(tl)
        tl.check()
        after = tl.state()
        cmd.revert(tl)
        tl.check()
        assert tl.state() == before, f"{cmd.label} did not undo exactly"
        cmd.apply(tl)
        tl.check()
        assert tl.state() == after, f"{cmd.label} redid differently"
        return cmd

    return run
