"""Making everything a project still needs, headless and blocking: the command line's ``--generate``.

The window generates through a :class:`~editor.generate.shots.ShotQueue` polled from a timer; this drives the
same queue from a loop, with a :class:`~editor.model.History` as its ``do``, so a take lands here exactly as
it lands in the window (one undo step each, the same plans, the same job store and cache).

The order matters for a storyboard: a shot's length follows its narration, so the speech is made first,
then ``fit_to_narration`` sets the shots' lengths from the speech takes, and only then are the video shots
planned (a shot planned before the fit would cover the wrong number of frames). Sound clips come last (a
sound made to match a shot takes the shot's length). Outside a storyboard the same phases simply fill every
pending generated clip.

Each phase gives its drafts (generated clips whose spec has no seed yet) a seed, which is what queues them
(``ShotQueue.sync``), then polls until every clip of the phase has a take or has failed. A failure is one
line in the result, never an exception: the caller saves what was made and reports the rest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from editor.generate.places import GenerationPlaces
from editor.generate.shots import ShotQueue
from editor.model import Command, EditError, GeneratedClip, History, Timeline
from editor.model.commands import Group, SetClipProperties
from editor.storyboard.cards import chained_first
from generation.plan import random_seed

PHASES: tuple[str, ...] = ("speech", "video", "sound")
_NOUNS = {"speech": ("line", "lines"), "video": ("shot", "shots"), "sound": ("sound", "sounds")}
_FINAL_FAILED = ("failed", "cancelled")


class ProduceCancelled(Exception):
    """Ctrl+C (the ``cancel`` event) during generation; ``result`` holds what was made before it."""

    def __init__(self, result: ProduceResult) -> None:
        super().__init__("generation cancelled")
        self.result = result


@dataclass
class ProduceResult:
    made: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PHASES, 0))   # takes attached, by kind
    failures: list[str] = field(default_factory=list)   # one line each: what, where, why
    notes: list[str] = field(default_factory=list)
    fitted: bool = False   # fit_to_narration changed the shots' lengths

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def changed(self) -> bool:
        return self.fitted or any(self.made.values())

    def summary(self, *, failures: bool = True) -> str:
        """One line: what was made, and what failed (or, without ``failures``, how many)."""
        parts = [_count(n, kind) for kind, n in self.made.items() if n]
        text = "generated " + (", ".join(parts) if parts else "nothing")
        if self.failures:
            text += f"; {len(self.failures)} failed" + (": " + "; ".join(self.failures) if failures else "")
        return text


def _count(n: int, kind: str) -> str:
    one, many = _NOUNS[kind]
    return f"{n} {one if n == 1 else many}"


def clip_kind(clip: GeneratedClip) -> str:
    """The phase a generated clip belongs to: "speech", "sound" or "video"."""
    return clip.spec.kind if clip.spec.kind in ("speech", "sound") else "video"


def pending_clips(tl: Timeline, kinds: Iterable[str] = PHASES, *, visible_only: bool = False
                  ) -> list[tuple[str, GeneratedClip]]:
    """(track id, clip) of every generated clip of ``kinds`` without a take, in track then time order.
    ``visible_only``: what an export uses (not hidden video tracks, not muted audio tracks)."""
    wanted = set(kinds)
    found: list[tuple[str, GeneratedClip]] = []
    for track in tl.tracks:
        if visible_only and (track.hidden or track.muted and track in tl.audio_tracks):
            continue
        for clip in track.clips:
            if isinstance(clip, GeneratedClip) and clip.pending and clip_kind(clip) in wanted:
                found.append((track.id, clip))
    return found


def where(tl: Timeline, clip: GeneratedClip) -> str:
    """A clip as a person finds it: a short prompt and where it starts."""
    from editor.model.time import timecode

    words = " ".join((clip.name or clip.spec.prompt or clip.id).split())
    if len(words) > 40:
        words = words[:37] + "..."
    return f"{words!r} at {timecode(clip.start, tl.fps)}"


def describe(tl: Timeline, clip: GeneratedClip) -> str:
    """The clip's kind, a short prompt and where it starts."""
    return f"{clip_kind(clip)} {where(tl, clip)}"


def produce(tl: Timeline, places: GenerationPlaces, *, client_factory: Callable[[], Any],
            history: History | None = None, model: str | None = None, kinds: Iterable[str] = PHASES,
            visible_only: bool = False, seed_source: Callable[[], int] = random_seed,
            progress: Callable[[str], None] | None = None, timeout: float = 3600.0,
            cancel: threading.Event | None = None, poll_interval: float = 0.05) -> ProduceResult:
    """Generate every pending generated clip of ``tl`` (speech, then the storyboard's fit, then video, then
    sound), attaching the takes through ``history`` (a new one when None). ``model``: the video model for
    shots that name none. ``timeout``: seconds for the whole run; what is left then fails. Returns the result
    (failures one line each); raises ProduceCancelled when ``cancel`` is set."""
    history = history or History(tl)
    say = progress or (lambda _line: None)
    result = ProduceResult()
    deadline = time.monotonic() + timeout
    wanted = [k for k in PHASES if k in set(kinds)]

    def do(command: Command) -> bool:
        try:
            history.do(command)
        except EditError as exc:
            result.notes.append(f"an edit was refused: {exc}")
            return False
        return True

    queue = ShotQueue(timeline=lambda: tl, do=do, places=places, client_factory=client_factory,
                      default_model=lambda: model or _board_model(tl), seed_source=seed_source)
    queue.starts_from_previous = chained_first
    try:
        for kind in wanted:
            if kind == "video" and "speech" in wanted:
                _fit(tl, do, result, say)
            _phase(tl, queue, do, kind, result, say, seed_source=seed_source, visible_only=visible_only,
                   deadline=deadline, timeout=timeout, cancel=cancel, poll_interval=poll_interval)
        if "video" not in wanted and "speech" in wanted:
            _fit(tl, do, result, say)
    finally:
        result.notes.extend(dict.fromkeys(queue.notices))
        queue.close()
    return result


