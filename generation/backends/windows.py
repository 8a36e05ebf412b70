"""Long shots: a shot longer than one model window, made in chained windows and joined into one take.

A model makes ``model.window`` frames well in one pipeline call (its training length). A longer shot is cut into
windows; window 1 is the shot as asked (text, first image, the video it continues...), and every next window is
conditioned on the END of the one before it:

* **video extension** (LTX condition pipelines, Wan VACE, SkyReels-V2): the last :func:`context_frames` frames
  made so far are the next window's ``video_prefix``;
* else **image to video** (Wan TI2V/I2V, CogVideoX I2V...): the last frame made so far is its ``first_image``;
* a model that can do neither cannot make a shot longer than :func:`longest_frames` and refuses it.

``unbounded`` models (diffusion forcing) chain inside one call and never come here.

The contract with the families (``generate_window``):

* ``VIDEO_EXTENSION``: ``shot.num_frames`` counts the NEW frames, and the take holds only them (the family asks
  its pipeline for prefix + new frames, rounded to its frame rule, and drops the prefix's re-made frames and any
  surplus). ``generation.backends.families.ltx`` does so for LTXConditionPipeline, which returns the prefix.
* every other mode: the take is the pipeline's output. An image-to-video window's first frame re-makes the
  previous window's last frame, so it is dropped here.

Joining keeps exactly the shot's frame count (the last window's surplus trimmed): no frame twice, no black frame
at a join. Start conditioning (first image, the continued video) goes to window 1 only, end conditioning (last
image, the video led into) to the last window only; keyframes to the window that holds their frame; reference
images to every window. **Seeds**: window ``i`` (1-based) uses ``seed + i - 1``, so window 1 is the very shot a
one-window request with that seed makes, and every later window draws fresh noise. A colour reference is applied
once to the joined frames (per window it would pull each window separately and could jump at the joins).
Cancelling is checked between windows as well as between steps.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import Cancelled, GenerationError
from ..model_types import Ability, ModelInfo
from ..request import GenerationRequest, GenerationResult, Keyframe, PreviewFrame, Progress

_MAX_SEED = 2**63 - 1


# ---------------------------------------------------------------------------------------------------------------
# The numbers (plain Python: the planner uses them too)
# ---------------------------------------------------------------------------------------------------------------


def chain_mode(model: ModelInfo) -> Ability | None:
    """How one window continues the last: VIDEO_EXTENSION, IMAGE_TO_VIDEO, or None (it cannot)."""
    if model.can(Ability.VIDEO_EXTENSION):
        return Ability.VIDEO_EXTENSION
    if model.can(Ability.IMAGE_TO_VIDEO):
        return Ability.IMAGE_TO_VIDEO
    return None


def window_frames(model: ModelInfo) -> int:
    """Frames per window: the model's window, on its frame rule (the largest valid count not above it)."""
    return _valid_at_most(model, model.window)


