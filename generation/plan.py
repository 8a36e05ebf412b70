"""From segments that need a generated shot to concrete job specs. Pure Python: no torch, no editor.

The editor describes each segment in plain values (:class:`SegmentNeed`: length in seconds, prompt, model,
optional seed/steps/guidance, the canvas size or aspect, and the neighbouring frames as image paths); this
module resolves everything a job needs so the job is exact and repeatable (:class:`PlannedJob`):

* **length**: the model's smallest valid frame count (Wan ``4k+1``, LTX ``8k+1``, ...) whose duration at the
  model's native fps covers the segment. The take is trimmed to the segment on placement; it is never shorter.
  A segment longer than the model's maximum is a problem, not a shorter shot. A segment longer than one model
  window is made in chained windows (``generation.backends.windows``; a note says how many) where the model can
  continue a shot (video extension or image to video); a model that cannot stretches one call to at most twice
  its window, and a longer segment is a problem too.
* **size**: given width/height snapped to the model's rules, else the model's native size closest to the
  canvas aspect (9:16 first: a vertical canvas gets the model's portrait size where it has one).
* **steps, guidance, negative prompt**: the model's defaults where the segment leaves them open.
* **seed**: a concrete number, random when the segment gives none, recorded in the job (``seed_was_random``).
* **conditioning**: the previous clip's last frame as first image and the next clip's first frame as last
  image, kept only where the model has the ability; otherwise dropped with a note saying so.
* **order**: nearest to the playhead first.

``plan_jobs`` never raises for one bad segment: each one it cannot plan becomes a :class:`PlanProblem`.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .backends import windows
from .models import Ability, ModelInfo, UnknownModel, get_model, native_size, nearest_frame_count, snap_size

__all__ = [
    "MAX_RANDOM_SEED",
    "JobPlan",
    "PlanError",
    "PlanProblem",
    "PlannedJob",
    "SegmentNeed",
    "describe",
    "plan_job",
    "plan_jobs",
    "random_seed",
]

MAX_RANDOM_SEED = 2**32 - 1  # random seeds stay small enough to read and type; given seeds may be up to 2**63-1
_MAX_SEED = 2**63 - 1


class PlanError(ValueError):
    """A segment that cannot be planned; the message is one line naming the segment and why."""


@dataclass(frozen=True)
class SegmentNeed:
    """One segment that needs a shot, in plain values.

    ``seconds``: how long the shot must last (covering the segment's source range). ``negative``: None or ""
    for the model's default negative prompt. ``width``/``height``: a requested size (snapped to the model);
    otherwise ``aspect`` (``"9:16"``, ``(1080, 1920)``, a float) picks the model's native size, portrait first.
    ``first_image``/``last_image``: image paths (the previous clip's last frame, the next clip's first frame).
    ``distance_from_playhead``: frames or seconds, any unit as long as all needs use the same one; 0 when
    the playhead is inside the segment.
    """

    key: str
    seconds: Fraction | float | int
    prompt: str
    negative: str | None = None
    model: str = ""
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None
    width: int | None = None
    height: int | None = None
    aspect: str | float | tuple[int, int] | None = None
    first_image: str | None = None
    last_image: str | None = None
    distance_from_playhead: float | Fraction | int = 0
    profile: str = "final"  # generation.profiles: the recipe's steps and guidance where these leave them open
    prefix_video: str | None = None  # a video file the shot continues (its last frames lead in)
    suffix_video: str | None = None  # a video file the shot leads into (its first frames follow)
    reference_images: tuple[str, ...] = ()
    color_reference: str | None = None


@dataclass(frozen=True)
class PlannedJob:
    """Everything a job needs, resolved. ``seconds`` is what the shot will last (at least ``wanted_seconds``)."""

    key: str
    model: str
    prompt: str
    negative_prompt: str
    seed: int
    width: int
    height: int
    num_frames: int
    fps: int
    steps: int
    guidance: float
    first_image: str | None
    last_image: str | None
    mode: Ability
    wanted_seconds: Fraction
    seed_was_random: bool = False
    distance_from_playhead: float | Fraction | int = 0
    notes: tuple[str, ...] = ()
    profile: str = "final"
    prefix_video: str | None = None
    suffix_video: str | None = None
    reference_images: tuple[str, ...] = ()
    color_reference: str | None = None
    windows: int = 1  # generation windows chained to make it (1: one pipeline call); not part of the job spec

    @property
    def seconds(self) -> Fraction:
        return Fraction(self.num_frames, self.fps)

    @property
    def window_note(self) -> str:
        """A line for the creator when the shot is made in several windows ("" otherwise)."""
        return f"made in {self.windows} windows, each continuing the last" if self.windows > 1 else ""

    def request_fields(self) -> dict[str, Any]:
        """The job's inputs as keyword arguments (model, prompt, negative_prompt, seed, width, height,
        num_frames, steps, guidance, first_image, last_image): what a job spec or a GenerationRequest takes."""
        return {
            "model": self.model,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "width": self.width,
            "height": self.height,
            "num_frames": self.num_frames,
            "steps": self.steps,
            "guidance": self.guidance,
            "first_image": self.first_image,
            "last_image": self.last_image,
            "profile": self.profile,
            "prefix_video": self.prefix_video,
            "suffix_video": self.suffix_video,
            "reference_images": self.reference_images,
            "color_reference": self.color_reference,
        }

    def job_spec(self) -> Any:
        """This job as a ``generation.jobs.JobSpec`` (imported on use; its fields are matched by name)."""
        from . import jobs

        spec_cls = jobs.JobSpec
        fields = self.request_fields()
        names = getattr(spec_cls, "__dataclass_fields__", None)
        if names is not None:
            fields = {k: v for k, v in fields.items() if k in names}
        return spec_cls(**fields)


@dataclass(frozen=True)
class PlanProblem:
    key: str
    message: str


@dataclass
class JobPlan:
    """Planned jobs, nearest to the playhead first, and the segments that could not be planned."""

    jobs: list[PlannedJob] = field(default_factory=list)
    problems: list[PlanProblem] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [f"{job.key}: {note}" for job in self.jobs for note in job.notes]

    def by_key(self) -> dict[str, PlannedJob]:
        return {job.key: job for job in self.jobs}


def random_seed() -> int:
    return secrets.randbelow(MAX_RANDOM_SEED + 1)


def _exact_seconds(value: Fraction | float | int) -> Fraction:
    if isinstance(value, bool):
        raise TypeError("seconds must be a number")
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _fmt_seconds(value: Fraction) -> str:
    return f"{float(value):.2f} s"


def _conditioning(
    model: ModelInfo, first: str | None, last: str | None
) -> tuple[Ability, str | None, str | None, list[str]]:
    """Which images the model can use: (mode, first, last, notes). Mirrors the backend's fallbacks, but
    decided here so a job never carries (or is hashed with) an image it will not use."""
    notes: list[str] = []
    a = Ability
    if first and last:
        if model.can(a.FIRST_LAST_FRAME):
            return a.FIRST_LAST_FRAME, first, last, notes
        if model.can(a.KEYFRAMES):
            return a.KEYFRAMES, first, last, notes
        if model.can(a.IMAGE_TO_VIDEO):
            notes.append(f"the next clip's first frame is not used: {model.id} cannot end on a given frame")
            return a.IMAGE_TO_VIDEO, first, None, notes
        notes.append(f"the neighbouring frames are not used: {model.id} generates from text only")
        return a.TEXT_TO_VIDEO, None, None, notes
    if first:
        if model.can(a.IMAGE_TO_VIDEO):
            return a.IMAGE_TO_VIDEO, first, None, notes
        if model.can(a.KEYFRAMES):
            return a.KEYFRAMES, first, None, notes
        notes.append(
            f"the previous clip's last frame is not used: {model.id} cannot start from a given frame"
            + ("" if model.can(a.FIRST_LAST_FRAME) else " (text only)")
        )
        return a.TEXT_TO_VIDEO, None, None, notes
    if last:
        if model.can(a.KEYFRAMES):
            return a.KEYFRAMES, None, last, notes
        notes.append(
            f"the next clip's first frame is not used: {model.id} cannot end on a given frame without a first one"
        )
        return a.TEXT_TO_VIDEO, None, None, notes
    return a.TEXT_TO_VIDEO, None, None, notes


def _size(model: ModelInfo, need: SegmentNeed, notes: list[str]) -> tuple[int, int]:
    if need.width is not None or need.height is not None:
        if need.width is None or need.height is None or need.width < 1 or need.height < 1:
            raise PlanError(f"give a positive width and height, got {need.width}x{need.height}")
        width, height = snap_size(model, need.width, need.height)
        if (width, height) != (need.width, need.height):
            why = "supports only that size" if model.fixed_size else f"needs multiples of {model.size_multiple}"
            notes.append(f"size {need.width}x{need.height} -> {width}x{height} ({model.id} {why})")
        return width, height
    if need.aspect is None:
        size = model.default_size
        return size.width, size.height
    try:
        size = native_size(model, need.aspect)
    except ValueError as exc:
        raise PlanError(str(exc)) from None
    try:
        native_size(model, need.aspect, strict=True)
    except ValueError:
        notes.append(
            f"{model.id} has no {'portrait' if size.width > size.height else 'landscape'} size: "
            f"{size} is cropped to the canvas on placement"
        )
    return size.width, size.height


def plan_job(
    need: SegmentNeed, *, default_model: str | None = None, seed_source: Callable[[], int] = random_seed
) -> PlannedJob:
    """Resolve one segment into a job, or raise :class:`PlanError` (one line, without the segment's key)."""
    model_id = need.model or default_model
    if not model_id:
        raise PlanError("no model chosen")
    try:
        model = get_model(model_id)
    except UnknownModel as exc:
        raise PlanError(str(exc)) from None
    if not isinstance(need.prompt, str):
        raise PlanError("the prompt must be text")
    try:
        wanted = _exact_seconds(need.seconds)
    except (TypeError, ValueError):
        raise PlanError(f"length must be a number of seconds, got {need.seconds!r}") from None
    if wanted <= 0:
        raise PlanError(f"length must be positive, got {need.seconds!r}")
    notes: list[str] = []

    frames = nearest_frame_count(model, wanted)
    if Fraction(frames, model.fps) < wanted:
        raise PlanError(
            f"{_fmt_seconds(wanted)} is longer than {model.id} can make "
            f"({frames} frames = {_fmt_seconds(Fraction(frames, model.fps))}): split the segment"
        )
    longest = windows.longest_frames(model)
    if longest is not None and frames > longest:
        raise PlanError(
            f"{_fmt_seconds(wanted)} is longer than {model.id} can make "
            f"({longest} frames = {_fmt_seconds(Fraction(longest, model.fps))}; it cannot continue a shot in "
            "further windows): split the segment"
        )
    width, height = _size(model, need, notes)

    from .profiles import PROFILES, recipe

    if need.profile not in PROFILES:
        raise PlanError(f"profile must be one of {', '.join(PROFILES)}, got {need.profile!r}")
    cooked = recipe(model, need.profile)
    if cooked.note and need.profile == "draft" and cooked.lora is None and not model.few_step:
        notes.append(f"draft: {cooked.note}")
    steps = cooked.steps if need.steps is None else need.steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise PlanError(f"steps must be a positive whole number, got {need.steps!r}")
    guidance = cooked.guidance if need.guidance is None else need.guidance
    if (
        isinstance(guidance, bool)
        or not isinstance(guidance, (int, float))
        or not (math.isfinite(guidance) and guidance >= 0)
    ):
        raise PlanError(f"guidance must be a number of 0 or more, got {need.guidance!r}")
    negative = need.negative if need.negative else model.default_negative_prompt

    seed, was_random = need.seed, False
    if seed is None:
        seed, was_random = seed_source(), True
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= _MAX_SEED:
        raise PlanError(f"seed must be a whole number in 0..2**63-1, got {need.seed!r}")

    mode, first, last, image_notes = _conditioning(model, need.first_image or None, need.last_image or None)
    notes += image_notes
    # How many chained windows the backend will make it in (its take's notes say so too). Not a note here: with
    # the tiny test models' 9-frame windows nearly every shot would carry one.
    extending = bool(need.prefix_video) and model.can(Ability.VIDEO_EXTENSION)
    count = 1 if model.unbounded else windows.window_count(model, frames, extending=extending)
    if not model.can(mode):
        wants = "both a first and a last image" if model.can(Ability.FIRST_LAST_FRAME) else "a first image"
        have = "no neighbouring frames" if not (need.first_image or need.last_image) else "not enough of them"
        raise PlanError(
            f"{model.id} cannot generate from text alone; it needs {wants} from the neighbouring "
            f"clips ({have} here): pick a text-to-video model"
        )

    return PlannedJob(
        key=need.key,
        model=model.id,
        prompt=need.prompt,
        negative_prompt=negative,
        seed=seed,
        width=width,
        height=height,
        num_frames=frames,
        fps=model.fps,
        steps=steps,
        guidance=float(guidance),
        first_image=first,
        last_image=last,
        mode=mode,
        wanted_seconds=wanted,
        seed_was_random=was_random,
        distance_from_playhead=need.distance_from_playhead,
        notes=tuple(notes),
        profile=need.profile,
        prefix_video=need.prefix_video if model.can(Ability.VIDEO_EXTENSION) else None,
        suffix_video=need.suffix_video if model.can(Ability.VIDEO_LEAD_IN) else None,
        reference_images=tuple(need.reference_images) if model.can(Ability.REFERENCE_IMAGES) else (),
        color_reference=need.color_reference,
        windows=count,
    )


def _order(item: tuple[int, SegmentNeed]) -> tuple[Any, ...]:
    index, need = item
    d = need.distance_from_playhead
    return (abs(d), d < 0, index)  # nearest first; on a tie, the one ahead of the playhead, then as given


def plan_jobs(
    needs: Iterable[SegmentNeed], *, default_model: str | None = None, seed_source: Callable[[], int] = random_seed
) -> JobPlan:
    """Plan every segment, nearest to the playhead first. Segments that cannot be planned become problems."""
    plan = JobPlan()
    for _, need in sorted(enumerate(needs), key=_order):
        try:
            plan.jobs.append(plan_job(need, default_model=default_model, seed_source=seed_source))
        except PlanError as exc:
            plan.problems.append(PlanProblem(need.key, str(exc)))
    return plan


def describe(job: PlannedJob) -> Mapping[str, Any]:
    """A JSON-able summary of a planned job (for logs and ``--json`` output)."""
    return {
        **job.request_fields(),
        "key": job.key,
        "fps": job.fps,
        "mode": job.mode.value,
        "seconds": float(job.seconds),
        "wanted_seconds": float(job.wanted_seconds),
        "seed_was_random": job.seed_was_random,
        "windows": job.windows,
        "notes": list(job.notes),
    }
