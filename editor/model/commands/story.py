"""Storyboard and cast commands: each replaces the timeline's ``Story`` record as one undo step. Edits that
also move clips (reordering cards, relaying shots) group one of these with the clip commands
(``editor.storyboard.edits``)."""

from __future__ import annotations

from dataclasses import replace

from editor.model.commands.base import Command, EditError, Plan
from editor.model.story import CastMember, Story, Storyboard
from editor.model.timeline import Timeline


class SetStory(Command):
    """Make ``story`` the project's storyboard and cast."""

    def __init__(self, story: Story, label: str = "Edit storyboard") -> None:
        self.story = story
        self.label = label

    def plan(self, tl: Timeline, p: Plan) -> None:
        ids = [m.id for m in self.story.cast]
        if len(set(ids)) != len(ids):
            raise EditError("two cast members share an id")
        names = [m.name.strip().casefold() for m in self.story.cast]
        if any(not n for n in names):
            raise EditError("a cast member needs a name")
        if len(set(names)) != len(names):
            raise EditError("two cast members have the same name")
        board = self.story.storyboard
        if board is not None:
            shot_ids = [s.id for s in board.shots]
            if len(set(shot_ids)) != len(shot_ids):
                raise EditError("two storyboard shots share an id")
            for s in board.shots:
                unknown = [c for c in s.cast if c not in ids]
                if unknown:
                    raise EditError(f"shot {s.id} names cast member {unknown[0]!r}, who is not in the cast")
                if s.seconds is not None and s.seconds <= 0:
                    raise EditError(f"shot {s.id} has a length of {s.seconds} s: a fixed length must be positive")
        p.set_story(self.story)


def set_storyboard(tl: Timeline, board: Storyboard | None, label: str = "Edit storyboard") -> SetStory:
    return SetStory(replace(tl.story, storyboard=board), label)


def set_cast(tl: Timeline, cast: tuple[CastMember, ...], label: str = "Edit cast") -> SetStory:
    """The cast replaced; a removed member is also taken off the shots that named it (in the same step)."""
    ids = {m.id for m in cast}
    board = tl.story.storyboard
    if board is not None:
        board = replace(board, shots=tuple(replace(s, cast=tuple(c for c in s.cast if c in ids))
                                           for s in board.shots))
    return SetStory(Story(storyboard=board, cast=tuple(cast)), label)