def context_frames(model: ModelInfo) -> int:
    """How many frames of the previous window lead into the next one (video extension).

    Three latents' worth, ``2 * step + offset`` (17 for LTX's 8k+1, 9 for Wan's 4k+1): a causal video VAE encodes
    the first frame alone and each further ``step`` frames as one latent, so this is the shortest prefix that
    carries motion (two steps of it, so speed and its change) rather than a pose, and it fills whole latents.
    Capped at a third of the window so most of each window is new frames (a tiny 9-frame window gets 1 frame).
    """
    rule = model.frames
    wanted = min(2 * rule.step + rule.offset, max(1, window_frames(model) // 3))
    if wanted < rule.offset or rule.offset < 1:
        return max(1, wanted)
    return (wanted - rule.offset) // rule.step * rule.step + rule.offset


def longest_frames(model: ModelInfo) -> int | None:
    """The longest shot the model makes, in frames; None when unbounded (it chains, or diffusion forcing).

    A model that cannot chain stretches one call up to twice its window (video models degrade gently up to about
    that: the LTX README advises below 257 frames for a 121-frame model) and refuses anything longer.
    """
    if model.frames.max_frames is not None:
        return model.frames.max_frames
    if model.unbounded or chain_mode(model) is not None:
        return None
    return _valid_at_most(model, 2 * window_frames(model))


def window_count(model: ModelInfo, frames: int, *, extending: bool = False) -> int:
    """How many windows a shot of ``frames`` takes (1 when it fits one call). ``extending``: the shot continues
    a given video (the prefix takes room in every window)."""
    return len(_layout(model, frames, extending=extending))


def needs_windows(model: ModelInfo, shot: Any) -> bool:
    """Whether ``shot`` is longer than one call of ``model`` makes (or longer than a model that cannot chain is
    allowed to stretch one call: then ``generate_chained`` refuses it)."""
    if model.unbounded:
        return False
    extending = shot.mode is Ability.VIDEO_EXTENSION
    if chain_mode(model) is None:
        longest = longest_frames(model)
        return longest is not None and shot.num_frames > longest
    return window_count(model, shot.num_frames, extending=extending) > 1


def _valid_at_most(model: ModelInfo, frames: int) -> int:
    rule = model.frames
    if frames < rule.min_frames:
        return rule.min_frames
    n = (frames - rule.offset) // rule.step * rule.step + rule.offset
    if rule.max_frames is not None:
        n = min(n, rule.max_frames)
    return max(n, rule.min_frames)


def _layout(model: ModelInfo, frames: int, *, extending: bool) -> list[int]:
    """New frames per window, summing to ``frames``."""
    window = window_frames(model)
    mode = chain_mode(model)
    context = context_frames(model)
    first = window - context if extending else window
    if frames + (context if extending else 0) <= window or mode is None:
        return [frames]
    later = window - context if mode is Ability.VIDEO_EXTENSION else window - 1
    counts = [first]
    left = frames - first
    while left > 0:
        counts.append(min(later, left))
        left -= counts[-1]
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Running a long shot
# ---------------------------------------------------------------------------------------------------------------


def generate_chained(
    backend: Any,
    model: ModelInfo,
    request: GenerationRequest,
    shot: Any,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    preview: Callable[[PreviewFrame], None] | None = None,
) -> GenerationResult:
    """Make ``shot`` in chained windows through ``backend.generate_window``; one joined result."""
    from .diffusers_backend import plan_shot

    mode = chain_mode(model)
    if mode is None:
        longest = longest_frames(model) or window_frames(model)
        raise GenerationError(
            f"{model.label} makes shots of at most {longest} frames ({longest / model.fps:.2f} s) and cannot "
            f"continue one: {shot.num_frames} frames asked",
            kind="bad_request",
            hint="Make the shot shorter, or pick a model that can extend a video or start from an image.",
        )
    extending = shot.mode is Ability.VIDEO_EXTENSION
    counts = _layout(model, shot.num_frames, extending=extending)
    n = len(counts)
    t0 = time.perf_counter()
    pieces: list[np.ndarray] = []
    audio: list[np.ndarray] = []
    results: list[GenerationResult] = []
    made = 0

    def forward(p: Progress) -> None:
        # Loading is reported once (window 1); each window's own "done" is not the shot's.
        if progress is None or p.phase == "done" or (p.phase == "loading" and results):
            return
        progress(p)

    for i, new in enumerate(counts, start=1):
        if cancel is not None and cancel.is_set():
            raise Cancelled(f"cancelled after window {i - 1} of {n}")
        start = i == 1
        sub = _window_request(request, model, shot, mode, i, n, made, new, pieces)
        sub_shot = plan_shot(model, sub)
        drop = 0
        if sub_shot.mode is Ability.VIDEO_EXTENSION:
            call_frames = new  # the family returns the new frames only
        else:
            drop = 0 if start else 1  # an image-to-video window re-makes the previous last frame first
            call_frames = model.frames.at_least(new + drop)
        sub_shot = dataclasses.replace(
            sub_shot,
            num_frames=call_frames,
            width=shot.width,
            height=shot.height,
            steps=shot.steps,
            guidance=shot.guidance,
            negative_prompt=shot.negative_prompt,
            notes=list(shot.notes) if start else [],
        )
        result = backend.generate_window(
            model, sub, sub_shot, progress=forward, cancel=cancel, preview=preview, window=i, windows=n
        )
        got = result.frames
        if len(got) < drop + new:
            raise GenerationError(
                f"{model.label} made {len(got)} frames in window {i} of {n}, {drop + new} were needed",
                kind="pipeline",
            )
        pieces.append(got[drop : drop + new])
        if result.audio is not None and result.audio_rate:
            per_frame = len(result.audio) / max(1, len(got))
            audio.append(result.audio[round(drop * per_frame) : round((drop + new) * per_frame)])
        results.append(result)
        made += new

    frames = np.concatenate(pieces, axis=0)
    if request.color_reference is not None:
        from .colors import match_colors

        frames = match_colors(frames, request.color_reference)
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"cancelled after window {n} of {n}")
    joined = _join_results(model, request, shot, results, frames, audio, counts)
    if progress is not None:
        progress(Progress("done", shot.steps, shot.steps, time.perf_counter() - t0, n, n))
    return joined


def _window_request(
    request: GenerationRequest,
    model: ModelInfo,
    shot: Any,
    mode: Ability,
    i: int,
    n: int,
    made: int,
    new: int,
    pieces: list[np.ndarray],
) -> GenerationRequest:
    """Window ``i`` of ``n``: its conditioning, frames and seed."""
    start, last = i == 1, i == n
    fields: dict[str, Any] = dict(
        seed=(request.seed + i - 1) % (_MAX_SEED + 1),
        width=shot.width,
        height=shot.height,
        num_frames=None,
        steps=shot.steps,
        guidance=shot.guidance,
        negative_prompt=shot.negative_prompt,
        color_reference=None,  # applied once to the joined shot
        last_image=request.last_image if last else None,
        video_suffix=request.video_suffix if last else None,
        keyframes=_keyframes_in(request.keyframes, shot.num_frames, made, new, offset=0 if start else 1),
    )
    if not start:
        done = np.concatenate(pieces, axis=0)
        if mode is Ability.VIDEO_EXTENSION:
            fields.update(first_image=None, video_prefix=done[-context_frames(model) :])
            fields["keyframes"] = _keyframes_in(request.keyframes, shot.num_frames, made, new, offset=0)
        else:
            fields.update(first_image=done[-1], video_prefix=None)
    return dataclasses.replace(request, **fields)


def _keyframes_in(keys: tuple[Keyframe, ...], total: int, made: int, new: int, *, offset: int) -> tuple[Keyframe, ...]:
    """The keyframes falling in shot frames ``made .. made + new``, in the window's own frame numbers
    (``offset``: frames the window makes before the first kept one)."""
    out = []
    for key in keys:
        frame = key.frame if key.frame >= 0 else total + key.frame
        if made <= frame < made + new:
            out.append(Keyframe(frame - made + offset, key.image, key.strength))
    return tuple(out)


def _join_results(
    model: ModelInfo,
    request: GenerationRequest,
    shot: Any,
    results: list[GenerationResult],
    frames: np.ndarray,
    audio: list[np.ndarray],
    counts: list[int],
) -> GenerationResult:
    first = results[0]
    n = len(results)
    notes: list[str] = []
    for r in results:
        notes.extend(x for x in r.notes if x not in notes)
    how = "video extension" if chain_mode(model) is Ability.VIDEO_EXTENSION else "image to video"
    carried = context_frames(model) if how == "video extension" else 1
    notes.append(
        f"made in {n} windows of up to {window_frames(model)} frames, each continuing the last "
        f"({how}, {carried} frame{'s' if carried != 1 else ''} carried over)"
    )
    timings: dict[str, float] = {}
    for r in results:
        for k, v in r.timings.items():
            if k != "s_per_step":
                timings[k] = timings.get(k, 0.0) + float(v)
    if timings.get("denoise_s") and shot.steps:
        timings["s_per_step"] = timings["denoise_s"] / (shot.steps * n)
    sound = None
    if audio and first.audio_rate:
        sound = np.concatenate(audio, axis=0).astype(np.float32)
        samples = round(len(frames) * first.audio_rate / model.fps)
        if len(sound) > samples:
            sound = sound[:samples]
        elif len(sound) < samples:
            sound = np.concatenate([sound, np.zeros((samples - len(sound), sound.shape[1]), np.float32)])
    return dataclasses.replace(
        first,
        frames=frames,
        mode=shot.mode.value,
        width=int(frames.shape[2]),
        height=int(frames.shape[1]),
        num_frames=int(frames.shape[0]),
        seed=request.seed,
        steps=shot.steps,
        guidance=shot.guidance,
        negative_prompt=shot.negative_prompt,
        notes=notes,
        timings=timings,
        request=request.describe(),
        audio=sound,
        audio_rate=first.audio_rate if sound is not None else None,
        windows=n,
    )
