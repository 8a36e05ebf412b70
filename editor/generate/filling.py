"""Filling a timeline: pending segments -> planned jobs -> the generator -> takes on the timeline.

``fill`` finds what needs generating (``find_pending``), extracts the neighbouring frames, plans one job per
segment (``generation.plan``: covering frame count, native size for the canvas, defaults, a concrete seed,
conditioning the model can use), submits them to a ``GeneratorClient`` nearest the playhead first, and as
each finishes probes the output and attaches it: ``AddMedia`` + the recorded spec + ``AddTake`` (for a gap:
``AddMedia`` + the new clip with its take) in one ``History`` group, so each shot is one undo step.

The spec recorded on the clip holds everything the job used (model, seed, steps, guidance, size, the
conditioning images), so planning again from it gives the same job: regenerating is exact, and an identical
request is a cache hit. A take is at least as long as its segment (the planner chooses covering frame
counts); the exporter conforms its fps and size and plays only the segment's frames.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from editor.generate.catalog import ModelError, require_installed, resolve_model
from editor.generate.frames import ConditioningFrames, conditioning_frames
from editor.generate.pending import PendingSegment, find_pending
from editor.generate.places import GenerationPlaces, places_for
from editor.generate.runner import BatchProgress, GenerationCancelled, JobRunner, job_failure, job_state
from editor.generate.takes import sound_commands
from editor.media.info import MediaError
from editor.media.probe import media_source_from_info, probe
from editor.model import EditError, GeneratedClip, GenerationSpec, History, Take, Timeline, new_id
from editor.model.commands import AddMedia, AddTake, Overwrite, SetClipProperties
from generation.errors import GenerationError
from generation.plan import PlannedJob, SegmentNeed, plan_jobs

FillProgress = BatchProgress
FillCancelled = GenerationCancelled


@dataclass
class Attached:
    segment: PendingSegment
    job: PlannedJob
    media_id: str
    path: Path
    clip_id: str


@dataclass
class FillResult:
    attached: list[Attached] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)   # (segment label, one-line reason)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: what went wrong (the first few), for a CLI error."""
        n = len(self.problems)
        shown = "; ".join(f"{label}: {why}" for label, why in self.problems[:3])
        more = f"; and {n - 3} more" if n > 3 else ""
        return f"{n} segment{'s' * (n != 1)} not generated: {shown}{more}"


def recorded_spec(spec: GenerationSpec, job: PlannedJob) -> GenerationSpec:
    """The clip's spec with everything the job resolved, so planning from it again gives the same job."""
    return replace(
        spec,
        model=job.model,
        seed=job.seed,
        steps=job.steps,
        guidance=job.guidance,
        width=job.width,
        height=job.height,
        first_image=job.first_image,
        last_image=job.last_image,
        prefix_video=job.prefix_video,
        suffix_video=job.suffix_video,
        reference_images=job.reference_images,
        color_reference=job.color_reference,
    )


def segment_need(timeline: Timeline, segment: PendingSegment, *, model: str, first: Path | None,
                 last: Path | None, playhead: int) -> SegmentNeed:
    clip, spec = segment.clip, segment.clip.spec
    return SegmentNeed(
        key=clip.id,
        seconds=Fraction(clip.source_in + clip.duration) / timeline.fps,   # the take plays from source_in
        prompt=spec.prompt,
        negative=spec.negative_prompt or None,
        model=model,
        seed=spec.seed,
        steps=spec.steps,
        guidance=spec.guidance,
        width=spec.width,
        height=spec.height,
        aspect=(timeline.settings.width, timeline.settings.height),
        first_image=_existing(spec.first_image) or (str(first) if first else None),
        last_image=_existing(spec.last_image) or (str(last) if last else None),
        distance_from_playhead=segment.distance_from(playhead),
        profile=spec.job_profile,
        prefix_video=_existing(spec.prefix_video),
        suffix_video=_existing(spec.suffix_video),
        reference_images=tuple(p for p in spec.reference_images if _existing(p)),
        color_reference=_existing(spec.color_reference) if spec.match_colors else None,
    )


def with_sources(segment: PendingSegment, got: ConditioningFrames) -> PendingSegment:
    """``segment`` whose spec records where its conditioning frames came from (to notice a neighbour's change)
    and, when it matches colours, the frame it matches them to: the previous clip's last, else the next's
    first."""
    spec = segment.clip.spec
    spec = replace(spec, first_source=got.first_source if got.first else spec.first_source,
                   last_source=got.last_source if got.last else spec.last_source)
    if spec.match_colors and (got.first or got.last):
        spec = replace(spec, color_reference=str(got.first or got.last))
    return replace(segment, clip=segment.clip.moved(spec=spec))


def _existing(path: str | None) -> str | None:
    """A recorded conditioning image that is still there (a cleared frame cache means: take it again)."""
    return path if path and Path(path).is_file() else None


