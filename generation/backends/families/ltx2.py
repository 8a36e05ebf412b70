"""LTX-2.x (``LTX2Pipeline``, ``LTX2ImageToVideoPipeline``, ``LTX2ConditionPipeline``): joint audio and video.

Text-to-video and one first image have their own pipelines; first+last frames, keyframes, extension and lead-in
go through the condition pipeline as ``LTX2VideoCondition(frames, index, strength)``. Unlike LTX-Video, the
index is a *latent* index (0: the first frame alone; ``i > 0``: pixel frames ``8(i-1)+1 .. 8i``), so pixel frames
are mapped to latents here. The pipeline output carries the sound (``output.audio``, (batch, channels, samples)
at the vocoder's ``output_sampling_rate``), which comes back with the frames.

Video extension follows PromptCut's contract (see ``families/ltx.py``): the take holds the new frames only, so
the call asks for prefix + new frames and :meth:`read_output` drops the prefix's frames and its stretch of sound.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import GenerationError
from ...model_types import Ability, ModelInfo
from ...request import GenerationRequest
from ..images import fit_frames, fit_image
from .base import Decoded, Family, to_uint8
from .ltx import _last_aligned

# How many latents of a clip to lead into (lead-in): two latents carry motion, like ``windows.context_frames``.
_LEAD_IN_LATENTS = 2


def latent_index(frame: int, temporal_ratio: int) -> int:
    """The latent holding pixel frame ``frame`` (a causal VAE: the first frame alone, then ``ratio`` per latent)."""
    return 0 if frame <= 0 else (frame - 1) // temporal_ratio + 1


class LTX2Family(Family):
    name = "ltx2"

    def base_kwargs(self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any) -> dict[str, Any]:
        kwargs = super().base_kwargs(pipe, model, request, shot)
        kwargs["frame_rate"] = float(model.fps)
        if shot.guidance <= 1.0:
            # Unguided (distilled, Draft): the sound unguided too, as the LTX-2.5 docs call the distilled model.
            kwargs["audio_guidance_scale"] = 1.0
        return kwargs

    def call_kwargs(
        self, pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> tuple[dict[str, Any], list[str]]:
        kwargs, notes = super().call_kwargs(pipe, model, request, shot)
        sigmas = kwargs.get("sigmas")
        if sigmas is not None and len(sigmas) != shot.steps:
            # A distilled schedule only fits its own step count; another count gets the default spacing.
            kwargs.pop("sigmas")
            notes.append(f"{shot.steps} steps instead of the distilled schedule's {len(sigmas)}: default spacing")
        return kwargs, notes

    def conditioning(
        self, kwargs: dict[str, Any], pipe: Any, model: ModelInfo, request: GenerationRequest, shot: Any
    ) -> list[str]:
        w, h, n = shot.width, shot.height, shot.num_frames
        if shot.mode is Ability.TEXT_TO_VIDEO:
            return []
        if shot.mode is Ability.IMAGE_TO_VIDEO:
            kwargs["image"] = fit_image(request.first_image, w, h)
            return []
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        from ..windows import context_frames

        ratio = int(getattr(pipe, "vae_temporal_compression_ratio", model.frames.step))
        notes: list[str] = []
        offset = 0  # frames of the call before the shot's first frame (the prefix being continued)
        conditions = []
        if shot.mode is Ability.VIDEO_EXTENSION:
            prefix = _last_aligned(request.video_prefix, min(len(request.video_prefix), context_frames(model)), model)
            offset = len(prefix)
            kwargs["num_frames"] = model.frames.at_least(offset + n)
            conditions.append(LTX2VideoCondition(frames=np.stack(_arrays(fit_frames(prefix, w, h))), index=0))
            shot.take = slice(offset, offset + n)  # the prefix is made again: the take is what follows
        elif request.first_image is not None:
            conditions.append(LTX2VideoCondition(frames=fit_image(request.first_image, w, h), index=0))
        call_frames = int(kwargs.get("num_frames", n))
        latents = latent_index(call_frames - 1, ratio) + 1
        lead_in = shot.mode is Ability.VIDEO_LEAD_IN or (
            shot.mode is Ability.VIDEO_EXTENSION and model.can(Ability.VIDEO_LEAD_IN)
        )
        if lead_in and request.video_suffix is not None:
            # The clip's first 8m+1 frames fill the call's last m+1 latents (its first frame is a latent alone).
            first_free = latent_index(offset, ratio) + 1 if offset else 1
            m = min((len(request.video_suffix) - 1) // ratio, _LEAD_IN_LATENTS, latents - 1 - first_free)
            if m >= 0:
                suffix = fit_frames(request.video_suffix[: m * ratio + 1], w, h)
                conditions.append(LTX2VideoCondition(frames=np.stack(_arrays(suffix)), index=latents - 1 - m))
            else:
                notes.append("video to lead into ignored: the shot is too short to hold it after the prefix")
        elif request.last_image is not None:
            conditions.append(LTX2VideoCondition(frames=fit_image(request.last_image, w, h), index=-1))
        for key in request.keyframes if model.can(Ability.KEYFRAMES) else ():
            index = key.frame if key.frame >= 0 else n + key.frame
            if not 0 <= index < n:
                raise GenerationError(f"keyframe at frame {key.frame} is outside 0..{n - 1}", kind="bad_request")
            conditions.append(
                LTX2VideoCondition(
                    frames=fit_image(key.image, w, h),
                    index=latent_index(offset + index, ratio),
                    strength=key.strength,
                )
            )
        kwargs["conditions"] = conditions
        return notes

    def read_output(self, output: Any, pipe: Any, model: ModelInfo) -> Decoded:
        frames = to_uint8(output.frames)
        audio, rate = read_audio(output, pipe)
        return Decoded(frames, audio, rate)


def read_audio(output: Any, pipe: Any) -> tuple[np.ndarray | None, int | None]:
    """``output.audio`` (batch, channels, samples) -> float32 (samples, channels) and the vocoder's rate."""
    audio = getattr(output, "audio", None)
    if audio is None:
        return None, None
    if hasattr(audio, "detach"):
        audio = audio.detach().float().cpu().numpy()
    arr = np.asarray(audio, dtype=np.float32)
    if arr.ndim == 3:
        arr = arr[0]
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2:
        raise GenerationError(f"unexpected audio shape {arr.shape} from the pipeline", kind="pipeline")
    vocoder = getattr(pipe, "vocoder", None)
    rate = getattr(getattr(vocoder, "config", None), "output_sampling_rate", None)
    if not rate:
        raise GenerationError("the pipeline made sound but its vocoder names no sample rate", kind="pipeline")
    return np.ascontiguousarray(arr.T), int(rate)


def _arrays(images: list[Any]) -> list[np.ndarray]:
    """PIL frames -> uint8 arrays (the condition pipeline takes a (F, H, W, 3) array for a clip)."""
    return [np.asarray(im.convert("RGB"), dtype=np.uint8) for im in images]


FAMILY = LTX2Family()