def _board_model(tl: Timeline) -> str | None:
    board = tl.story.storyboard
    return (board.model or None) if board is not None else None


def _fit(tl: Timeline, do: Callable[[Command], bool], result: ProduceResult, say: Callable[[str], None]) -> None:
    """Shots follow their narration once the speech takes are there (a storyboard only)."""
    if tl.story.storyboard is None:
        return
    from editor.storyboard.edits import fit_to_narration

    command = fit_to_narration(tl)
    if command is not None and do(command):
        result.fitted = True
        say("fitted the shots to their narration")


def _seed_drafts(tl: Timeline, do: Callable[[Command], bool], kind: str, ids: set[str],
                 seed_source: Callable[[], int]) -> None:
    """Give the phase's drafts a seed (what queues them): through the storyboard's ``generate`` for its own
    shots (it knows the board's seed and chaining), then directly for any other draft, in one undo step."""
    board = tl.story.storyboard
    if board is not None and kind in ("speech", "video"):
        from editor.storyboard.edits import generate

        command = generate(tl, None, seed_source=seed_source, what=(kind,))
        if command is not None:
            do(command)
        if kind == "video" and board.chain:   # a chained shot waits for the one before it: seeded as they land
            return
    seeds: list[Command] = []
    for track in tl.tracks:
        for clip in track.clips:
            if clip.id in ids and isinstance(clip, GeneratedClip) and clip.pending and clip.spec.seed is None:
                seeds.append(SetClipProperties(clip.id, spec=replace(clip.spec, seed=seed_source())))
    if seeds:
        do(Group(f"Generate {_count(len(seeds), kind)}", seeds))


def _phase(tl: Timeline, queue: ShotQueue, do: Callable[[Command], bool], kind: str, result: ProduceResult,
           say: Callable[[str], None], *, seed_source: Callable[[], int], visible_only: bool, deadline: float,
           timeout: float, cancel: threading.Event | None, poll_interval: float) -> None:
    todo = {clip.id for _, clip in pending_clips(tl, (kind,), visible_only=visible_only)}
    if not todo:
        return
    total = len(todo)
    say(f"generating {_count(total, kind)}")
    _seed_drafts(tl, do, kind, todo, seed_source)
    queue.sync()
    shown: dict[str, tuple[str, int]] = {}
    finished: set[str] = set()
    while True:
        changed = queue.poll()
        if any(_is_draft(tl, c) for c in todo - finished) and (changed or _stuck(tl, queue, todo - finished)):
            _seed_drafts(tl, do, kind, todo - finished, seed_source)   # a chain goes on as its shots land
            queue.sync()
        stuck = _stuck(tl, queue, todo - finished)
        for clip_id in sorted(todo - finished):
            clip = _find(tl, clip_id)
            if clip is None:   # removed or merged by an edit of the phase (none today): nothing to wait for
                finished.add(clip_id)
                continue
            if not clip.pending:
                finished.add(clip_id)
                result.made[kind] += 1
                say(f"{kind} {len(finished)}/{total} ready: {where(tl, clip)}")
                continue
            status = queue.status(clip)
            if status.state in _FINAL_FAILED or (clip.spec.seed is None and stuck):
                finished.add(clip_id)
                why = status.message if status.state in _FINAL_FAILED else "it waits for a shot that was not made"
                why = why or status.state
                result.failures.append(f"{describe(tl, clip)}: {why}")
                say(f"{kind} {len(finished)}/{total} failed: {where(tl, clip)}: {why}")
                continue
            step = (status.state, int(status.fraction * 10))
            if shown.get(clip_id) != step and status.state == "generating":
                shown[clip_id] = step
                say(f"{kind} {where(tl, clip)} {int(status.fraction * 100)}%")
        if finished >= todo:
            return
        if cancel is not None and cancel.is_set():
            for clip_id in todo - finished:
                queue.cancel(clip_id)
            raise ProduceCancelled(result)
        if time.monotonic() > deadline:
            for clip_id in sorted(todo - finished):
                clip = _find(tl, clip_id)
                queue.cancel(clip_id)
                if clip is not None:
                    result.failures.append(f"{describe(tl, clip)}: not done after {timeout:g} s")
            return
        time.sleep(poll_interval)


def _is_draft(tl: Timeline, clip_id: str) -> bool:
    clip = _find(tl, clip_id)
    return clip is not None and clip.pending and clip.spec.seed is None


def _stuck(tl: Timeline, queue: ShotQueue, ids: set[str]) -> bool:
    """True when none of ``ids`` can still move: each is a draft, or its job has failed (a draft then waits
    for nothing that will come)."""
    for clip_id in ids:
        clip = _find(tl, clip_id)
        if clip is None or not clip.pending or clip.spec.seed is None:
            continue
        if queue.status(clip).state not in _FINAL_FAILED:
            return False
    return True


def _find(tl: Timeline, clip_id: str) -> GeneratedClip | None:
    try:
        _, clip = tl.find(clip_id)
    except KeyError:
        return None
    return clip if isinstance(clip, GeneratedClip) else None
