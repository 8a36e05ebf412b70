"""The shot queue's bookkeeping: a ticket per submitted job (which clip asked, what spec its take answers,
its state) and a request per job being planned on the planner thread."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from fractions import Fraction

from editor.model import Command, GeneratedClip, GenerationSpec, Timeline
from generation.audio.job_spec import AudioJobSpec
from generation.plan import PlannedJob


@dataclass
class Ticket:
    job_id: str
    clip_id: str                 # the clip the user asked for
    spec: GenerationSpec         # the recorded spec its take answers
    frames: int                  # source frames (timeline rate) the take covers
    extra_take: bool = False     # Regenerate / Variations: a new take for a clip that may have some already
    state: str = "queued"
    fraction: float = 0.0
    eta_s: float | None = None
    message: str = ""
    output: str | None = None
    attached: set[str] = field(default_factory=set)
    probing: Future | None = None   # the take's probe, on the planner thread
    probe_seen: bool = False        # poll has synced since it came back
    preview: str | None = None      # the latest live preview picture while it generates
    audio: AudioJobSpec | None = None   # a speech or sound clip's job (``spec`` is then the clip's own spec)

    @property
    def final(self) -> bool:
        return self.state in ("done", "failed", "cancelled")


@dataclass
class TranscriptTicket:
    """A transcript job for a clip's sound; when it is done its words become captions over the clip."""

    job_id: str
    clip_id: str
    source: str                  # the media file transcribed (the clip must still play it)
    track_id: str | None = None  # the caption track to put them on (None: a new one)
    state: str = "queued"
    message: str = ""


@dataclass
class Request:
    """A job being planned and submitted on the planner thread: a ``new`` segment, an extra ``take`` for a
    segment (``original``), a ``replan`` of a pending segment no job answers, or a ``reframe`` (conditioning
    frames taken again after the neighbours changed; no job)."""

    kind: str
    track_id: str
    clip: GeneratedClip
    original: GeneratedClip | None = None
    on_done: Callable[[GeneratedClip | None, str], None] | None = None
    future: Future | None = None
    also: tuple[Command, ...] = ()   # placed in the same undo step as a new segment (linking it, say)

    @property
    def key(self) -> tuple:
        return (self.clip.id, self.clip.spec.content_hash(), self.clip.source_in + self.clip.duration)


def covered_frames(job: PlannedJob, timeline: Timeline) -> int:
    """Timeline frames a take of ``job`` can play (its length at the timeline rate, rounded down)."""
    return int(Fraction(job.num_frames, job.fps) * timeline.fps)


def one_line(exc: BaseException | str) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
