"""Editing the storyboard through its cards. Every function returns one Command (one undo step; nothing
changes until it is applied) or raises EditError with one line saying what and why.

A card is a block of up to three clips: the shot's video on the Story track, its speech on the Voice track and
its caption. Edits keep the block together and ripple the clips after it on those tracks; a clip whose inputs
change (words, prompt, cast picture, voice) becomes a draft: no seed, not playing a take (its takes are kept),
so nothing is generated until ``generate`` gives it a seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from fractions import Fraction
from typing import Any

from editor.model.clips import Clip, GeneratedClip, GenerationSpec, TextClip
from editor.model.commands import Command, EditError
from editor.model.commands.base import split_clip
from editor.model.story import Story, Storyboard, StoryShot
from editor.model.text import DEFAULT_CAPTION_STYLE
from editor.model.timeline import Timeline, new_id
from editor.storyboard.build import check_options, check_voice
from editor.storyboard.cards import Card, cards
from editor.storyboard.cast import names_member
from editor.storyboard.edits_cast import add_cast, edit_cast, remove_cast
from editor.storyboard.estimate import estimate_seconds
from editor.storyboard.layout import Lane, Relayout, drafted, frames, restate, short, story_tracks
from editor.storyboard.script import MAX_SHOT_CHARS, MAX_SHOT_SECONDS, split_sentences

__all__ = ["KEEP", "add_cast", "edit_cast", "edit_card", "fit_to_narration", "generate", "merge_cards",
           "move_card", "remove_card", "remove_cast", "set_board", "split_card"]

KEEP: Any = object()   # edit_card(seconds=KEEP): leave the length as it is (None: let it follow the narration)
PAD_SECONDS = Fraction(2, 5)       # fit_to_narration: the shot runs on this long after the last word
MIN_FIT_SECONDS = Fraction(3, 2)   # ... and is never shorter than this
BOARD_OPTIONS = ("style", "seed", "chain", "model", "voice")


# --- looking things up -------------------------------------------------------------------------------------


def _board(tl: Timeline) -> Storyboard:
    board = tl.story.storyboard
    if board is None:
        raise EditError("the project has no storyboard: build one from a script first")
    return board


def _card(tl: Timeline, shot_id: str) -> tuple[list[Card], Card]:
    _board(tl)
    found = cards(tl)
    for card in found:
        if card.shot.id == shot_id:
            return found, card
    raise EditError(f"no card {shot_id!r} on the storyboard")


def _with_shots(story: Story, shots: Iterable[StoryShot]) -> Story:
    assert story.storyboard is not None
    return replace(story, storyboard=replace(story.storyboard, shots=tuple(shots)))


def _block(lane: Lane, shot: StoryShot) -> list[tuple[str, Clip]]:
    return [found for found in (lane.find(shot.clip), lane.find(shot.speech), lane.find(shot.caption)) if found]


def _tracks(lane: Lane, board: Storyboard, block: list[tuple[str, Clip]]) -> list[str]:
    return list(dict.fromkeys([*story_tracks(board, lane), *(tid for tid, _ in block)]))


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise EditError(f"{what} is text, got {type(value).__name__}")
    text = " ".join(value.split())
    if len(text) > MAX_SHOT_CHARS:
        raise EditError(f"{what} is {len(text)} characters long; at most {MAX_SHOT_CHARS}")
    return text


# --- laying cards out ---------------------------------------------------------------------------------------


def move_card(tl: Timeline, shot_id: str, index: int) -> Command:
    """Move a card to position ``index`` (0 is first): its video, speech and caption move together, the
    cards after its old place close up and those after its new place make room. Where a card sits is its
    video's place: a narration running on past its shot goes with it, and is cut where it runs under
    another card's speech."""
    found, card = _card(tl, shot_id)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(found):
        raise EditError(f"card position {index!r} is out of range 0..{len(found) - 1}")
    board = _board(tl)
    lane = Lane(tl)
    if index == card.index:
        return lane.command("Move card", tl.story)
    block, tracks = _take_out(lane, board, card)
    video = card.clip
    assert video is not None
    others = [c for c in found if c is not card]
    at = _video_of(lane, others[index]).start if index < len(others) else _video_of(lane, others[-1]).end
    lane.shift(tracks, at, video.duration)
    for tid, c in block:
        lane.put(tid, c.moved(start=c.start - video.start + at))
    restate(lane, tl.story, tl.story)   # a chained board's first shot may have changed
    return lane.command("Move card", tl.story)


