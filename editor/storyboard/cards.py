"""The storyboard's cards, derived from the timeline each time they are asked for and never stored.

A card is a shot of the storyboard whose video clip is still on the timeline: its position and length are
the clip's, so moving the clip on the timeline reorders the cards, and deleting it removes the card. What the
timeline cannot say (the narration, the visual, a fixed length, the cast) comes from the shot record.

Also here: what a shot asks the generator for (``shot_prompt``, ``video_inputs``, ``speech_inputs``), which
every edit recomputes to tell which clips it made out of date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from editor.model.clips import GeneratedClip, TextClip
from editor.model.story import CastMember, Story, Storyboard, StoryShot
from editor.model.timeline import Timeline, TrackKind
from editor.storyboard.cast import cast_conditioning


@dataclass(frozen=True)
class Card:
    shot: StoryShot
    index: int
    clip: GeneratedClip | None
    start: int
    duration: int
    seconds: Fraction
    prompt: str
    speech: GeneratedClip | None = None
    caption: TextClip | None = None
    cast: list[CastMember] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + self.duration


def shot_members(story: Story, shot: StoryShot) -> list[CastMember]:
    """The shot's cast members, in the shot's order (ids no longer in the cast are skipped)."""
    known = {m.id: m for m in story.cast}
    return [known[c] for c in shot.cast if c in known]


def shot_prompt(board: Storyboard, shot: StoryShot, cast_members: list[CastMember]) -> str:
    """The video prompt of a shot: what it shows, then each member's description, then the board's style."""
    parts = [shot.picture]
    parts += [f"{m.name}: {m.description}" for m in cast_members if m.description.strip()]
    if board.style.strip():
        parts.append(board.style)
    return " ".join(_sentence(p) for p in parts if p.strip())


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1] in ".!?…。！？\"'”)" else text + "."


def video_inputs(story: Story, board: Storyboard, shot: StoryShot, *, chained: bool) -> dict[str, Any]:
    """The spec fields of a shot's video clip that the storyboard decides (the rest is the generator's)."""
    members = shot_members(story, shot)
    cond = cast_conditioning(board.model, members, chained=chained)
    return {"prompt": shot_prompt(board, shot, members), "model": board.model, "first_image": cond.first_image,
            "reference_images": cond.reference_images}


def speech_inputs(board: Storyboard, shot: StoryShot, clip: GeneratedClip | None) -> tuple[str, str]:
    """What a shot's speech says and in which voice (the clip's own, else the board's)."""
    voice = clip.spec.voice if clip is not None else ""
    return shot.narration, voice or board.voice


def cards(tl: Timeline) -> list[Card]:
    """The storyboard's cards in the order of their video clips on the timeline (shots whose clip is gone are
    left out)."""
    story = tl.story
    board = story.storyboard
    if board is None:
        return []
    placed: list[tuple[int, int, StoryShot, GeneratedClip]] = []
    for order, shot in enumerate(board.shots):
        clip = _clip(tl, shot.clip, video=True)
        if isinstance(clip, GeneratedClip):
            placed.append((clip.start, order, shot, clip))
    placed.sort(key=lambda x: (x[0], x[1]))
    out: list[Card] = []
    for index, (_, _, shot, clip) in enumerate(placed):
        speech = _clip(tl, shot.speech, video=False)
        caption = _clip(tl, shot.caption, video=True)
        members = shot_members(story, shot)
        out.append(Card(
            shot=shot, index=index, clip=clip, start=clip.start, duration=clip.duration,
            seconds=Fraction(clip.duration) / tl.fps, prompt=clip.spec.prompt,
            speech=speech if isinstance(speech, GeneratedClip) else None,
            caption=caption if isinstance(caption, TextClip) else None, cast=members,
            notes=_notes(tl, board, shot, clip, speech if isinstance(speech, GeneratedClip) else None, members,
                         chained=board.chain and index > 0),
        ))
    return out


def chained_first(tl: Timeline, clip_id: str) -> bool:
    """Whether a storyboard shot's video should start from the previous card's last frame: the board chains
    and the previous card's clip ends where this one starts on the same track. For the shot queue, which
    plans such a clip with ``first=True``."""
    board = tl.story.storyboard
    if board is None or not board.chain:
        return False
    found = cards(tl)
    for prev, card in zip(found, found[1:], strict=False):
        if card.shot.clip == clip_id:
            return (prev.end == card.start and prev.clip is not None and card.clip is not None
                    and _track_of(tl, prev.clip.id) == _track_of(tl, card.clip.id))
    return False


def _track_of(tl: Timeline, clip_id: str) -> str:
    return tl.find(clip_id)[0].id


def _clip(tl: Timeline, clip_id: str | None, *, video: bool) -> Any:
    if not clip_id:
        return None
    try:
        track, clip = tl.find(clip_id)
    except KeyError:
        return None
    return clip if (track.kind is TrackKind.VIDEO) == video else None


def _notes(tl: Timeline, board: Storyboard, shot: StoryShot, clip: GeneratedClip, speech: GeneratedClip | None,
           members: list[CastMember], *, chained: bool) -> list[str]:
    notes: list[str] = []
    try:
        notes += cast_conditioning(board.model, members, chained=chained).notes
    except ValueError as exc:
        notes.append(str(exc))
    if shot.narration and shot.speech and speech is None:
        notes.append("the narration's speech clip is no longer on the timeline")
    if speech is not None:
        over = speech.end - clip.end
        if over > 0:
            notes.append(f"the narration runs {float(Fraction(over) / tl.fps):.1f} s past the shot")
        take = tl.media_frames(speech)
        if take is not None and speech.source_in + speech.duration < take:
            cut = Fraction(take - speech.source_in - speech.duration) / tl.fps
            notes.append(f"the narration is cut: {float(cut):.1f} s of it does not play")
    return notes
