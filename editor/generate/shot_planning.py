"""Planning a video shot's job for the shot queue: its conditioning frames from the neighbours (or the ones it
already has), colour matching, then the generator's plan. Runs on the queue's planner thread over a snapshot
of the timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from editor.generate.filling import recorded_spec, segment_need
from editor.generate.frames import conditioning_frames
from editor.generate.pending import PendingSegment, neighbours
from editor.model import GeneratedClip, GenerationSpec, Timeline
from generation.plan import PlannedJob, plan_job


def plan_shot(tl: Timeline, clip: GeneratedClip, track_id: str, *, model: str, frames_dir: Path,
              seed_source: Callable[[], int], first: bool, last: bool,
              reuse_images: bool = False) -> tuple[PlannedJob, GenerationSpec, list[str]]:
    """The job for ``clip`` with ``model``, the spec its take will record, and notes for the status bar.
    ``first``/``last``: condition on the neighbours' frames (``reuse_images``: the ones the spec has)."""
    track = tl.track(track_id)
    notes: list[str] = []
    first_img = last_img = None
    if reuse_images:
        first_img = Path(clip.spec.first_image) if clip.spec.first_image else None
        last_img = Path(clip.spec.last_image) if clip.spec.last_image else None
    if (first and first_img is None) or (last and last_img is None):
        prev, nxt = neighbours(tl, track, clip.start, clip.end)
        segment = PendingSegment(track_id, clip, False, prev if first else None, nxt if last else None)
        got = conditioning_frames(tl, segment, frames_dir, model=model)
        if first_img is None and got.first is not None:
            first_img = got.first
            clip = clip.moved(spec=replace(clip.spec, first_source=got.first_source))
        if last_img is None and got.last is not None:
            last_img = got.last
            clip = clip.moved(spec=replace(clip.spec, last_source=got.last_source))
        notes += got.notes
    if clip.spec.match_colors:   # the previous clip's last frame, else the next clip's first
        reference = (first_img if first else None) or (last_img if last else None)
        clip = clip.moved(spec=replace(clip.spec, color_reference=str(reference) if reference else None))
    need = segment_need(tl, PendingSegment(track_id, clip), model=model,
                        first=first_img if first else None, last=last_img if last else None, playhead=0)
    need = replace(need, seed=clip.spec.seed if clip.spec.seed is not None else seed_source())
    job = plan_job(need)
    notes += list(job.notes)
    return job, recorded_spec(clip.spec, job), notes
