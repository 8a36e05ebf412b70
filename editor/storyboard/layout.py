"""The machinery of storyboard edits: a working copy of the tracks' clip lists (``Lane``) that an edit moves
clips around in, the one command that makes the result real (``Relayout``), and ``restate``, which turns the
clips whose inputs an edit changed into drafts.

Why one command and not a Group of Move/Insert/Trim: a storyboard edit moves a block of three clips (video,
speech, caption) and ripples everything after it on three tracks at once, and the model's clip commands
refuse intermediate states (a clip moved onto its neighbour before the neighbour moved away). Relayout
replaces each touched track's clip list and the story record in one plan of primitive operations, so undo is
exact, and the timeline's invariants are checked after it like after any command.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from fractions import Fraction

from editor.model.clips import Clip, GeneratedClip, TextClip
from editor.model.commands import Command, EditError, Plan
from editor.model.commands.story import SetStory
from editor.model.story import Story, Storyboard, StoryShot
from editor.model.timeline import Timeline, Track, TrackKind
from editor.storyboard.cards import speech_inputs, video_inputs
from editor.storyboard.estimate import estimate_seconds


class Relayout(Command):
    """Replace the clip lists of some tracks, add tracks, and set the story, as one undo step.

    Made from the timeline it will be applied to: ``before`` holds each touched track's clips as they were,
    and applying it to a timeline that has changed since is refused rather than undoing those changes."""

    def __init__(self, label: str, before: Mapping[str, tuple[Clip, ...]], after: Mapping[str, list[Clip]],
                 new_tracks: Iterable[tuple[Track, int]], story_before: Story, story_after: Story) -> None:
        self.label = label
        self.before = dict(before)
        self.after = {tid: sorted(clips, key=lambda c: c.start) for tid, clips in after.items()}
        self.new_tracks = list(new_tracks)
        self.story_before = story_before
        self.story_after = story_after

    def plan(self, tl: Timeline, p: Plan) -> None:
        if tl.story != self.story_before:
            raise EditError(f"{self.label}: the storyboard changed since this edit was prepared")
        for tid, clips in self.before.items():
            track = _track(tl, tid)
            if tuple(track.clips) != clips:
                raise EditError(f"{self.label}: track {track.name or tid} changed since this edit was prepared")
        sizes = {TrackKind.VIDEO: len(tl.video_tracks), TrackKind.AUDIO: len(tl.audio_tracks)}
        for template, index in self.new_tracks:   # the operations run after planning: count the tracks put
            if any(t.id == template.id for t in tl.tracks):
                raise EditError(f"a track with id {template.id} already exists")
            p.put_track(replace(template, clips=list(self.after.get(template.id, []))),
                        min(index, sizes[template.kind]))
            sizes[template.kind] += 1
        for tid, clips in self.after.items():
            if tid in self.before:
                track = _track(tl, tid)
                if track.locked:
                    raise EditError(f"track {track.name or track.id} is locked")
                p.set_clips(track, clips)
        if self.story_after != tl.story:
            SetStory(self.story_after, self.label).plan(tl, p)   # its checks (unique names, known cast ...)


def _track(tl: Timeline, tid: str) -> Track:
    try:
        return tl.track(tid)
    except KeyError:
        raise EditError(f"no track {tid!r}") from None


class Lane:
    """Working copies of the timeline's clip lists (and tracks to add) that an edit rearranges freely; the
    timeline itself is not touched until ``command(...)`` is applied."""

    def __init__(self, tl: Timeline) -> None:
        self.tl = tl
        self.lists: dict[str, list[Clip]] = {t.id: list(t.clips) for t in tl.tracks}
        self.kinds: dict[str, TrackKind] = {t.id: t.kind for t in tl.tracks}
        self.names: dict[str, str] = {t.id: t.name or t.id for t in tl.tracks}
        self.new_tracks: list[tuple[Track, int]] = []
        # The storyboard's spoken lines: a line may run on past its shot (a fixed-length shot that says more
        # than it lasts plays its speech into the next shot when that one says nothing). Such a line is not
        # in the way of a ripple, and where an edit puts another clip under its run-on, it is cut there.
        board = tl.story.storyboard
        self.spoken: set[str] = {s.speech for s in board.shots if s.speech} if board is not None else set()

    @property
    def fps(self) -> Fraction:
        return self.tl.fps

    def add_track(self, track: Track, index: int) -> None:
        self.new_tracks.append((replace(track, clips=[]), index))
        self.lists[track.id] = []
        self.kinds[track.id] = track.kind
        self.names[track.id] = track.name or track.id

    def has_track(self, tid: str) -> bool:
        return bool(tid) and tid in self.lists

    def find(self, clip_id: str | None) -> tuple[str, Clip] | None:
        if not clip_id:
            return None
        for tid, clips in self.lists.items():
            for c in clips:
                if c.id == clip_id:
                    return tid, c
        return None

    def clip(self, clip_id: str | None) -> Clip | None:
        found = self.find(clip_id)
        return found[1] if found else None

    def put(self, tid: str, clip: Clip) -> None:
        self.lists[tid].append(clip)

    def remove(self, clip_id: str) -> tuple[str, Clip]:
        found = self.find(clip_id)
        if found is None:
            raise EditError(f"no clip {clip_id!r}")
        tid, clip = found
        self.lists[tid] = [c for c in self.lists[tid] if c.id != clip_id]
        return tid, clip

    def update(self, clip: Clip) -> None:
        tid, _ = self.find(clip.id) or (None, None)
        if tid is None:
            raise EditError(f"no clip {clip.id!r}")
        self.lists[tid] = [clip if c.id == clip.id else c for c in self.lists[tid]]

    def shift(self, tids: Iterable[str], at: int, by: int, keep: Iterable[str] = ()) -> None:
        """Move every clip that starts at or after ``at`` on the tracks ``tids`` by ``by`` frames (except the
        clips in ``keep``). Moving right, a clip that spans ``at`` is in the way: refused (a spoken line
        running on past its shot is not: it stays, and ``command`` cuts it where a clip comes under it)."""
        if not by:
            return
        kept = set(keep)
        for tid in dict.fromkeys(tids):
            if tid not in self.lists:
                continue
            if by > 0:
                for c in self.lists[tid]:
                    if c.id not in kept and c.id not in self.spoken and c.start < at < c.end:
                        raise EditError(f"{_name(c)} on track {self.names[tid]} spans frame {at}, where the "
                                        "storyboard needs room: move it out of the way first")
            self.lists[tid] = [c.moved(start=c.start + by) if c.id not in kept and c.start >= at else c
                               for c in self.lists[tid]]

    def cut_run_ons(self) -> None:
        """Cut each spoken line that runs on under the next clip on its track where that clip starts (the
        line's take is kept: the card says how much of it does not play)."""
        for tid, clips in self.lists.items():
            ordered = sorted(clips, key=lambda c: (c.start, c.end))
            for c, nxt in zip(ordered, ordered[1:], strict=False):
                if c.id in self.spoken and c.start < nxt.start < c.end:
                    self.lists[tid] = [x.moved(duration=nxt.start - x.start) if x.id == c.id else x
                                       for x in self.lists[tid]]

    def sounds_under(self, video_id: str) -> list[tuple[str, Clip]]:
        """The generated sounds made for a storyboard shot, as the timeline has them: sound clips wholly under
        its video clip on audio tracks the storyboard does not fill (what ``ShotQueue.matching_sound`` puts)."""
        board = self.tl.story.storyboard
        try:
            _, video = self.tl.find(video_id)
        except KeyError:
            return []
        own = {board.track, board.voice_track, board.caption_track} if board is not None else set()
        return [(t.id, c) for t in self.tl.audio_tracks if t.id not in own for c in t.clips
                if isinstance(c, GeneratedClip) and c.spec.kind == "sound"
                and video.start <= c.start and c.end <= video.end]

    def carry_sounds(self) -> None:
        """Move each shot's generated sounds by as much as the edit moved the shot's video (a sound the edit
        itself moved or removed is left as the edit has it)."""
        board = self.tl.story.storyboard
        if board is None:
            return
        for shot in board.shots:
            now = self.clip(shot.clip)
            try:
                _, was = self.tl.find(shot.clip)
            except KeyError:
                continue
            if now is None or now.start == was.start:
                continue
            for tid, sound in self.sounds_under(shot.clip):
                if sound in self.lists.get(tid, []):   # as it was: not touched by the edit
                    self.lists[tid] = [c.moved(start=c.start + now.start - was.start) if c.id == sound.id else c
                                       for c in self.lists[tid]]

    def command(self, label: str, story_after: Story) -> Relayout:
        """The command that makes the lane real: shots' sounds follow them, spoken lines that run on under a
        clip are cut there."""
        self.carry_sounds()
        self.cut_run_ons()
        new_ids = {t.id for t, _ in self.new_tracks}
        before: dict[str, tuple[Clip, ...]] = {}
        after: dict[str, list[Clip]] = {}
        for t in self.tl.tracks:
            clips = sorted(self.lists[t.id], key=lambda c: c.start)
            if clips != t.clips:
                before[t.id] = tuple(t.clips)
                after[t.id] = clips
        for tid in new_ids:
            after[tid] = self.lists[tid]
        return Relayout(label, before, after, self.new_tracks, self.tl.story, story_after)


def _name(clip: Clip) -> str:
    return f"clip {clip.name!r}" if clip.name else f"clip {clip.id}"


# --- frames and drafts -------------------------------------------------------------------------------------


def frames(seconds: Fraction | int | float, fps: Fraction) -> int:
    """Seconds as whole frames at ``fps`` (rounded; a shot is at least one frame)."""
    value = Fraction(seconds) * fps if not isinstance(seconds, float) else Fraction(repr(seconds)) * fps
    return max(1, math.floor(value + Fraction(1, 2)))


def drafted(clip: GeneratedClip, **spec_changes: object) -> GeneratedClip:
    """The clip as a draft with new inputs: no seed (nothing is generated until asked), no active take (so
    it is pending and the queue makes it once it has a seed), its earlier takes kept to switch back to."""
    return clip.moved(spec=replace(clip.spec, seed=None, **spec_changes), active_take=None, source_in=0)


def story_tracks(board: Storyboard, lane: Lane) -> list[str]:
    """The storyboard's tracks that exist: what its edits ripple."""
    return [tid for tid in (board.track, board.voice_track, board.caption_track) if lane.has_track(tid)]


def order_in(lane: Lane, board: Storyboard) -> list[StoryShot]:
    """The board's shots whose video clip is in the lane, in the order of those clips."""
    placed = []
    for i, shot in enumerate(board.shots):
        found = lane.find(shot.clip)
        if found is not None and lane.kinds[found[0]] is TrackKind.VIDEO and isinstance(found[1], GeneratedClip):
            placed.append((found[1].start, i, shot))
    return [s for _, _, s in sorted(placed, key=lambda x: (x[0], x[1]))]


def _inputs(story: Story, shots: list[StoryShot]) -> dict[str, dict[str, object]]:
    board = story.storyboard
    assert board is not None
    out = {}
    for index, shot in enumerate(shots):
        try:
            out[shot.id] = video_inputs(story, board, shot, chained=board.chain and index > 0)
        except ValueError as exc:
            raise EditError(str(exc)) from None
    return out


def restate(lane: Lane, old: Story, new: Story, *, origin: Mapping[str, str] | None = None) -> None:
    """Bring the clips in line with the story ``new``: a shot whose video inputs (prompt, model, conditioning)
    or speech inputs (words, voice) differ from what ``old`` gave it (or, for a shot made by this edit, what
    ``old`` gave the shot in ``origin`` it came from) gets them as a draft; a caption's text follows its
    narration. Old order comes from the timeline, new order from the lane."""
    board, old_board = new.storyboard, old.storyboard
    if board is None:
        return
    origin = dict(origin or {})
    old_order = order_in(Lane(lane.tl), old_board) if old_board is not None else []
    old_in = _inputs(old, old_order) if old_board is not None else {}
    old_shots = {s.id: s for s in old_order}
    new_in = _inputs(new, order_in(lane, board))
    for shot in board.shots:
        clip = lane.clip(shot.clip)
        if not isinstance(clip, GeneratedClip) or shot.id not in new_in:
            continue
        source = shot.id if shot.id in old_in else origin.get(shot.id)
        wanted = new_in[shot.id]
        before = old_in.get(source) if source else None
        if before is None:
            before = {k: getattr(clip.spec, k) for k in wanted}
        if before != wanted:
            lane.update(drafted(clip, **wanted))
        _restate_speech(lane, old_board, board, old_shots.get(source or ""), shot, clip)
        caption = lane.clip(shot.caption)
        if isinstance(caption, TextClip) and caption.text != shot.narration and shot.narration:
            lane.update(caption.moved(text=shot.narration, name=short(shot.narration)))


def _restate_speech(lane: Lane, old_board: Storyboard | None, board: Storyboard, old_shot: StoryShot | None,
                    shot: StoryShot, video: GeneratedClip) -> None:
    speech = lane.clip(shot.speech)
    if not isinstance(speech, GeneratedClip):
        return
    wanted = speech_inputs(board, shot, speech)
    if old_shot is not None and old_board is not None:
        before = speech_inputs(old_board, old_shot, speech)
    else:
        before = (speech.spec.prompt, speech.spec.voice or board.voice)
    if before == wanted and speech.spec.prompt == shot.narration:
        return
    video = lane.clip(video.id) or video
    room = max(1, video.end - speech.start)
    length = min(frames(estimate_seconds(shot.narration, speech.spec.voice_speed or 1.0), lane.fps), room)
    lane.update(drafted(speech, prompt=shot.narration).moved(duration=length))


def short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 40 else line[:39] + "…"