def remove_card(tl: Timeline, shot_id: str) -> Command:
    """Take a card off the storyboard: its clips go and the cards after it close up."""
    _, card = _card(tl, shot_id)
    board = _board(tl)
    lane = Lane(tl)
    for _, sound in lane.sounds_under(card.shot.clip):   # made for this shot: it goes with it
        lane.remove(sound.id)
    _take_out(lane, board, card)
    story = _with_shots(tl.story, (s for s in board.shots if s.id != shot_id))
    restate(lane, tl.story, story)
    return lane.command("Remove card", story)


def _take_out(lane: Lane, board: Storyboard, card: Card) -> tuple[list[tuple[str, Clip]], list[str]]:
    """Remove a card's clips and close up after its video: what comes after its shot moves back by the
    shot's length (a narration of its that ran on past the shot goes with it). The block and the tracks."""
    video = card.clip
    assert video is not None
    block = _block(lane, card.shot)
    tracks = _tracks(lane, board, block)
    for _, c in block:
        lane.remove(c.id)
    lane.shift(tracks, video.end, -video.duration)
    return block, tracks


def _video_of(lane: Lane, card: Card) -> Clip:
    clip = lane.clip(card.shot.clip)
    assert clip is not None
    return clip


def resize(lane: Lane, board: Storyboard, shot: StoryShot, length: int) -> None:
    """Make a shot ``length`` frames long, rippling the clips after it on the storyboard's tracks; its
    caption spans it and its speech is cut at its end. A video take too short for it is let go (draft)."""
    video = lane.clip(shot.clip)
    if not isinstance(video, GeneratedClip) or length == video.duration:
        return
    block = _block(lane, shot)
    lane.shift(_tracks(lane, board, block), video.end, length - video.duration, keep=[c.id for _, c in block])
    new = video.moved(duration=length)
    limit = lane.tl.media_frames(new)
    if limit is not None and new.source_in + new.source_frames > limit:
        new = drafted(new)
    lane.update(new)
    caption = lane.clip(shot.caption)
    if isinstance(caption, TextClip):
        lane.update(caption.moved(start=new.start, duration=length))
    speech = lane.clip(shot.speech)
    if speech is not None and speech.end > new.end and speech.start < new.end:
        lane.update(speech.moved(duration=new.end - speech.start))


# --- editing one card ----------------------------------------------------------------------------------------


def edit_card(tl: Timeline, shot_id: str, *, narration: str | None = None, visual: str | None = None,
              seconds: Fraction | float | int | None = KEEP, cast: Iterable[str] | None = None,
              voice: str | None = None, voice_speed: float | None = None, pitch: float | None = None) -> Command:
    """Change what a card says, shows, lasts, shows of the cast, or how its narration is voiced (None: as it
    is; ``seconds=None`` lets the length follow the narration). A changed narration makes the speech a new
    draft and changes the caption's text; a changed picture makes the video a draft."""
    _, card = _card(tl, shot_id)
    board = _board(tl)
    shot = card.shot
    new = shot
    if narration is not None:
        new = replace(new, narration=_text(narration, "the narration"))
    if visual is not None:
        new = replace(new, visual=_text(visual, "the visual"))
    if not new.narration and not new.visual:
        raise EditError("a card needs words or a picture")
    if seconds is not KEEP:
        new = replace(new, seconds=_seconds(seconds))
    if cast is not None:
        new = replace(new, cast=_cast_ids(tl.story, cast))
    lane = Lane(tl)
    video = card.clip
    assert video is not None
    new = _speech_and_caption(lane, board, shot, new, video)
    _voice(lane, new, voice, voice_speed, pitch)
    if new.seconds is not None:
        length = frames(new.seconds, tl.fps)
    elif new.narration != shot.narration or shot.seconds is not None:
        length = _natural_length(lane, new, video)
    else:
        length = video.duration
    resize(lane, board, new, length)
    story = _with_shots(tl.story, (new if s.id == shot.id else s for s in board.shots))
    restate(lane, tl.story, story)
    return lane.command("Edit card", story)