def fill(
    timeline: Timeline,
    client: Any,
    places: GenerationPlaces | None = None,
    *,
    history: History | None = None,
    segments: Iterable[PendingSegment] | None = None,
    include_gaps: bool = False,
    gap_prompt: str = "",
    model: str | None = None,
    default_model: str | None = None,
    playhead: int = 0,
    conditioning: bool = True,
    no_cache: bool = False,
    progress: Callable[[FillProgress], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
) -> FillResult:
    """Generate every pending segment (and gaps with ``include_gaps``) and attach the results as takes.

    ``places``: where conditioning frames go (the client has its own output folder); the user cache if None.

    ``model`` overrides the model of every segment; otherwise a segment's own spec names it, else
    ``default_model``, else the default installed model. Problems (an unplannable segment, a failed job, a
    take that cannot be attached) are collected in the result, never raised; cancelling raises
    :class:`FillCancelled` after cancelling the jobs still queued or running (its ``result`` attribute holds
    what was attached before).
    """
    history = history or History(timeline)
    places = places or places_for(None)
    result = FillResult()
    todo = list(segments) if segments is not None else find_pending(
        timeline, include_gaps, gap_prompt=gap_prompt, playhead=playhead)
    by_key = {s.key: s for s in todo}
    fallback: str | None = None

    needs: list[SegmentNeed] = []
    for segment in todo:
        track = timeline.track(segment.track_id)
        if track.locked:
            result.problems.append((segment.label(timeline), f"track {track.name or track.id} is locked"))
            continue
        try:
            chosen = model or segment.clip.spec.model or default_model
            if not chosen:
                fallback = fallback or resolve_model(None)
                chosen = fallback
            chosen = resolve_model(chosen)
            require_installed(chosen)
        except ModelError as exc:
            result.problems.append((segment.label(timeline), str(exc)))
            continue
        first = last = None
        if conditioning:
            got = conditioning_frames(timeline, segment, places.frames_dir, model=chosen)
            first, last = got.first, got.last
            result.notes += [f"{segment.label(timeline)}: {n}" for n in got.notes]
            segment = with_sources(segment, got)
            by_key[segment.key] = segment
        needs.append(segment_need(timeline, segment, model=chosen, first=first, last=last, playhead=playhead))

    plan = plan_jobs(needs)
    for problem in plan.problems:
        result.problems.append((by_key[problem.key].label(timeline), problem.message))
    for job in plan.jobs:
        result.notes += [f"{by_key[job.key].label(timeline)}: {note}" for note in job.notes]
    if not plan.jobs:
        return result
    places.make()
    runner = JobRunner(client, progress=progress, cancel=cancel)
    count = len(plan.jobs)
    for rank, job in enumerate(plan.jobs):
        segment = by_key[job.key]
        try:
            runner.submit(job.job_spec(), _Attacher(timeline, history, result, segment, job),
                          no_cache=no_cache, priority=count - rank)
        except (GenerationError, ValueError, TypeError) as exc:   # a spec the store refuses (an unreadable image)
            result.problems.append((segment.label(timeline), str(exc)))
    try:
        runner.wait(timeout)
    except (GenerationCancelled, TimeoutError) as exc:
        exc.result = result   # type: ignore[attr-defined]  # the takes attached before it stay attached
        raise
    return result


class _Attacher:
    """When a segment's job ends: attach its take (one undo step) or record why not."""

    def __init__(self, timeline: Timeline, history: History, result: FillResult, segment: PendingSegment,
                 planned: PlannedJob) -> None:
        self.timeline = timeline
        self.history = history
        self.result = result
        self.segment = segment
        self.planned = planned

    def __call__(self, job: Any) -> None:
        label = self.segment.label(self.timeline)
        state = job_state(job)
        if state == "done":
            try:
                self.result.attached.append(self.attach(Path(job.output)))
            except (EditError, MediaError, OSError) as exc:
                self.result.problems.append((label, f"the take cannot be placed: {exc}"))
        elif state == "cancelled":
            self.result.problems.append((label, "cancelled"))
        else:
            self.result.problems.append((label, job_failure(job)))

    def attach(self, output: Path) -> Attached:
        segment = self.segment
        info = probe(output)
        media_id = new_id("m")
        media = media_source_from_info(info, media_id, str(output))
        spec = recorded_spec(segment.clip.spec, self.planned)
        take = Take(media_id=media_id, spec_hash=spec.content_hash(), spec=spec)
        with self.history.group(f"Generate {segment.clip.spec.prompt[:30] or 'shot'!r}"):
            self.history.do(AddMedia(media))
            if segment.is_gap:
                if self.timeline.track(segment.track_id).clips_in(segment.clip.start, segment.clip.end):
                    raise EditError("the gap has been filled meanwhile")
                clip = segment.clip.moved(spec=spec, takes=(take,), active_take=0)
                self.history.do(Overwrite(segment.track_id, clip))
            else:
                self.history.do(SetClipProperties(segment.clip.id, spec=spec, label="Record generation spec"))
                self.history.do(AddTake(segment.clip.id, take))
            placed = self.timeline.find(segment.clip.id)[1]
            assert isinstance(placed, GeneratedClip)
            for command in sound_commands(self.timeline, placed, media):   # the take's own sound, linked
                self.history.do(command)
        return Attached(segment, self.planned, media_id, output, segment.clip.id)
