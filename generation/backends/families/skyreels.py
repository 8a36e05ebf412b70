"""SkyReels-V2 diffusion forcing (``SkyReelsV2DiffusionForcing*Pipeline``): text, a first (and last) image, or a
clip to continue; a shot longer than ``base_num_frames`` is made inside one call in windows that overlap by
``overlap_history`` frames (the model is ``unbounded``).

Extension (``...VideoToVideoPipeline``): the pipeline encodes the clip's last ``overlap_history`` frames as the
first latents of what it generates, and returns the clip frames it was given, then everything it generated, the
re-decoded overlap included. The take is the new shot only: this module passes just the clip's tail (the overlap,
4k+1 frames), asks for overlap + new frames (rounded up to 4k+1), and ``read_output`` keeps the ``num_frames`` new
frames that follow the overlap, so the take starts on the frame after the clip's last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import GenerationError
from ...model_types import Ability, FrameRule, ModelInfo
from ...request import GenerationRequest
from ..images import fit_frames, fit_image
from .base import Family
from .wan_vace import round_up


@dataclass(frozen=True)
class ExtensionPlan:
    overlap: int  # clip frames passed (and the pipeline's overlap_history)
    num_frames: int  # the call's num_frames: overlap + new, rounded up to 4k+1
    take: slice  # the new frames in the pipeline's output (clip frames first, then the generated ones)


def extension_plan(clip_frames: int, new_frames: int, overlap_history: int, step: int = 4) -> ExtensionPlan:
    """How to continue a clip of ``clip_frames`` with ``new_frames`` new frames (pure arithmetic)."""
    if clip_frames < 1:
        raise GenerationError("the clip to continue has no frames", kind="bad_request")
    # The overlap is encoded as latents: 4k+1 frames give whole latent frames (1 + 4 per latent).
    overlap = min(clip_frames, max(1, overlap_history))
    overlap -= (overlap - 1) % step
    total = round_up(FrameRule(step=step), overlap + new_frames)
    start = overlap + overlap  # the clip frames returned as given, then their re-decoded copy
    return ExtensionPlan(overlap, total, slice(start, start + new_frames))


class SkyReelsDFFamily(Family):
    name = "skyreels-df"

    def call_kwargs(
        self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> tuple[dict[str, Any], list[str]]:
        kwargs, notes = super().call_kwargs(pipe, model, request, shot)
        kwargs.setdefault("fps", model.fps)  # the transformer embeds 16 fps vs anything else
        return self.accepted(pipe, kwargs), notes

    def conditioning(
        self, kwargs: dict[str, Any], pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> list[str]:
        w, h, n = shot.width, shot.height, shot.num_frames
        notes: list[str] = []
        window = int(kwargs.get("base_num_frames") or model.window)
        overlap = int(kwargs.get("overlap_history") or 0)
        if shot.mode is Ability.VIDEO_EXTENSION:
            plan = extension_plan(len(request.video_prefix), n, overlap or window // 2)
            kwargs["video"] = fit_frames(request.video_prefix[-plan.overlap :], w, h)
            kwargs["overlap_history"] = plan.overlap
            kwargs["num_frames"] = plan.num_frames
            shot.take = plan.take
            notes.append(f"continues from the clip's last {plan.overlap} frames (diffusion forcing)")
        elif shot.mode in (Ability.IMAGE_TO_VIDEO, Ability.FIRST_LAST_FRAME):
            kwargs["image"] = fit_image(request.first_image, w, h)
            if shot.mode is Ability.FIRST_LAST_FRAME:
                kwargs["last_image"] = fit_image(request.last_image, w, h)
        total = int(kwargs["num_frames"])
        # One window when the shot fits: the pipelines' window arithmetic assumes base_num_frames <= num_frames.
        kwargs["base_num_frames"] = min(window, total)
        used_overlap = int(kwargs.get("overlap_history") or 0)
        if total > window:
            if not 0 < used_overlap < window:
                used_overlap = window // 2 // 4 * 4 + 1
                kwargs["overlap_history"] = used_overlap
            windows = 1 + -(-(total - window) // (window - used_overlap))
            notes.append(f"{windows} diffusion-forcing windows of {window} frames, overlapping by {used_overlap}")
        elif shot.mode is not Ability.VIDEO_EXTENSION:
            kwargs.pop("overlap_history", None)  # one window: no history to overlap
        return notes


FAMILY = SkyReelsDFFamily()