def _seconds(value: object) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)) or \
            (isinstance(value, float) and not math.isfinite(value)):
        raise EditError(f"a shot's length is a number of seconds, got {value!r}")
    seconds = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if not 0 < seconds <= MAX_SHOT_SECONDS:
        raise EditError(f"a shot lasts more than 0 and at most {MAX_SHOT_SECONDS} seconds, got {float(seconds):g}")
    return seconds


def _cast_ids(story: Story, cast: Iterable[str]) -> tuple[str, ...]:
    if isinstance(cast, str):
        raise EditError("a card's cast is a list of cast member ids or names")
    out: list[str] = []
    for item in cast:
        if not isinstance(item, str):
            raise EditError(f"a cast member is named by id or name, got {item!r}")
        member = next((m for m in story.cast if m.id == item), None) or story.member_named(item)
        if member is None:
            raise EditError(f"no cast member {item!r}")
        if member.id not in out:
            out.append(member.id)
    return tuple(out)


def _speech_and_caption(lane: Lane, board: Storyboard, old: StoryShot, new: StoryShot,
                        video: GeneratedClip) -> StoryShot:
    """Add or remove the speech and caption clips when a card gains or loses its narration."""
    speech, caption = lane.clip(new.speech), lane.clip(new.caption)
    if not new.narration:
        for clip in (speech, caption):
            if clip is not None:
                lane.remove(clip.id)
        return replace(new, speech=None, caption=None)
    if speech is None and lane.has_track(board.voice_track):
        sid = new_id("c")
        length = min(frames(estimate_seconds(new.narration), lane.fps), video.duration)
        lane.put(board.voice_track, GeneratedClip(sid, video.start, length, name=short(new.narration),
                                                  spec=GenerationSpec(prompt=new.narration, kind="speech")))
        new = replace(new, speech=sid)
    if caption is None and lane.has_track(board.caption_track):
        cid = new_id("c")
        lane.put(board.caption_track, TextClip(cid, video.start, video.duration, name=short(new.narration),
                                               text=new.narration, style=_caption_style(lane, board)))
        new = replace(new, caption=cid)
    return new


def _caption_style(lane: Lane, board: Storyboard) -> Any:
    for c in lane.lists.get(board.caption_track, []):
        if isinstance(c, TextClip):
            return c.style
    return DEFAULT_CAPTION_STYLE


def _voice(lane: Lane, shot: StoryShot, voice: str | None, speed: float | None, pitch: float | None) -> None:
    changes: dict[str, Any] = {}
    if voice is not None:
        if not isinstance(voice, str):
            raise EditError(f"a voice is '<voice model>:<voice>', got {voice!r}")
        changes["voice"] = check_voice(voice) if voice else voice
    if speed is not None:
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed) or \
                not 0.25 <= speed <= 4:
            raise EditError(f"a speaking speed is a number from 0.25 to 4, got {speed!r}")
        changes["voice_speed"] = float(speed)
    if pitch is not None:
        if isinstance(pitch, bool) or not isinstance(pitch, (int, float)) or not math.isfinite(pitch) or \
                not -24 <= pitch <= 24:
            raise EditError(f"a pitch is a number of semitones from -24 to 24, got {pitch!r}")
        changes["pitch"] = float(pitch)
    speech = lane.clip(shot.speech)
    if not changes or not isinstance(speech, GeneratedClip):
        return
    if any(getattr(speech.spec, k) != v for k, v in changes.items()):
        lane.update(drafted(speech, **changes))


