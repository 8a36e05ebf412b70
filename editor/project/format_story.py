"""The project file's ``story`` object: the storyboard and the cast (``editor.model.story``), written only when
a project has one, so projects without a storyboard are byte-for-byte what they were."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from editor.model.story import CastMember, Story, Storyboard, StoryShot
from editor.project.fields import (
    Bad,
    Reader,
    as_bool,
    as_dict,
    as_list,
    as_nonempty_str,
    as_opt_fraction,
    as_opt_int,
    as_opt_str,
    as_str,
    as_str_tuple,
    describe,
)


def story_to_dict(story: Story, store_path: Any, base: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if story.storyboard is not None:
        out["storyboard"] = story.storyboard.to_dict()
    if story.cast:
        out["cast"] = [replace(m, image=store_path(m.image, base) if m.image else "").to_dict() for m in story.cast]
    return out


def read_story(value: Any, where: str, base_dir: str | os.PathLike[str] | None, resolve_path: Any,
               warnings: list[str]) -> Story:
    r = Reader(value, where, warnings)
    cast = []
    for i, item in enumerate(r.get("cast", as_list, [])):
        m = Reader(item, f"{where}.cast[{i}]", warnings)
        image = m.get("image", as_str, "")
        cast.append(CastMember(id=m.get("id", as_nonempty_str), name=m.get("name", as_nonempty_str),
                               image=resolve_path(image, base_dir) if image else "",
                               description=m.get("description", as_str, "")))
        m.done()
    raw_board = r.get("storyboard", as_dict, None)
    board = None if raw_board is None else _read_board(raw_board, f"{where}.storyboard", warnings)
    r.done()
    ids = [m.id for m in cast]
    if len(set(ids)) != len(ids):
        raise Bad(f"{where}.cast: two cast members share an id")
    if board is not None:
        for s in board.shots:
            for c in s.cast:
                if c not in ids:
                    raise Bad(f"{where}.storyboard: shot {s.id!r} names cast member {c!r}, who is not in the cast")
    return Story(storyboard=board, cast=tuple(cast))


def _read_board(value: dict[str, Any], where: str, warnings: list[str]) -> Storyboard:
    r = Reader(value, where, warnings)
    shots = []
    for i, item in enumerate(r.get("shots", as_list, [])):
        s = Reader(item, f"{where}.shots[{i}]", warnings)
        seconds = s.get("seconds", as_opt_fraction, None)
        if seconds is not None and seconds <= 0:
            raise Bad(f"{where}.shots[{i}].seconds: a fixed length must be positive, got {describe(seconds)}")
        shots.append(StoryShot(
            id=s.get("id", as_nonempty_str), clip=s.get("clip", as_nonempty_str),
            narration=s.get("narration", as_str, ""), visual=s.get("visual", as_str, ""), seconds=seconds,
            cast=s.get("cast", as_str_tuple, ()), speech=s.get("speech", as_opt_str, None),
            caption=s.get("caption", as_opt_str, None)))
        s.done()
    if len({s.id for s in shots}) != len(shots):
        raise Bad(f"{where}.shots: two shots share an id")
    board = Storyboard(
        shots=tuple(shots), style=r.get("style", as_str, ""), seed=r.get("seed", as_opt_int, None),
        chain=r.get("chain", as_bool, False), model=r.get("model", as_str, ""), voice=r.get("voice", as_str, ""),
        track=r.get("track", as_str, ""), voice_track=r.get("voice_track", as_str, ""),
        caption_track=r.get("caption_track", as_str, ""))
    r.done()
    return board
