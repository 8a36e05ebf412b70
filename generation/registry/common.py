"""Constants several registry files share: negative prompts, frame rules, the test-model note."""

from __future__ import annotations

from ..model_types import Ability, FrameRule

_A = Ability
WAN_NEGATIVE_PROMPT = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, static, "
    "overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, "
    "poorly drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, "
    "messy background, three legs, many people in the background, walking backwards"
)
LTX_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"
WAN_FRAMES = FrameRule(step=4)
LTX_FRAMES = FrameRule(step=8)
COG_FRAMES = FrameRule(step=4, min_frames=49, max_frames=49)
# LTX >= 0.9.1 has a timestep-aware VAE: the diffusers docs advise these decode settings.
LTX_DECODE = (("decode_timestep", 0.05), ("decode_noise_scale", 0.025), ("image_cond_noise_scale", 0.025))
LTX_ALL = (
    (_A.TEXT_TO_VIDEO, "LTXConditionPipeline"),
    (_A.IMAGE_TO_VIDEO, "LTXConditionPipeline"),
    (_A.FIRST_LAST_FRAME, "LTXConditionPipeline"),
    (_A.KEYFRAMES, "LTXConditionPipeline"),
    (_A.VIDEO_EXTENSION, "LTXConditionPipeline"),
    (_A.VIDEO_LEAD_IN, "LTXConditionPipeline"),
)
TEST_MODEL_NOTE = "Tiny random weights built offline: it makes noise. For tests and CPU runs only."
