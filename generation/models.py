"""The registry of video models and their native facts: the front door.

Plain Python: importing this module never imports torch or diffusers, so the editor and the CLI can list models
cheaply. The shapes (``Ability``, ``FrameRule``, ``ModelInfo``...) live in ``generation.model_types``; the entries,
one file per family, in ``generation.registry``. Facts come from the diffusers 0.42.1 pipelines and docs and from
the model repositories' own configs (see ``../shared/research/generation.md``). Download sizes and VRAM figures
are advice, not measurements: each ``VramAdvice.note`` says where its numbers come from.

Frame and size rules, in one place:

* Wan 2.1 / 2.2, Wan VACE and SkyReels-V2 want ``4k+1`` frames; sizes are multiples of VAE stride x patch =
  8 x 2 = 16 (Wan 2.1) or 16 x 2 = 32 (Wan 2.2 TI2V 5B, whose VAE compresses 16x spatially).
* LTX-Video and LTX-2 want ``8k+1`` frames and multiples of 32.
* HunyuanVideo 1.5 wants ``4k+1`` frames and multiples of 16.
* CogVideoX 1.0 is trained on exactly 49 frames (6 s at 8 fps) at 720x480 and supports no other size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from .model_types import Ability, FastVariant, FrameRule, ModelInfo, Size, VramAdvice
from .registry import all_entries
from .registry.common import LTX_NEGATIVE_PROMPT, TEST_MODEL_NOTE, WAN_NEGATIVE_PROMPT

__all__ = [
    "DEFAULT_MODEL_ID",
    "LTX_NEGATIVE_PROMPT",
    "MODELS",
    "TEST_MODEL_IDS",
    "TEST_MODEL_NOTE",
    "WAN_NEGATIVE_PROMPT",
    "Ability",
    "FastVariant",
    "FrameRule",
    "ModelInfo",
    "Size",
    "UnknownModel",
    "VramAdvice",
    "get_model",
    "list_models",
    "models_with",
    "native_size",
    "nearest_frame_count",
    "parse_aspect",
    "snap_size",
]

_MODELS: tuple[ModelInfo, ...] = all_entries()
MODELS: dict[str, ModelInfo] = {m.id: m for m in _MODELS}
DEFAULT_MODEL_ID = "wan2.1-t2v-1.3b"
TEST_MODEL_IDS: tuple[str, ...] = tuple(m.id for m in _MODELS if m.is_test_model)


class UnknownModel(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; this one is for people
        return str(self.args[0])


def list_models(*, include_test: bool = True) -> list[ModelInfo]:
    return [m for m in _MODELS if include_test or not m.is_test_model]


def get_model(model_id: str | ModelInfo) -> ModelInfo:
    if isinstance(model_id, ModelInfo):
        return model_id
    try:
        return MODELS[model_id]
    except KeyError:
        choices = ", ".join(m.id for m in _MODELS)
        raise UnknownModel(f"unknown model {model_id!r}; choose one of: {choices}") from None


def nearest_frame_count(
    model: ModelInfo | str, seconds: float | Fraction | None = None, *, frames: int | None = None
) -> int:
    """The smallest frame count the model accepts that covers ``seconds`` (at its native fps) or ``frames``.

    Never more than the model's maximum: compare the answer with your request to know whether a shot must be
    split. ``seconds`` may be a float, an int or a Fraction; floats are read as the decimal they print as.
    """
    model = get_model(model)
    if (seconds is None) == (frames is None):
        raise ValueError("give exactly one of seconds or frames")
    if frames is None:
        exact = Fraction(repr(seconds)) if isinstance(seconds, float) else Fraction(seconds)
        if exact <= 0:
            raise ValueError(f"seconds must be positive, got {seconds}")
        frames = math.ceil(exact * model.fps)
    return model.frames.at_least(frames)


def snap_size(model: ModelInfo | str, width: int, height: int) -> tuple[int, int]:
    """The nearest size the model accepts: each side rounded to its size multiple (at least one multiple).

    Fixed-size models answer with their native size closest in aspect.
    """
    model = get_model(model)
    if width < 1 or height < 1:
        raise ValueError(f"size must be positive, got {width}x{height}")
    if model.fixed_size:
        s = native_size(model, width / height)
        return s.width, s.height
    m = model.size_multiple
    return max(m, round(width / m) * m), max(m, round(height / m) * m)


_ASPECT_WORDS = {
    "portrait": 9 / 16,
    "vertical": 9 / 16,
    "landscape": 16 / 9,
    "horizontal": 16 / 9,
    "square": 1.0,
}


def parse_aspect(aspect: str | float | tuple[int, int] | Size) -> float:
    """``"9:16"``, ``"16/9"``, ``"portrait"``, ``1.5``, ``(1080, 1920)`` or a Size, as width / height."""
    if isinstance(aspect, Size):
        return aspect.aspect
    if isinstance(aspect, tuple):
        w, h = aspect
        ratio = w / h
    elif isinstance(aspect, str):
        text = aspect.strip().lower()
        if text in _ASPECT_WORDS:
            return _ASPECT_WORDS[text]
        for sep in (":", "/", "x"):
            if sep in text:
                w_text, h_text = text.split(sep, 1)
                try:
                    ratio = float(w_text) / float(h_text)
                except (ValueError, ZeroDivisionError):
                    raise ValueError(f"cannot read aspect {aspect!r}") from None
                break
        else:
            try:
                ratio = float(text)
            except ValueError:
                raise ValueError(f"cannot read aspect {aspect!r}; try 9:16, 16:9, 1:1 or portrait") from None
    else:
        ratio = float(aspect)
    if not ratio > 0 or math.isinf(ratio):
        raise ValueError(f"aspect must be positive, got {aspect!r}")
    return ratio


def native_size(model: ModelInfo | str, aspect: str | float | tuple[int, int] | Size, *, strict: bool = False) -> Size:
    """The model's native size whose aspect is closest to ``aspect``.

    ``strict=True`` refuses when the closest one has the other orientation (say a landscape-only model asked for
    9:16) instead of answering with it.
    """
    model = get_model(model)
    ratio = parse_aspect(aspect)
    best = min(model.sizes, key=lambda s: (abs(math.log(s.aspect / ratio)), -s.width * s.height))
    if strict and (best.aspect > 1) != (ratio > 1) and not math.isclose(ratio, 1.0):
        have = ", ".join(str(s) for s in model.sizes)
        raise ValueError(f"{model.id} has no native size near aspect {aspect}; it has {have}")
    return best


def models_with(ability: Ability | str, *, include_test: bool = False) -> list[ModelInfo]:
    return [m for m in list_models(include_test=include_test) if m.can(ability)]


def _check_registry(models: Iterable[ModelInfo]) -> None:
    """Registry self-consistency, run at import: a bad entry fails loudly, not at generation time."""
    for m in models:
        problems = []
        if not m.frames.is_valid(m.default_frames):
            problems.append(f"default_frames {m.default_frames} breaks {m.frames.describe()}")
        if not m.pipelines:
            problems.append("no pipelines")
        problems += [
            f"size {s} is not a multiple of {m.size_multiple}"
            for s in m.sizes
            if s.width % m.size_multiple or s.height % m.size_multiple
        ]
        if m.id != m.id.lower() or " " in m.id:
            problems.append("ids are lower case without spaces")
        if problems:
            raise ValueError(f"registry entry {m.id}: " + "; ".join(problems))


_check_registry(_MODELS)
