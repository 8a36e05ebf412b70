"""Editing the cast: each function returns one Command (or raises EditError, one line). The shots that show
a member are re-prompted with its description and picture in the same step (becoming drafts where their
inputs change)."""

from __future__ import annotations

import os
from dataclasses import replace

from editor.model.commands import Command, EditError
from editor.model.story import CastMember, Story
from editor.model.timeline import Timeline, new_id
from editor.storyboard.cast import names_member
from editor.storyboard.layout import Lane, restate
from editor.storyboard.script import MAX_CAST, MAX_NAME_CHARS, MAX_SHOT_CHARS


def add_cast(tl: Timeline, name: str, image: str = "", description: str = "") -> Command:
    """A new cast member; the storyboard's shots that name it show it from now on."""
    story = tl.story
    if len(story.cast) >= MAX_CAST:
        raise EditError(f"the cast has {len(story.cast)} members; at most {MAX_CAST}")
    name = _name(story, name, None)
    member = CastMember(new_id("m"), name, _image(image), _description(description))
    return _command(tl, replace(story, cast=(*story.cast, member)), member, "Add cast member")


def edit_cast(tl: Timeline, member_id: str, *, name: str | None = None, image: str | None = None,
              description: str | None = None) -> Command:
    """Rename a member, change its picture ("" none) or description (None: as it is)."""
    story = tl.story
    member = _member(story, member_id)
    new = member
    if name is not None:
        new = replace(new, name=_name(story, name, member.id))
    if image is not None:
        new = replace(new, image=_image(image))
    if description is not None:
        new = replace(new, description=_description(description))
    cast = tuple(new if m.id == member.id else m for m in story.cast)
    return _command(tl, replace(story, cast=cast), new, "Edit cast member")


def remove_cast(tl: Timeline, member_id: str) -> Command:
    """Take a member out of the cast and off every shot that showed it."""
    story = tl.story
    member = _member(story, member_id)
    board = story.storyboard
    if board is not None:
        board = replace(board, shots=tuple(replace(s, cast=tuple(c for c in s.cast if c != member.id))
                                           for s in board.shots))
    new = Story(storyboard=board, cast=tuple(m for m in story.cast if m.id != member.id))
    lane = Lane(tl)
    restate(lane, story, new)
    return lane.command("Remove cast member", new)


def _command(tl: Timeline, story: Story, member: CastMember, label: str) -> Command:
    """The story with ``member`` added to the shots that name it (by its current name), re-prompted."""
    board = story.storyboard
    if board is not None:
        shots = tuple(replace(s, cast=(*s.cast, member.id))
                      if member.id not in s.cast and (names_member(s.visual, member.name)
                                                      or names_member(s.narration, member.name)) else s
                      for s in board.shots)
        story = replace(story, storyboard=replace(board, shots=shots))
    lane = Lane(tl)
    restate(lane, tl.story, story)
    return lane.command(label, story)


def _member(story: Story, member_id: str) -> CastMember:
    for m in story.cast:
        if m.id == member_id:
            return m
    raise EditError(f"no cast member {member_id!r}")


def _name(story: Story, name: object, own_id: str | None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise EditError("a cast member needs a name")
    name = " ".join(name.split()).lstrip("@")
    if len(name) > MAX_NAME_CHARS:
        raise EditError(f"a cast name is at most {MAX_NAME_CHARS} characters")
    other = story.member_named(name)
    if other is not None and other.id != own_id:
        raise EditError(f"the cast already has {other.name}")
    return name


def _image(image: object) -> str:
    if not isinstance(image, str):
        raise EditError(f"a picture is a file path, got {type(image).__name__}")
    if image and not os.path.isfile(image):
        raise EditError(f"no picture at {image}")
    return image


def _description(description: object) -> str:
    if not isinstance(description, str):
        raise EditError(f"a description is text, got {type(description).__name__}")
    text = " ".join(description.split())
    if len(text) > MAX_SHOT_CHARS:
        raise EditError(f"a description is at most {MAX_SHOT_CHARS} characters")
    return text