def _natural_length(lane: Lane, shot: StoryShot, video: GeneratedClip) -> int:
    """The length a shot without a fixed length takes: its spoken narration and a breath when it has been
    spoken (and not changed since), else the estimate."""
    speech = lane.clip(shot.speech)
    fps = lane.fps
    if isinstance(speech, GeneratedClip) and not speech.pending and speech.spec.prompt == shot.narration:
        spoken = lane.tl.media_frames(speech)
        if spoken is not None:
            offset = max(0, speech.start - video.start)
            return max(frames(MIN_FIT_SECONDS, fps), offset + spoken - speech.source_in + frames(PAD_SECONDS, fps))
    return frames(estimate_seconds(shot.narration), fps)


# --- splitting and merging ----------------------------------------------------------------------------------


def split_card(tl: Timeline, shot_id: str) -> Command:
    """Cut a card in two: at the sentence boundary nearest the middle of its words, else between its middle
    words. The length is shared in proportion to what each half says."""
    _, card = _card(tl, shot_id)
    board = _board(tl)
    shot, video = card.shot, card.clip
    assert video is not None
    main = shot.narration or shot.visual
    halves = _halves(main)
    if halves is None:
        raise EditError("a card of one word cannot be split")
    if video.duration < 2:
        raise EditError("a card of one frame cannot be split")
    if shot.narration:
        n1, n2 = halves
        v1, v2 = _halves(shot.visual) if shot.visual and len(split_sentences(shot.visual)) > 1 else \
            (shot.visual, shot.visual)   # type: ignore[misc]
    else:
        n1 = n2 = ""
        v1, v2 = halves
    w1, w2 = estimate_seconds(n1 or v1), estimate_seconds(n2 or v2)
    left = min(video.duration - 1, max(1, round(video.duration * w1 / (w1 + w2))))
    fps = tl.fps
    lane = Lane(tl)
    right_id = new_id("c")
    head, tail = split_clip(tl, video, video.start + left, right_id)
    lane.update(head)
    lane.put(lane.find(video.id)[0], tail.moved(name=short(n2 or v2)))   # type: ignore[index]
    fixed = shot.seconds is not None
    first = replace(shot, narration=n1, visual=v1, seconds=Fraction(left) / fps if fixed else None,
                    cast=_cast_of_half(tl.story, shot, n1, v1))
    second = StoryShot(id=new_id("s"), clip=right_id, narration=n2, visual=v2,
                       seconds=Fraction(video.duration - left) / fps if fixed else None,
                       cast=_cast_of_half(tl.story, shot, n2, v2))
    speech, caption = lane.clip(shot.speech), lane.clip(shot.caption)
    if isinstance(speech, GeneratedClip) and n2:
        sid = new_id("c")
        spec = GenerationSpec(prompt=n2, kind="speech", voice=speech.spec.voice, voice_speed=speech.spec.voice_speed,
                              pitch=speech.spec.pitch)
        length = min(frames(estimate_seconds(n2), fps), tail.duration)
        lane.put(lane.find(speech.id)[0], GeneratedClip(sid, tail.start, length, name=short(n2), spec=spec))  # type: ignore[index]
        second = replace(second, speech=sid)
        if speech.end > head.end:
            lane.update(speech.moved(duration=max(1, head.end - speech.start)))
    if isinstance(caption, TextClip) and n2:
        cid = new_id("c")
        lane.update(caption.moved(start=head.start, duration=head.duration))
        lane.put(lane.find(caption.id)[0], caption.moved(id=cid, start=tail.start, duration=tail.duration,   # type: ignore[index]
                                                         text=n2, name=short(n2), words=()))
        second = replace(second, caption=cid)
    shots: list[StoryShot] = []
    for s in board.shots:
        shots += [first, second] if s.id == shot.id else [s]
    story = _with_shots(tl.story, shots)
    restate(lane, tl.story, story, origin={second.id: shot.id})
    return lane.command("Split card", story)


