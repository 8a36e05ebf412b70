"""From a parsed script to a cut: the storyboard's tracks, one draft video shot, one speech line and one
caption per script line, the cast, and the storyboard record, as one undo step.

Nothing is generated here: every clip is a draft (no seed). ``edits.generate`` gives the drafts seeds, and
the shot queue makes what has a seed.
"""

from __future__ import annotations

from dataclasses import replace

from editor.model.clips import GeneratedClip, GenerationSpec, TextClip
from editor.model.commands import Command, EditError
from editor.model.story import CastMember, Story, Storyboard, StoryShot
from editor.model.text import DEFAULT_CAPTION_STYLE, TextStyle
from editor.model.timeline import Timeline, Track, TrackKind, new_id
from editor.storyboard.cast import members_named, resolve_model
from editor.storyboard.estimate import estimate_seconds
from editor.storyboard.layout import Lane, frames, restate, short
from editor.storyboard.script import MAX_SHOT_CHARS, MAX_SHOTS, Script, ScriptCast

__all__ = ["STORY_TRACK", "VOICE_TRACK", "CAPTION_TRACK", "build_storyboard", "estimate_seconds", "merge_cast"]

STORY_TRACK = "Story"
VOICE_TRACK = "Voice"
CAPTION_TRACK = "Captions"
MAX_SEED = 2**63 - 1


def build_storyboard(tl: Timeline, script: Script, *, style: str | None = None, model: str | None = None,
                     voice: str | None = None, seed: int | None = None, chain: bool | None = None,
                     captions: bool = True, at: int = 0) -> Command:
    """The command that lays ``script`` out from frame ``at``: on the storyboard's tracks (made when there is
    no storyboard yet; a video track called "Story" and an audio track called "Voice" are reused), later clips
    on them ripple right. Raises EditError (one line) for options it cannot use.

    An option left out (None) is the storyboard's as it is, so a second script added to a board leaves its
    style, model, voice, seed and chain, and the shots already made, alone; a new board starts with no style,
    the default model and voice, no shared seed, unchained. (Clearing a board's seed is ``set_board``'s.)"""
    base = tl.story.storyboard or Storyboard()
    style = base.style if style is None else style
    model = base.model if model is None else model
    voice = base.voice if voice is None else voice
    seed = base.seed if seed is None else seed
    chain = base.chain if chain is None else chain
    check_options(style=style, model=model, voice=voice, seed=seed, chain=chain)
    voice = check_voice(voice) if voice else voice
    if isinstance(at, bool) or not isinstance(at, int) or at < 0:
        raise EditError(f"a storyboard starts at a frame of 0 or more, got {at!r}")
    if not isinstance(script, Script) or not script.lines:
        raise EditError("the script has no shots")
    if len(script.lines) > MAX_SHOTS:
        raise EditError(f"the script has {len(script.lines)} shots; a storyboard holds at most {MAX_SHOTS}")
    old = tl.story
    old_board = old.storyboard
    cast = merge_cast(old.cast, script.cast)
    lane = Lane(tl)
    track = _video_track(tl, lane, old_board)
    voice_track = _voice_track(tl, lane, old_board)
    caption_track = _caption_track(tl, lane, old_board, captions)
    style_of_captions = _caption_style(tl, caption_track)

    fps = tl.fps
    lengths = []
    for line in script.lines:
        seconds = line.seconds if line.seconds is not None else estimate_seconds(line.narration)
        lengths.append(frames(seconds, fps))
    lane.shift([track, voice_track, caption_track], at, sum(lengths))

    shots: list[StoryShot] = []
    cursor = at
    for line, length in zip(script.lines, lengths, strict=True):
        shot = StoryShot(id=new_id("s"), clip=new_id("c"), narration=line.narration, visual=line.visual,
                         seconds=line.seconds,
                         cast=tuple(m.id for m in members_named(cast, line.visual, line.narration)))
        picture = shot.picture
        lane.put(track, GeneratedClip(shot.clip, cursor, length, name=short(picture),
                                      spec=GenerationSpec(prompt="")))   # restate gives it its inputs
        if line.narration:
            speech_len = min(frames(estimate_seconds(line.narration), fps), length)
            shot = replace(shot, speech=new_id("c"))
            lane.put(voice_track, GeneratedClip(shot.speech, cursor, speech_len, name=short(line.narration),
                                                spec=GenerationSpec(prompt=line.narration, kind="speech")))
            if caption_track:
                shot = replace(shot, caption=new_id("c"))
                lane.put(caption_track, TextClip(shot.caption, cursor, length, name=short(line.narration),
                                                 text=line.narration, style=style_of_captions))
        shots.append(shot)
        cursor += length

    board = replace(base, shots=(*base.shots, *shots), style=style, seed=seed, chain=chain, model=model,
                    voice=voice, track=track, voice_track=voice_track, caption_track=caption_track)
    story = Story(storyboard=board, cast=cast)
    restate(lane, old, story)
    return lane.command("Build storyboard", story)


