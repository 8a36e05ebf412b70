"""LTX-Video (``LTXPipeline``, ``LTXConditionPipeline``): images and videos as ``LTXVideoCondition`` s placed at
any frame index; ``frame_rate`` passed through.

Video extension: ``LTXConditionPipeline`` with a video condition at frame 0 returns the condition's frames (as
it re-decodes them) at the start of its output. PromptCut's contract for ``VIDEO_EXTENSION`` (see
``generation.backends.windows``) is that the take holds the NEW frames only and ``shot.num_frames`` counts
them: so the call asks for ``prefix + new`` frames (rounded up to the 8k+1 rule), and :meth:`read_output`
drops the prefix's frames and any surplus at the end.
"""

from __future__ import annotations

from typing import Any

from ...errors import GenerationError
from ...model_types import Ability, ModelInfo
from ...request import GenerationRequest
from ..images import fit_frames, fit_image
from .base import Family


class LTXFamily(Family):
    name = "ltx"

    def base_kwargs(self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any) -> dict[str, Any]:
        kwargs = super().base_kwargs(pipe, model, request, shot)
        kwargs["frame_rate"] = model.fps
        return kwargs

    def conditioning(
        self, kwargs: dict[str, Any], pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> list[str]:
        if shot.mode is Ability.TEXT_TO_VIDEO:
            return []
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        from ..windows import context_frames

        w, h, n = shot.width, shot.height, shot.num_frames
        notes: list[str] = []
        offset = 0  # frames of the call before the shot's first frame (the prefix being continued)
        conditions = []
        if shot.mode is Ability.VIDEO_EXTENSION:
            prefix = _last_aligned(request.video_prefix, min(len(request.video_prefix), context_frames(model)), model)
            offset = len(prefix)
            kwargs["num_frames"] = model.frames.at_least(offset + n)
            conditions.append(LTXVideoCondition(video=fit_frames(prefix, w, h), frame_index=0))
            shot.take = slice(offset, offset + n)  # the prefix is made again: the take is what follows
        elif request.first_image is not None:
            conditions.append(LTXVideoCondition(image=fit_image(request.first_image, w, h), frame_index=0))
        end = offset + n  # the call's frame just after the shot's last one
        lead_in = shot.mode is Ability.VIDEO_LEAD_IN or (
            shot.mode is Ability.VIDEO_EXTENSION and model.can(Ability.VIDEO_LEAD_IN)
        )
        if lead_in and request.video_suffix is not None:
            suffix = fit_frames(request.video_suffix, w, h)
            # LTX places a video condition at a latent-aligned index: 8k frames in, the suffix last.
            index = max(-(-offset // 8) * 8, (end - len(suffix)) // 8 * 8)
            if index < end:
                conditions.append(LTXVideoCondition(video=suffix[: end - index], frame_index=index))
            else:
                notes.append("video to lead into ignored: the shot is too short to hold it after the prefix")
        elif request.last_image is not None:
            conditions.append(LTXVideoCondition(image=fit_image(request.last_image, w, h), frame_index=end - 1))
        for key in request.keyframes if model.can(Ability.KEYFRAMES) else ():
            index = key.frame if key.frame >= 0 else n + key.frame
            if not 0 <= index < n:
                raise GenerationError(f"keyframe at frame {key.frame} is outside 0..{n - 1}", kind="bad_request")
            conditions.append(
                LTXVideoCondition(image=fit_image(key.image, w, h), frame_index=offset + index, strength=key.strength)
            )
        kwargs["conditions"] = conditions
        return notes


def _last_aligned(frames: Any, wanted: int, model: ModelInfo) -> Any:
    """The last ``wanted`` frames of ``frames``, fewer if needed to follow the model's frame rule (8k+1): the
    causal VAE encodes the first frame alone and every further 8 together, so a 8k+1 prefix fills whole latents
    (the pipeline would otherwise trim it from the end, dropping the very frames the shot continues from)."""
    if len(frames) == 0:
        raise GenerationError("video_prefix has no frames", kind="bad_request")
    rule = model.frames
    k = max(1, wanted)
    if k >= rule.offset and rule.offset >= 1:
        k = (k - rule.offset) // rule.step * rule.step + rule.offset
    return frames[len(frames) - k :]


FAMILY = LTXFamily()