def _halves(text: str) -> tuple[str, str] | None:
    sentences = split_sentences(text)
    if len(sentences) > 1:
        total = sum(len(s) for s in sentences)
        best, best_gap, run = 1, None, 0
        for i, s in enumerate(sentences[:-1], start=1):
            run += len(s)
            gap = abs(2 * run - total)
            if best_gap is None or gap < best_gap:
                best, best_gap = i, gap
        return " ".join(sentences[:best]), " ".join(sentences[best:])
    words = text.split()
    if len(words) < 2:
        return None
    middle = len(words) // 2
    return " ".join(words[:middle]), " ".join(words[middle:])


def _cast_of_half(story: Story, shot: StoryShot, narration: str, visual: str) -> tuple[str, ...]:
    """The members a half shows: those it names, and those the whole shot showed without naming them (added
    by hand)."""
    known = {m.id: m for m in story.cast}
    out = []
    for cid in shot.cast:
        m = known.get(cid)
        if m is None:
            continue
        named_whole = names_member(shot.narration, m.name) or names_member(shot.visual, m.name)
        if not named_whole or names_member(narration, m.name) or names_member(visual, m.name):
            out.append(cid)
    return tuple(out)


def merge_cards(tl: Timeline, shot_id: str) -> Command:
    """Join a card with the next one: one shot from the start of the first to the end of the second, saying
    both narrations (a new draft) and showing both pictures."""
    found, card = _card(tl, shot_id)
    if card.index + 1 >= len(found):
        raise EditError("the last card has no next card to merge with")
    board = _board(tl)
    nxt = found[card.index + 1]
    a, b = card.shot, nxt.shot
    first, second = card.clip, nxt.clip
    assert first is not None and second is not None
    narration = " ".join(x for x in (a.narration, b.narration) if x)
    visual = " ".join(x for x in (a.picture, b.picture) if x) if (a.visual or b.visual) else ""
    for what, text in (("narration", narration), ("picture", visual)):
        if len(text) > MAX_SHOT_CHARS:   # a speech job or a prompt that long is refused when it is generated
            raise EditError(f"the merged card's {what} would be {len(text)} characters long; a shot holds at "
                            f"most {MAX_SHOT_CHARS}: shorten one of the cards first")
    seconds = a.seconds + b.seconds if a.seconds is not None and b.seconds is not None else None
    merged = replace(a, narration=narration, visual=visual, seconds=seconds,
                     cast=tuple(dict.fromkeys((*a.cast, *b.cast))))
    lane = Lane(tl)
    length = second.end - first.start
    lane.remove(second.id)
    lane.update(first.moved(duration=length, name=short(visual or narration)))
    merged = replace(merged, speech=_keep_one(lane, a.speech, b.speech, first.start),
                     caption=_keep_one(lane, a.caption, b.caption, first.start))
    caption = lane.clip(merged.caption)
    if isinstance(caption, TextClip):
        lane.update(caption.moved(start=first.start, duration=length, words=()))
    new_first = lane.clip(first.id)
    assert isinstance(new_first, GeneratedClip)
    limit = tl.media_frames(new_first)
    if limit is not None and new_first.source_in + new_first.source_frames > limit:
        lane.update(drafted(new_first))
    story = _with_shots(tl.story, (merged if s.id == a.id else s for s in board.shots if s.id != b.id))
    restate(lane, tl.story, story)
    return lane.command("Merge cards", story)


def _keep_one(lane: Lane, mine: str | None, theirs: str | None, start: int) -> str | None:
    """The first card's clip (the second's goes), or the second's moved to the start when the first has none."""
    kept, gone = lane.clip(mine), lane.clip(theirs)
    if kept is not None:
        if gone is not None:
            lane.remove(gone.id)
        return kept.id
    if gone is not None:
        lane.update(gone.moved(start=start))
        return gone.id
    return None


# --- the whole board -----------------------------------------------------------------------------------------