def check_options(*, style: object = "", model: object = "", voice: object = "", seed: object = None,
                  chain: object = False) -> None:
    """Refuse storyboard options that cannot be used (EditError, one line)."""
    if not isinstance(style, str) or len(style) > MAX_SHOT_CHARS:
        raise EditError(f"a style is text of at most {MAX_SHOT_CHARS} characters")
    if not isinstance(model, str):
        raise EditError(f"a model is a model id, got {type(model).__name__}")
    try:
        resolve_model(model)
    except ValueError as exc:
        raise EditError(str(exc)) from None
    if not isinstance(voice, str):
        raise EditError(f"a voice is '<voice model>:<voice>', got {type(voice).__name__}")
    if voice:
        check_voice(voice)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise EditError(f"a seed is a whole number from 0 to 2**63-1, got {seed!r}")
    if not isinstance(chain, bool):
        raise EditError(f"chain is true or false, got {chain!r}")


def check_voice(voice: str) -> str:
    """The voice as it is stored: "<model>:<voice id>" (a bare model name is its default voice, written out,
    so it compares equal to what a take records). EditError (one line) for a voice that cannot be used."""
    from generation.audio.models import split_voice

    try:
        info, found = split_voice(voice)
    except Exception as exc:   # noqa: BLE001 - the registry says why in one line; anything else is the same
        raise EditError(" ".join(str(exc).strip("'\"").split())) from None
    return f"{info.id}:{found.id}"


def merge_cast(cast: tuple[CastMember, ...], declared: list[ScriptCast]) -> tuple[CastMember, ...]:
    """The project's cast with a script's declarations: a name already there (any case) keeps its id and
    takes the new picture and description where the script gives them; other names join."""
    out = list(cast)
    for d in declared:
        key = d.name.strip().casefold()
        at = next((i for i, m in enumerate(out) if m.name.strip().casefold() == key), None)
        if at is None:
            out.append(CastMember(new_id("m"), d.name, d.image, d.description))
        else:
            m = out[at]
            out[at] = replace(m, image=d.image or m.image, description=d.description or m.description)
    return tuple(out)


def _existing(lane: Lane, tid: str) -> str | None:
    return tid if tid and lane.has_track(tid) else None


def _video_track(tl: Timeline, lane: Lane, board: Storyboard | None) -> str:
    if board is not None and _existing(lane, board.track):
        return board.track
    for t in tl.video_tracks:
        if t.name.strip().casefold() == STORY_TRACK.casefold() and not t.captions:
            return t.id
    tid = new_id("v")
    lane.add_track(Track(tid, TrackKind.VIDEO, STORY_TRACK), len(tl.video_tracks))
    return tid


def _voice_track(tl: Timeline, lane: Lane, board: Storyboard | None) -> str:
    if board is not None and _existing(lane, board.voice_track):
        return board.voice_track
    for t in tl.audio_tracks:
        if t.name.strip().casefold() == VOICE_TRACK.casefold():
            return t.id
    tid = new_id("a")
    lane.add_track(Track(tid, TrackKind.AUDIO, VOICE_TRACK), len(tl.audio_tracks))
    return tid


def _caption_track(tl: Timeline, lane: Lane, board: Storyboard | None, captions: bool) -> str:
    if board is not None and _existing(lane, board.caption_track):
        return board.caption_track
    if not captions:
        return ""
    tid = new_id("v")
    # Above the picture: after the tracks there are now, the Story track included when it is new.
    lane.add_track(Track(tid, TrackKind.VIDEO, CAPTION_TRACK, captions=True), len(tl.video_tracks) + 1)
    return tid


def _caption_style(tl: Timeline, tid: str) -> TextStyle:
    if tid:
        for t in tl.video_tracks:
            if t.id == tid:
                for c in t.clips:
                    if isinstance(c, TextClip):
                        return c.style
    return DEFAULT_CAPTION_STYLE
