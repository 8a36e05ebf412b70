"""Wan VACE (``WanVACEPipeline``): every conditioning is a control video and a mask of the shot's length, plus
optional reference pictures. Mask black = keep this frame of the control video; white = generate it (its control
frame is plain grey, as the diffusers docs lay out first/last-frame control).

- image to video: the first frame kept, the rest generated;
- first + last frame (a bridge): both ends kept;
- extension (VACE "start clip"): the clip's last frames kept at the start, new frames after them;
- lead-in (VACE "end clip"): new frames, then the clip's first frames kept at the end;
- reference images: fitted to the shot's size and passed as ``reference_images`` in any mode.

The take is the new shot only: the kept clip frames are dropped from the output, and the call is sized so that
the new frames number the request's ``num_frames`` (the total must still be 4k+1; any extra new frames, needed
only when a clip gives fewer than 4 frames, are dropped away from the join).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import GenerationError
from ...model_types import Ability, FrameRule, ModelInfo
from ...request import GenerationRequest
from ..images import fit_frames, fit_image
from .base import Family

# Frames of a clip kept as context when extending or leading in: at most one second at 16 fps and half the
# model's window, a multiple of the VAE's 4-frame step so that context + a 4k+1 shot is again 4k+1.
CONTEXT_FRAMES = 16


def context_frames(model: ModelInfo) -> int:
    return max(model.frames.step, min(CONTEXT_FRAMES, model.window // 2 // model.frames.step * model.frames.step))


GREY = (128, 128, 128)


@dataclass(frozen=True)
class Layout:
    """The call's frame plan: ``total`` frames, ``kept`` of them taken from the clip, and the take's slice."""

    total: int
    kept: int
    take: slice


def round_up(rule: FrameRule, frames: int) -> int:
    """The smallest count >= ``frames`` that follows the rule's step and offset (no maximum: VACE has none)."""
    return frames + (-(frames - rule.offset)) % rule.step


def layout(mode: Ability, new_frames: int, clip_frames: int, rule: FrameRule, context: int = CONTEXT_FRAMES) -> Layout:
    """Plan a call making ``new_frames`` new frames next to a clip of ``clip_frames`` (extension, lead-in)."""
    if mode not in (Ability.VIDEO_EXTENSION, Ability.VIDEO_LEAD_IN):
        return Layout(new_frames, 0, slice(0, new_frames))
    if clip_frames < 1:
        raise GenerationError("the clip to continue has no frames", kind="bad_request")
    kept = min(clip_frames, context)
    if kept >= rule.step:
        kept -= kept % rule.step
    total = round_up(rule, kept + new_frames)
    if mode is Ability.VIDEO_EXTENSION:
        return Layout(total, kept, slice(kept, kept + new_frames))
    end = total - kept
    return Layout(total, kept, slice(end - new_frames, end))


class WanVACEFamily(Family):
    name = "wan-vace"

    def conditioning(
        self, kwargs: dict[str, Any], pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> list[str]:
        from PIL import Image

        w, h, n, mode = shot.width, shot.height, shot.num_frames, shot.mode
        notes: list[str] = []
        grey = Image.new("RGB", (w, h), GREY)
        keep, make = Image.new("L", (w, h), 0), Image.new("L", (w, h), 255)
        clip_len = 0
        if mode is Ability.VIDEO_EXTENSION:
            clip_len = len(request.video_prefix)
        elif mode is Ability.VIDEO_LEAD_IN:
            clip_len = len(request.video_suffix)
        plan = layout(mode, n, clip_len, model.frames, context_frames(model))
        video: list[Any] | None = None
        mask: list[Any] | None = None
        if mode is Ability.VIDEO_EXTENSION:
            clip = fit_frames(request.video_prefix[-plan.kept :], w, h)
            video = clip + [grey] * (plan.total - plan.kept)
            mask = [keep] * plan.kept + [make] * (plan.total - plan.kept)
            notes.append(f"continues from the clip's last {plan.kept} frames (VACE start clip)")
        elif mode is Ability.VIDEO_LEAD_IN:
            clip = fit_frames(request.video_suffix[: plan.kept], w, h)
            video = [grey] * (plan.total - plan.kept) + clip
            mask = [make] * (plan.total - plan.kept) + [keep] * plan.kept
            notes.append(f"leads into the clip's first {plan.kept} frames (VACE end clip)")
        elif mode in (Ability.IMAGE_TO_VIDEO, Ability.FIRST_LAST_FRAME):
            video = [fit_image(request.first_image, w, h)] + [grey] * (n - 1)
            mask = [keep] + [make] * (n - 1)
            if mode is Ability.FIRST_LAST_FRAME:
                video[-1], mask[-1] = fit_image(request.last_image, w, h), keep
        if video is not None:
            kwargs["video"], kwargs["mask"] = video, mask
        kwargs["num_frames"] = plan.total
        if request.reference_images:
            kwargs["reference_images"] = [fit_image(r, w, h) for r in request.reference_images]
        shot.take = plan.take if plan.kept or plan.total != n else None
        return notes


FAMILY = WanVACEFamily()