def set_board(tl: Timeline, **options: Any) -> Command:
    """Change the storyboard's ``style``, ``seed``, ``chain``, ``model`` or ``voice``; the shots whose prompt,
    model or pictures change become drafts (and the speech in the board's voice when the voice changes)."""
    board = _board(tl)
    unknown = [k for k in options if k not in BOARD_OPTIONS]
    if unknown:
        raise EditError(f"unknown storyboard option {unknown[0]!r}: use {', '.join(BOARD_OPTIONS)}")
    check_options(**options)
    if options.get("voice"):
        options["voice"] = check_voice(options["voice"])
    story = replace(tl.story, storyboard=replace(board, **options))
    lane = Lane(tl)
    restate(lane, tl.story, story)
    return lane.command("Storyboard settings", story)


def fit_to_narration(tl: Timeline) -> Command | None:
    """Each card without a fixed length as long as its spoken narration and a breath (0.4 s, at least 1.5 s
    in all), once the speech has a take; later cards, their speech and captions ripple. None when nothing
    would change."""
    board = tl.story.storyboard
    if board is None:
        return None
    lane = Lane(tl)
    for card in cards(tl):
        shot = card.shot
        speech, video = lane.clip(shot.speech), lane.clip(shot.clip)
        if shot.seconds is not None or not isinstance(speech, GeneratedClip) or speech.pending or \
                not isinstance(video, GeneratedClip):
            continue
        spoken = tl.media_frames(speech)
        if spoken is None:
            continue
        spoken -= speech.source_in
        if spoken > 0 and speech.duration != spoken:
            speech = speech.moved(duration=spoken)
            lane.update(speech)
        offset = max(0, speech.start - video.start)
        length = max(frames(MIN_FIT_SECONDS, tl.fps), offset + spoken + frames(PAD_SECONDS, tl.fps))
        resize(lane, board, shot, length)
    command = lane.command("Fit shots to narration", tl.story)
    return command if _changes(command) else None


def _changes(command: Relayout) -> bool:
    return bool(command.before or command.new_tracks or command.story_after != command.story_before)


def generate(tl: Timeline, shot_ids: Iterable[str] | None = None, *, seed_source: Callable[[], int],
             what: Iterable[str] = ("speech", "video")) -> Command | None:
    """Give the drafts of the cards (all, or ``shot_ids``) seeds, so that the shot queue makes them: the
    board's seed when it has one, else a new one from ``seed_source`` for each clip.

    On a chained board a video shot starts from the previous shot's last frame, so it waits (stays a draft)
    while the previous card's video is not made yet; call ``generate`` again when takes land
    (``ShotQueue.on_attached``) to go on down the chain. None when no chosen clip is a draft that can go."""
    board = _board(tl)
    kinds = set(what) if not isinstance(what, str) else {what}
    if not kinds or not kinds <= {"speech", "video"}:
        raise EditError(f"generate makes 'speech' and/or 'video', not {sorted(kinds)!r}")
    found = cards(tl)
    chosen = found
    if shot_ids is not None:
        wanted = [shot_ids] if isinstance(shot_ids, str) else list(shot_ids)
        known = {c.shot.id for c in found}
        missing = [s for s in wanted if s not in known]
        if missing:
            raise EditError(f"no card {missing[0]!r} on the storyboard")
        chosen = [c for c in found if c.shot.id in set(wanted)]
    lane = Lane(tl)
    given = 0

    def seed() -> int:
        value = board.seed if board.seed is not None else seed_source()
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise EditError(f"a seed is a whole number of 0 or more, got {value!r}")
        return value

    for card in chosen:
        clip = card.clip
        if "video" in kinds and clip is not None and clip.pending and clip.spec.seed is None:
            previous = found[card.index - 1].clip if card.index > 0 else None
            if not (board.chain and previous is not None and previous.pending):
                lane.update(clip.moved(spec=replace(clip.spec, seed=seed())))
                given += 1
        speech = card.speech
        if "speech" in kinds and speech is not None and speech.pending and speech.spec.seed is None:
            lane.update(speech.moved(spec=replace(speech.spec, seed=seed())))
            given += 1
    if not given:
        return None   # every chosen clip is made or queued (or, chained, waits for the shot before it)
    return lane.command("Generate storyboard", tl.story)
