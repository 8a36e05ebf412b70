"""LTX-Video (``LTXPipeline``, ``LTXConditionPipeline``): images and videos as ``LTXVideoCondition`` s placed at
any frame index; ``frame_rate`` passed through."""

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

        w, h, n = shot.width, shot.height, shot.num_frames
        conditions = []
        if shot.mode is Ability.VIDEO_EXTENSION:
            conditions.append(LTXVideoCondition(video=fit_frames(request.video_prefix, w, h), frame_index=0))
        elif request.first_image is not None:
            conditions.append(LTXVideoCondition(image=fit_image(request.first_image, w, h), frame_index=0))
        if shot.mode is Ability.VIDEO_LEAD_IN and request.video_suffix is not None:
            suffix = fit_frames(request.video_suffix, w, h)
            # LTX places a video condition at a latent-aligned index: 8k frames in, the suffix last.
            index = max(0, (n - len(suffix)) // 8 * 8)
            conditions.append(LTXVideoCondition(video=suffix[: n - index], frame_index=index))
        elif request.last_image is not None:
            conditions.append(LTXVideoCondition(image=fit_image(request.last_image, w, h), frame_index=n - 1))
        for key in request.keyframes if model.can(Ability.KEYFRAMES) else ():
            index = key.frame if key.frame >= 0 else n + key.frame
            if not 0 <= index < n:
                raise GenerationError(f"keyframe at frame {key.frame} is outside 0..{n - 1}", kind="bad_request")
            conditions.append(
                LTXVideoCondition(image=fit_image(key.image, w, h), frame_index=index, strength=key.strength)
            )
        kwargs["conditions"] = conditions
        return []


FAMILY = LTXFamily()
